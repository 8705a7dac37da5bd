//! One pass over a parsed module: its scopes (module, functions, classes, lambdas), the
//! names each scope binds and to what, and every call and name reference to evaluate.
//!
//! The pass is iterative (an explicit stack), so deeply nested input cannot overflow the
//! stack here; evaluation guards its own recursion.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::syntax::{Node, TreeCursor};

use super::imports::{ImportBind, ModRef, Resolver, parse_import};
use crate::program::MODULE_SCOPE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    Module,
    Function,
    Class,
    Lambda,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamKind {
    /// Positional-or-keyword, with its position.
    Positional(usize),
    KeywordOnly,
    Star,
    DoubleStar,
}

#[derive(Debug, Clone)]
pub(crate) struct Param<'t> {
    pub name: String,
    pub kind: ParamKind,
    pub default: Option<Node<'t>>,
    /// The type annotation (`client: S3Client`), evaluated in the defining scope.
    pub annotation: Option<Node<'t>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MethodKind {
    Instance,
    Static,
    Class,
    /// `@property` / `@cached_property`: reading the attribute calls it.
    Property,
}

/// What a name is bound to.
#[derive(Debug, Clone)]
pub(crate) enum BindKind<'t> {
    /// `name = <expr>`.
    Expr(Node<'t>),
    /// `a, b = <expr>`: item `n` of the value.
    Unpack(Node<'t>, usize),
    /// `for name in <expr>` / comprehension: an element of the value.
    Iter(Node<'t>),
    /// `for a, b in <expr>`: item `n` of an element of the value.
    IterUnpack(Node<'t>, usize),
    /// `with <expr> as name`.
    With(Node<'t>),
    /// A `def` or `class` (scope index).
    Def(usize),
    /// Boxed: the other kinds are a third of its size, and a module holds thousands.
    Import(Box<ImportBind>),
    /// Bound, but to nothing we model (`except E as e`, nested unpacking).
    Opaque(&'static str),
}

/// A binding, with the scope its expression is evaluated in.
#[derive(Debug, Clone)]
pub(crate) struct Bind<'t> {
    pub scope: usize,
    pub kind: BindKind<'t>,
}

#[derive(Debug)]
pub(crate) struct Scope<'t> {
    pub kind: ScopeKind,
    pub name: String,
    /// Fact key: `f`, `C.m`, `outer.inner`, `<module>`.
    pub qualname: String,
    pub node: Node<'t>,
    pub parent: Option<usize>,
    pub params: Vec<Param<'t>>,
    /// The names bound here, filled in when the module's pass is over.
    pub bindings: Bindings<'t>,
    /// For a method: its class scope.
    pub class: Option<usize>,
    pub method_kind: MethodKind,
    /// The scope whose facts receive calls made here (class bodies and lambdas report
    /// into the enclosing function or module).
    pub fact: usize,
    pub returns: Vec<Node<'t>>,
    /// What few scopes have; `None` in most (every module's scopes live until the whole
    /// program is evaluated).
    rare: Option<Box<Rare<'t>>>,
}

/// The parts of a [`Scope`] that only some scopes have.
#[derive(Debug, Default)]
struct Rare<'t> {
    /// Names declared `global`.
    globals: BTreeSet<String>,
    /// Class scopes: base class expressions.
    bases: Vec<Node<'t>>,
    /// Class scopes: `self.<attr> = …` in any method.
    self_attrs: BTreeMap<String, Vec<Bind<'t>>>,
}

impl<'t> Scope<'t> {
    fn rare_mut(&mut self) -> &mut Rare<'t> {
        self.rare.get_or_insert_with(Box::default)
    }

    /// Whether `name` is declared `global` here.
    pub(crate) fn is_global(&self, name: &str) -> bool {
        self.rare.as_ref().is_some_and(|r| r.globals.contains(name))
    }

    /// A class scope's base class expressions.
    pub(crate) fn bases(&self) -> &[Node<'t>] {
        self.rare.as_ref().map_or(&[], |r| &r.bases)
    }

    /// A class scope's bindings of `self.<name> = …` in any method.
    pub(crate) fn self_attr(&self, name: &str) -> Option<&[Bind<'t>]> {
        Some(self.rare.as_ref()?.self_attrs.get(name)?)
    }
}

/// A scope's bindings by name, in three allocations. Built once and then only read (a
/// `BTreeMap` leaf has room for eleven entries, and a scope binds a handful of names: a
/// module's maps took more memory than its syntax tree). Names are kept in the order of
/// their hashes, so a search compares integers lying together and then the bytes of the
/// one name (rarely more) whose hash matches; the names are one text, not one
/// allocation each.
#[derive(Debug, Default)]
pub(crate) struct Bindings<'t> {
    /// One per name, sorted by hash.
    names: Box<[Named]>,
    /// Every name, one after the other, in the order of `names`.
    text: Box<str>,
    /// Every name's bindings, one name's after the other, in the order of `names`.
    binds: Box<[Bind<'t>]>,
}

/// A name of [`Bindings`]: its hash, and where it and its bindings end (they start
/// where the previous name's end).
#[derive(Debug, Clone, Copy)]
struct Named {
    hash: u32,
    text_end: u32,
    binds_end: u32,
}

/// The hash [`Bindings`] orders names by (FxHash of the bytes, the same on every run).
fn name_hash(name: &str) -> u32 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(name.as_bytes());
    // The high bits are the well-mixed ones.
    (hasher.finish() >> 32) as u32
}

impl<'t> Bindings<'t> {
    pub(crate) fn get_key_value(&self, name: &str) -> Option<(&str, &[Bind<'t>])> {
        let hash = name_hash(name);
        let first = self.names.partition_point(|n| n.hash < hash);
        // Bytes compared in line: `==` on slices calls `memcmp`, whose call costs more
        // than comparing a name's few bytes.
        let i = (first..self.names.len())
            .take_while(|&i| self.names.get(i).is_some_and(|n| n.hash == hash))
            .find(|&i| self.name_bytes(i).iter().eq(name.as_bytes()))?;
        Some((self.name(i), self.binds_of(i)))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&[Bind<'t>]> {
        self.get_key_value(name).map(|(_, binds)| binds)
    }

    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.get_key_value(name).is_some()
    }

    /// Every name with its bindings, sorted by name.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &[Bind<'t>])> {
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_unstable_by(|&a, &b| self.name(a).cmp(self.name(b)));
        order.into_iter().map(|i| (self.name(i), self.binds_of(i)))
    }

    /// The `i`th name.
    fn name(&self, i: usize) -> &str {
        self.text
            .get(self.span(i, |n| n.text_end))
            .unwrap_or_default()
    }

    /// The `i`th name's bytes: what a search compares (`str::get` would check that
    /// both ends are char boundaries, which they are by construction).
    fn name_bytes(&self, i: usize) -> &[u8] {
        self.text
            .as_bytes()
            .get(self.span(i, |n| n.text_end))
            .unwrap_or_default()
    }

    /// The `i`th name's bindings.
    fn binds_of(&self, i: usize) -> &[Bind<'t>] {
        self.binds
            .get(self.span(i, |n| n.binds_end))
            .unwrap_or_default()
    }

    /// Where the `i`th name's part ends by `end` starts and ends.
    fn span(&self, i: usize, end: impl Fn(&Named) -> u32) -> std::ops::Range<usize> {
        let at = |i: usize| self.names.get(i).map_or(0, |n| end(n) as usize);
        let start = if i == 0 { 0 } else { at(i - 1) };
        start..at(i)
    }
}

impl<'t> From<BTreeMap<String, Vec<Bind<'t>>>> for Bindings<'t> {
    fn from(map: BTreeMap<String, Vec<Bind<'t>>>) -> Self {
        let mut entries: Vec<(u32, String, Vec<Bind<'t>>)> = map
            .into_iter()
            .map(|(name, list)| (name_hash(&name), name, list))
            .collect();
        // By hash, then by name: the same order whatever order the map gave.
        entries.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let mut binds = Vec::with_capacity(entries.iter().map(|e| e.2.len()).sum());
        let mut text = String::with_capacity(entries.iter().map(|e| e.1.len()).sum());
        let names = entries
            .into_iter()
            .map(|(hash, name, list)| {
                binds.extend(list);
                text.push_str(&name);
                Named {
                    hash,
                    text_end: text.len() as u32,
                    binds_end: binds.len() as u32,
                }
            })
            .collect();
        Bindings {
            names,
            text: text.into_boxed_str(),
            binds: binds.into_boxed_slice(),
        }
    }
}

/// A module's scopes and the nodes to evaluate.
#[derive(Debug)]
pub(crate) struct ModuleIr<'t> {
    pub rel: String,
    pub src: &'t str,
    pub scopes: Vec<Scope<'t>>,
    /// Every call, with the scope it is in (see [`ModuleIr::calls`]); the call is its
    /// slot in the module's tree, as for `refs`.
    calls: Vec<(u32, u32)>,
    /// Name references in expression position (identifiers and outermost attributes),
    /// and whether a function referenced there counts as called (passed as a
    /// callback, stored) rather than only returned or aliased. The node is its slot in
    /// the module's tree ([`ModuleIr::node`]): there is one entry per name used, and
    /// every module's list stays alive until the whole program is evaluated.
    refs: Vec<(u32, u32, bool)>,
    /// Local modules loaded by imports, with the scope of the import.
    pub loads: Vec<(usize, String)>,
    /// `from x import *` of local modules.
    pub stars: Vec<ModRef>,
    /// Functions registered by a decorator (`@app.get(...)`), with the scope the
    /// decorator runs in.
    pub registered: Vec<(usize, usize)>,
    /// Other decorators: (scope the decorator is evaluated in, decorated def, decorator
    /// expression). A local decorator's wrapper runs in place of the function.
    pub decorated: Vec<(usize, usize, Node<'t>)>,
    /// Relative imports that name no file: (line, module).
    pub missing_imports: Vec<(u32, String)>,
    /// `name['key'] = value` mutations by variable name, in any scope: (key, value,
    /// scope of the statement), by scope and then in source order within one.
    item_sets: BTreeMap<String, Vec<(Node<'t>, Node<'t>, usize)>>,
}

/// Decorator methods that register the function with a router (called later by it).
const REGISTRATION_DECORATORS: &[&str] = &[
    "api_route",
    "authorizer",
    "command",
    "delete",
    "get",
    "head",
    "lambda_function",
    "options",
    "patch",
    "post",
    "put",
    "register",
    "resolver",
    "route",
    "schedule",
    "task",
    "tool",
    "websocket",
];

/// An empty list with room for one: most names are bound once, and a default `Vec`
/// reserves four on its first push (a module has thousands of bound names).
fn one<T>() -> Vec<T> {
    Vec::with_capacity(1)
}

pub(crate) fn text<'s>(src: &'s str, node: Node<'_>) -> &'s str {
    src.get(node.byte_range()).unwrap_or("")
}

struct Builder<'t, 'r> {
    ir: ModuleIr<'t>,
    /// Each scope's bindings as the pass finds them (see [`Scope::bindings`]).
    bindings: Vec<BTreeMap<String, Vec<Bind<'t>>>>,
    resolver: &'r Resolver<'r>,
    stack: Vec<(Node<'t>, usize)>,
    /// One cursor reused for every child walk (creating one allocates).
    cursor: TreeCursor<'t>,
    /// Attribute nodes that are the object of another attribute.
    inner: FxHashSet<usize>,
    /// Names that are only returned, aliased or used as a decorator (not calls).
    plain: FxHashSet<usize>,
    /// Decorated functions (node id) and their `decorated_definition`.
    decorated_by: FxHashMap<usize, Node<'t>>,
}

pub(crate) fn build<'t>(
    rel: &str,
    src: &'t str,
    root: Node<'t>,
    resolver: &Resolver<'_>,
) -> ModuleIr<'t> {
    let module = Scope {
        kind: ScopeKind::Module,
        name: String::new(),
        qualname: MODULE_SCOPE.to_string(),
        node: root,
        parent: None,
        params: Vec::new(),
        bindings: Bindings::default(),
        class: None,
        method_kind: MethodKind::Instance,
        fact: 0,
        returns: Vec::new(),
        rare: None,
    };
    let mut b = Builder {
        ir: ModuleIr {
            rel: rel.to_string(),
            src,
            scopes: vec![module],
            calls: Vec::new(),
            refs: Vec::new(),
            loads: Vec::new(),
            stars: Vec::new(),
            registered: Vec::new(),
            decorated: Vec::new(),
            missing_imports: Vec::new(),
            item_sets: BTreeMap::new(),
        },
        bindings: vec![BTreeMap::new()],
        resolver,
        stack: Vec::new(),
        cursor: root.walk(),
        inner: FxHashSet::default(),
        plain: FxHashSet::default(),
        decorated_by: FxHashMap::default(),
    };
    b.push_children(root, 0);
    while let Some((node, scope)) = b.stack.pop() {
        b.visit(node, scope);
    }
    let mut ir = b.ir;
    for (scope, bindings) in ir.scopes.iter_mut().zip(b.bindings) {
        scope.bindings = bindings.into();
    }
    // Every module's IR lives until the whole program is evaluated.
    ir.scopes = crate::fitted(ir.scopes);
    for scope in &mut ir.scopes {
        scope.params = crate::fitted(std::mem::take(&mut scope.params));
        scope.returns = crate::fitted(std::mem::take(&mut scope.returns));
    }
    ir.calls = crate::fitted(ir.calls);
    ir.refs = crate::fitted(ir.refs);
    // Found in the order the walk visits scopes; kept by scope (stable: source order
    // within one), the order a later `name['key']` overrides an earlier one in.
    for sets in ir.item_sets.values_mut() {
        sets.sort_by_key(|&(_, _, scope)| scope);
    }
    ir
}

impl<'t> ModuleIr<'t> {
    /// The node at `slot` of this module's tree (see [`ModuleIr::refs`]).
    pub(crate) fn node(&self, slot: u32) -> Option<Node<'t>> {
        self.scopes.first().map(|module| module.node.at(slot))
    }

    /// The `name['key'] = value` mutations of a variable `name` in any scope: (key,
    /// value, scope of the statement), by scope.
    pub(crate) fn item_sets(&self, name: &str) -> &[(Node<'t>, Node<'t>, usize)] {
        self.item_sets.get(name).map_or(&[], Vec::as_slice)
    }

    /// Every call, in source order, with the scope it is in.
    pub(crate) fn calls(&self) -> impl Iterator<Item = (usize, Node<'t>)> + '_ {
        self.calls
            .iter()
            .filter_map(|&(scope, slot)| Some((scope as usize, self.node(slot)?)))
    }

    /// Every name reference, with the scope it is in and whether it counts as called.
    pub(crate) fn refs(&self) -> impl Iterator<Item = (usize, Node<'t>, bool)> + '_ {
        self.refs
            .iter()
            .filter_map(|&(scope, slot, called)| Some((scope as usize, self.node(slot)?, called)))
    }
}

/// A scope index as the module's lists keep it (a module has far fewer than 2^32).
fn scope_slot(scope: usize) -> u32 {
    u32::try_from(scope).unwrap_or(u32::MAX)
}

impl<'t> Builder<'t, '_> {
    fn text(&self, node: Node<'_>) -> &'t str {
        text(self.ir.src, node)
    }

    fn push(&mut self, node: Node<'t>, scope: usize) {
        self.stack.push((node, scope));
    }

    /// Push named children so they are visited in source order.
    fn push_children(&mut self, node: Node<'t>, scope: usize) {
        let start = self.stack.len();
        self.cursor.reset(node);
        if self.cursor.goto_first_child() {
            loop {
                let child = self.cursor.node();
                if child.is_named() && child.kind() != "comment" {
                    self.stack.push((child, scope));
                }
                if !self.cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        if let Some(pushed) = self.stack.get_mut(start..) {
            pushed.reverse();
        }
    }

    fn new_scope(&mut self, kind: ScopeKind, name: &str, node: Node<'t>, parent: usize) -> usize {
        let idx = self.ir.scopes.len();
        let parent_scope = &self.ir.scopes[parent];
        let qualname = match kind {
            _ if parent_scope.kind == ScopeKind::Module => name.to_string(),
            _ => format!("{}.{name}", parent_scope.qualname),
        };
        // A lambda is a function of its own: calls in it are made when it is called
        // (`handler = lambda e, c: ...` is one handler among others).
        let fact = match kind {
            ScopeKind::Function | ScopeKind::Lambda => idx,
            _ => parent_scope.fact,
        };
        let class = (parent_scope.kind == ScopeKind::Class && kind == ScopeKind::Function)
            .then_some(parent);
        self.ir.scopes.push(Scope {
            kind,
            name: name.to_string(),
            qualname,
            node,
            parent: Some(parent),
            params: Vec::new(),
            bindings: Bindings::default(),
            class,
            method_kind: MethodKind::Instance,
            fact,
            returns: Vec::new(),
            rare: None,
        });
        self.bindings.push(BTreeMap::new());
        idx
    }

    /// Bind `name` in `scope` (or in the module, when declared `global` there).
    fn bind(&mut self, scope: usize, name: &str, kind: BindKind<'t>) {
        let target = if self.ir.scopes[scope].is_global(name) {
            0
        } else {
            scope
        };
        self.bindings[target]
            .entry(name.to_string())
            .or_insert_with(one)
            .push(Bind { scope, kind });
    }

    /// The method scope enclosing `scope` whose first parameter is `name` (`self`).
    fn self_class(&self, scope: usize, name: &str) -> Option<usize> {
        let s = &self.ir.scopes[scope];
        let class = s.class?;
        let first = s.params.first()?;
        (first.name == name && s.method_kind == MethodKind::Instance).then_some(class)
    }

    /// Bind an assignment target. `make(i)` builds the binding for item `i` of an
    /// unpacking (`None` for the whole value).
    fn bind_target(&mut self, target: Node<'t>, scope: usize, whole: BindKind<'t>) {
        match target.kind() {
            "identifier" => {
                let name = self.text(target);
                self.bind(scope, name, whole);
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list" => {
                let mut cursor = target.walk();
                let items: Vec<Node<'t>> = target.named_children(&mut cursor).collect();
                for (i, item) in items.into_iter().enumerate() {
                    let kind = match &whole {
                        BindKind::Expr(rhs) => BindKind::Unpack(*rhs, i),
                        BindKind::Iter(rhs) => BindKind::IterUnpack(*rhs, i),
                        _ => BindKind::Opaque("unpacked from a nested pattern or `with` value"),
                    };
                    self.bind_target(item, scope, kind);
                }
            }
            "parenthesized_expression" => {
                if let Some(inner) = target.named_child(0) {
                    self.bind_target(inner, scope, whole);
                }
            }
            "attribute" => {
                let (Some(obj), Some(attr)) = (
                    target.child_by_field_name("object"),
                    target.child_by_field_name("attribute"),
                ) else {
                    return;
                };
                if obj.kind() == "identifier"
                    && let Some(class) = self.self_class(scope, self.text(obj))
                {
                    let attr = self.text(attr).to_string();
                    self.ir.scopes[class]
                        .rare_mut()
                        .self_attrs
                        .entry(attr)
                        .or_insert_with(one)
                        .push(Bind { scope, kind: whole });
                }
                self.push(obj, scope);
            }
            "subscript" => {
                if let (Some(value), Some(key), BindKind::Expr(rhs)) = (
                    target.child_by_field_name("value"),
                    target.child_by_field_name("subscript"),
                    &whole,
                ) && value.kind() == "identifier"
                {
                    let name = self.text(value).to_string();
                    self.ir
                        .item_sets
                        .entry(name)
                        .or_insert_with(one)
                        .push((key, *rhs, scope));
                }
                self.push_children(target, scope);
            }
            "list_splat_pattern" => {
                if let Some(inner) = target.named_child(0) {
                    self.bind_target(inner, scope, BindKind::Opaque("starred unpacking"));
                }
            }
            _ => {}
        }
    }

    fn params(&mut self, params: Node<'t>, scope: usize, parent: usize) {
        let mut cursor = params.walk();
        let children: Vec<Node<'t>> = params.named_children(&mut cursor).collect();
        let mut position = 0;
        let mut keyword_only = false;
        for child in children {
            let (name, kind, default) = match child.kind() {
                "identifier" => (Some(child), None, None),
                "default_parameter" | "typed_default_parameter" => (
                    child.child_by_field_name("name"),
                    None,
                    child.child_by_field_name("value"),
                ),
                "typed_parameter" => {
                    let inner = child.named_child(0);
                    match inner.map(|n| n.kind()) {
                        Some("list_splat_pattern") => (
                            inner.and_then(|n| n.named_child(0)),
                            Some(ParamKind::Star),
                            None,
                        ),
                        Some("dictionary_splat_pattern") => (
                            inner.and_then(|n| n.named_child(0)),
                            Some(ParamKind::DoubleStar),
                            None,
                        ),
                        _ => (inner, None, None),
                    }
                }
                "list_splat_pattern" => (child.named_child(0), Some(ParamKind::Star), None),
                "dictionary_splat_pattern" => {
                    (child.named_child(0), Some(ParamKind::DoubleStar), None)
                }
                "keyword_separator" => {
                    keyword_only = true;
                    continue;
                }
                _ => continue,
            };
            if let Some(value) = default {
                self.push(value, parent);
            }
            let Some(name) = name else { continue };
            let kind = match kind {
                Some(ParamKind::Star) => {
                    keyword_only = true;
                    ParamKind::Star
                }
                Some(k) => k,
                None if keyword_only => ParamKind::KeywordOnly,
                None => {
                    position += 1;
                    ParamKind::Positional(position - 1)
                }
            };
            let name = self.text(name).to_string();
            let annotation = child.child_by_field_name("type");
            self.ir.scopes[scope].params.push(Param {
                name,
                kind,
                default,
                annotation,
            });
        }
    }

    fn nearest_function(&self, mut scope: usize) -> Option<usize> {
        loop {
            let s = &self.ir.scopes[scope];
            match s.kind {
                ScopeKind::Function | ScopeKind::Lambda => return Some(scope),
                ScopeKind::Module => return None,
                ScopeKind::Class => scope = s.parent?,
            }
        }
    }

    fn visit(&mut self, node: Node<'t>, scope: usize) {
        match node.kind() {
            "function_definition" => {
                let name = node
                    .child_by_field_name("name")
                    .map_or("<function>", |n| self.text(n));
                let idx = self.new_scope(ScopeKind::Function, name, node, scope);
                if let Some(parent) = self.decorated_by.remove(&node.id()) {
                    let mut cursor = parent.walk();
                    for d in parent.named_children(&mut cursor) {
                        if d.kind() == "decorator" {
                            match self.text(d).trim_start_matches('@').trim() {
                                "staticmethod" => {
                                    self.ir.scopes[idx].method_kind = MethodKind::Static;
                                }
                                "classmethod" => {
                                    self.ir.scopes[idx].method_kind = MethodKind::Class;
                                }
                                "property" | "cached_property" | "functools.cached_property" => {
                                    self.ir.scopes[idx].method_kind = MethodKind::Property;
                                }
                                _ if self.is_registration(d) => {
                                    self.ir.registered.push((scope, idx));
                                }
                                _ => {
                                    if let Some(expr) = d.named_child(0) {
                                        self.ir.decorated.push((scope, idx, expr));
                                    }
                                }
                            }
                        }
                    }
                }
                self.bind(scope, name, BindKind::Def(idx));
                if let Some(body) = node.child_by_field_name("body") {
                    self.push(body, idx);
                }
                if let Some(params) = node.child_by_field_name("parameters") {
                    self.params(params, idx, scope);
                }
            }
            "lambda" => {
                let name = format!("<lambda:{}>", node.start_position().row + 1);
                let idx = self.new_scope(ScopeKind::Lambda, &name, node, scope);
                self.reference(scope, node);
                if let Some(body) = node.child_by_field_name("body") {
                    self.ir.scopes[idx].returns.push(body);
                    self.push(body, idx);
                }
                if let Some(params) = node.child_by_field_name("parameters") {
                    self.params(params, idx, scope);
                }
            }
            "class_definition" => {
                let name = node
                    .child_by_field_name("name")
                    .map_or("<class>", |n| self.text(n));
                let idx = self.new_scope(ScopeKind::Class, name, node, scope);
                self.bind(scope, name, BindKind::Def(idx));
                if let Some(body) = node.child_by_field_name("body") {
                    self.push(body, idx);
                }
                if let Some(supers) = node.child_by_field_name("superclasses") {
                    let mut cursor = supers.walk();
                    let bases: Vec<Node<'t>> = supers
                        .named_children(&mut cursor)
                        .filter(|b| b.kind() != "keyword_argument")
                        .collect();
                    if !bases.is_empty() {
                        self.ir.scopes[idx].rare_mut().bases = bases;
                    }
                    self.push_children(supers, scope);
                }
            }
            "assignment" => {
                let mut targets = Vec::new();
                let mut current = node;
                loop {
                    if let Some(left) = current.child_by_field_name("left") {
                        targets.push(left);
                    }
                    match current.child_by_field_name("right") {
                        Some(right) if right.kind() == "assignment" => current = right,
                        Some(right) => {
                            self.mark_plain(right);
                            for t in targets {
                                self.bind_target(t, scope, BindKind::Expr(right));
                            }
                            self.push(right, scope);
                            break;
                        }
                        None => break,
                    }
                }
            }
            "augmented_assignment" => {
                if let Some(right) = node.child_by_field_name("right") {
                    self.push(right, scope);
                }
                if let Some(left) = node.child_by_field_name("left")
                    && left.kind() != "identifier"
                {
                    self.push(left, scope);
                }
            }
            "for_statement" | "for_in_clause" => {
                let right = node.child_by_field_name("right");
                if node.kind() == "for_statement" {
                    for field in ["alternative", "body"] {
                        if let Some(b) = node.child_by_field_name(field) {
                            self.push(b, scope);
                        }
                    }
                }
                if let (Some(left), Some(right)) = (node.child_by_field_name("left"), right) {
                    self.bind_target(left, scope, BindKind::Iter(right));
                }
                if let Some(right) = right {
                    self.push(right, scope);
                }
            }
            "with_item" => {
                if let Some(value) = node.child_by_field_name("value") {
                    if value.kind() == "as_pattern" {
                        let expr = value.named_child(0);
                        if let (Some(expr), Some(alias)) =
                            (expr, value.child_by_field_name("alias"))
                        {
                            let target = alias.named_child(0).unwrap_or(alias);
                            self.bind_target(target, scope, BindKind::With(expr));
                        }
                        if let Some(expr) = expr {
                            self.push(expr, scope);
                        }
                    } else {
                        self.push(value, scope);
                    }
                }
            }
            "as_pattern" => {
                if let Some(alias) = node.child_by_field_name("alias") {
                    let target = alias.named_child(0).unwrap_or(alias);
                    if target.kind() == "identifier" {
                        let name = self.text(target);
                        self.bind(scope, name, BindKind::Opaque("bound by `as`"));
                    }
                }
                if let Some(expr) = node.named_child(0) {
                    self.push(expr, scope);
                }
            }
            "named_expression" => {
                if let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) {
                    self.bind_target(name, scope, BindKind::Expr(value));
                    self.push(value, scope);
                }
            }
            "import_statement" | "import_from_statement" => self.import(node, scope),
            "future_import_statement" => {}
            "global_statement" | "nonlocal_statement" => {
                if node.kind() == "global_statement" {
                    let mut cursor = node.walk();
                    let names: Vec<String> = node
                        .named_children(&mut cursor)
                        .map(|n| self.text(n).to_string())
                        .collect();
                    self.ir.scopes[scope].rare_mut().globals.extend(names);
                }
            }
            "return_statement" => {
                if let Some(value) = node.named_child(0) {
                    self.mark_plain(value);
                    if let Some(f) = self.nearest_function(scope) {
                        self.ir.scopes[f].returns.push(value);
                    }
                    self.push(value, scope);
                }
            }
            "call" => {
                self.ir.calls.push((scope_slot(scope), node.slot()));
                if let Some(args) = node.child_by_field_name("arguments") {
                    self.push(args, scope);
                }
                if let Some(func) = node.child_by_field_name("function") {
                    // The callee is evaluated with the call; only its inner parts are
                    // references of their own.
                    match func.kind() {
                        "identifier" => {}
                        "attribute" => {
                            if let Some(obj) = func.child_by_field_name("object") {
                                self.push(obj, scope);
                            }
                        }
                        _ => self.push(func, scope),
                    }
                }
            }
            "identifier" => self.reference(scope, node),
            "attribute" => {
                // Only the outermost attribute of a chain is a reference; the chain
                // is evaluated from it (linear, however long the chain).
                if !self.inner.remove(&node.id()) {
                    self.reference(scope, node);
                }
                if let Some(obj) = node.child_by_field_name("object") {
                    if obj.kind() == "attribute" {
                        self.inner.insert(obj.id());
                    }
                    self.push(obj, scope);
                }
            }
            "keyword_argument" => {
                if let Some(value) = node.child_by_field_name("value") {
                    self.push(value, scope);
                }
            }
            "decorated_definition" => {
                if let Some(def) = node.child_by_field_name("definition") {
                    if def.kind() == "function_definition" {
                        self.decorated_by.insert(def.id(), node);
                    }
                    self.push(def, scope);
                }
                let mut cursor = node.walk();
                let decorators: Vec<Node<'t>> = node
                    .named_children(&mut cursor)
                    .filter(|d| d.kind() == "decorator")
                    .collect();
                for d in decorators.into_iter().rev() {
                    if let Some(expr) = d.named_child(0) {
                        self.mark_plain(expr);
                    }
                    self.push_children(d, scope);
                }
            }
            "parameters" | "lambda_parameters" | "type" | "dotted_name" | "comment" => {}
            "string" | "concatenated_string" => {
                // Only interpolations hold code.
                self.push_interpolations(node, scope);
            }
            "if_statement" if self.is_main_guard(node) => {
                // `if __name__ == "__main__":` never runs on Lambda (the module is
                // imported), so local test calls in it are not the handler's.
                let mut cursor = node.walk();
                let alternatives: Vec<Node<'t>> = node
                    .children_by_field_name("alternative", &mut cursor)
                    .collect();
                for alt in alternatives.into_iter().rev() {
                    self.push(alt, scope);
                }
            }
            _ => self.push_children(node, scope),
        }
    }

    /// `@app.get("/items")`, `@app.on_s3_event(...)`: a router keeps the function and
    /// calls it from the handler it dispatches in (Powertools, Chalice, Flask-style).
    fn is_registration(&self, decorator: Node<'t>) -> bool {
        let Some(expr) = decorator.named_child(0) else {
            return false;
        };
        if expr.kind() != "call" {
            return false;
        }
        let Some(func) = expr.child_by_field_name("function") else {
            return false;
        };
        let name = match func.kind() {
            "attribute" => func
                .child_by_field_name("attribute")
                .map_or("", |a| self.text(a)),
            _ => "",
        };
        REGISTRATION_DECORATORS.contains(&name) || name.starts_with("on_")
    }

    /// Record the name reference `node` in `scope`: called unless marked plain.
    fn reference(&mut self, scope: usize, node: Node<'t>) {
        let called = !self.plain.remove(&node.id());
        self.ir.refs.push((scope_slot(scope), node.slot(), called));
    }

    /// A bare name or attribute in `return f` / `g = f` / `@f` is not a call of `f`:
    /// what receives it calls it (and is resolved then).
    fn mark_plain(&mut self, node: Node<'t>) {
        if matches!(node.kind(), "identifier" | "attribute" | "lambda") {
            self.plain.insert(node.id());
        }
    }

    fn is_main_guard(&self, node: Node<'t>) -> bool {
        let Some(cond) = node.child_by_field_name("condition") else {
            return false;
        };
        let text: String = self
            .text(cond)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .replace('\'', "\"");
        text == "__name__==\"__main__\"" || text == "\"__main__\"==__name__"
    }

    fn push_interpolations(&mut self, node: Node<'t>, scope: usize) {
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        for child in children.into_iter().rev() {
            match child.kind() {
                "interpolation" => {
                    if let Some(expr) = child.child_by_field_name("expression") {
                        self.push(expr, scope);
                    }
                }
                "string" => self.push_interpolations(child, scope),
                _ => {}
            }
        }
    }

    fn import(&mut self, node: Node<'t>, scope: usize) {
        let line = node.start_position().row as u32 + 1;
        for stmt in parse_import(self.ir.src, node) {
            let (binds, loads) = self.resolver.bind(&self.ir.rel, &stmt);
            let fact = self.ir.scopes[scope].fact;
            for load in loads {
                if load != self.ir.rel {
                    self.ir.loads.push((fact, load));
                }
            }
            if stmt.star {
                if let Some(m) = self
                    .resolver
                    .resolve(&self.ir.rel, stmt.level, &stmt.module)
                {
                    self.ir.stars.push(m);
                } else if stmt.level > 0 {
                    self.ir.missing_imports.push((
                        line,
                        format!("{}{}", ".".repeat(stmt.level), stmt.module.join(".")),
                    ));
                }
            }
            for (name, bind) in binds {
                if let ImportBind::Missing(m) = &bind {
                    self.ir.missing_imports.push((line, m.clone()));
                }
                self.bind(scope, &name, BindKind::Import(Box::new(bind)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Searching by prefix finds every bound name and no other: names of one to
        /// twenty chars over a few letters (so many share their first eight bytes, or
        /// are prefixes of each other), `_`, a two-byte and a four-byte char.
        #[test]
        fn bindings_find_exactly_the_bound_names(
            bound in proptest::collection::btree_set("[ab_é𝔸]{1,20}", 0..40),
            asked in proptest::collection::vec("[ab_é𝔸]{0,20}", 0..40),
        ) {
            let map: BTreeMap<String, Vec<Bind<'static>>> = bound
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let bind = Bind { scope: i, kind: BindKind::Def(i) };
                    (name.clone(), vec![bind])
                })
                .collect();
            let bindings = Bindings::from(map);
            for (i, name) in bound.iter().enumerate() {
                let (found, binds) = bindings.get_key_value(name).expect("a bound name");
                prop_assert_eq!(found, name.as_str());
                prop_assert_eq!(binds.iter().map(|b| b.scope).collect::<Vec<_>>(), vec![i]);
            }
            for name in &asked {
                prop_assert_eq!(bindings.contains_key(name), bound.contains(name), "{}", name);
            }
            let listed: Vec<&str> = bindings.iter().map(|(name, _)| name).collect();
            prop_assert_eq!(listed, bound.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }

    /// Two names with the same hash are both found, each with its own bindings, a name
    /// not bound is not found, and iteration lists the names in name order.
    #[test]
    fn bindings_tell_names_of_one_hash_apart() {
        let mut seen: std::collections::HashMap<u32, String> = std::collections::HashMap::new();
        let (a, b) = (0..300_000)
            .map(|i| format!("name_{i}"))
            .find_map(|name| {
                seen.insert(name_hash(&name), name.clone())
                    .map(|other| (other, name))
            })
            .expect("a pair of names with one hash");
        assert_eq!(name_hash(&a), name_hash(&b));
        let map: BTreeMap<String, Vec<Bind<'static>>> =
            [(&a, 1), (&b, 2), (&"other".to_string(), 3)]
                .into_iter()
                .map(|(name, i)| {
                    (
                        name.clone(),
                        vec![Bind {
                            scope: i,
                            kind: BindKind::Def(i),
                        }],
                    )
                })
                .collect();
        let bindings = Bindings::from(map);
        for (name, scope) in [(&a, 1), (&b, 2)] {
            let (found, binds) = bindings.get_key_value(name).expect("bound");
            assert_eq!(found, name.as_str());
            assert_eq!(
                binds.iter().map(|b| b.scope).collect::<Vec<_>>(),
                vec![scope]
            );
        }
        assert!(!bindings.contains_key("name_"));
        let listed: Vec<&str> = bindings.iter().map(|(name, _)| name).collect();
        let mut sorted = vec![a.as_str(), b.as_str(), "other"];
        sorted.sort_unstable();
        assert_eq!(listed, sorted);
    }
}
