//! GitHub workflow commands: `::error file=…,line=…,title=…::message` per finding, most
//! severe first, at most [`ANNOTATION_LIMIT`] errors and as many warnings (GitHub shows
//! no more per step), then a notice saying how many were left out. Note-level rows are
//! not annotated (they are in the job summary). Error-level diagnostics (a configuration
//! that cannot be read) come first, each an `::error` on its file and line.

use std::fmt::Write as _;

use leastrole_review::{Finding, FunctionReview, Review, Severity};

use super::{ReviewOptions, counts_line, error_diagnostics, gate_line, message};

/// Annotations per type GitHub shows for one step.
pub const ANNOTATION_LIMIT: usize = 10;

/// Escape a message (`%`, CR, LF), as the runner's `escapeData`.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (also `:` and `,`), as the runner's `escapeProperty`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

fn annotation(function: &FunctionReview, f: &Finding, options: &ReviewOptions) -> String {
    let kind = match f.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = Vec::new();
    if let Some(first) = f.locations.first()
        && let Some(file) = &first.file
    {
        props.push(format!(
            "file={}",
            property(&format!("{}{file}", options.uri_prefix))
        ));
        if let Some(l) = first.line {
            props.push(format!("line={l}"));
        }
        if let Some(c) = first.column {
            props.push(format!("col={c}"));
        }
    }
    // A monorepo's annotations say their project in the title, which GitHub lists them by.
    let title = match &function.project {
        Some(project) => format!("leastrole ({project}): {} permission", f.kind.as_str()),
        None => format!("leastrole: {} permission", f.kind.as_str()),
    };
    props.push(format!("title={}", property(&title)));
    format!(
        "::{kind} {}::{}\n",
        props.join(","),
        data(&message(function, f))
    )
}

pub fn review_github(review: &Review, options: &ReviewOptions) -> String {
    let mut all: Vec<(&FunctionReview, &Finding)> = review
        .functions
        .iter()
        .chain(&review.roles)
        .flat_map(|f| f.findings.iter().map(move |x| (f, x)))
        .filter(|(_, x)| x.severity() > Severity::Note)
        .collect();
    all.sort_by(|a, b| {
        a.1.sort_key()
            .cmp(&b.1.sort_key())
            .then(a.0.name.cmp(&b.0.name))
    });
    let mut s = String::new();
    // Error diagnostics first and never left out: a configuration that cannot be read
    // must show on the pull request, not only in the log.
    for (function, d) in error_diagnostics(review) {
        let mut props = Vec::new();
        if let Some(l) = &d.location {
            props.push(format!(
                "file={}",
                property(&format!("{}{}", options.uri_prefix, l.file))
            ));
            props.push(format!("line={}", l.line.max(1)));
            props.push(format!("col={}", l.column.max(1)));
        }
        props.push(format!(
            "title={}",
            property(&format!("leastrole: {}", d.code))
        ));
        let message = match function {
            Some(name) => format!("{name}: {}", d.message),
            None => d.message.clone(),
        };
        writeln!(s, "::error {}::{}", props.join(","), data(&message)).ok();
    }
    let (mut errors, mut warnings, mut left_out) = (0usize, 0usize, 0usize);
    for (function, f) in all {
        let count = match f.severity() {
            Severity::Error => &mut errors,
            _ => &mut warnings,
        };
        if *count >= ANNOTATION_LIMIT {
            left_out += 1;
            continue;
        }
        *count += 1;
        s.push_str(&annotation(function, f, options));
    }
    if left_out > 0 {
        writeln!(
            s,
            "::notice title={}::{}",
            property("leastrole: more findings"),
            data(&format!(
                "{left_out} more finding{} not annotated (GitHub shows {ANNOTATION_LIMIT} errors and {ANNOTATION_LIMIT} warnings per step); see the job summary",
                if left_out == 1 { "" } else { "s" }
            ))
        )
        .ok();
    }
    // The closing line: an error when leastrole could not give a verdict (exit 2), so
    // the check's summary never reads as a quiet "no findings".
    let (level, counts) = match &options.error {
        Some(_) => ("error", "not checked".to_string()),
        None => ("notice", counts_line(review)),
    };
    writeln!(
        s,
        "::{level} title={}::{}",
        property(&format!("leastrole {}", review.kind.as_str())),
        data(&format!("{counts} ({})", gate_line(review, options)))
    )
    .ok();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
