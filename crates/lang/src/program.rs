//! The linked result of analysing a set of source files: modules, their functions, the
//! SDK calls in each function, and resolved call edges between functions.
//!
//! Reachability (which calls a handler can make) is computed by `leastrole-policy` from
//! this graph; the front-ends only resolve names (imports, methods, callbacks) to
//! [`FunctionId`]s.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::facts::{Diagnostic, Location, SdkCall};

/// Name of the pseudo-function holding a module's top-level code.
pub const MODULE_SCOPE: &str = "<module>";

pub use leastrole_core::Language;

/// A function in the program: `<file>#<qualified name>`, e.g. `src/app.py#Repo.save`
/// or `src/app.py#<module>` for top-level code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FunctionId(pub String);

impl FunctionId {
    pub fn new(file: &str, qualname: &str) -> Self {
        FunctionId(format!("{file}#{qualname}"))
    }

    pub fn module_scope(file: &str) -> Self {
        FunctionId::new(file, MODULE_SCOPE)
    }

    pub fn file(&self) -> &str {
        self.0.rsplit_once('#').map_or(&self.0, |(f, _)| f)
    }

    pub fn qualname(&self) -> &str {
        self.0.rsplit_once('#').map_or("", |(_, q)| q)
    }
}

impl fmt::Display for FunctionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One function (or a module's top-level code) and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionFacts {
    pub id: FunctionId,
    /// Where the definition starts (line 1, column 1 for module scope).
    pub location: Location,
    /// SDK calls made directly in this function's body.
    pub calls: Vec<SdkCall>,
    /// Functions this one calls, passes as a callback, or instantiates (a class's
    /// `__init__`/`constructor` and the methods called on the instance). Resolved ids only.
    pub callees: BTreeSet<FunctionId>,
    /// Findings inside this function (unresolvable clients, unknown methods…).
    pub diagnostics: Vec<Diagnostic>,
}

/// One parsed source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleFacts {
    /// Path relative to the analysis root, `/`-separated.
    pub file: String,
    pub language: Language,
    /// Keyed by qualified name; always has [`MODULE_SCOPE`].
    pub functions: BTreeMap<String, FunctionFacts>,
    /// Exported name → qualified name of the function it denotes (`handler` →
    /// `handler`, `default` → `main`, Python: every top-level def and assigned callable).
    pub exports: BTreeMap<String, String>,
    /// Findings about the file as a whole (syntax errors, unreadable, too large).
    pub diagnostics: Vec<Diagnostic>,
}

impl ModuleFacts {
    /// Move the module's calls and diagnostics (its own and its functions') to the end
    /// of `calls` and `diags`, in no particular order.
    pub fn move_calls_and_diagnostics(self, calls: &mut Vec<SdkCall>, diags: &mut Vec<Diagnostic>) {
        move_calls_and_diagnostics(self.diagnostics, self.functions.into_values(), calls, diags);
    }
}

/// A module's own `diagnostics` and its `functions`' calls and diagnostics moved to the
/// end of `calls` and `diags`, in no particular order: for a module held as its parts.
pub(crate) fn move_calls_and_diagnostics(
    diagnostics: Vec<Diagnostic>,
    functions: impl IntoIterator<Item = FunctionFacts>,
    calls: &mut Vec<SdkCall>,
    diags: &mut Vec<Diagnostic>,
) {
    diags.extend(diagnostics);
    for f in functions {
        calls.extend(f.calls);
        diags.extend(f.diagnostics);
    }
}

/// Every module reached from the entry files, linked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    pub modules: BTreeMap<String, ModuleFacts>,
    /// Findings about files that could not be read at all (they have no module).
    pub diagnostics: Vec<Diagnostic>,
}

impl Program {
    pub fn function(&self, id: &FunctionId) -> Option<&FunctionFacts> {
        self.modules.get(id.file())?.functions.get(id.qualname())
    }

    /// Every SDK call in the program, sorted by location.
    pub fn all_calls(&self) -> Vec<&SdkCall> {
        let mut calls: Vec<&SdkCall> = self
            .modules
            .values()
            .flat_map(|m| m.functions.values())
            .flat_map(|f| f.calls.iter())
            .collect();
        calls.sort();
        calls
    }

    /// Every diagnostic: files that could not be read, whole-module findings and each
    /// function's; sorted, deduplicated.
    pub fn all_diagnostics(&self) -> Vec<&Diagnostic> {
        let mut diags: Vec<&Diagnostic> = self
            .diagnostics
            .iter()
            .chain(self.modules.values().flat_map(|m| {
                m.diagnostics
                    .iter()
                    .chain(m.functions.values().flat_map(|f| f.diagnostics.iter()))
            }))
            .collect();
        diags.sort();
        diags.dedup();
        diags
    }

    /// [`Program::all_calls`] and [`Program::all_diagnostics`], owned: for a caller that
    /// needs nothing else, without a second copy of every call at once.
    pub fn into_calls_and_diagnostics(self) -> (Vec<SdkCall>, Vec<Diagnostic>) {
        let mut calls = Vec::new();
        let mut diags = self.diagnostics;
        for m in self.modules.into_values() {
            m.move_calls_and_diagnostics(&mut calls, &mut diags);
        }
        calls.sort();
        diags.sort();
        diags.dedup();
        (calls, diags)
    }

    /// Merge another program's modules into this one (used to combine languages).
    pub fn extend(&mut self, other: Program) {
        self.modules.extend(other.modules);
        self.diagnostics.extend(other.diagnostics);
    }
}
