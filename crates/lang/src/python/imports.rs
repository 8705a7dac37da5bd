//! Import statements: what they name, and which local files they load.
//!
//! Resolution follows Lambda's `sys.path`: the code root (the analysis root) is on the
//! path, and so (as many projects assume) is the importing file's own folder and the
//! folder of each entry file. After them come the function's layers (their `/opt/python`
//! folders, see [`crate::SearchPaths`]). Anything not found (boto3, the standard library,
//! pip packages) is external and never followed.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use rustc_hash::FxHashMap;

use crate::source::{Sources, path_kind};
use crate::syntax::Node;

/// A local module: a file, or a namespace package (a folder without `__init__.py`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum ModRef {
    File(String),
    Dir(String),
}

impl ModRef {
    pub(crate) fn file(&self) -> Option<&str> {
        match self {
            ModRef::File(f) => Some(f),
            ModRef::Dir(_) => None,
        }
    }

    /// The folder whose files are this module's submodules (packages only).
    pub(crate) fn package_dir(&self) -> Option<String> {
        match self {
            ModRef::Dir(d) => Some(d.clone()),
            ModRef::File(f) => f
                .strip_suffix("/__init__.py")
                .map(str::to_owned)
                .or_else(|| (f == "__init__.py").then(String::new)),
        }
    }
}

/// One name bound by an import statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ImportBind {
    /// A local module (or package).
    Module(ModRef),
    /// `from <local module> import name`, where `name` is not a submodule.
    Attr(ModRef, String),
    /// Something outside the project, by dotted path (`boto3`, `os.environ`).
    External(String),
    /// A relative import that names no local file.
    Missing(String),
}

/// An import statement, syntax only.
#[derive(Debug, Clone)]
pub(crate) struct ImportStmt {
    /// Leading dots of a relative import (0 for absolute).
    pub level: usize,
    /// `import a.b` → `[a, b]`; `from a.b import c` → `[a, b]`.
    pub module: Vec<String>,
    /// `from … import` names with their local alias; empty for `import a.b`.
    pub names: Vec<(String, String)>,
    /// `import a.b as x` → `Some("x")`.
    pub alias: Option<String>,
    pub is_from: bool,
    pub star: bool,
}

fn text<'s>(src: &'s str, node: Node<'_>) -> &'s str {
    src.get(node.byte_range()).unwrap_or("")
}

fn dotted(src: &str, node: Node<'_>) -> Vec<String> {
    text(src, node)
        .split('.')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Parse an `import_statement` / `import_from_statement` node into its statements (one
/// per `import a, b` clause).
pub(crate) fn parse_import(src: &str, node: Node<'_>) -> Vec<ImportStmt> {
    let mut out = Vec::new();
    let mut cursor = node.walk();
    match node.kind() {
        "import_statement" => {
            for child in node.children_by_field_name("name", &mut cursor) {
                let (name, alias) = match child.kind() {
                    "aliased_import" => (
                        child.child_by_field_name("name"),
                        child
                            .child_by_field_name("alias")
                            .map(|a| text(src, a).to_string()),
                    ),
                    _ => (Some(child), None),
                };
                if let Some(name) = name {
                    out.push(ImportStmt {
                        level: 0,
                        module: dotted(src, name),
                        names: Vec::new(),
                        alias,
                        is_from: false,
                        star: false,
                    });
                }
            }
        }
        "import_from_statement" => {
            let Some(module) = node.child_by_field_name("module_name") else {
                return out;
            };
            let (level, path) = if module.kind() == "relative_import" {
                let mut level = 0;
                let mut path = Vec::new();
                let mut c = module.walk();
                for part in module.named_children(&mut c) {
                    match part.kind() {
                        "import_prefix" => level = text(src, part).matches('.').count(),
                        "dotted_name" => path = dotted(src, part),
                        _ => {}
                    }
                }
                (level, path)
            } else {
                (0, dotted(src, module))
            };
            let mut names = Vec::new();
            let mut star = false;
            let mut c = node.walk();
            for child in node.named_children(&mut c) {
                if child.kind() == "wildcard_import" {
                    star = true;
                }
            }
            for child in node.children_by_field_name("name", &mut cursor) {
                match child.kind() {
                    "aliased_import" => {
                        if let (Some(n), Some(a)) = (
                            child.child_by_field_name("name"),
                            child.child_by_field_name("alias"),
                        ) {
                            names.push((text(src, n).to_string(), text(src, a).to_string()));
                        }
                    }
                    _ => {
                        let n = text(src, child).to_string();
                        names.push((n.clone(), n));
                    }
                }
            }
            out.push(ImportStmt {
                level,
                module: path,
                names,
                alias: None,
                is_from: true,
                star,
            });
        }
        _ => {}
    }
    out
}

/// Every import statement a module may hold, read from its text without parsing it:
/// `import a.b [as x], …` and `from .a import b [as y], …` (parenthesised or not, `*`)
/// wherever their words appear outside strings and comments, whatever line breaks,
/// backslashes, parentheses or compound statements surround them. It finds what the
/// parser finds, and more where the parser sees no statement (broken code): more only
/// joins modules that could have been analysed apart, in the first look at a large
/// folder's imports (see `crate::batch`), which also checks that nothing was missed.
pub(crate) fn scan_imports(src: &str) -> Vec<ImportStmt> {
    let tokens = tokens(src);
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        i += 1;
        match token {
            Token::Word("from") => {
                if let Some((stmt, next)) = scan_from(&tokens, i) {
                    out.push(stmt);
                    i = next;
                }
            }
            Token::Word("import") => {
                let (stmts, next) = scan_import(&tokens, i);
                out.extend(stmts);
                i = next;
            }
            _ => {}
        }
    }
    out
}

/// A word (identifier or keyword), or one of the punctuation marks imports use; anything
/// else is `Other`. Whitespace, line breaks and backslashes separate tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'s> {
    Word(&'s str),
    Dot,
    Comma,
    Open,
    Close,
    Star,
    Other,
}

/// The tokens of `src`, strings and comments left out.
fn tokens(src: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let token = match c {
            '.' => Token::Dot,
            ',' => Token::Comma,
            '(' => Token::Open,
            ')' => Token::Close,
            '*' => Token::Star,
            '#' => {
                while chars.next_if(|&(_, c)| c != '\n').is_some() {}
                continue;
            }
            '\'' | '"' => {
                skip_string(src, start, c, &mut chars);
                continue;
            }
            c if c.is_whitespace() || c == '\\' => continue,
            c if c.is_alphanumeric() || c == '_' => {
                let mut end = start + c.len_utf8();
                while let Some((i, c)) = chars.next_if(|&(_, c)| c.is_alphanumeric() || c == '_') {
                    end = i + c.len_utf8();
                }
                if c.is_numeric() {
                    Token::Other
                } else {
                    src.get(start..end).map_or(Token::Other, Token::Word)
                }
            }
            _ => Token::Other,
        };
        out.push(token);
    }
    out
}

/// Past the string opened by the quote at `start`: a triple-quoted one to its closing
/// triple quote, any other to its closing quote or the end of its line (a broken one).
fn skip_string(
    src: &str,
    start: usize,
    quote: char,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) {
    let triple: String = std::iter::repeat_n(quote, 3).collect();
    let long = src
        .get(start..)
        .is_some_and(|rest| rest.starts_with(&triple));
    if long {
        chars.next();
        chars.next();
    }
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '\n' if !long => return,
            c if c == quote => {
                if !long {
                    return;
                }
                if src.get(i..).is_some_and(|rest| rest.starts_with(&triple)) {
                    chars.next();
                    chars.next();
                    return;
                }
            }
            _ => {}
        }
    }
}

/// The name at `tokens[i]`: a word that is not one of an import's own keywords.
fn scan_name<'s>(tokens: &[Token<'s>], i: usize) -> Option<&'s str> {
    match tokens.get(i) {
        Some(Token::Word(w)) if !matches!(*w, "import" | "from" | "as") => Some(w),
        _ => None,
    }
}

/// `a.b.c` from `tokens[i]` on: the names and the index after them.
fn scan_dotted(tokens: &[Token<'_>], mut i: usize) -> (Vec<String>, usize) {
    let mut parts = Vec::new();
    while let Some(w) = scan_name(tokens, i) {
        parts.push((*w).to_string());
        i += 1;
        if tokens.get(i) == Some(&Token::Dot) && scan_name(tokens, i + 1).is_some() {
            i += 1;
        } else {
            break;
        }
    }
    (parts, i)
}

/// `as x` at `tokens[i]`: the alias and the index after it.
fn scan_alias(tokens: &[Token<'_>], i: usize) -> (Option<String>, usize) {
    match (tokens.get(i), scan_name(tokens, i + 1)) {
        (Some(Token::Word("as")), Some(alias)) => (Some(alias.to_string()), i + 2),
        _ => (None, i),
    }
}

/// What follows `import` in `import a.b as x, c`: one statement per module.
fn scan_import(tokens: &[Token<'_>], mut i: usize) -> (Vec<ImportStmt>, usize) {
    let mut out = Vec::new();
    loop {
        let (module, next) = scan_dotted(tokens, i);
        if module.is_empty() {
            break;
        }
        let (alias, next) = scan_alias(tokens, next);
        out.push(ImportStmt {
            level: 0,
            module,
            names: Vec::new(),
            alias,
            is_from: false,
            star: false,
        });
        i = next;
        if tokens.get(i) != Some(&Token::Comma) {
            break;
        }
        i += 1;
    }
    (out, i)
}

/// What follows `from` in `from ..a.b import (c as d, e)`, if it is an import.
fn scan_from(tokens: &[Token<'_>], mut i: usize) -> Option<(ImportStmt, usize)> {
    let mut level = 0;
    while tokens.get(i) == Some(&Token::Dot) {
        level += 1;
        i += 1;
    }
    let (module, next) = scan_dotted(tokens, i);
    i = next;
    if tokens.get(i) != Some(&Token::Word("import")) || (level == 0 && module.is_empty()) {
        return None;
    }
    i += 1;
    let mut names = Vec::new();
    let mut star = false;
    if tokens.get(i) == Some(&Token::Star) {
        star = true;
        i += 1;
    } else {
        if tokens.get(i) == Some(&Token::Open) {
            i += 1;
        }
        while let Some(name) = scan_name(tokens, i) {
            let (alias, next) = scan_alias(tokens, i + 1);
            names.push((name.to_string(), alias.unwrap_or_else(|| name.to_string())));
            i = next;
            if tokens.get(i) != Some(&Token::Comma) {
                break;
            }
            i += 1;
        }
    }
    let stmt = ImportStmt {
        level,
        module,
        names,
        alias: None,
        is_from: true,
        star,
    };
    Some((stmt, i))
}

/// Top-level packages of the AWS SDK for Python, never followed into a layer.
const SDK_PACKAGES: &[&str] = &["aioboto3", "aiobotocore", "boto3", "botocore", "s3transfer"];

/// Finds local modules on disk, through the folder listings of [`Sources`].
#[derive(Debug)]
pub(crate) struct Resolver<'r> {
    sources: &'r Sources,
    root: &'r Path,
    /// Folders searched for absolute imports after the importer's own folder.
    bases: Vec<String>,
    /// The layers' folders on `sys.path`, searched after `bases` (issue 19).
    layers: Vec<String>,
    /// The first of `bases` holding a dotted module path, by path: the same for every
    /// importer, and asked for every import of every file (`import json` tries each
    /// base before it is known to be external), so cached.
    in_bases: Mutex<HashMap<Vec<String>, Option<ModRef>>>,
    /// For each top-level name, the indices (in order) of the `bases` that have a module
    /// or folder of that name: the only bases where an absolute import of it can
    /// resolve. A plain folder has a base for every folder holding a Python file, and
    /// each distinct name that is not local (`requests`, a project's own installed
    /// package) would otherwise be looked for in every one of them.
    by_name: OnceLock<FxHashMap<String, Vec<usize>>>,
}

fn parent_dir(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() {
        rest.to_string()
    } else if rest.is_empty() {
        dir.to_string()
    } else {
        format!("{dir}/{rest}")
    }
}

impl<'r> Resolver<'r> {
    pub(crate) fn new(
        sources: &'r Sources,
        root: &'r Path,
        entries: &[String],
        layers: &[String],
    ) -> Self {
        let mut bases: Vec<String> = entries.iter().map(|e| parent_dir(e).to_string()).collect();
        bases.push(String::new());
        let mut seen = std::collections::BTreeSet::new();
        bases.retain(|b| seen.insert(b.clone()));
        Resolver {
            sources,
            root,
            bases,
            layers: layers.to_vec(),
            in_bases: Mutex::new(HashMap::new()),
            by_name: OnceLock::new(),
        }
    }

    /// See [`Resolver::by_name`]: each base's folder listed once.
    fn by_name(&self) -> &FxHashMap<String, Vec<usize>> {
        self.by_name.get_or_init(|| {
            let mut index: FxHashMap<String, Vec<usize>> = FxHashMap::default();
            for (i, base) in self.bases.iter().enumerate() {
                for (name, (is_file, is_dir)) in self.sources.listing(self.root, base).entries() {
                    let module = if is_dir {
                        Some(name)
                    } else if is_file {
                        name.strip_suffix(".py")
                    } else {
                        None
                    };
                    if let Some(module) = module {
                        let at = index.entry(module.to_string()).or_default();
                        // `x.py` next to a folder `x`: one base, once.
                        if at.last() != Some(&i) {
                            at.push(i);
                        }
                    }
                }
            }
            index
        })
    }

    /// (is a file, is a folder), symlinks followed; names are matched exactly, as
    /// Python matches them.
    fn probe(&self, rel: &str) -> (bool, bool) {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        if name.is_empty() || name == "." || name == ".." {
            return path_kind(&self.root.join(rel));
        }
        self.sources.listing(self.root, dir).kind(name)
    }

    /// The module `base/parts…`, if it exists locally.
    fn module_at(&self, base: &str, parts: &[String]) -> Option<ModRef> {
        if parts
            .iter()
            .any(|p| p.is_empty() || p.contains('/') || p == "..")
        {
            return None;
        }
        // Each folder on the way must be there before anything in it is looked for:
        // `a.b.c` under a base without a folder `a` is not listed again under `a/`
        // and `a/b/` (folders that do not exist cost a failed open each).
        let mut dir = base.to_string();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            dir = join(&dir, part);
            if !self.probe(&dir).1 {
                return None;
            }
        }
        let path = join(base, &parts.join("/"));
        if !parts.is_empty() && self.probe(&format!("{path}.py")).0 {
            return Some(ModRef::File(format!("{path}.py")));
        }
        // A package is a folder: `x/__init__.py` is looked for only in a folder `x`.
        if !parts.is_empty() && !self.probe(&path).1 {
            return None;
        }
        let init = join(&path, "__init__.py");
        if self.probe(&init).0 {
            return Some(ModRef::File(init));
        }
        (!parts.is_empty()).then_some(ModRef::Dir(path))
    }

    /// Resolve a dotted module path imported from `importer` (relative when `level > 0`).
    pub(crate) fn resolve(&self, importer: &str, level: usize, parts: &[String]) -> Option<ModRef> {
        if level > 0 {
            let mut dir = parent_dir(importer).to_string();
            for _ in 1..level {
                // Not above the code root, nor above a layer's folder (`../layers/x`).
                if dir.is_empty() || dir.rsplit('/').next() == Some("..") {
                    return None;
                }
                dir = parent_dir(&dir).to_string();
            }
            return self.module_at(&dir, parts);
        }
        if parts.is_empty() {
            return None;
        }
        let own = parent_dir(importer);
        self.module_at(own, parts).or_else(|| self.in_bases(parts))
    }

    /// The module `parts` in the first of `bases` that has it.
    fn in_bases(&self, parts: &[String]) -> Option<ModRef> {
        if let Ok(cache) = self.in_bases.lock()
            && let Some(hit) = cache.get(parts)
        {
            return hit.clone();
        }
        // Only the bases that have the first name can hold the module (`module_at`
        // finds nothing under a base without a file `x.py` or a folder `x`).
        let in_bases = parts.first().and_then(|first| {
            self.by_name()
                .get(first.as_str())?
                .iter()
                .find_map(|&i| self.module_at(self.bases.get(i)?, parts))
        });
        // Then the layers. A layer that bundles the SDK (a newer boto3) shadows the
        // runtime's on Lambda, but it is the same API: the SDK stays external, where the
        // front-end knows it.
        let is_sdk = parts
            .first()
            .is_some_and(|p| SDK_PACKAGES.contains(&p.as_str()));
        let found = in_bases.or_else(|| {
            self.layers
                .iter()
                .filter(|_| !is_sdk)
                .find_map(|base| self.module_at(base, parts))
        });
        if let Ok(mut cache) = self.in_bases.lock() {
            cache.insert(parts.to_vec(), found.clone());
        }
        found
    }

    /// A submodule of a package module.
    pub(crate) fn submodule(&self, package: &ModRef, name: &str) -> Option<ModRef> {
        let dir = package.package_dir()?;
        self.module_at(&dir, &[name.to_string()])
    }

    /// What each name of `stmt` binds, and the local files it loads (in order).
    pub(crate) fn bind(
        &self,
        importer: &str,
        stmt: &ImportStmt,
    ) -> (Vec<(String, ImportBind)>, Vec<String>) {
        let mut binds = Vec::new();
        let mut loads = Vec::new();
        let mut load = |m: &ModRef| {
            if let Some(f) = m.file() {
                loads.push(f.to_string());
            }
        };
        let base = self.resolve(importer, stmt.level, &stmt.module);
        // Every package on the way is executed too (`a/__init__.py` for `import a.b`).
        if stmt.level == 0 {
            for n in 1..stmt.module.len() {
                if let Some(pkg) = self.resolve(importer, 0, &stmt.module[..n]) {
                    load(&pkg);
                }
            }
        }
        if let Some(m) = &base {
            load(m);
        }
        let dotted = stmt.module.join(".");
        if !stmt.is_from {
            if let Some(alias) = &stmt.alias {
                let bind = match &base {
                    Some(m) => ImportBind::Module(m.clone()),
                    None => ImportBind::External(dotted.clone()),
                };
                binds.push((alias.clone(), bind));
            } else if let Some(first) = stmt.module.first() {
                let bind = match self.resolve(importer, 0, std::slice::from_ref(first)) {
                    Some(m) if base.is_some() => ImportBind::Module(m),
                    _ => ImportBind::External(first.clone()),
                };
                binds.push((first.clone(), bind));
            }
            return (binds, loads);
        }
        for (name, alias) in &stmt.names {
            let bind = match &base {
                Some(m) => match self.submodule(m, name) {
                    Some(sub) => {
                        load(&sub);
                        ImportBind::Module(sub)
                    }
                    None => ImportBind::Attr(m.clone(), name.clone()),
                },
                None if stmt.level > 0 => {
                    ImportBind::Missing(format!("{}{}", ".".repeat(stmt.level), dotted))
                }
                None => ImportBind::External(format!("{dotted}.{name}")),
            };
            binds.push((alias.clone(), bind));
        }
        (binds, loads)
    }
}
