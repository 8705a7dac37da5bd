//! The terminal format: a summary line, then per function its findings, one per line.

use std::fmt::Write as _;

use leastrole_review::Review;

use super::{ReviewOptions, access, counts_line, first_place, gate_line, risks, status_text};
use crate::diagnostic_line;

pub fn review_text(review: &Review, options: &ReviewOptions) -> String {
    let mut s = String::new();
    writeln!(
        s,
        "leastrole {}: {} in {} function{} ({})",
        review.kind.as_str(),
        counts_line(review),
        review.functions.len(),
        if review.functions.len() == 1 { "" } else { "s" },
        gate_line(review, options)
    )
    .ok();
    for d in &review.diagnostics {
        writeln!(s, "{}", diagnostic_line(d)).ok();
    }
    let mut shown = None;
    for (role, f) in super::sections(review) {
        if let Some(project) = super::new_project(&mut shown, f) {
            writeln!(s, "\n== project {project} ==").ok();
        }
        let what = if role { "shared role " } else { "" };
        writeln!(s, "\n{what}{} ({})", f.name, status_text(f)).ok();
        for x in &f.findings {
            write!(
                s,
                "  {:<7} {:<9} {}  {}  {}",
                x.severity().as_str(),
                x.kind.as_str(),
                x.action,
                x.resource,
                access(x)
            )
            .ok();
            if !x.risks.is_empty() {
                write!(s, "  [{}]", risks(x)).ok();
            }
            let at = first_place(x, options);
            if !at.is_empty() {
                write!(s, "  {at}").ok();
            }
            if let Some(note) = &x.note {
                write!(s, "  ({note})").ok();
            }
            s.push('\n');
        }
        for n in &f.notes {
            writeln!(s, "  note: {n}").ok();
        }
        for d in &f.diagnostics {
            writeln!(s, "  {}", diagnostic_line(d)).ok();
        }
    }
    s
}
