//! Finding the local modules a file imports: the import specifiers in a tree, and
//! resolving `./x` to a file the way Node and TypeScript do (`x.ts`, `x.js`,
//! `x/index.*`, and `./x.js` written in TypeScript for what is really `x.ts`).

use std::collections::BTreeSet;
use std::path::Path;

use crate::source::Sources;
use crate::syntax::Node;

/// Extensions tried, in order, for an extension-less specifier.
const EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "js", "mjs", "cjs", "jsx"];

/// Is this specifier a local (relative) module?
pub(crate) fn is_local(spec: &str) -> bool {
    spec == "." || spec == ".." || spec.starts_with("./") || spec.starts_with("../")
}

/// The string literal's content (no escapes processed beyond the common ones).
pub(crate) fn string_literal(node: Node<'_>, text: &str) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let raw = text.get(node.start_byte()..node.end_byte())?;
    let inner = raw.get(1..raw.len().checked_sub(1)?)?;
    Some(unescape(inner))
}

pub(crate) fn unescape(s: &str) -> String {
    crate::escape::unescape(s, crate::escape::Dialect::JavaScript)
}

/// Every module specifier in a file: static imports, `export … from`, `require('x')`
/// and `import('x')` with a literal. Sorted, deduplicated.
pub(crate) fn specifiers(root: Node<'_>, text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut cursor = root.walk();
    let mut descend = true;
    loop {
        let node = cursor.node();
        if descend {
            match node.kind() {
                "import_statement" | "export_statement" if !is_type_only(node) => {
                    if let Some(s) = node
                        .child_by_field_name("source")
                        .and_then(|s| string_literal(s, text))
                    {
                        out.insert(s);
                    }
                    // `import x = require('y')` (TypeScript).
                    let mut c = node.walk();
                    for child in node.named_children(&mut c) {
                        if child.kind() == "import_require_clause"
                            && let Some(s) = child
                                .child_by_field_name("source")
                                .and_then(|s| string_literal(s, text))
                        {
                            out.insert(s);
                        }
                    }
                }
                "call_expression" => {
                    if let Some(spec) = require_or_import(node, text) {
                        out.insert(spec);
                    }
                }
                _ => {}
            }
        }
        if descend && cursor.goto_first_child() {
            descend = true;
            continue;
        }
        if cursor.goto_next_sibling() {
            descend = true;
            continue;
        }
        if !cursor.goto_parent() {
            break;
        }
        descend = false;
    }
    out
}

/// Every string a file's text may pass as a module specifier, found without parsing it:
/// the text from each quote (`'`, `"`) to the next like it on the same line, unescaped,
/// and from each backquote to the next one, as written (when it holds no `${`). Each
/// string literal of the file runs from its opening quote to the next unescaped one, so
/// every specifier [`specifiers`] finds is among these, wherever quotes fall in code,
/// comments or regular expressions; most of the others name no file. For a first look
/// at a large folder's imports (see `crate::batch`).
pub(crate) fn scan_specifiers(text: &str) -> BTreeSet<String> {
    let bytes = text.as_bytes();
    let mut out = BTreeSet::new();
    for (start, &quote) in bytes.iter().enumerate() {
        if !matches!(quote, b'\'' | b'"' | b'`') {
            continue;
        }
        let mut end = start + 1;
        while let Some(&b) = bytes.get(end) {
            if b == quote || (b == b'\n' && quote != b'`') {
                break;
            }
            end += if b == b'\\' { 2 } else { 1 };
        }
        if bytes.get(end) != Some(&quote) {
            continue;
        }
        let Some(inner) = text.get(start + 1..end) else {
            continue;
        };
        if quote == b'`' {
            if !inner.contains("${") {
                out.insert(inner.to_string());
            }
        } else {
            out.insert(unescape(inner));
        }
    }
    out
}

/// `import type …` / `export type … from` (TypeScript): nothing to run.
pub(crate) fn is_type_only(statement: Node<'_>) -> bool {
    let mut cursor = statement.walk();
    statement.children(&mut cursor).any(|k| k.kind() == "type")
}

/// `require('x')` / `import('x')` with a literal specifier.
pub(crate) fn require_or_import(call: Node<'_>, text: &str) -> Option<String> {
    let function = call.child_by_field_name("function")?;
    let is_loader = match function.kind() {
        "import" => true,
        "identifier" => text.get(function.start_byte()..function.end_byte()) == Some("require"),
        _ => false,
    };
    if !is_loader {
        return None;
    }
    let args = call.child_by_field_name("arguments")?;
    let first = args.named_child(0)?;
    string_literal(first, text).or_else(|| {
        // A template literal without substitutions.
        (first.kind() == "template_string" && first.named_child_count() <= 1)
            .then(|| text.get(first.start_byte() + 1..first.end_byte().saturating_sub(1)))
            .flatten()
            .filter(|s| !s.contains("${"))
            .map(str::to_string)
    })
}

/// How a local specifier resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A JS/TS source file, relative to the root.
    File(String),
    /// A file that is not source code (`./data.json`): nothing to analyse.
    NotCode,
    /// Nothing found; the message says where we looked.
    Missing(String),
}

/// Is this bare specifier the AWS SDK (or its internals)? A layer may bundle it, but the
/// front-end knows it by name: it is never followed into a layer.
pub(crate) fn is_sdk(spec: &str) -> bool {
    spec == "aws-sdk"
        || spec.starts_with("aws-sdk/")
        || spec.starts_with("@aws-sdk/")
        || spec.starts_with("@smithy/")
}

/// Resolves local specifiers through the folder listings of [`Sources`].
#[derive(Debug)]
pub(crate) struct Resolver<'r> {
    sources: &'r Sources,
    root: &'r Path,
    /// The layers' `node_modules` folders on `NODE_PATH`, in order (issue 19).
    node_path: &'r [String],
}

impl<'r> Resolver<'r> {
    pub fn new(sources: &'r Sources, root: &'r Path, node_path: &'r [String]) -> Self {
        Resolver {
            sources,
            root,
            node_path,
        }
    }

    /// Whether any bare specifier may resolve (the function has layers).
    pub fn follows_packages(&self) -> bool {
        !self.node_path.is_empty()
    }

    /// A bare specifier (`shared`, `shared/db`, `@org/pkg`) imported from `importer`,
    /// found in a layer's `node_modules` (Node's `NODE_PATH`) as a source file. `None`
    /// when the importer's own `node_modules` chain has the package (Node takes that
    /// one, a dependency never analysed) or no layer has it: an external package.
    pub fn resolve_package(&self, importer: &str, spec: &str) -> Option<String> {
        let mut segments = spec.splitn(3, '/');
        let first = segments
            .next()
            .filter(|s| !s.is_empty() && !s.starts_with('.'))?;
        let package = if first.starts_with('@') {
            format!("{first}/{}", segments.next().filter(|s| !s.is_empty())?)
        } else {
            first.to_string()
        };
        let sub = spec
            .strip_prefix(package.as_str())
            .map(|s| s.trim_start_matches('/'))
            .unwrap_or_default();
        if sub.split('/').any(|p| p == "..") || self.in_own_chain(importer, &package) {
            return None;
        }
        self.node_path.iter().find_map(|modules| {
            let dir = format!("{modules}/{package}");
            if !self.is_dir(&dir) {
                return None;
            }
            let target = if sub.is_empty() {
                match self.package_main(&dir) {
                    Some(main) => normalize(&dir, &main)?,
                    None => dir,
                }
            } else {
                format!("{dir}/{sub}")
            };
            match self.resolve_path(&target, spec) {
                Resolved::File(file) => Some(file),
                Resolved::NotCode | Resolved::Missing(_) => None,
            }
        })
    }

    /// Whether a `node_modules` folder between the importer and its root (the code
    /// folder, or for a layer's file the layer's `node_modules` folder) has `package`.
    fn in_own_chain(&self, importer: &str, package: &str) -> bool {
        let within = self
            .node_path
            .iter()
            .find(|m| importer.starts_with(&format!("{m}/")));
        let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        loop {
            if let Some(m) = within
                && !dir.starts_with(&format!("{m}/"))
            {
                return false;
            }
            if dir.split('/').any(|p| p == "..") && within.is_none() {
                return false;
            }
            let modules = if dir.is_empty() {
                "node_modules".to_string()
            } else {
                format!("{dir}/node_modules")
            };
            if self.is_dir(&format!("{modules}/{package}")) {
                return true;
            }
            if dir.is_empty() {
                return false;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
    }

    /// The entry point a package's `package.json` names (`exports` as a string or its
    /// `"."` entry, else `main`), relative to the package folder.
    fn package_main(&self, dir: &str) -> Option<String> {
        let path = self.root.join(dir).join("package.json");
        if !self.sources.admits(&path) {
            return None;
        }
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > crate::source::MAX_SOURCE_BYTES {
            return None;
        }
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        let exports = json.get("exports").and_then(|e| match e {
            serde_json::Value::Object(map) => map.get(".").cloned(),
            other => Some(other.clone()),
        });
        let export = exports.and_then(|e| match e {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Object(conditions) => ["require", "node", "default", "import"]
                .iter()
                .find_map(|c| conditions.get(*c)?.as_str().map(str::to_string)),
            _ => None,
        });
        export.or_else(|| json.get("main")?.as_str().map(str::to_string))
    }

    /// Whether `rel` is a file (symlinks followed).
    fn is_file(&self, rel: &str) -> bool {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        self.sources.listing(self.root, dir).is_file(name)
    }

    /// Whether `rel` is a folder (symlinks followed), from its parent's listing; the
    /// root always is.
    fn is_dir(&self, rel: &str) -> bool {
        if rel.is_empty() {
            return true;
        }
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        self.sources.listing(self.root, dir).kind(name).1
    }

    /// Resolve `spec` (local) imported from `importer` (a root-relative file).
    pub fn resolve(&self, importer: &str, spec: &str) -> Resolved {
        let dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        let Some(base) = normalize(dir, spec) else {
            return Resolved::Missing(format!("`{spec}` points outside the project root"));
        };
        self.resolve_path(&base, spec)
    }

    /// The file `base` (root-relative, with or without its extension, or a folder with an
    /// index) names, imported as `spec`.
    fn resolve_path(&self, base: &str, spec: &str) -> Resolved {
        let base = base.to_string();
        let missing = || {
            Resolved::Missing(format!(
                "no file for `{spec}` (tried `{base}` with .ts/.tsx/.mts/.cts/.js/.mjs/.cjs/.jsx and `{base}/index.*`)"
            ))
        };
        // Every candidate is in `base`'s folder or in `base` itself: when that folder is
        // not there, neither it nor `base` is listed (each a failed open, for every
        // specifier that misses).
        let parent = base.rsplit_once('/').map_or("", |(d, _)| d);
        if !base.is_empty() && !self.is_dir(parent) {
            return missing();
        }
        let ext = base
            .rsplit_once('/')
            .map_or(base.as_str(), |(_, n)| n)
            .rsplit_once('.')
            .map(|(_, e)| e);
        if let Some(ext) = ext {
            if EXTENSIONS.contains(&ext) {
                if self.is_file(&base) {
                    return Resolved::File(base);
                }
                // TypeScript: `./x.js` names the compiled output of `x.ts`.
                let stem = base
                    .strip_suffix(ext)
                    .and_then(|s| s.strip_suffix('.'))
                    .unwrap_or(&base);
                let alternatives: &[&str] = match ext {
                    "js" => &["ts", "tsx"],
                    "jsx" => &["tsx"],
                    "mjs" => &["mts"],
                    "cjs" => &["cts"],
                    _ => &[],
                };
                for alt in alternatives {
                    let candidate = format!("{stem}.{alt}");
                    if self.is_file(&candidate) {
                        return Resolved::File(candidate);
                    }
                }
            } else if self.is_file(&base) {
                return Resolved::NotCode;
            }
        }
        for ext in EXTENSIONS {
            let candidate = format!("{base}.{ext}");
            if self.is_file(&candidate) {
                return Resolved::File(candidate);
            }
        }
        let folder = self.is_dir(&base);
        if folder {
            for ext in EXTENSIONS {
                let candidate = if base.is_empty() {
                    format!("index.{ext}")
                } else {
                    format!("{base}/index.{ext}")
                };
                if self.is_file(&candidate) {
                    return Resolved::File(candidate);
                }
            }
        }
        // Declaration files describe types only.
        if self.is_file(&format!("{base}.d.ts"))
            || (folder && self.is_file(&format!("{base}/index.d.ts")))
        {
            return Resolved::NotCode;
        }
        missing()
    }
}

/// `dir` + `spec`, with `.` and `..` applied. `None` if it leaves the root.
fn normalize(dir: &str, spec: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in spec.split('/') {
        match part {
            "" | "." => {}
            // A path that already leads out (a layer's folder, `../layers/…`) cannot
            // go further out by popping its `..`.
            ".." => match parts.last() {
                Some(&"..") | None => return None,
                Some(_) => {
                    parts.pop();
                }
            },
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_paths() {
        assert_eq!(normalize("src/a", "../b/c").as_deref(), Some("src/b/c"));
        assert_eq!(normalize("", "./x").as_deref(), Some("x"));
        assert_eq!(normalize("", "../x"), None);
    }

    /// Specifiers that miss list no folder that is not there: `./helpers` does not list
    /// `app/helpers/`, `../shared/log` does not list `shared/` when the root has no
    /// such folder; one that hits lists the folders it looks in, and the messages are
    /// the same as always.
    #[test]
    fn missing_specifiers_list_only_folders_that_exist() {
        let dir = std::env::temp_dir().join(format!("leastrole-js-resolve-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("app/lib/pkg")).unwrap();
        std::fs::write(dir.join("app/lib/util.js"), "").unwrap();
        std::fs::write(dir.join("app/lib/pkg/index.ts"), "").unwrap();
        let sources = Sources::default();
        let resolver = Resolver::new(&sources, &dir, &[]);
        assert_eq!(
            resolver.resolve("app/index.js", "./lib/util"),
            Resolved::File("app/lib/util.js".into())
        );
        assert_eq!(
            resolver.resolve("app/index.js", "./lib/pkg"),
            Resolved::File("app/lib/pkg/index.ts".into())
        );
        for (spec, base) in [
            ("./helpers", "app/helpers"),
            ("../shared/log", "shared/log"),
        ] {
            assert_eq!(
                resolver.resolve("app/index.js", spec),
                Resolved::Missing(format!(
                    "no file for `{spec}` (tried `{base}` with .ts/.tsx/.mts/.cts/.js/.mjs/.cjs/.jsx and `{base}/index.*`)"
                ))
            );
        }
        assert_eq!(sources.listed(), ["", "app", "app/lib", "app/lib/pkg"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unescape_strings() {
        assert_eq!(unescape(r"a\'b\\c"), r"a'b\c");
    }

    /// Every specifier the parser finds in a fixture is among those the text scan finds.
    #[test]
    fn the_text_scan_finds_every_specifier_the_parser_finds_in_the_fixtures() {
        let mut found = 0;
        for (grammar, text) in crate::syntax::fixture_sources() {
            if grammar == crate::syntax::Grammar::Python {
                continue;
            }
            let Some(tree) = crate::syntax::parse(grammar, &text) else {
                continue;
            };
            let scanned = scan_specifiers(&text);
            for spec in specifiers(tree.root_node(), &text) {
                assert!(
                    scanned.contains(&spec),
                    "{spec} not found by the scan of:\n{text}"
                );
                found += 1;
            }
        }
        assert!(found > 100, "only {found} specifiers in the fixtures");
    }

    #[test]
    fn the_text_scan_finds_specifiers_whatever_surrounds_their_quotes() {
        let text = r#"
// it's a comment with an apostrophe, and `one backquote
const re = /'/g, dq = /"/;
import a from './a';
const b = require( /* c */ "./b\x2ejs" );
export * from '../c';
const d = await import(`./d`);
const e = `./e/${name}`;
import f = require('./f');
"#;
        let scanned = scan_specifiers(text);
        for spec in ["./a", "./b.js", "../c", "./d", "./f"] {
            assert!(scanned.contains(spec), "{spec} missing from {scanned:?}");
        }
        assert!(!scanned.iter().any(|s| s.contains("./e/")), "{scanned:?}");
    }
}
