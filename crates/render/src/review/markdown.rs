//! A PR comment: a hidden marker line (CI finds and updates one comment in place), a
//! summary, then a table per function with the riskiest rows first. Cut with a note
//! before GitHub's 65,536-character comment limit.

use std::fmt::Write as _;

use leastrole_review::{Finding, FunctionReview, Review, ReviewKind};

use super::{
    ReviewOptions, access, actions, counts_line, expansion, function_counts, gate_line, place,
    resources, status_text,
};

/// Output stops growing at this many characters (GitHub refuses comments over 65,536);
/// the rest leaves room for the truncation note.
pub const MARKDOWN_LIMIT: usize = 60_000;

/// The hidden first line: `<!-- leastrole:check -->` / `<!-- leastrole:diff -->`.
pub fn marker(kind: ReviewKind) -> String {
    format!("<!-- leastrole:{} -->", kind.as_str())
}

/// Inline code safe inside a table cell.
fn code(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let clean = s.replace(['\n', '\r'], " ").replace('|', "\\|");
    let fence = if clean.contains('`') { "`` " } else { "`" };
    let close = if clean.contains('`') { " ``" } else { "`" };
    format!("{fence}{clean}{close}")
}

fn cell(s: &str) -> String {
    s.replace(['\n', '\r'], " ").replace('|', "\\|")
}

fn row(f: &Finding, options: &ReviewOptions) -> String {
    // A grouped row lists one action (resource) per line.
    let mut action = actions(f)
        .into_iter()
        .map(code)
        .collect::<Vec<_>>()
        .join("<br>");
    if f.deny {
        action = format!("Deny {action}");
    }
    action.push_str(&expansion(f));
    let resource = resources(f)
        .into_iter()
        .map(code)
        .collect::<Vec<_>>()
        .join("<br>");
    let mut note = f.note.as_deref().map(cell).unwrap_or_default();
    if let Some(first) = f.locations.first()
        && let Some(code_text) = (first.file.is_some()).then_some(&first.text)
        && !code_text.is_empty()
    {
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&code(code_text));
    }
    let places: Vec<String> = f
        .locations
        .iter()
        .take(3)
        .map(|r| code(&place(r, options)))
        .collect();
    let mut at = places.join(", ");
    if f.locations.len() > 3 {
        at.push_str(&format!(" +{}", f.locations.len() - 3));
    }
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
        f.severity().as_str(),
        f.kind.as_str(),
        action,
        resource,
        access(f),
        f.risks
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        at,
        note
    )
}

const TABLE_HEAD: &str = "| severity | kind | action | resource | access | risks | where | note |\n|---|---|---|---|---|---|---|---|\n";

/// A function's heading; a shared role's (see `Review::roles`) says so.
fn heading(f: &FunctionReview, role: bool) -> String {
    let counts = function_counts(f);
    format!(
        "\n#### {}`{}`: {}{}\n",
        if role { "shared role " } else { "" },
        cell(&f.name),
        if counts.is_empty() {
            "no findings".to_string()
        } else {
            counts
        },
        format_args!(" ({})", cell(&status_text(f)))
    )
}

pub fn review_markdown(review: &Review, options: &ReviewOptions) -> String {
    review_markdown_limited(review, options, MARKDOWN_LIMIT)
}

pub(crate) fn review_markdown_limited(
    review: &Review,
    options: &ReviewOptions,
    limit: usize,
) -> String {
    let mut s = String::new();
    writeln!(s, "{}", marker(review.kind)).ok();
    writeln!(
        s,
        "### leastrole {}: {} in {} function{}\n",
        review.kind.as_str(),
        counts_line(review),
        review.functions.len(),
        if review.functions.len() == 1 { "" } else { "s" }
    )
    .ok();
    writeln!(s, "**{}**", gate_line(review, options)).ok();
    for d in &review.diagnostics {
        let at = d.location.as_ref().map_or_else(String::new, |l| {
            format!(" (`{}{}:{}`)", options.uri_prefix, l.file, l.line)
        });
        writeln!(
            s,
            "\n> {} `{}`{at}: {}",
            super::level(d.level),
            d.code,
            cell(&d.message)
        )
        .ok();
    }
    let mut omitted_rows = 0usize;
    let mut omitted_functions = 0usize;
    let mut full = false;
    let mut shown = None;
    for (role, f) in super::sections(review) {
        if full {
            omitted_functions += 1;
            omitted_rows += f.findings.len();
            continue;
        }
        let mut head = String::new();
        if let Some(project) = super::new_project(&mut shown, f) {
            write!(head, "\n### Project `{}`\n", cell(project)).ok();
        }
        head.push_str(&heading(f, role));
        if s.chars().count() + head.chars().count() + TABLE_HEAD.len() > limit {
            full = true;
            omitted_functions += 1;
            omitted_rows += f.findings.len();
            continue;
        }
        s.push_str(&head);
        if !f.findings.is_empty() {
            s.push('\n');
            s.push_str(TABLE_HEAD);
        }
        let mut used = s.chars().count();
        for (i, x) in f.findings.iter().enumerate() {
            let r = row(x, options);
            let n = r.chars().count();
            if used + n > limit {
                full = true;
                omitted_rows += f.findings.len() - i;
                break;
            }
            used += n;
            s.push_str(&r);
        }
        let has_notes = !f.notes.is_empty() || !f.diagnostics.is_empty();
        if !full && has_notes {
            let mut extra = String::from("\n<details><summary>notes</summary>\n\n");
            for n in &f.notes {
                writeln!(extra, "- {}", cell(n)).ok();
            }
            for d in &f.diagnostics {
                writeln!(extra, "- {}: {}", super::level(d.level), cell(&d.message)).ok();
            }
            extra.push_str("\n</details>\n");
            if used + extra.chars().count() <= limit {
                s.push_str(&extra);
            }
        }
    }
    if omitted_rows > 0 || omitted_functions > 0 {
        writeln!(
            s,
            "\n> **Truncated** to stay under GitHub's comment limit: {omitted_rows} more row{} \
             ({omitted_functions} function{} not shown). The `json` and `sarif` formats carry every finding.",
            if omitted_rows == 1 { "" } else { "s" },
            if omitted_functions == 1 { "" } else { "s" }
        )
        .ok();
    }
    s
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use leastrole_review::{
        FailOn, Finding, FunctionReview, FunctionStatus, Kind, Review, ReviewKind, SourceRef,
    };

    use super::*;

    fn big_review(functions: usize, rows: usize) -> Review {
        Review {
            kind: ReviewKind::Diff,
            functions: (0..functions)
                .map(|i| FunctionReview {
                    name: format!("fn-{i:03}"),
                    project: None,
                    status: FunctionStatus::Changed,
                    findings: (0..rows)
                        .map(|j| Finding {
                            kind: Kind::Added,
                            action: "s3:PutObject".into(),
                            resource: format!("arn:aws:s3:::bucket-{i}/prefix-{j:04}/*"),
                            actions: vec!["s3:PutObject".into()],
                            resources: vec![format!("arn:aws:s3:::bucket-{i}/prefix-{j:04}/*")],
                            access: Some(leastrole_maps::AccessLevel::Write),
                            risks: BTreeSet::new(),
                            locations: vec![SourceRef {
                                file: Some("src/app.py".into()),
                                line: Some(j as u32 + 1),
                                column: Some(1),
                                text: "s3.put_object(Bucket=B, Key=k)".into(),
                            }],
                            expands_to: None,
                            unneeded: None,
                            deny: false,
                            note: None,
                        })
                        .collect(),
                    unchanged: 0,
                    notes: BTreeSet::new(),
                    diagnostics: Vec::new(),
                })
                .collect(),
            diagnostics: Vec::new(),
            roles: Vec::new(),
        }
    }

    #[test]
    fn a_big_review_is_cut_with_a_note_under_the_limit() {
        let review = big_review(40, 200);
        let options = ReviewOptions {
            uri_prefix: String::new(),
            fail_on: FailOn::Broadening,
            error: None,
        };
        let md = review_markdown(&review, &options);
        assert!(md.chars().count() < 65_536, "{}", md.chars().count());
        assert!(md.chars().count() > MARKDOWN_LIMIT - 1_000);
        assert!(md.starts_with("<!-- leastrole:diff -->\n"));
        let shown = md.lines().filter(|l| l.starts_with("| warning |")).count();
        let note = md
            .lines()
            .find(|l| l.contains("**Truncated**"))
            .expect("a truncation note");
        let omitted: usize = note
            .split("limit: ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .expect("a count");
        assert_eq!(shown + omitted, 40 * 200);
        assert!(md.contains("**gate --fail-on broadening: failed (8000 findings)**"));
    }

    #[test]
    fn a_small_review_is_whole() {
        let md = review_markdown(&big_review(2, 3), &ReviewOptions::default());
        assert!(!md.contains("Truncated"));
        assert_eq!(
            md.lines().filter(|l| l.starts_with("| warning |")).count(),
            6
        );
    }

    #[test]
    fn cells_escape_pipes_and_newlines() {
        assert_eq!(code("a|b\nc"), "`a\\|b c`");
        assert_eq!(code("x`y"), "`` x`y ``");
    }
}
