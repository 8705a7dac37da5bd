//! The human format: per function, a table of action, resource and source line, then
//! its diagnostics.

use std::fmt::Write as _;

use leastrole_lang::{Diagnostic, Level};
use leastrole_policy::{FunctionReport, Report};

use crate::RenderOptions;

pub fn report_text(report: &Report, options: &RenderOptions) -> String {
    let mut s = String::new();
    for d in &report.diagnostics {
        writeln!(s, "{}", diagnostic_line(d)).ok();
    }
    if !report.diagnostics.is_empty() {
        s.push('\n');
    }
    // A monorepo's functions under their project's path (sorted by name, which starts
    // with it, they come together).
    let mut shown: Option<&str> = None;
    for (i, f) in report.functions.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        if let Some(project) = f.project.as_deref()
            && shown != Some(project)
        {
            shown = Some(project);
            writeln!(s, "== project {project} ==\n").ok();
        }
        function_text(&mut s, f, options);
    }
    if report.functions.is_empty() {
        s.push_str("no functions found\n");
    }
    s
}

fn function_text(s: &mut String, f: &FunctionReport, options: &RenderOptions) {
    let mut title = f.name.clone();
    let detail: Vec<&str> = [f.handler.as_deref(), f.runtime.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !detail.is_empty() && f.handler.as_deref() != Some(f.name.as_str()) {
        write!(title, " ({})", detail.join(", ")).ok();
    } else if let Some(rt) = &f.runtime {
        write!(title, " ({rt})").ok();
    }
    writeln!(s, "{title}").ok();
    if let Some(reason) = &f.not_analysed {
        writeln!(s, "  not analysed: {reason}").ok();
    } else if f.grants.is_empty() {
        writeln!(s, "  no AWS permissions needed").ok();
    } else {
        let rows: Vec<(String, String, String)> = f
            .grants
            .iter()
            .map(|g| {
                let first = g
                    .sources
                    .iter()
                    .next()
                    .map(|p| format!("{}:{}", p.file, p.line))
                    .unwrap_or_default();
                let more = g.sources.len().saturating_sub(1);
                let source = if more > 0 && !options.explain {
                    format!("{first} (+{more})")
                } else {
                    first
                };
                (g.action.clone(), g.resource.render(&options.env), source)
            })
            .collect();
        let aw = rows.iter().map(|r| r.0.len()).max().unwrap_or(6).max(6);
        let rw = rows.iter().map(|r| r.1.len()).max().unwrap_or(8).max(8);
        writeln!(s, "  {:aw$}  {:rw$}  SOURCE", "ACTION", "RESOURCE").ok();
        for (g, (action, resource, source)) in f.grants.iter().zip(&rows) {
            writeln!(s, "  {action:aw$}  {resource:rw$}  {source}").ok();
            if options.explain {
                for p in &g.sources {
                    writeln!(
                        s,
                        "  {:aw$}  {:rw$}    {}:{}:{}  {}",
                        "", "", p.file, p.line, p.column, p.call
                    )
                    .ok();
                }
            }
        }
        let size = f.policy.size_report(&options.env);
        writeln!(
            s,
            "  {} statement(s), {} characters (inline limit {}, managed {})",
            f.policy.statements.len(),
            size.chars,
            size.inline_limit,
            size.managed_limit
        )
        .ok();
    }
    for d in &f.diagnostics {
        writeln!(s, "  {}", diagnostic_line(d)).ok();
    }
}

/// `warning[code] file:line:col: message`.
pub fn diagnostic_line(d: &Diagnostic) -> String {
    let level = match d.level {
        Level::Info => "info",
        Level::Warning => "warning",
        Level::Error => "error",
    };
    match &d.location {
        Some(l) => format!("{level}[{}] {l}: {}", d.code, d.message),
        None => format!("{level}[{}] {}", d.code, d.message),
    }
}
