//! Loading framework configuration (YAML or JSON) into one tree, [`Node`].
//!
//! CloudFormation short-form tags (`!Ref X`, `!GetAtt X.Arn`, `!Sub …`) become the long
//! form (`{Ref: X}`, `{Fn::GetAtt: X.Arn}`, `{Fn::Sub: …}`) here, so everything after
//! this module sees one intrinsic representation (see `intrinsic.rs`).
//!
//! Hostile input: `serde_yaml_ng` limits nesting to 128 levels and alias jumps to 100 per
//! event, but one alias of a large anchored list still copies the whole list, so a small
//! file can expand quadratically. The tree is therefore built through a seed with a node
//! budget proportional to the file size, and files above [`MAX_CONFIG_BYTES`] are refused.

use std::cell::Cell;
use std::fmt;
use std::path::Path;

use indexmap::IndexMap;
use leastrole_core::{Code, Diagnostic, Level, Location};
use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};

/// Config files larger than this are not read (CloudFormation itself takes templates up
/// to 1 MB).
pub(crate) const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Flow collections (`[[[…]]]`) nested deeper than this are refused before parsing:
/// libyaml takes quadratic time on them (40,000 levels: seconds), and `serde_yaml_ng`
/// would refuse anything past 128 levels anyway.
const MAX_FLOW_DEPTH: usize = 256;

/// Nodes allowed beyond one per two bytes of input: room for small files with aliases.
const NODE_BUDGET_BASE: usize = 100_000;

/// A configuration value. Mapping keys are strings (scalar keys are written as text).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    /// A number, as text (`8`, `1.5`).
    Number(String),
    String(String),
    Seq(Vec<Node>),
    Map(IndexMap<String, Node>),
    /// A YAML tag that is not a CloudFormation intrinsic, kept as written.
    Tagged(String, Box<Node>),
}

impl Node {
    /// The value under `key` of a mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(m) => m.get(key),
            _ => None,
        }
    }

    /// The value at a path of mapping keys.
    pub(crate) fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, k| n.get(k))
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_map(&self) -> Option<&IndexMap<String, Node>> {
        match self {
            Node::Map(m) => Some(m),
            _ => None,
        }
    }

    /// A scalar's text: strings, numbers and booleans.
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match self {
            Node::String(s) | Node::Number(s) => Some(s.clone()),
            Node::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// What this node is, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
            Node::Tagged(..) => "a tagged value",
        }
    }
}

/// Why a config file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct ConfigError {
    /// 1-based line of the problem, when the parser knows it.
    pub(crate) line: Option<u32>,
    /// 1-based column, when the parser knows it.
    pub(crate) column: Option<u32>,
    pub(crate) message: String,
}

/// Read and parse a YAML or JSON file (JSON when the name ends in `.json`).
pub(crate) fn load_file(path: &Path) -> Result<Node, ConfigError> {
    load(path).map(|(_, node)| node)
}

/// Read and parse a YAML or JSON file; the text too, for [`find_line`].
pub(crate) fn load(path: &Path) -> Result<(String, Node), ConfigError> {
    let size = std::fs::metadata(path)
        .map_err(|e| ConfigError {
            line: None,
            column: None,
            message: format!("cannot read: {e}"),
        })?
        .len();
    if size > MAX_CONFIG_BYTES {
        return Err(ConfigError {
            line: None,
            column: None,
            message: format!(
                "{size} bytes is more than the {MAX_CONFIG_BYTES} bytes leastrole reads from a config file"
            ),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        line: None,
        column: None,
        message: format!("cannot read: {e}"),
    })?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let node = if json {
        parse_json(&text)
    } else {
        parse_yaml(&text)
    }?;
    Ok((text, node))
}

/// Parse YAML text (one document) into a [`Node`].
pub(crate) fn parse_yaml(text: &str) -> Result<Node, ConfigError> {
    if let Some(line) = too_deep(text) {
        return Err(ConfigError {
            line: Some(line),
            column: None,
            message: format!(
                "brackets nested more than {MAX_FLOW_DEPTH} levels deep; leastrole does not read such files"
            ),
        });
    }
    let budget = Cell::new(budget_for(text));
    let de = serde_yaml_ng::Deserializer::from_str(text);
    NodeSeed { budget: &budget }
        .deserialize(de)
        .map_err(|e| ConfigError {
            line: e
                .location()
                .and_then(|l| u32::try_from(l.line()).ok())
                .filter(|l| *l > 0),
            column: e
                .location()
                .and_then(|l| u32::try_from(l.column()).ok())
                .filter(|c| *c > 0),
            message: e.to_string(),
        })
}

/// Parse JSON text into a [`Node`].
pub(crate) fn parse_json(text: &str) -> Result<Node, ConfigError> {
    let budget = Cell::new(budget_for(text));
    let mut de = serde_json::Deserializer::from_str(text);
    let node = NodeSeed { budget: &budget }
        .deserialize(&mut de)
        .and_then(|n| de.end().map(|()| n))
        .map_err(|e| ConfigError {
            line: u32::try_from(e.line()).ok().filter(|l| *l > 0),
            column: u32::try_from(e.column()).ok().filter(|c| *c > 0),
            message: e.to_string(),
        })?;
    Ok(node)
}

/// The line where `[`/`{` nesting passes [`MAX_FLOW_DEPTH`], if it does. Approximate (it
/// skips quoted text and comments, and counts brackets in plain scalars too), which is
/// enough: real configs stay far below the limit.
fn too_deep(text: &str) -> Option<u32> {
    let mut depth = 0usize;
    let mut line = 1u32;
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    for c in text.chars() {
        if c == '\n' {
            line = line.saturating_add(1);
            comment = false;
        } else if comment {
        } else if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else {
            match c {
                '"' | '\'' if !previous.is_alphanumeric() => quote = Some(c),
                '#' if previous.is_whitespace() => comment = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(line);
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        previous = c;
    }
    None
}

fn budget_for(text: &str) -> usize {
    text.len() / 2 + NODE_BUDGET_BASE
}

/// The 1-based line where a key path is declared, found in the text (see [`KeyLines`]).
pub(crate) fn find_line(text: &str, path: &[&str]) -> Option<u32> {
    let (last, parents) = path.split_last()?;
    KeyLines::under(text, parents).get(last)
}

/// The lines of the direct children of one key path, found in the text: each key among
/// the children of the previous one (same indentation as the first child line; list items
/// `- key:` count). Works for block YAML and pretty-printed JSON; best effort, for pointing
/// diagnostics at declarations. One pass over the text, however many keys are looked up.
#[derive(Debug, Default)]
pub(crate) struct KeyLines {
    lines: IndexMap<String, u32>,
}

impl KeyLines {
    /// The children of `path` (`[]`: the top-level keys).
    pub(crate) fn under(text: &str, path: &[&str]) -> KeyLines {
        let lines: Vec<&str> = text.lines().collect();
        let mut start = 0;
        let mut parent_indent: Option<usize> = None;
        for key in path {
            match children(&lines, start, parent_indent).find(|(k, _, _)| k == key) {
                Some((_, i, indent)) => {
                    start = i + 1;
                    parent_indent = Some(indent);
                }
                None => return KeyLines::default(),
            }
        }
        KeyLines {
            lines: children(&lines, start, parent_indent)
                .filter_map(|(k, i, _)| Some((k, u32::try_from(i + 1).ok()?)))
                .collect(),
        }
    }

    /// The 1-based line of a child key.
    pub(crate) fn get(&self, key: &str) -> Option<u32> {
        self.lines.get(key).copied()
    }
}

/// The 1-based lines of the list items (`- …`) directly under a key path, in order. Block
/// YAML only (a flow list or JSON gives none); best effort, like [`KeyLines`].
pub(crate) fn item_lines(text: &str, path: &[&str]) -> Vec<u32> {
    let lines: Vec<&str> = text.lines().collect();
    let mut start = 0;
    let mut parent_indent: Option<usize> = None;
    for key in path {
        match children(&lines, start, parent_indent).find(|(k, _, _)| k == key) {
            Some((_, i, indent)) => {
                start = i + 1;
                parent_indent = Some(indent);
            }
            None => return Vec::new(),
        }
    }
    let Some(parent) = parent_indent else {
        return Vec::new();
    };
    let mut item_indent = None;
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(start) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let is_item = trimmed == "-" || trimmed.starts_with("- ");
        if indent < parent || (indent == parent && !is_item) {
            break;
        }
        if is_item && *item_indent.get_or_insert(indent) == indent {
            out.extend(u32::try_from(i + 1).ok());
        }
    }
    out
}

/// `(key, line index, indent)` of the direct children of the block starting at `start`.
fn children<'t>(
    lines: &'t [&'t str],
    start: usize,
    parent_indent: Option<usize>,
) -> impl Iterator<Item = (String, usize, usize)> + 't {
    let mut child_indent = None;
    lines
        .iter()
        .enumerate()
        .skip(start)
        .map(|(i, line)| {
            let trimmed = line.trim_start();
            (i, line.len() - trimmed.len(), trimmed)
        })
        .filter(|(_, _, t)| {
            !(t.is_empty() || t.starts_with('#') || t.starts_with(['{', '}', '[', ']']))
        })
        // YAML may write a key's list items at the key's own indentation.
        .take_while(move |(_, indent, t)| {
            parent_indent.is_none_or(|p| *indent > p || (*indent == p && t.starts_with("- ")))
        })
        .filter_map(move |(i, indent, t)| {
            if *child_indent.get_or_insert(indent) != indent {
                return None;
            }
            key_of(t.strip_prefix("- ").unwrap_or(t)).map(|k| (k, i, indent))
        })
}

/// The key a `key: …` line (YAML or JSON) declares.
fn key_of(t: &str) -> Option<String> {
    for q in ['"', '\''] {
        if let Some(rest) = t.strip_prefix(q) {
            let (key, after) = rest.split_once(q)?;
            return after.trim_start().starts_with(':').then(|| key.to_string());
        }
    }
    let (key, _) = t.split_once(':')?;
    (!key.is_empty() && !key.contains(' ')).then(|| key.to_string())
}

/// Builds a [`Node`], spending one unit of `budget` per node.
#[derive(Clone, Copy)]
struct NodeSeed<'b> {
    budget: &'b Cell<usize>,
}

impl NodeSeed<'_> {
    fn spend<E: de::Error>(&self) -> Result<(), E> {
        match self.budget.get().checked_sub(1) {
            Some(left) => {
                self.budget.set(left);
                Ok(())
            }
            None => Err(E::custom(
                "the document expands to too many values (YAML aliases repeating large anchors?)",
            )),
        }
    }
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Node;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML or JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        self.spend()?;
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        self.spend()?;
        Ok(Node::Number(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        self.spend()?;
        Ok(Node::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        self.spend()?;
        Ok(Node::Number(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        self.spend()?;
        Ok(Node::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        self.spend()?;
        Ok(Node::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        self.spend()?;
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        self.visit_unit()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        self.spend()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        self.spend()?;
        let mut out = IndexMap::new();
        let mut merges = Vec::new();
        while let Some(key) = map.next_key_seed(self)? {
            let value = map.next_value_seed(self)?;
            let key = match key {
                Node::String(s) | Node::Number(s) => s,
                Node::Bool(b) => b.to_string(),
                Node::Null => "null".to_string(),
                // Complex keys never name anything leastrole reads.
                _ => continue,
            };
            if key == "<<" {
                merges.push(value);
            } else {
                out.insert(key, value);
            }
        }
        // YAML merge keys (`<<: *defaults`): explicit keys win, earlier merges win.
        for merge in merges {
            let maps = match merge {
                Node::Seq(items) => items,
                other => vec![other],
            };
            for m in maps {
                if let Node::Map(m) = m {
                    for (k, v) in m {
                        out.entry(k).or_insert(v);
                    }
                }
            }
        }
        Ok(Node::Map(out))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Node, A::Error> {
        // serde_yaml_ng presents a tagged node (`!Ref X`) as an enum variant named by the tag.
        self.spend()?;
        let (tag, variant): (String, _) = data.variant()?;
        let inner = variant.newtype_variant_seed(self)?;
        Ok(long_form(tag, inner))
    }
}

/// Short-form intrinsic tags, without the `!`, and their long-form key.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("And", "Fn::And"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("Condition", "Condition"),
    ("Equals", "Fn::Equals"),
    ("FindInMap", "Fn::FindInMap"),
    ("GetAZs", "Fn::GetAZs"),
    ("GetAtt", "Fn::GetAtt"),
    ("If", "Fn::If"),
    ("ImportValue", "Fn::ImportValue"),
    ("Join", "Fn::Join"),
    ("Length", "Fn::Length"),
    ("Not", "Fn::Not"),
    ("Or", "Fn::Or"),
    ("Ref", "Ref"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("Sub", "Fn::Sub"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Transform", "Fn::Transform"),
];

fn long_form(tag: String, inner: Node) -> Node {
    match SHORT_FORMS.binary_search_by(|(short, _)| (*short).cmp(tag.as_str())) {
        Ok(i) => {
            let key = SHORT_FORMS.get(i).map_or("", |(_, long)| *long);
            // `!Ref` with nothing after it is an empty scalar, not null.
            let inner = if inner == Node::Null {
                Node::String(String::new())
            } else {
                inner
            };
            Node::Map(IndexMap::from([(key.to_string(), inner)]))
        }
        Err(_) => Node::Tagged(tag, Box::new(inner)),
    }
}

/// A config-file diagnostic: `file` relative to the project folder.
/// A config value of the wrong shape, read as absent: a warning naming the file, the key
/// path and what was expected, so that nothing in the config is dropped silently.
pub(crate) fn wrong_type(
    file: &str,
    text: &str,
    path: &[&str],
    expected: &str,
    found: &Node,
) -> Diagnostic {
    Diagnostic::new(
        Level::Warning,
        Code::ConfigWrongType,
        format!(
            "{file}: `{}` should be {expected}, not {}; it is ignored",
            path.join("."),
            found.kind()
        ),
        Some(Location {
            file: file.to_string(),
            line: find_line(text, path).unwrap_or(1),
            column: 1,
        }),
    )
}

pub(crate) fn config_error(file: &str, e: &ConfigError) -> Diagnostic {
    Diagnostic::new(
        Level::Error,
        Code::ConfigParseError,
        format!("{file}: {}", e.message),
        Some(Location {
            file: file.to_string(),
            line: e.line.unwrap_or(1),
            column: e.column.unwrap_or(1),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Node)]) -> Node {
        Node::Map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
        )
    }

    fn s(v: &str) -> Node {
        Node::String(v.to_string())
    }

    #[test]
    fn short_forms_are_sorted_and_unique() {
        assert!(SHORT_FORMS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn short_form_tags_become_long_form() {
        let n = parse_yaml(
            "a: !Ref Orders\nb: !GetAtt Orders.Arn\nc: !Sub [\"${X}\", {X: !Ref Y}]\nd: !Weird 1\n",
        )
        .unwrap();
        assert_eq!(n.get("a"), Some(&map(&[("Ref", s("Orders"))])));
        assert_eq!(n.get("b"), Some(&map(&[("Fn::GetAtt", s("Orders.Arn"))])));
        assert_eq!(
            n.get("c"),
            Some(&map(&[(
                "Fn::Sub",
                Node::Seq(vec![s("${X}"), map(&[("X", map(&[("Ref", s("Y"))]))])])
            )]))
        );
        assert_eq!(
            n.get("d"),
            Some(&Node::Tagged(
                "Weird".into(),
                Box::new(Node::Number("1".into()))
            ))
        );
    }

    #[test]
    fn yaml_and_json_give_the_same_tree() {
        let y = parse_yaml("A:\n  Ref: B\nN: 3\nT: true\nZ: ~\n").unwrap();
        let j = parse_json(r#"{"A": {"Ref": "B"}, "N": 3, "T": true, "Z": null}"#).unwrap();
        assert_eq!(y, j);
    }

    #[test]
    fn merge_keys_fill_missing_entries() {
        let n = parse_yaml("d: &d {a: 1, b: 2}\nx:\n  <<: *d\n  b: 3\n").unwrap();
        assert_eq!(
            n.get("x"),
            Some(&map(&[
                ("b", Node::Number("3".into())),
                ("a", Node::Number("1".into()))
            ]))
        );
    }

    #[test]
    fn alias_bomb_is_an_error_not_a_hang() {
        let mut y = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            y.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse_yaml(&y).unwrap_err();
        assert!(
            e.message.contains("too many values") || e.message.contains("repetition limit"),
            "{e}"
        );
    }

    #[test]
    fn wide_alias_expansion_is_bounded() {
        // One anchor of 20,000 scalars aliased 5,000 times: 10^8 values if expanded.
        let mut y = String::from("big: &big [");
        y.push_str(&"x,".repeat(20_000));
        y.push_str("x]\nrefs: [");
        y.push_str(&"*big,".repeat(5_000));
        y.push_str("*big]\n");
        let e = parse_yaml(&y).unwrap_err();
        assert!(e.message.contains("too many values"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let y = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_yaml(&y).is_err());
        let j = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_json(&j).is_err());
    }

    #[test]
    fn deep_flow_nesting_is_refused_quickly() {
        let y = format!(
            "a: 1\nb: {}1{}\n",
            "[".repeat(4_000_000),
            "]".repeat(4_000_000)
        );
        let start = std::time::Instant::now();
        let e = parse_yaml(&y).unwrap_err();
        assert!(start.elapsed().as_secs() < 5);
        assert_eq!(e.line, Some(2));
        // Brackets in quotes, comments and balanced plain scalars do not count.
        let ok = format!(
            "a: '{}'\nb: x # {}\nc: ${{self:custom.${{sls:stage}}}}\n",
            "[".repeat(1000),
            "{".repeat(1000)
        );
        assert!(parse_yaml(&ok).is_ok());
    }

    #[test]
    fn broken_yaml_reports_its_line() {
        let e = parse_yaml("service: x\nfunctions:\n  a:\n    handler: [unclosed\n").unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
        let e = parse_yaml("a: 1\nb: 2\n  c: 3\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e:?}");
    }

    #[test]
    fn item_lines_are_the_dashes_of_one_list() {
        let text = "provider:\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: s3:*\n          Resource:\n            - a\n            - b\n        # note\n        - Effect: Deny\n  other: 1\n";
        assert_eq!(
            item_lines(text, &["provider", "iam", "role", "statements"]),
            vec![5, 11]
        );
        let flush = "Policies:\n- A\n- B: {x: 1}\nNext: 2\n";
        assert_eq!(item_lines(flush, &["Policies"]), vec![2, 3]);
        assert!(item_lines("Policies: [A, B]\n", &["Policies"]).is_empty());
        assert!(item_lines(text, &["provider", "missing"]).is_empty());
    }

    #[test]
    fn find_line_follows_indentation() {
        let text = "service: s\nprovider:\n  name: aws\nfunctions:\n  name:\n    handler: a.b\n  other:\n    handler: c.d\n";
        assert_eq!(find_line(text, &["functions", "other"]), Some(7));
        assert_eq!(find_line(text, &["functions", "name"]), Some(5));
        assert_eq!(find_line(text, &["functions", "missing"]), None);
        // Only direct children count: `handler` under `name` is not the function `handler`.
        let nested = "functions:\n  a:\n    handler: x\n    b: 1\n  handler:\n    handler: y\n";
        assert_eq!(find_line(nested, &["functions", "handler"]), Some(5));
        assert_eq!(find_line(nested, &["functions", "b"]), None);
        let list = "functions:\n  - a:\n      handler: x\n  - b:\n      handler: y\n";
        assert_eq!(find_line(list, &["functions", "b"]), Some(4));
        let flush = "functions:\n- a:\n    handler: x\n- b:\n    handler: y\nresources: {}\n";
        assert_eq!(find_line(flush, &["functions", "b"]), Some(4));
        assert_eq!(find_line(flush, &["resources"]), Some(6));
        let json = "{\n  \"Resources\": {\n    \"Fn\": {\n      \"Type\": \"x\"\n    }\n  }\n}\n";
        assert_eq!(find_line(json, &["Resources", "Fn"]), Some(3));
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Arbitrary text is a tree or an error, never a panic.
        #[test]
        fn parsing_never_panics(s in "[ \\n\\-:\\[\\]\\{\\}!&*<a-z'\",#|>é]{0,80}") {
            let _ = parse_yaml(&s);
            let _ = parse_json(&s);
            let _ = find_line(&s, &["a", "b"]);
        }
    }
}
