//! What `generate` produces per function, before rendering.

use std::collections::BTreeMap;

use leastrole_lang::{Diagnostic, Level, Location};

use crate::grant::{Grant, Provenance};
use crate::resource::{Resource, is_terraform_address};
use crate::statement::Policy;
use leastrole_core::Code;

/// One function's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionReport {
    /// In a monorepo, `path:name` (`services/orders:createOrder`).
    pub name: String,
    /// The monorepo project the function belongs to, by path relative to the folder
    /// scanned (`services/orders`); `None` when that folder is one project.
    pub project: Option<String>,
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
    /// `Some(reason)` when the function could not be analysed (a container image,
    /// another runtime, a missing handler file or export): its empty policy means
    /// "unknown", never "needs nothing". Paste-ready formats leave it out, `check` calls
    /// it not checkable.
    pub not_analysed: Option<String>,
    /// The name of the function's log group (`/aws/lambda/<deployed name>`) when the
    /// configuration gives the deployed name, template references kept; `None` when the
    /// deployment names the function (CloudFormation's `<stack>-<LogicalId>-<suffix>`).
    pub log_group: Option<Resource>,
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
    /// The functions the user named (`--handler`, `--function`: `is_named`) that could not
    /// be analysed. Asked for, they are errors rather than functions listed without a
    /// policy: their `function-not-analysed` note, as an error for the report's top level.
    pub fn named_not_analysed(&self, is_named: impl Fn(&str) -> bool) -> Vec<Diagnostic> {
        self.functions
            .iter()
            .filter(|f| !f.is_analysed() && is_named(&f.name))
            .flat_map(|f| &f.diagnostics)
            .filter(|d| d.code == Code::FunctionNotAnalysed)
            .map(|d| Diagnostic {
                level: Level::Error,
                ..d.clone()
            })
            .collect()
    }

    /// Every diagnostic, project-level first.
    pub fn all_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .chain(self.functions.iter().flat_map(|f| f.diagnostics.iter()))
    }
}

impl FunctionReport {
    /// Whether the analysis ran: the policy is what the code needs.
    pub fn is_analysed(&self) -> bool {
        self.not_analysed.is_none()
    }

    /// Diagnostics for output that shows plain ARNs (`json`, `iam`, `terraform`, `text`):
    /// a template reference whose value the template does not give (a resource without a
    /// name property, a parameter without `Default`) becomes `*` there. Template output
    /// keeps the reference and needs none of these. One per reference, on the first call
    /// that needs it. A reference for which `kept` holds is one the output at hand writes
    /// as a reference (`--format terraform` and a Terraform address): it needs none.
    pub fn plain_output_diagnostics(&self, kept: impl Fn(&str) -> bool) -> Vec<Diagnostic> {
        let mut by_ref: BTreeMap<&str, (Vec<&str>, Option<&Provenance>)> = BTreeMap::new();
        for grant in &self.grants {
            for logical_id in grant.resource.unresolved_references() {
                if kept(logical_id) {
                    continue;
                }
                let entry = by_ref.entry(logical_id).or_default();
                if !entry.0.contains(&grant.action.as_str()) {
                    entry.0.push(&grant.action);
                }
                let first = grant.sources.first();
                if entry.1.is_none_or(|p| first.is_some_and(|f| f < p)) {
                    entry.1 = first.or(entry.1);
                }
            }
        }
        by_ref
            .into_iter()
            .map(|(logical_id, (actions, source))| {
                let message = if is_terraform_address(logical_id) {
                    format!(
                        "`{logical_id}` has no known value in the configuration: `*` stands in for it in {}; `--format terraform` keeps the reference exact",
                        actions.join(", ")
                    )
                } else {
                    format!(
                        "`{logical_id}` has no value in the template (a resource without a name property, or a parameter without `Default`): `*` stands in for it in {}; `--format cloudformation`, `sam` and `serverless` keep the reference exact",
                        actions.join(", ")
                    )
                };
                Diagnostic::new(
                    Level::Warning,
                    Code::UnresolvedReference,
                    message,
                    source.map(|p| Location {
                        file: p.file.clone(),
                        line: p.line,
                        column: p.column,
                    }),
                )
            })
            .collect()
    }
}

impl Report {
    /// This report with [`FunctionReport::plain_output_diagnostics`] added to each
    /// function's diagnostics (sorted, deduplicated); `kept(function, logical_id)` as in
    /// [`FunctionReport::plain_output_diagnostics`].
    pub fn with_plain_output_diagnostics(mut self, kept: impl Fn(&str, &str) -> bool) -> Report {
        for f in &mut self.functions {
            let name = f.name.clone();
            let extra = f.plain_output_diagnostics(|id| kept(&name, id));
            if !extra.is_empty() {
                f.diagnostics.extend(extra);
                f.diagnostics.sort();
                f.diagnostics.dedup();
            }
        }
        self
    }
}
