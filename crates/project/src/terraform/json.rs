//! Terraform's JSON syntax (`*.tf.json`), read into the same `hcl::Block`s as native
//! syntax (hcl-rs parses only the native one).
//!
//! From Terraform's "JSON Configuration Syntax": the top level is an object whose keys
//! are block types (`resource`, `data`, `module`, `variable`, `output`, `locals`), each
//! followed by one object level per label; a string is a template (`"${var.x}"`); which
//! keys of a body are nested blocks rather than object-valued arguments is the
//! provider's schema, so the blocks leastrole reads are listed in [`NESTED_BLOCKS`].

use hcl::expr::{Expression, ObjectKey, TemplateExpr};
use serde_json::Value as Json;

/// Keys of a resource body that are nested blocks, not arguments: those the readers ask
/// for with `blocks()`.
const NESTED_BLOCKS: &[&str] = &[
    "condition",
    "dead_letter_config",
    "environment",
    "inline_policy",
    "lambda_function",
    "principals",
    "source",
    "statement",
    "tracing_config",
    "vpc_config",
];

/// The labels each top-level block type takes.
fn labels_of(kind: &str) -> Option<usize> {
    match kind {
        "resource" | "data" => Some(2),
        "module" | "variable" | "output" => Some(1),
        "locals" => Some(0),
        _ => None,
    }
}

/// The blocks of a `.tf.json` file with their lines, or why it could not be read.
pub(super) fn parse(text: &str) -> Result<Vec<(hcl::Block, u32)>, (String, u32, u32)> {
    let top: Json = serde_json::from_str(text).map_err(|e| {
        (
            e.to_string(),
            super::to_u32(e.line()),
            super::to_u32(e.column()),
        )
    })?;
    let Json::Object(top) = top else {
        return Err(("the top level is not a JSON object".to_string(), 1, 1));
    };
    let mut blocks = Vec::new();
    for (kind, value) in &top {
        let Some(n) = labels_of(kind) else {
            continue;
        };
        let mut found = Vec::new();
        labelled(value, n, &mut Vec::new(), &mut found);
        for (labels, body) in found {
            let line = super::line_of(text, key_offset(text, kind, &labels));
            let mut block = hcl::Block::builder(kind.as_str());
            for l in &labels {
                block = block.add_label(l.as_str());
            }
            blocks.push((block.add_structures(structures(body)).build(), line));
        }
    }
    Ok(blocks)
}

/// Where a block starts, as near as the text says: its type's key, then each label's
/// after it (serde_json keeps no positions).
fn key_offset(text: &str, kind: &str, labels: &[String]) -> usize {
    let mut at = 0;
    for key in std::iter::once(kind).chain(labels.iter().map(String::as_str)) {
        let quoted = format!("\"{key}\"");
        match text.get(at..).and_then(|rest| rest.find(&quoted)) {
            Some(i) => at += i,
            None => break,
        }
    }
    at
}

/// The bodies below `n` levels of labels; an array at a level holds several objects.
fn labelled<'j>(
    value: &'j Json,
    n: usize,
    labels: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, &'j serde_json::Map<String, Json>)>,
) {
    match value {
        Json::Array(items) => {
            for item in items {
                labelled(item, n, labels, out);
            }
        }
        Json::Object(map) if n == 0 => out.push((labels.clone(), map)),
        Json::Object(map) => {
            for (label, inner) in map {
                labels.push(label.clone());
                labelled(inner, n - 1, labels, out);
                labels.pop();
            }
        }
        _ => {}
    }
}

/// A body's attributes and nested blocks.
fn structures(body: &serde_json::Map<String, Json>) -> Vec<hcl::Structure> {
    let mut out = Vec::new();
    for (key, value) in body {
        // `"//"` is the JSON syntax's comment.
        if key == "//" {
            continue;
        }
        fn nested(v: &Json) -> Option<&serde_json::Map<String, Json>> {
            match v {
                Json::Object(inner) => Some(inner),
                _ => None,
            }
        }
        if NESTED_BLOCKS.contains(&key.as_str()) {
            let bodies: Option<Vec<_>> = match value {
                Json::Array(items) => items.iter().map(nested).collect(),
                other => nested(other).map(|b| vec![b]),
            };
            if let Some(bodies) = bodies {
                for b in bodies {
                    out.push(hcl::Structure::Block(
                        hcl::Block::builder(key.as_str())
                            .add_structures(structures(b))
                            .build(),
                    ));
                }
                continue;
            }
        }
        out.push(hcl::Structure::Attribute(hcl::Attribute::new(
            key.as_str(),
            expression(value),
        )));
    }
    out
}

fn expression(value: &Json) -> Expression {
    match value {
        Json::Null => Expression::Null,
        Json::Bool(b) => Expression::Bool(*b),
        Json::Number(n) => n
            .as_i64()
            .map(hcl::Number::from)
            .or_else(|| n.as_u64().map(hcl::Number::from))
            .or_else(|| n.as_f64().and_then(hcl::Number::from_f64))
            .map_or(Expression::Null, Expression::Number),
        Json::String(s) => string(s),
        Json::Array(items) => Expression::Array(items.iter().map(expression).collect()),
        Json::Object(map) => Expression::Object(
            map.iter()
                .map(|(k, v)| {
                    (
                        ObjectKey::Expression(Expression::String(k.clone())),
                        expression(v),
                    )
                })
                .collect(),
        ),
    }
}

/// A JSON string: literal text, one interpolation alone (`"${aws_s3_bucket.b.arn}"`, the
/// reference itself, as native syntax writes it), or a template.
fn string(s: &str) -> Expression {
    if !s.contains("${") && !s.contains("%{") {
        return Expression::String(s.to_string());
    }
    if let Some(inner) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}'))
        && !inner.contains("${")
        && let Ok(expr) = hcl::edit::parser::parse_expr(inner)
    {
        return Expression::from(expr);
    }
    // The template as a quoted string's raw text: JSON has decoded its escapes already,
    // so a literal `\` would read as an escape again; names hold none.
    Expression::TemplateExpr(Box::new(TemplateExpr::QuotedString(s.to_string())))
}
