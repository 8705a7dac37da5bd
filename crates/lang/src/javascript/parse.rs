//! The `syntax-error` diagnostics of a tree, and source locations.

use crate::syntax::Node;

use crate::facts::{Code, Diagnostic, Level};

/// At most this many syntax errors are reported per file.
const MAX_SYNTAX_ERRORS: usize = 10;

/// One `syntax-error` warning per ERROR/MISSING region (outermost only).
pub(crate) fn syntax_errors(root: Node<'_>, file: &str, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !root.has_error() {
        return out;
    }
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if out.len() >= MAX_SYNTAX_ERRORS {
            break;
        }
        if node.is_error() || node.is_missing() {
            let what = if node.is_missing() {
                format!("missing `{}`", node.kind())
            } else {
                let snippet = super::values::one_line(
                    text.get(node.start_byte()..node.end_byte()).unwrap_or(""),
                    40,
                );
                format!("cannot parse `{snippet}`")
            };
            let location = node.location(file, text);
            out.push(Diagnostic::new(
                Level::Warning,
                Code::SyntaxError,
                format!(
                    "syntax error at line {}: {what}; calls in this region may be missed",
                    location.line
                ),
                Some(location),
            ));
            continue;
        }
        if node.has_error() {
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    out.sort();
    out
}
