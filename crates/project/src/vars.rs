//! Serverless Framework variables (`${self:custom.table}`, `${opt:stage, 'dev'}`…),
//! resolved statically.
//!
//! Resolved: `self:` (any path; `provider.stage` and `provider.region` have the
//! framework's defaults), `sls:stage`, `opt:stage` (from `--stage`), `env:` (only with
//! `--use-env`), `param:` (v4 `stages.<stage>.params` and `params.<stage>`, each stage then
//! `default`), `file(…)` of a local
//! YAML or JSON file with an optional `:key.path`, and `aws:accountId` / `aws:region` as the
//! pseudo parameters. Fallbacks (`${self:x, 'dev'}`, `${opt:stage, self:provider.stage}`)
//! and variables inside variables are followed. Anything else (`ssm:`, `cf:`, `s3:`,
//! `${env:…}` without `--use-env`) stays a named unknown: the variable's text.
//!
//! `${AWS::Region}`, `${Table}` and `${Table.Arn}` are not Serverless variables (no
//! `source:`): they stay in the text for `Fn::Sub`.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leastrole_core::{Confine, Diagnostic, Location};

use crate::ValuePart;
use crate::cfn::{MAX_DEPTH, MAX_WORK};
use crate::config::{self, Node};

/// Keys in one `self:`/`file()` path; real configs use a handful.
const MAX_PATH_KEYS: usize = 64;

/// What a variable resolves to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// A config value (a scalar, a mapping, an intrinsic) from `self:`, `file()` or `param:`.
    Node(Node),
    /// A computed value (`sls:stage`, `env:`, a quoted fallback).
    Parts(Vec<ValuePart>),
    /// Not set: the next fallback applies.
    Missing,
    /// Set to something not known statically; fallbacks do not apply.
    Unknown(String),
}

/// A piece of a string: literal text or a variable.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seg {
    Lit(String),
    Var { text: String, val: Val },
}

/// Resolves the variables of one Serverless config.
#[derive(Debug)]
pub(crate) struct Vars<'a> {
    root: &'a Node,
    /// The service folder, which `file(…)` paths are relative to.
    dir: &'a Path,
    stage: Option<&'a str>,
    use_env: bool,
    /// The config is already resolved (a manifest from the framework itself): strings are
    /// literal text and no variable is looked up.
    resolved: bool,
    files: RefCell<BTreeMap<PathBuf, Option<Node>>>,
    /// Lookups done; a hostile config (each variable naming two others) stops at [`MAX_WORK`].
    work: Cell<usize>,
    diagnostics: RefCell<Vec<Diagnostic>>,
    /// Where `file(…)` may read, and the config (name relative to the service folder,
    /// text) a refusal is located in.
    confine: Option<Confined<'a>>,
    /// `file(…)` paths refused already (one warning each).
    refused: RefCell<BTreeMap<PathBuf, String>>,
}

/// The confinement of a config's `file(…)` reads, and the config, to place refusals.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Confined<'a> {
    pub(crate) confine: &'a Confine,
    pub(crate) file: &'a str,
    pub(crate) text: &'a str,
}

/// Byte spans `(start, end)` of the top-level Serverless variables in `s`, `end` exclusive.
fn spans(s: &str) -> Vec<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = s.get(i..).and_then(|r| r.find("${")) {
        let start = i + off;
        let content = s.get(start + 2..).unwrap_or("");
        if !is_variable(content) {
            i = start + 2;
            continue;
        }
        let mut level = 0usize;
        let mut end = None;
        for (j, b) in bytes.iter().enumerate().skip(start + 1) {
            match b {
                b'{' => level += 1,
                b'}' => {
                    level -= 1;
                    if level == 0 {
                        end = Some(j + 1);
                        break;
                    }
                }
                _ => {}
            }
        }
        match end {
            Some(e) => {
                out.push((start, e));
                i = e;
            }
            None => break,
        }
    }
    out
}

/// Whether text after `${` starts a Serverless variable: `source:` (not `AWS::`), a
/// function source (`file(`), or a nested variable.
fn is_variable(content: &str) -> bool {
    let c = content.trim_start();
    if c.starts_with("${") || c.starts_with("file(") || c.starts_with("strToBool(") {
        return true;
    }
    let name_len = c
        .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'))
        .unwrap_or(c.len());
    name_len > 0
        && c.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && c.get(name_len..)
            .is_some_and(|r| r.starts_with(':') && !r.starts_with("::"))
}

/// Split variable parameters at top-level commas (outside quotes, parentheses, braces).
fn split_params(content: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, ch) in content.char_indices() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(ch),
            (None, '(' | '{') => depth += 1,
            (None, ')' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(content.get(start..i).unwrap_or("").trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(content.get(start..).unwrap_or("").trim());
    out
}

fn lit(s: impl Into<String>) -> Val {
    Val::Parts(vec![ValuePart::Lit(s.into())])
}

impl<'a> Vars<'a> {
    pub(crate) fn new(
        root: &'a Node,
        dir: &'a Path,
        stage: Option<&'a str>,
        use_env: bool,
    ) -> Self {
        Vars {
            root,
            dir,
            stage,
            use_env,
            resolved: false,
            files: RefCell::new(BTreeMap::new()),
            work: Cell::new(0),
            diagnostics: RefCell::new(Vec::new()),
            confine: None,
            refused: RefCell::new(BTreeMap::new()),
        }
    }

    /// `file(…)` reads only files `confined.confine` admits; another is refused with an
    /// `outside-project` warning at the config line that names it, and its variable is
    /// unknown.
    pub(crate) fn confined(self, confined: Confined<'a>) -> Self {
        Vars {
            confine: Some(confined),
            ..self
        }
    }

    /// For a config whose variables the framework already resolved (a `--manifest`):
    /// every string is literal text, whatever `${…}` it contains.
    pub(crate) fn resolved(root: &'a Node, dir: &'a Path) -> Self {
        Vars {
            resolved: true,
            ..Vars::new(root, dir, None, false)
        }
    }

    /// Diagnostics about files read through `file(…)`.
    pub(crate) fn take_diagnostics(&self) -> Vec<Diagnostic> {
        std::mem::take(&mut *self.diagnostics.borrow_mut())
    }

    /// The string as literal text and variables.
    pub(crate) fn segments(&self, s: &str, depth: usize) -> Vec<Seg> {
        if self.resolved {
            return if s.is_empty() {
                Vec::new()
            } else {
                vec![Seg::Lit(s.to_string())]
            };
        }
        let mut out = Vec::new();
        let mut last = 0;
        for (start, end) in spans(s) {
            out.push(Seg::Lit(s.get(last..start).unwrap_or("").to_string()));
            let text = s.get(start..end).unwrap_or("").to_string();
            let content = s.get(start + 2..end - 1).unwrap_or("");
            let val = self.resolve(content, &text, depth + 1);
            out.push(Seg::Var { text, val });
            last = end;
        }
        out.push(Seg::Lit(s.get(last..).unwrap_or("").to_string()));
        out.retain(|seg| !matches!(seg, Seg::Lit(t) if t.is_empty()));
        out
    }

    /// A config node with whole-string variables replaced by the node they name, so that
    /// `environment: ${self:custom.env}` reads as the mapping.
    pub(crate) fn deref(&self, node: &Node, depth: usize) -> Node {
        if depth > MAX_DEPTH {
            return node.clone();
        }
        let Node::String(s) = node else {
            return node.clone();
        };
        match self.segments(s, depth).as_slice() {
            [
                Seg::Var {
                    val: Val::Node(n), ..
                },
            ] => self.deref(n, depth + 1),
            _ => node.clone(),
        }
    }

    /// A node as literal text if it is one (a scalar, or a string whose variables all
    /// resolve to literals).
    pub(crate) fn literal(&self, node: &Node, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.deref(node, depth) {
            Node::String(s) => {
                let mut out = String::new();
                for seg in self.segments(&s, depth) {
                    match seg {
                        Seg::Lit(t) => out.push_str(&t),
                        Seg::Var { val, .. } => out.push_str(&self.val_literal(&val, depth + 1)?),
                    }
                }
                Some(out)
            }
            other => other.scalar_text(),
        }
    }

    fn val_literal(&self, val: &Val, depth: usize) -> Option<String> {
        match val {
            Val::Node(n) => self.literal(n, depth),
            Val::Parts(parts) => match crate::cfn::normalize(parts.clone()).as_slice() {
                [] => Some(String::new()),
                [ValuePart::Lit(s)] => Some(s.clone()),
                _ => None,
            },
            Val::Missing | Val::Unknown(_) => None,
        }
    }

    /// The stage: `--stage`, else `provider.stage`, else `dev`.
    pub(crate) fn stage(&self, depth: usize) -> String {
        if let Some(s) = self.stage {
            return s.to_string();
        }
        self.root
            .at(&["provider", "stage"])
            .and_then(|n| self.literal(n, depth + 1))
            .unwrap_or_else(|| "dev".to_string())
    }

    /// Resolve the content of `${…}` (`text` is the whole variable, for messages).
    fn resolve(&self, content: &str, text: &str, depth: usize) -> Val {
        if depth > MAX_DEPTH {
            return Val::Unknown(format!("{text} (variables nested too deeply)"));
        }
        let work = self.work.get() + 1;
        self.work.set(work);
        if work > MAX_WORK {
            return Val::Unknown(format!("{text} (too many variable lookups in this config)"));
        }
        for param in split_params(content) {
            let val = self.param(param, depth);
            match val {
                Val::Missing | Val::Node(Node::Null) => continue,
                other => return other,
            }
        }
        Val::Unknown(format!("{text} (not set)"))
    }

    /// One parameter of a variable: an address, a nested variable or a literal fallback.
    fn param(&self, param: &str, depth: usize) -> Val {
        if param.len() >= 2
            && ((param.starts_with('\'') && param.ends_with('\''))
                || (param.starts_with('"') && param.ends_with('"')))
        {
            return lit(param.get(1..param.len() - 1).unwrap_or(""));
        }
        if let [(0, end)] = spans(param).as_slice()
            && *end == param.len()
        {
            let inner = param.get(2..param.len() - 1).unwrap_or("");
            return self.resolve(inner, param, depth + 1);
        }
        // Variables inside an address (`self:custom.${sls:stage}.table`) must be literal.
        let mut address = String::new();
        for seg in self.segments(param, depth) {
            match seg {
                Seg::Lit(t) => address.push_str(&t),
                Seg::Var { val, text } => match self.val_literal(&val, depth + 1) {
                    Some(t) => address.push_str(&t),
                    None => {
                        return match val {
                            Val::Unknown(u) => Val::Unknown(u),
                            _ => Val::Unknown(format!("{text} (not a literal)")),
                        };
                    }
                },
            }
        }
        let text = format!("${{{address}}}");
        if let Some(path) = address.strip_prefix("self:") {
            return self.self_path(path, depth);
        }
        if address.starts_with("file(") {
            return self.file(&address, &text, depth);
        }
        if let Some(name) = address.strip_prefix("opt:") {
            return match (name.trim(), self.stage) {
                ("stage", Some(s)) => lit(s),
                _ => Val::Missing,
            };
        }
        if let Some(name) = address.strip_prefix("sls:") {
            return match name.trim() {
                "stage" => lit(self.stage(depth + 1)),
                _ => Val::Unknown(text),
            };
        }
        if let Some(name) = address.strip_prefix("env:") {
            if !self.use_env {
                return Val::Unknown(text);
            }
            return std::env::var(name.trim()).map_or(Val::Missing, lit);
        }
        if let Some(name) = address.strip_prefix("param:") {
            // v4 `stages.<stage>.params`, then v3/v4 `params.<stage>`, each stage before
            // `default`.
            let stage = self.stage(depth + 1);
            let name = name.trim();
            let lookups: [(&str, [&str; 3]); 4] = [
                ("stages", [stage.as_str(), "params", name]),
                ("stages", ["default", "params", name]),
                ("params", [stage.as_str(), name, ""]),
                ("params", ["default", name, ""]),
            ];
            for (section, path) in lookups {
                let Some(section) = self.root.get(section) else {
                    continue;
                };
                let path: Vec<&str> = path.into_iter().filter(|k| !k.is_empty()).collect();
                if let Some(n) = self.walk(section, &path, depth + 1) {
                    return Val::Node(n);
                }
            }
            // Not in the config: the fallback, as a SAM parameter's `Default` is used.
            return Val::Missing;
        }
        match address.trim() {
            "aws:accountId" => return Val::Parts(vec![ValuePart::Pseudo("AWS::AccountId".into())]),
            "aws:region" => return Val::Parts(vec![ValuePart::Pseudo("AWS::Region".into())]),
            _ => {}
        }
        if !is_variable(&address) {
            // A bare fallback (`${opt:stage, dev}`) or a number.
            return lit(address);
        }
        Val::Unknown(text)
    }

    /// Why `full` (`path` as the config writes it) is not read, when it is outside the
    /// confinement: a pull request's config must not make leastrole read, and quote in a
    /// policy, a file elsewhere on the runner (a symlink counts where it leads).
    fn refuse(&self, full: &Path, path: &str) -> Option<String> {
        let confined = self.confine?;
        if confined.confine.admits(full) {
            return None;
        }
        let mut refused = self.refused.borrow_mut();
        if let Some(why) = refused.get(full) {
            return Some(why.clone());
        }
        let line = confined
            .text
            .lines()
            .position(|l| l.contains(path))
            .and_then(|i| u32::try_from(i + 1).ok())
            .unwrap_or(1);
        self.diagnostics.borrow_mut().push(confined.confine.refusal(
            &format!("the file `{path}` of a `${{file(…)}}` variable"),
            Some(Location {
                file: confined.file.to_string(),
                line,
                column: 1,
            }),
        ));
        let why = format!("the file is outside {}", confined.confine.label());
        refused.insert(full.to_path_buf(), why.clone());
        Some(why)
    }

    /// `self:a.b.c`.
    fn self_path(&self, path: &str, depth: usize) -> Val {
        let keys: Vec<&str> = path
            .split('.')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .collect();
        match self.walk(self.root, &keys, depth) {
            Some(Node::Map(m)) if keys == ["service"] => {
                m.get("name").cloned().map_or(Val::Missing, Val::Node)
            }
            Some(n) => Val::Node(n),
            None => match keys.as_slice() {
                ["provider", "stage"] => lit(self.stage(depth + 1)),
                ["provider", "region"] => lit("us-east-1"),
                _ => Val::Missing,
            },
        }
    }

    fn walk(&self, node: &Node, keys: &[&str], depth: usize) -> Option<Node> {
        let Some((key, rest)) = keys.split_first() else {
            return Some(node.clone());
        };
        // One level of recursion per key: a hostile `${self:a.a.a…}` must not exhaust the stack.
        if depth > MAX_DEPTH || keys.len() > MAX_PATH_KEYS {
            return None;
        }
        if let Node::String(_) = node {
            return match self.deref(node, depth + 1) {
                Node::String(_) => None,
                other => self.walk(&other, keys, depth + 1),
            };
        }
        let child = match node {
            Node::Map(m) => m.get(*key)?,
            Node::Seq(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
        self.walk(child, rest, depth)
    }

    /// `file(./x.yml)` or `file(./x.yml):a.b`.
    fn file(&self, address: &str, text: &str, depth: usize) -> Val {
        let Some(close) = address.find(')') else {
            return Val::Unknown(text.to_string());
        };
        let path = address
            .get(5..close)
            .unwrap_or("")
            .trim()
            .trim_matches(['\'', '"']);
        let key = address
            .get(close + 1..)
            .unwrap_or("")
            .trim()
            .strip_prefix(':')
            .unwrap_or("");
        let is_data = [".yml", ".yaml", ".json"]
            .iter()
            .any(|e| path.to_ascii_lowercase().ends_with(e));
        if !is_data {
            return Val::Unknown(format!("{text} (only YAML and JSON files are read)"));
        }
        let full = self.dir.join(path);
        if !full.is_file() {
            return Val::Missing;
        }
        if let Some(refused) = self.refuse(&full, path) {
            return Val::Unknown(format!("{text} ({refused})"));
        }
        let loaded = self
            .files
            .borrow_mut()
            .entry(full.clone())
            .or_insert_with(|| match config::load_file(&full) {
                Ok(n) => Some(n),
                Err(e) => {
                    let file = path.trim_start_matches("./");
                    self.diagnostics
                        .borrow_mut()
                        .push(crate::config::config_error(file, &e));
                    None
                }
            })
            .clone();
        let Some(node) = loaded else {
            return Val::Unknown(format!("{text} (the file could not be read)"));
        };
        let keys: Vec<&str> = key
            .split('.')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .collect();
        self.walk(&node, &keys, depth)
            .map_or(Val::Missing, Val::Node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_yaml;

    const CONFIG: &str = r#"
service: orders
provider:
  name: aws
  stage: ${opt:stage, 'dev'}
custom:
  prefix: ${self:service}-${sls:stage}
  table: ${self:custom.prefix}-table
  tables:
    dev: dev-orders
    prod: prod-orders
  env: {A: x}
  loop: ${self:custom.loop2}
  loop2: ${self:custom.loop}
params:
  default: {bucket: default-bucket}
  prod: {bucket: prod-bucket}
stages:
  qa:
    params: {bucket: qa-bucket}
"#;

    fn render(segs: &[Seg]) -> String {
        segs.iter()
            .map(|s| match s {
                Seg::Lit(t) => t.clone(),
                Seg::Var { val, .. } => match val {
                    Val::Node(n) => n.scalar_text().unwrap_or_else(|| format!("<{}>", n.kind())),
                    Val::Parts(p) => format!("{p:?}"),
                    Val::Missing => "<missing>".into(),
                    Val::Unknown(u) => format!("<unknown {u}>"),
                },
            })
            .collect()
    }

    fn with(stage: Option<&str>, f: impl FnOnce(&Vars<'_>)) {
        let root = parse_yaml(CONFIG).unwrap();
        let dir = Path::new(".");
        let v = Vars::new(&root, dir, stage, false);
        f(&v);
    }

    #[test]
    fn spans_skip_cloudformation_sub_syntax() {
        assert_eq!(spans("${AWS::Region}-${Table.Arn}-${Name}"), vec![]);
        assert_eq!(spans("a-${self:x}-b"), vec![(2, 11)]);
        assert_eq!(spans("${self:custom.${sls:stage}}"), vec![(0, 27)]);
        assert_eq!(spans("${file(./x.yml):a}"), vec![(0, 18)]);
        assert_eq!(spans("${self:unclosed"), vec![]);
    }

    #[test]
    fn params_split_at_top_level_commas() {
        assert_eq!(
            split_params("self:a, 'x, y', ${opt:b, 'c'}"),
            vec!["self:a", "'x, y'", "${opt:b, 'c'}"]
        );
    }

    #[test]
    fn self_sls_and_opt() {
        with(None, |v| {
            assert_eq!(
                v.literal(&Node::String("${self:custom.table}".into()), 0)
                    .as_deref(),
                Some("orders-dev-table")
            );
            assert_eq!(
                v.literal(&Node::String("${self:provider.stage}".into()), 0)
                    .as_deref(),
                Some("dev")
            );
            assert_eq!(
                v.literal(
                    &Node::String("${self:custom.tables.${sls:stage}}".into()),
                    0
                )
                .as_deref(),
                Some("dev-orders")
            );
            assert_eq!(
                v.literal(&Node::String("${param:bucket}".into()), 0)
                    .as_deref(),
                Some("default-bucket")
            );
            assert_eq!(
                v.literal(&Node::String("${self:provider.region}".into()), 0)
                    .as_deref(),
                Some("us-east-1")
            );
        });
        with(Some("prod"), |v| {
            assert_eq!(
                v.literal(&Node::String("${self:custom.table}".into()), 0)
                    .as_deref(),
                Some("orders-prod-table")
            );
            assert_eq!(
                v.literal(
                    &Node::String("${self:custom.tables.${opt:stage}}".into()),
                    0
                )
                .as_deref(),
                Some("prod-orders")
            );
            assert_eq!(
                v.literal(&Node::String("${param:bucket}".into()), 0)
                    .as_deref(),
                Some("prod-bucket")
            );
        });
        with(Some("qa"), |v| {
            let bucket = v.literal(&Node::String("${param:bucket}".into()), 0);
            assert_eq!(bucket.as_deref(), Some("qa-bucket"));
        });
    }

    #[test]
    fn fallbacks_and_nested_fallbacks() {
        with(None, |v| {
            let r = |s: &str| render(&v.segments(s, 0));
            assert_eq!(r("${self:custom.nope, 'fallback'}"), "[Lit(\"fallback\")]");
            assert_eq!(
                r("${self:custom.nope, self:custom.tables.dev}"),
                "dev-orders"
            );
            assert_eq!(
                r("${self:custom.nope, ${self:custom.nope2, \"deep\"}}"),
                "[Lit(\"deep\")]"
            );
            assert_eq!(r("${opt:region, 'eu-west-1'}"), "[Lit(\"eu-west-1\")]");
            assert_eq!(
                r("${self:custom.nope}"),
                "<unknown ${self:custom.nope} (not set)>"
            );
        });
    }

    #[test]
    fn unknown_sources_are_named() {
        with(None, |v| {
            let r = |s: &str| render(&v.segments(s, 0));
            assert_eq!(r("x-${ssm:/app/table}"), "x-<unknown ${ssm:/app/table}>");
            assert_eq!(
                r("${cf:other-stack.TableName}"),
                "<unknown ${cf:other-stack.TableName}>"
            );
            assert_eq!(r("${s3:bucket/key}"), "<unknown ${s3:bucket/key}>");
            assert_eq!(r("${env:TABLE, 'fallback'}"), "<unknown ${env:TABLE}>");
            assert_eq!(r("${aws:accountId}"), "[Pseudo(\"AWS::AccountId\")]");
            assert_eq!(r("${ssm:/a, 'b'}"), "<unknown ${ssm:/a}>");
            assert_eq!(
                r("${file(./handler.js):x}"),
                "<unknown ${file(./handler.js):x} (only YAML and JSON files are read)>"
            );
        });
    }

    #[test]
    fn cycles_end_as_unknown() {
        with(None, |v| {
            assert_eq!(
                v.literal(&Node::String("${self:custom.loop}".into()), 0),
                None
            );
            let segs = v.segments("${self:custom.loop}", 0);
            assert!(matches!(segs.as_slice(), [Seg::Var { .. }]), "{segs:?}");
        });
    }

    #[test]
    fn exponential_variables_stop() {
        let mut y = String::from("custom:\n  v0: x\n");
        for i in 1..40 {
            let p = i - 1;
            y.push_str(&format!(
                "  v{i}: ${{self:custom.v{p}}}-${{self:custom.v{p}}}\n"
            ));
        }
        let root = parse_yaml(&y).unwrap();
        let v = Vars::new(&root, Path::new("."), None, false);
        let start = std::time::Instant::now();
        assert_eq!(
            v.literal(&Node::String("${self:custom.v39}".into()), 0),
            None
        );
        assert!(start.elapsed().as_secs() < 20);
    }

    #[test]
    fn very_long_paths_are_missing_not_a_stack_overflow() {
        let path = "a.".repeat(200_000);
        with(None, |v| {
            let segs = v.segments(&format!("${{self:{path}x}}"), 0);
            assert!(matches!(
                segs.as_slice(),
                [Seg::Var {
                    val: Val::Unknown(_),
                    ..
                }]
            ));
        });
    }

    #[test]
    fn whole_variable_derefs_to_its_node() {
        with(None, |v| {
            let n = v.deref(&Node::String("${self:custom.env}".into()), 0);
            assert_eq!(n.get("A"), Some(&Node::String("x".into())));
        });
    }

    #[test]
    fn env_is_read_only_when_asked() {
        let root = parse_yaml("a: 1").unwrap();
        let v = Vars::new(&root, Path::new("."), None, true);
        let r = render(&v.segments("${env:LEASTROLE_SURELY_UNSET_VAR, 'fb'}", 0));
        assert_eq!(r, "[Lit(\"fb\")]");
        let r = render(&v.segments("${env:PATH}", 0));
        assert!(!r.contains("unknown"), "{r}");
    }

    #[test]
    fn a_resolved_config_reads_every_string_literally() {
        let root = parse_yaml(CONFIG).unwrap();
        let v = Vars::resolved(&root, Path::new("."));
        assert_eq!(
            v.literal(&Node::String("${self:custom.table}-x".into()), 0),
            Some("${self:custom.table}-x".to_string())
        );
        assert_eq!(
            v.deref(&Node::String("${self:custom.env}".into()), 0),
            Node::String("${self:custom.env}".into())
        );
        assert!(v.segments("", 0).is_empty());
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any string resolves without panicking (unbalanced braces, quotes, commas,
        /// `file(` without `)`, multi-byte characters).
        #[test]
        fn segments_never_panic(s in "[$\\{\\}:,'\"()a-z./é ]{0,40}") {
            let root = crate::config::parse_yaml("custom: {a: '${self:custom.b}', b: x}\n").unwrap();
            let v = Vars::new(&root, Path::new("."), None, false);
            let _ = v.segments(&s, 0);
            let _ = v.literal(&Node::String(s.clone()), 0);
        }
    }
}
