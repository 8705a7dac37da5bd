//! What `generate` produces per function, before rendering.

use leastrole_lang::Diagnostic;

use crate::grant::Grant;
use crate::statement::Policy;

/// One function's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionReport {
    pub name: String,
    /// Handler string as configured (`src/app.handler`); `None` for a plain folder.
    pub handler: Option<String>,
    pub runtime: Option<String>,
    /// Source files the function's code spans (reached modules), sorted.
    pub files: Vec<String>,
    /// Sorted; one per (action, resource, condition).
    pub grants: Vec<Grant>,
    pub policy: Policy,
    /// Sorted, deduplicated.
    pub diagnostics: Vec<Diagnostic>,
}

/// Every function's result plus project-level findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Sorted by name.
    pub functions: Vec<FunctionReport>,
    /// Findings not tied to one function (config, discovery).
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Every diagnostic, project-level first.
    pub fn all_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .chain(self.functions.iter().flat_map(|f| f.diagnostics.iter()))
    }
}
