//! The result of `check` and `diff`, shared by every renderer: per function, the
//! findings (rows), each with its kind, access level, risk flags and locations.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use leastrole_lang::Diagnostic;
use leastrole_maps::{AccessLevel, MapsError};

use crate::actions::{Catalog, DATA_READ, PRIVILEGE_ESCALATION, in_table, is_wildcard};

/// Which command produced the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReviewKind {
    Check,
    Diff,
}

impl ReviewKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::Check => "check",
            ReviewKind::Diff => "diff",
        }
    }
}

/// Everything `check` or `diff` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub kind: ReviewKind,
    /// Sorted by name.
    pub functions: Vec<FunctionReview>,
    /// Findings not tied to one function (discovery, configuration).
    pub diagnostics: Vec<Diagnostic>,
    /// check: each role several functions run with (a Serverless `provider.iam.role`, a
    /// CloudFormation role named by several functions' `Role`), judged once against the
    /// union of what they need: its `unused`, `broad` and `framework` rows are here,
    /// once, and not on its functions (which keep their `missing` and `unverified` rows). `name` is the
    /// role's description, `status` `Checked` with the functions that share it. Sorted.
    pub roles: Vec<FunctionReview>,
}

/// One function's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionReview {
    /// In a monorepo, `path:name`.
    pub name: String,
    /// The monorepo project the function belongs to (`services/orders`); `None` for a
    /// folder that is one project, and for a role several functions share.
    pub project: Option<String>,
    pub status: FunctionStatus,
    /// Most severe first (see [`Finding::sort_key`]).
    pub findings: Vec<Finding>,
    /// check: needed grants the declared role covers; diff: pairs present in both.
    pub unchanged: usize,
    /// What the reader should know about how the comparison was made (assumptions,
    /// conditional statements), sorted.
    pub notes: BTreeSet<String>,
    /// The declared role's diagnostics (check) or the function's warnings.
    pub diagnostics: Vec<Diagnostic>,
}

/// How a function came out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FunctionStatus {
    /// check: compared with the declared role (its description).
    Checked { role: String },
    /// check: the role cannot be compared; no finding is guessed.
    NotCheckable { reason: String },
    /// check: the project declares no role for it (a plain folder, `--handler`).
    NoDeclaredRole,
    /// diff: only in NEW.
    Added,
    /// diff: only in OLD.
    Removed,
    /// diff: in both, with different pairs.
    Changed,
    /// diff: in both, the same pairs.
    Unchanged,
}

impl FunctionStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            FunctionStatus::Checked { .. } => "checked",
            FunctionStatus::NotCheckable { .. } => "not-checkable",
            FunctionStatus::NoDeclaredRole => "no-declared-role",
            FunctionStatus::Added => "added",
            FunctionStatus::Removed => "removed",
            FunctionStatus::Changed => "changed",
            FunctionStatus::Unchanged => "unchanged",
        }
    }
}

/// What a finding says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// check: needed, not granted (AccessDenied at run time).
    Missing,
    /// check: needed, and leastrole cannot tell whether the declared role grants it:
    /// the needed resource holds a part it could not resolve and the role grants the
    /// action on resources that part may name, or the role holds a grant whose content
    /// it does not know (a managed policy it does not embed). The note says which.
    Unverified,
    /// check: a declared permission that covers nothing needed.
    Unused,
    /// check: a declared permission that covers something needed but grants more
    /// (more actions, or a wider resource).
    Broad,
    /// check: a permission the framework manages (logs, event sources, DLQ, X-Ray, VPC).
    Framework,
    /// diff: a pair only in NEW.
    Added,
    /// diff: a pair only in OLD.
    Removed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Missing => "missing",
            Kind::Unverified => "unverified",
            Kind::Unused => "unused",
            Kind::Broad => "broad",
            Kind::Framework => "framework",
            Kind::Added => "added",
            Kind::Removed => "removed",
        }
    }

    /// The SARIF rule id.
    pub fn rule_id(self) -> &'static str {
        match self {
            Kind::Missing => "leastrole/missing-permission",
            Kind::Unverified => "leastrole/unverified-permission",
            Kind::Unused => "leastrole/unused-permission",
            Kind::Broad => "leastrole/broad-permission",
            Kind::Framework => "leastrole/framework-permission",
            Kind::Added => "leastrole/added-permission",
            Kind::Removed => "leastrole/removed-permission",
        }
    }
}

/// Risk flags, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Risk {
    /// An action with the "Permissions management" access level.
    PermissionsManagement,
    /// A primitive that raises privileges (`iam:Put*Policy`, `lambda:UpdateFunctionCode`…).
    PrivilegeEscalation,
    /// `iam:PassRole`.
    PassRole,
    /// A read that moves data out (objects, secrets, parameters, decrypt, scans).
    DataRead,
    /// The action is a wildcard (`s3:*`, `*`, `NotAction`).
    WildcardAction,
    /// `*` as resource on an action that supports resource-level permissions.
    WildcardResource,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::PermissionsManagement => "permissions-management",
            Risk::PrivilegeEscalation => "privilege-escalation",
            Risk::PassRole => "pass-role",
            Risk::DataRead => "data-read",
            Risk::WildcardAction => "wildcard-action",
            Risk::WildcardResource => "wildcard-resource",
        }
    }

    /// The flags that make a finding an error on their own.
    fn is_grave(self) -> bool {
        matches!(
            self,
            Risk::PermissionsManagement | Risk::PrivilegeEscalation | Risk::PassRole
        )
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How loudly a finding is reported (SARIF `level`, GitHub annotation type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A place a finding points at: the code line that needs a permission, or the config
/// line that declares one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceRef {
    /// Relative to the project folder, `/` separators; `None` when unknown.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The call's text (code) or the statement's path in the config.
    pub text: String,
}

/// One row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    /// The action (needed, added, removed) or the declared action pattern; for a row
    /// that stands for several (see `actions`), the list joined with `, `.
    pub action: String,
    /// The resource, or the declared resource pattern; for a row that stands for several
    /// (see `resources`), the list joined with `, `.
    pub resource: String,
    /// Every action (or declared action pattern) the row stands for, sorted: one for
    /// missing, broad, added and removed rows; unused and framework rows group the
    /// elements of one declared statement that share access level, risk flags and note,
    /// so the row means every action of `actions` on every resource of `resources`.
    pub actions: Vec<String>,
    /// Every resource (or declared resource pattern) the row stands for, sorted.
    pub resources: Vec<String>,
    /// The highest access level among the actions the row stands for (for a pattern:
    /// among the actions it expands to that the row is about). `None` for unknown actions.
    pub access: Option<AccessLevel>,
    pub risks: BTreeSet<Risk>,
    /// Code lines (missing, added, removed) or the declaration (unused, broad, framework).
    pub locations: Vec<SourceRef>,
    /// For a declared pattern: how many known actions it expands to (for a grouped
    /// row: how many distinct known actions its patterns expand to together).
    pub expands_to: Option<usize>,
    /// Broad rows: how many of those actions nothing needs.
    pub unneeded: Option<usize>,
    /// diff: the pair comes from a `Deny` statement (adding it narrows).
    pub deny: bool,
    /// One line of explanation.
    pub note: Option<String>,
}

impl Finding {
    /// SARIF level and annotation type. Missing is an error (the function fails at run
    /// time); unverified a warning (it may). Unused, broad and added rows are errors with a grave risk flag
    /// (permissions management, privilege escalation, pass-role) or with both wildcard
    /// flags, warnings at Write access or above or with any other flag, notes otherwise.
    /// Framework and removed rows, and added `Deny` pairs, are notes.
    pub fn severity(&self) -> Severity {
        match self.kind {
            Kind::Missing => Severity::Error,
            Kind::Unverified => Severity::Warning,
            Kind::Framework | Kind::Removed => Severity::Note,
            Kind::Added if self.deny => Severity::Note,
            Kind::Unused | Kind::Broad | Kind::Added => {
                let wild = self.risks.contains(&Risk::WildcardAction)
                    && self.risks.contains(&Risk::WildcardResource);
                if self.risks.iter().any(|r| r.is_grave()) || wild {
                    Severity::Error
                } else if is_write_or_above(self.access) || !self.risks.is_empty() {
                    Severity::Warning
                } else {
                    Severity::Note
                }
            }
        }
    }

    /// Risky rows first: severity, then how many flags, access level, kind, action,
    /// resource.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            std::cmp::Reverse(self.severity()),
            std::cmp::Reverse(self.risks.iter().filter(|r| r.is_grave()).count()),
            std::cmp::Reverse(self.risks.len()),
            std::cmp::Reverse(access_rank(self.access)),
            self.kind,
            &self.action,
            &self.resource,
            &self.locations,
        )
    }
}

/// Severity order of access levels: Permissions management, Write, Tagging, Read, List.
pub fn access_rank(access: Option<AccessLevel>) -> u8 {
    match access {
        None => 0,
        Some(AccessLevel::List) => 1,
        Some(AccessLevel::Read) => 2,
        Some(AccessLevel::Tagging) => 3,
        Some(AccessLevel::Write) => 4,
        Some(AccessLevel::PermissionsManagement) => 5,
    }
}

/// Write, Tagging or Permissions management.
pub fn is_write_or_above(access: Option<AccessLevel>) -> bool {
    access_rank(access) >= access_rank(Some(AccessLevel::Tagging))
}

/// The highest access level and the risk flags of a set of actions on one resource.
/// `pattern` is the action as written (for the wildcard-action flag); `resource_any`
/// says the resource is `*`.
pub(crate) fn assess<'a>(
    catalog: &Catalog<'_>,
    pattern_is_wildcard: bool,
    actions: impl IntoIterator<Item = &'a String>,
    resource_any: bool,
) -> Result<(Option<AccessLevel>, BTreeSet<Risk>), MapsError> {
    let mut access: Option<AccessLevel> = None;
    let mut risks = BTreeSet::new();
    if pattern_is_wildcard {
        risks.insert(Risk::WildcardAction);
    }
    for action in actions {
        if is_wildcard(action) {
            risks.insert(Risk::WildcardAction);
        }
        if let Some(facts) = catalog.facts(action)? {
            if access_rank(Some(facts.access)) > access_rank(access) {
                access = Some(facts.access);
            }
            if facts.access == AccessLevel::PermissionsManagement {
                risks.insert(Risk::PermissionsManagement);
            }
            if resource_any && facts.resource_level {
                risks.insert(Risk::WildcardResource);
            }
        }
        if action.eq_ignore_ascii_case("iam:PassRole") {
            risks.insert(Risk::PassRole);
        }
        if in_table(PRIVILEGE_ESCALATION, action) {
            risks.insert(Risk::PrivilegeEscalation);
        }
        if in_table(DATA_READ, action) {
            risks.insert(Risk::DataRead);
        }
    }
    Ok((access, risks))
}

/// `--fail-on`: which findings make the command exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailOn {
    /// Never exit 1.
    Never,
    /// check: any missing row (not the unverified ones). diff: never (diff has no
    /// missing permissions).
    Missing,
    /// check: any missing or unverified row: `missing` plus what leastrole could not
    /// verify either way. diff: never.
    Unverified,
    /// check: any unused or broad row. diff: any added `Allow` pair.
    Broadening,
    /// A missing, unverified, unused, broad or added (`Allow`) row whose access level is
    /// Write, Tagging or Permissions management.
    Write,
    /// A missing, unverified, unused, broad or added (`Allow`) row with the
    /// permissions-management, privilege-escalation or pass-role flag.
    PermissionsManagement,
    /// Any missing, unverified, unused or broad row (check), any added `Allow` pair (diff).
    Any,
}

impl FailOn {
    /// Every level, from the least to the most that fails, as `--fail-on` lists them.
    pub const ALL: &'static [FailOn] = &[
        FailOn::Never,
        FailOn::Missing,
        FailOn::Unverified,
        FailOn::Broadening,
        FailOn::Write,
        FailOn::PermissionsManagement,
        FailOn::Any,
    ];

    /// One line for `--help`.
    pub fn help(self) -> &'static str {
        match self {
            FailOn::Never => "Never exit 1",
            FailOn::Missing => "check: a needed permission the declared role lacks",
            FailOn::Unverified => {
                "check: a needed permission the declared role lacks or may lack (missing or unverified)"
            }
            FailOn::Broadening => {
                "check: an unused or broader-than-needed declared permission; diff: an added permission"
            }
            FailOn::Write => {
                "A missing, unverified, unused, broad or added permission at Write access or above"
            }
            FailOn::PermissionsManagement => {
                "One with permissions-management access, privilege escalation or iam:PassRole"
            }
            FailOn::Any => "Any missing, unverified, unused, broad or added permission",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Never => "never",
            FailOn::Missing => "missing",
            FailOn::Unverified => "unverified",
            FailOn::Broadening => "broadening",
            FailOn::Write => "write",
            FailOn::PermissionsManagement => "permissions-management",
            FailOn::Any => "any",
        }
    }

    /// Whether one finding trips this level.
    pub fn trips(self, f: &Finding) -> bool {
        let counted = match f.kind {
            Kind::Missing | Kind::Unverified | Kind::Unused | Kind::Broad => true,
            Kind::Added => !f.deny,
            Kind::Framework | Kind::Removed => false,
        };
        if !counted {
            return false;
        }
        match self {
            FailOn::Never => false,
            FailOn::Missing => f.kind == Kind::Missing,
            FailOn::Unverified => matches!(f.kind, Kind::Missing | Kind::Unverified),
            FailOn::Broadening => matches!(f.kind, Kind::Unused | Kind::Broad | Kind::Added),
            FailOn::Write => is_write_or_above(f.access),
            FailOn::PermissionsManagement => f.risks.iter().any(|r| r.is_grave()),
            FailOn::Any => true,
        }
    }
}

impl Review {
    /// The findings that trip `fail_on`.
    pub fn gating(&self, fail_on: FailOn) -> impl Iterator<Item = (&FunctionReview, &Finding)> {
        self.functions.iter().chain(&self.roles).flat_map(move |f| {
            f.findings
                .iter()
                .filter(move |x| fail_on.trips(x))
                .map(move |x| (f, x))
        })
    }

    /// Finding counts by kind.
    pub fn counts(&self) -> BTreeMap<Kind, usize> {
        let mut counts = BTreeMap::new();
        for f in self.functions.iter().chain(&self.roles) {
            for x in &f.findings {
                *counts.entry(x.kind).or_insert(0) += 1;
            }
        }
        counts
    }

    /// Function counts by status.
    pub fn status_counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for f in &self.functions {
            *counts.entry(f.status.as_str()).or_insert(0) += 1;
        }
        counts
    }
}

impl std::str::FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<FailOn, String> {
        FailOn::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = FailOn::ALL.iter().map(|f| f.as_str()).collect();
                format!(
                    "unknown --fail-on level `{s}` (one of {})",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(kind: Kind, access: Option<AccessLevel>, risks: &[Risk]) -> Finding {
        Finding {
            kind,
            action: "x:Y".into(),
            resource: "*".into(),
            actions: vec!["x:Y".into()],
            resources: vec!["*".into()],
            access,
            risks: risks.iter().copied().collect(),
            locations: Vec::new(),
            expands_to: None,
            unneeded: None,
            deny: false,
            note: None,
        }
    }

    #[test]
    fn fail_on_levels() {
        let missing = finding(Kind::Missing, Some(AccessLevel::Read), &[]);
        let unverified = finding(Kind::Unverified, Some(AccessLevel::Write), &[]);
        let unused_write = finding(Kind::Unused, Some(AccessLevel::Write), &[]);
        let added_pm = finding(
            Kind::Added,
            Some(AccessLevel::PermissionsManagement),
            &[Risk::PermissionsManagement],
        );
        let framework = finding(Kind::Framework, Some(AccessLevel::Write), &[]);
        let removed = finding(Kind::Removed, Some(AccessLevel::Write), &[]);
        let mut deny = finding(Kind::Added, Some(AccessLevel::Write), &[]);
        deny.deny = true;
        // missing, unverified, unused_write, added_pm, framework, removed, deny
        let table = [
            (
                FailOn::Never,
                [false, false, false, false, false, false, false],
            ),
            (
                FailOn::Missing,
                [true, false, false, false, false, false, false],
            ),
            (
                FailOn::Unverified,
                [true, true, false, false, false, false, false],
            ),
            (
                FailOn::Broadening,
                [false, false, true, true, false, false, false],
            ),
            (
                FailOn::Write,
                [false, true, true, true, false, false, false],
            ),
            (
                FailOn::PermissionsManagement,
                [false, false, false, true, false, false, false],
            ),
            (FailOn::Any, [true, true, true, true, false, false, false]),
        ];
        for (level, want) in table {
            let got = [
                &missing,
                &unverified,
                &unused_write,
                &added_pm,
                &framework,
                &removed,
                &deny,
            ]
            .map(|f| level.trips(f));
            assert_eq!(got, want, "{level:?}");
        }
        assert_eq!("unverified".parse::<FailOn>(), Ok(FailOn::Unverified));
    }

    #[test]
    fn severities() {
        assert_eq!(
            finding(Kind::Missing, None, &[]).severity(),
            Severity::Error
        );
        assert_eq!(
            finding(Kind::Unverified, Some(AccessLevel::Read), &[]).severity(),
            Severity::Warning
        );
        assert_eq!(
            finding(Kind::Unused, Some(AccessLevel::Read), &[]).severity(),
            Severity::Note
        );
        assert_eq!(
            finding(Kind::Unused, Some(AccessLevel::Read), &[Risk::DataRead]).severity(),
            Severity::Warning
        );
        assert_eq!(
            finding(Kind::Added, Some(AccessLevel::Write), &[Risk::PassRole]).severity(),
            Severity::Error
        );
        assert_eq!(
            finding(
                Kind::Broad,
                Some(AccessLevel::Read),
                &[Risk::WildcardAction, Risk::WildcardResource]
            )
            .severity(),
            Severity::Error
        );
    }
}
