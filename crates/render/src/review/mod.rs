//! `check` and `diff` output: text, Markdown (a PR comment), versioned JSON, SARIF 2.1.0
//! and GitHub workflow-command annotations. Pure functions of the [`Review`].

mod github;
mod json;
mod markdown;
mod sarif;
mod text;

use leastrole_review::{FailOn, Finding, FunctionReview, FunctionStatus, Kind, Review, SourceRef};

pub use github::{ANNOTATION_LIMIT, review_github};
pub use json::{REVIEW_VERSION, review_json};
pub use markdown::{MARKDOWN_LIMIT, marker, review_markdown};
pub use sarif::review_sarif;
pub use text::review_text;

/// Options shared by the review renderers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewOptions {
    /// The project folder relative to the repository root (`services/api/`, or empty),
    /// put in front of every location so SARIF and annotations point at repo files.
    pub uri_prefix: String,
    /// The gate the command applies, shown in the summary.
    pub fail_on: FailOn,
    /// Why the command stops with an error (exit 2) whatever the gate says: a
    /// configuration that cannot be read, a named function that cannot be analysed.
    pub error: Option<String>,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        ReviewOptions {
            uri_prefix: String::new(),
            fail_on: FailOn::Never,
            error: None,
        }
    }
}

/// `file:line` with the repository prefix, or the config path when there is no file.
pub(crate) fn place(r: &SourceRef, options: &ReviewOptions) -> String {
    match (&r.file, r.line) {
        (Some(f), Some(l)) => format!("{}{f}:{l}", options.uri_prefix),
        (Some(f), None) => format!("{}{f}", options.uri_prefix),
        _ => r.text.clone(),
    }
}

/// The first location, as `place`, with `(+N)` when there are more.
pub(crate) fn first_place(f: &Finding, options: &ReviewOptions) -> String {
    match f.locations.split_first() {
        None => String::new(),
        Some((first, [])) => place(first, options),
        Some((first, rest)) => format!("{} (+{})", place(first, options), rest.len()),
    }
}

/// The actions a row stands for (its `action` when the list is empty).
pub(crate) fn actions(f: &Finding) -> Vec<&str> {
    if f.actions.is_empty() {
        vec![f.action.as_str()]
    } else {
        f.actions.iter().map(String::as_str).collect()
    }
}

/// The resources a row stands for (its `resource` when the list is empty).
pub(crate) fn resources(f: &Finding) -> Vec<&str> {
    if f.resources.is_empty() {
        vec![f.resource.as_str()]
    } else {
        f.resources.iter().map(String::as_str).collect()
    }
}

/// ` (N actions)` when a row's patterns expand to another number of actions than it
/// lists (a wildcard, `NotAction`, an unknown action).
pub(crate) fn expansion(f: &Finding) -> String {
    match f.expands_to {
        Some(n) if n != actions(f).len() => format!(" ({n} actions)"),
        _ => String::new(),
    }
}

/// Access level, or `unknown`.
pub(crate) fn access(f: &Finding) -> &'static str {
    f.access.map_or("unknown", |a| a.as_str())
}

pub(crate) fn risks(f: &Finding) -> String {
    f.risks
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One sentence saying what a finding means, for messages and annotations.
pub(crate) fn message(function: &FunctionReview, f: &Finding) -> String {
    let mut m = match f.kind {
        Kind::Missing => format!(
            "{}: needs {} on {}, which the declared role does not grant (AccessDenied at run time)",
            function.name, f.action, f.resource
        ),
        Kind::Unverified => format!(
            "{}: needs {} on {}, which the declared role may not grant (not verified)",
            function.name, f.action, f.resource
        ),
        Kind::Unused => format!(
            "{}: declared {} on {} {} never needed{}",
            function.name,
            f.action,
            f.resource,
            if actions(f).len() * resources(f).len() > 1 {
                "are"
            } else {
                "is"
            },
            expansion(f)
        ),
        Kind::Broad => format!(
            "{}: declared {} on {} grants more than needed",
            function.name, f.action, f.resource
        ),
        Kind::Framework => format!(
            "{}: {} on {} {} managed by the framework",
            function.name,
            f.action,
            f.resource,
            if actions(f).len() * resources(f).len() > 1 {
                "are"
            } else {
                "is"
            }
        ),
        Kind::Added => format!(
            "{}: adds {}{} on {}",
            function.name,
            if f.deny { "Deny " } else { "" },
            f.action,
            f.resource
        ),
        Kind::Removed => format!(
            "{}: removes {}{} on {}",
            function.name,
            if f.deny { "Deny " } else { "" },
            f.action,
            f.resource
        ),
    };
    if let Some(note) = &f.note {
        m.push_str(" (");
        m.push_str(note);
        m.push(')');
    }
    m.push_str(&format!(" [access: {}", access(f)));
    if !f.risks.is_empty() {
        m.push_str(&format!("; risks: {}", risks(f)));
    }
    m.push(']');
    m
}

/// `1 missing, 2 unused` over the kinds present; `no findings` when none.
pub(crate) fn counts_line(review: &Review) -> String {
    let counts = review.counts();
    if counts.is_empty() {
        return "no findings".to_string();
    }
    counts
        .iter()
        .map(|(k, n)| format!("{n} {}", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn function_counts(f: &FunctionReview) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for x in &f.findings {
        *counts.entry(x.kind).or_insert(0usize) += 1;
    }
    counts
        .iter()
        .map(|(k, n)| format!("{n} {}", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the function's status says, for headings.
pub(crate) fn status_text(f: &FunctionReview) -> String {
    match &f.status {
        FunctionStatus::Checked { role } => format!("{role}; {} needed covered", f.unchanged),
        FunctionStatus::NotCheckable { reason } => format!("not checkable: {reason}"),
        FunctionStatus::NoDeclaredRole => "no declared role".to_string(),
        FunctionStatus::Added => "new function".to_string(),
        FunctionStatus::Removed => "function removed".to_string(),
        FunctionStatus::Changed | FunctionStatus::Unchanged => {
            format!("{} unchanged", f.unchanged)
        }
    }
}

/// The gate's verdict: `gate --fail-on missing: 2 findings` / `passed`.
pub(crate) fn gate_line(review: &Review, options: &ReviewOptions) -> String {
    let n = review.gating(options.fail_on).count();
    if let Some(error) = &options.error {
        format!(
            "gate --fail-on {}: error: {error}",
            options.fail_on.as_str()
        )
    } else if options.fail_on == FailOn::Never {
        "gate --fail-on never".to_string()
    } else if n == 0 {
        format!("gate --fail-on {}: passed", options.fail_on.as_str())
    } else {
        format!(
            "gate --fail-on {}: failed ({n} finding{})",
            options.fail_on.as_str(),
            if n == 1 { "" } else { "s" }
        )
    }
}

/// What text and Markdown show, in order, each with whether it is a shared role: the
/// shared roles first (their rows stand for every function that runs with them), then
/// the functions.
pub(crate) fn sections(review: &Review) -> impl Iterator<Item = (bool, &FunctionReview)> {
    review
        .roles
        .iter()
        .map(|r| (true, r))
        .chain(review.functions.iter().map(|f| (false, f)))
}

/// The project a function of a monorepo starts, when it is not the one of the function
/// shown before it (`shown`, updated): text and Markdown head each project's functions
/// with its path. Functions are sorted by name, which starts with the project's path, so
/// each project's functions come together.
pub(crate) fn new_project<'a>(
    shown: &mut Option<&'a str>,
    f: &'a FunctionReview,
) -> Option<&'a str> {
    let project = f.project.as_deref()?;
    if *shown == Some(project) {
        return None;
    }
    *shown = Some(project);
    Some(project)
}

/// The error-level diagnostics of a review (its own, then each function's), with the
/// function they belong to: GitHub and SARIF show these, which must not be lost.
pub(crate) fn error_diagnostics(
    review: &Review,
) -> impl Iterator<Item = (Option<&str>, &leastrole_lang::Diagnostic)> {
    let level = leastrole_lang::Level::Error;
    review
        .diagnostics
        .iter()
        .filter(move |d| d.level == level)
        .map(|d| (None, d))
        .chain(
            review
                .functions
                .iter()
                .chain(&review.roles)
                .flat_map(move |f| {
                    f.diagnostics
                        .iter()
                        .filter(move |d| d.level == level)
                        .map(|d| (Some(f.name.as_str()), d))
                }),
        )
}

pub(crate) fn level(l: leastrole_lang::Level) -> &'static str {
    match l {
        leastrole_lang::Level::Info => "info",
        leastrole_lang::Level::Warning => "warning",
        leastrole_lang::Level::Error => "error",
    }
}
