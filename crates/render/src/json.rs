//! The versioned JSON report (`--format json`), documented in docs/output-schema.md.
//! Fields are only ever added, never renamed or removed, within a version.

use leastrole_lang::Diagnostic;
use leastrole_policy::{FunctionReport, Grant, Report};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use crate::{RenderOptions, pretty};

/// Version of the report schema. 2: a folder holding several projects (a monorepo) is
/// read as one report whose functions are named `path:name`, with a `project` field; a
/// consumer that took `name` for the configuration's name would misread them. Every field
/// of version 1 is kept, and a one-project report is the same but for the version.
pub const REPORT_VERSION: u32 = 2;

pub fn report_json(report: &Report, options: &RenderOptions) -> String {
    pretty(&ReportJson { report, options })
}

/// The report, serialized as it is walked: a large report (a monorepo folder has
/// hundreds of thousands of grants) is never held a second time as `Value`s.
struct ReportJson<'a> {
    report: &'a Report,
    options: &'a RenderOptions,
}

impl Serialize for ReportJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("version", &REPORT_VERSION)?;
        map.serialize_entry(
            "functions",
            &Seq(self.report.functions.iter().map(|f| FunctionJson {
                f,
                options: self.options,
            })),
        )?;
        map.serialize_entry(
            "diagnostics",
            &Seq(self.report.diagnostics.iter().map(DiagnosticJson)),
        )?;
        map.end()
    }
}

struct FunctionJson<'a> {
    f: &'a FunctionReport,
    options: &'a RenderOptions,
}

impl Serialize for FunctionJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (f, options) = (self.f, self.options);
        let size = f.policy.size_report(&options.env);
        let fields = 9 + usize::from(!f.is_analysed()) + usize::from(f.project.is_some());
        let mut map = serializer.serialize_map(Some(fields))?;
        map.serialize_entry("name", &f.name)?;
        // Version 2: only in a monorepo's report, so a one-project report is unchanged.
        if let Some(project) = &f.project {
            map.serialize_entry("project", project)?;
        }
        map.serialize_entry("handler", &f.handler)?;
        map.serialize_entry("runtime", &f.runtime)?;
        map.serialize_entry("files", &f.files)?;
        map.serialize_entry("policy", &f.policy.to_json(&options.env))?;
        map.serialize_entry(
            "policy_size",
            &json!({
                "chars": size.chars,
                "inline_limit": size.inline_limit,
                "managed_limit": size.managed_limit,
            }),
        )?;
        map.serialize_entry(
            "grants",
            &Seq(f.grants.iter().map(|g| GrantJson { g, options })),
        )?;
        map.serialize_entry(
            "diagnostics",
            &Seq(f.diagnostics.iter().map(DiagnosticJson)),
        )?;
        // Added within version 1: an empty policy of a function that was not analysed
        // means "unknown", not "needs nothing".
        match &f.not_analysed {
            None => map.serialize_entry("status", "analysed")?,
            Some(reason) => {
                map.serialize_entry("status", "not-analysed")?;
                map.serialize_entry("reason", reason)?;
            }
        }
        map.end()
    }
}

/// A sequence serialized element by element as the iterator yields them (the
/// iterators here only borrow the report, so a copy of one is cheap).
struct Seq<I>(I);

impl<I> Serialize for Seq<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone())
    }
}

/// `{"action", "resource", "condition" (when there is one), "sources"}`.
struct GrantJson<'a> {
    g: &'a Grant,
    options: &'a RenderOptions,
}

impl Serialize for GrantJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let g = self.g;
        let mut map = serializer.serialize_map(Some(3 + usize::from(!g.condition.is_empty())))?;
        map.serialize_entry("action", &g.action)?;
        map.serialize_entry("resource", &g.resource.render(&self.options.env))?;
        if !g.condition.is_empty() {
            map.serialize_entry("condition", &g.condition)?;
        }
        // `{"file", "line", "column", "call"}`, as `Provenance` declares them.
        map.serialize_entry("sources", &g.sources)?;
        map.end()
    }
}

/// `{"level", "code", "message", "file", "line", "column"}`; location fields are null
/// for project-level findings. Serialized from the diagnostic as it is (a report holds
/// tens of thousands: no `Value` is built for each).
struct DiagnosticJson<'a>(&'a Diagnostic);

impl Serialize for DiagnosticJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let at = d.location.as_ref();
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("level", &d.level)?;
        map.serialize_entry("code", &d.code)?;
        map.serialize_entry("message", &d.message)?;
        map.serialize_entry("file", &at.map(|l| &l.file))?;
        map.serialize_entry("line", &at.map(|l| l.line))?;
        map.serialize_entry("column", &at.map(|l| l.column))?;
        map.end()
    }
}

/// A diagnostic as the reports write it (see [`DiagnosticJson`]), for reports built as
/// `Value`s.
pub fn diagnostic_json(d: &Diagnostic) -> Value {
    serde_json::to_value(DiagnosticJson(d)).unwrap_or(Value::Null)
}
