//! Terraform values as the configuration nodes the CloudFormation readers take, so
//! policy documents (for `check`) and event patterns (for triggers) are read by the same
//! code as the other frameworks'. A string part that is not literal text (a reference,
//! a pseudo parameter, an unknown part) stands in the node's text as a numbered marker,
//! which [`Marked`]'s evaluation turns back into the part.

use indexmap::IndexMap;

use super::eval::Value;
use crate::ValuePart;
use crate::cfn::{Strings, normalize};
use crate::config::{self, Node};

/// Opens a marker: private-use characters, which no configuration's text means.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// The parts the markers of some nodes stand for.
#[derive(Debug, Default)]
pub(crate) struct Marked {
    parts: Vec<ValuePart>,
}

impl Marked {
    /// `parts` as text with a marker for each part that is not literal.
    fn text(&mut self, parts: &[ValuePart]) -> String {
        let mut out = String::new();
        for p in parts {
            match p {
                // A marker character in the configuration's own text is no marker.
                ValuePart::Lit(s) => out.extend(s.chars().map(|c| {
                    if c == OPEN || c == CLOSE {
                        char::REPLACEMENT_CHARACTER
                    } else {
                        c
                    }
                })),
                other => {
                    out.push(OPEN);
                    out.push_str(&self.parts.len().to_string());
                    out.push(CLOSE);
                    self.parts.push(other.clone());
                }
            }
        }
        out
    }

    /// A value as a node: maps (keys sorted, as Terraform holds them), lists, strings.
    pub(crate) fn node(&mut self, value: &Value) -> Node {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::Text(parts) => Node::String(self.text(parts)),
            Value::List(items) => Node::Seq(items.iter().map(|i| self.node(i)).collect()),
            Value::Map(m) => Node::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), self.node(v)))
                    .collect::<IndexMap<_, _>>(),
            ),
            Value::Unknown(why) => Node::String(self.text(&[ValuePart::Unknown(why.clone())])),
        }
    }

    /// A JSON text (a heredoc policy, `jsonencode(…)`'s result) as a node; its strings
    /// keep the references written in it. `Err` says why it is not JSON.
    pub(crate) fn json(&mut self, parts: &[ValuePart]) -> Result<Node, String> {
        let text = self.text(parts);
        config::parse_json(&text).map_err(|e| e.to_string())
    }
}

/// A list's items; a single value is not a list: none.
pub(crate) fn items(value: &Value) -> &[Value] {
    match value {
        Value::List(items) => items,
        _ => &[],
    }
}

impl Strings for Marked {
    fn string(&self, s: &str, _depth: usize) -> Vec<ValuePart> {
        let mut out = Vec::new();
        let mut rest = s;
        while let Some(start) = rest.find(OPEN) {
            let (before, after) = rest.split_at(start);
            out.push(ValuePart::Lit(before.to_string()));
            let after = after.get(OPEN.len_utf8()..).unwrap_or_default();
            let Some(end) = after.find(CLOSE) else {
                out.push(ValuePart::Lit(after.to_string()));
                rest = "";
                break;
            };
            let (index, next) = after.split_at(end);
            match index.parse::<usize>().ok().and_then(|i| self.parts.get(i)) {
                Some(part) => out.push(part.clone()),
                None => out.push(ValuePart::Lit(index.to_string())),
            }
            rest = next.get(CLOSE.len_utf8()..).unwrap_or_default();
        }
        out.push(ValuePart::Lit(rest.to_string()));
        normalize(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_survive_the_round_trip_through_json() {
        let mut marked = Marked::default();
        let reference = ValuePart::Ref {
            logical_id: "aws_s3_bucket.b".into(),
            attribute: Some("arn".into()),
            arn: true,
            physical: None,
            resource_type: Some("aws_s3_bucket".into()),
        };
        let node = marked
            .json(&[
                ValuePart::Lit(r#"{"Resource": ""#.into()),
                reference.clone(),
                ValuePart::Lit("/*\u{E000}9\"}".into()),
            ])
            .unwrap();
        let Some(Node::String(s)) = node.get("Resource") else {
            panic!("{node:?}")
        };
        assert_eq!(
            marked.string(s, 0),
            vec![reference, ValuePart::Lit("/*\u{FFFD}9".into())]
        );
        // A stray marker in text is text.
        assert_eq!(
            marked.string("a\u{E000}7\u{E001}b\u{E000}", 0),
            vec![ValuePart::Lit("a7b".into())]
        );
    }
}
