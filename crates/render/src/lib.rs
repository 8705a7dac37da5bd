//! leastrole-render: every output format.
//!
//! Last stage of the pipeline: takes the per-function [`Report`] built by
//! `leastrole-policy` and writes it as text, the versioned JSON report
//! (docs/output-schema.md), bare IAM documents, framework templates, the review formats
//! of `check`/`diff`, and what `leastrole maps` shows of the embedded tables. Every renderer is a pure function of
//! the report, so output is byte-for-byte deterministic.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod calls;
mod json;
mod maps;
mod review;
mod template;
mod text;

use std::collections::{BTreeMap, BTreeSet};

use leastrole_policy::{ArnEnv, FunctionReport, Report};

pub use calls::{calls_json, calls_text};
pub use json::{REPORT_VERSION, diagnostic_json, report_json};
pub use maps::{maps_index, maps_operation, maps_service};
pub use review::{
    ANNOTATION_LIMIT, MARKDOWN_LIMIT, REVIEW_VERSION, ReviewOptions, marker, review_github,
    review_json, review_markdown, review_sarif, review_text,
};
pub use template::{
    STATEMENTS_VERSION, ServerlessFlavor, cloudformation, sam, serverless, statements_json,
    terraform,
};
pub use text::{diagnostic_line, report_text};

/// Options shared by the renderers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Values for `${Partition}`, `${Region}`, `${Account}`.
    pub env: ArnEnv,
    /// Show every source line behind every grant.
    pub explain: bool,
    /// The functions of a Terraform project, by name: `--format terraform` keeps their
    /// references and writes their partition, region and account as data sources.
    pub terraform: BTreeSet<String>,
    /// For a Terraform function, by name, the address its role is named by in the root
    /// module: an `aws_iam_role` (`aws_iam_role.worker`), or the lambda module call that
    /// creates it (`module.api`); `--format terraform` shows how to attach with it.
    pub terraform_roles: BTreeMap<String, String>,
}

/// Bare IAM policy documents: one document for one function, an object keyed by
/// function name for several. A function without a document ([`left_out`]) is not in
/// it: IAM rejects a document without statements, and a function that was not analysed
/// has no known policy. One such function alone gives `{}`.
pub fn iam(report: &Report, options: &RenderOptions) -> String {
    let value = match report.functions.as_slice() {
        [only] if left_out(only).is_none() => only.policy.to_json(&options.env),
        many => serde_json::Value::Object(
            many.iter()
                .filter(|f| left_out(f).is_none())
                .map(|f| (f.name.clone(), f.policy.to_json(&options.env)))
                .collect(),
        ),
    };
    pretty(&value)
}

/// Why a paste-ready format has no policy document for `f`, as a sentence naming it:
/// it was not analysed (its policy is unknown), or it needs no permission (and IAM
/// rejects a document without statements). `None` when it has a document.
pub fn left_out(f: &FunctionReport) -> Option<String> {
    match &f.not_analysed {
        Some(reason) => Some(format!(
            "{}: not analysed ({reason}); no policy is generated for it, so keep its current role",
            f.name
        )),
        None if f.policy.is_empty() => Some(format!(
            "{}: needs no AWS permissions; no policy document (IAM rejects one without statements)",
            f.name
        )),
        None => None,
    }
}

/// Two-space JSON with a trailing newline.
pub(crate) fn pretty(value: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".to_string());
    s.push('\n');
    s
}
