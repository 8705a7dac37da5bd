//! The evaluator: what an expression may denote, across scopes and local modules.
//!
//! Flow-insensitive and mostly context-insensitive: a name denotes the union of
//! everything assigned to it in its scope; a parameter denotes the union of what its
//! call sites pass (one level of call-site context is kept when evaluating a call's
//! result, so `make_client('s3')` is an S3 client). Cycles return what is known so far;
//! recursion is bounded.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tree_sitter::Node;

use super::hash::{FastMap, FastSet};
use super::imports::{ImportBind, ModRef, Resolver};
use super::objects::{
    ExtCall, Obj, collection_step, ext_call, resource_action_result, sdk_attr, service_refs,
};
use super::scope::{BindKind, MethodKind, ModuleIr, Param, ParamKind, ScopeKind, text};
use super::values::{self, MAX_ALTERNATIVES};
use crate::facts::{ResourceStep, ServiceRef, Value};

/// Expression nesting beyond this is not analysed (a diagnostic says so).
const MAX_DEPTH: usize = 1500;
/// Expressions evaluated per module before giving up (a diagnostic says so).
const MAX_STEPS: u64 = 2_000_000;
/// Values (dicts, lists) nested beyond this become unknown.
const MAX_VALUE_DEPTH: usize = 48;
/// Call-site contexts kept when evaluating a call's result.
const MAX_FRAMES: usize = 2;
/// Alternatives kept for one expression.
const MAX_OBJS: usize = 16;
/// Functions with at most this many call sites have their calls reported per site.
const MAX_CONTEXTS: usize = 8;
/// Base-class chains followed.
const MAX_BASES: usize = 16;

/// A call of a local function: where, and how many implicit leading arguments
/// (`self` for a bound method or a constructor).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site<'t> {
    pub module: usize,
    pub scope: usize,
    pub call: Node<'t>,
    pub offset: usize,
    /// Leading positional arguments that are not the function's (the function itself
    /// in `partial(f, x)` or `executor.submit(f, x)`).
    pub skip: usize,
    /// `map(f, xs)`: each argument is an iterable whose elements are passed.
    pub elements: bool,
}

/// Call sites of each local function, keyed by (module, scope).
pub(crate) type Sites<'t> = FastMap<(usize, usize), Vec<Site<'t>>>;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Name(usize, usize, String),
    Param(usize, usize, usize),
    Return(usize, usize),
    Attr(usize, usize, String),
}

/// A cache key under a frame stack (the stack's frame ids).
type FramedKey = (Vec<u64>, Key);

#[derive(Debug)]
struct Frame {
    /// Unique per push: results cached under a frame stack are keyed by its ids.
    id: u64,
    module: usize,
    scope: usize,
    params: FastMap<String, Vec<Obj>>,
}

/// A call's arguments, by kind.
#[derive(Debug, Default)]
pub(crate) struct Args<'t> {
    pub positional: Vec<Node<'t>>,
    pub keywords: Vec<(String, Node<'t>)>,
    pub star: bool,
    pub double_star: Vec<Node<'t>>,
}

impl<'t> Args<'t> {
    pub(crate) fn keyword(&self, name: &str) -> Option<Node<'t>> {
        self.keywords
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    }

    /// Positional argument `i`, or the keyword argument `name`.
    pub(crate) fn arg(&self, i: usize, name: &str) -> Option<Node<'t>> {
        self.keyword(name)
            .or_else(|| self.positional.get(i).copied())
    }
}

#[derive(Debug)]
pub(crate) struct Eval<'a, 't> {
    pub mods: &'a [ModuleIr<'t>],
    pub by_file: &'a BTreeMap<String, usize>,
    pub resolver: &'a Resolver<'a>,
    /// Call sites of each local function, keyed by (module, scope).
    pub sites: Arc<Sites<'t>>,
    /// While building the call-site index, parameters are not resolved.
    pub index_mode: bool,
    cache: RefCell<FastMap<Key, Vec<Obj>>>,
    active: RefCell<FastSet<Key>>,
    frames: RefCell<Vec<Frame>>,
    next_frame: Cell<u64>,
    /// Results computed under the current frame stack, keyed by its frame ids.
    framed: RefCell<FastMap<FramedKey, Vec<Obj>>>,
    /// Expressions evaluated so far; past [`MAX_STEPS`] evaluation gives up.
    steps: Cell<u64>,
    /// Whether the step budget ran out.
    pub exhausted: Cell<bool>,
    depth: Cell<usize>,
    /// Modules where the nesting limit was hit.
    pub too_deep: RefCell<BTreeSet<usize>>,
}

/// Sort, dedup and cap a set of alternatives.
pub(crate) fn normalize(mut objs: Vec<Obj>) -> Vec<Obj> {
    objs.sort();
    objs.dedup();
    if objs.len() > MAX_OBJS {
        let n = objs.len();
        let mut kept: Vec<Obj> = objs
            .into_iter()
            .filter(|o| !matches!(o, Obj::Val(_)))
            .collect();
        kept.truncate(MAX_OBJS - 1);
        kept.push(Obj::unknown(format!("one of {n} possible values")));
        objs = kept;
    }
    objs
}

/// The reason for an unbound parameter's value. A handler's first parameter is the
/// event: named `event`/`evt`, or followed by a `context` parameter.
fn param_reason(params: &[Param<'_>], index: usize) -> String {
    let name = params.get(index).map_or("", |p| p.name.as_str());
    let next = params.get(index + 1).map_or("", |p| p.name.as_str());
    let is_event = matches!(name, "event" | "evt" | "_event" | "lambda_event")
        || (index == 0 && (next.contains("context") || matches!(next, "ctx" | "_ctx")));
    if is_event {
        "from the event".to_string()
    } else {
        format!("function parameter `{name}`")
    }
}

/// Builtins that may be called or referenced without an import.
const BUILTINS: &[&str] = &[
    "__import__",
    "all",
    "any",
    "bool",
    "bytes",
    "dict",
    "enumerate",
    "filter",
    "float",
    "getattr",
    "int",
    "isinstance",
    "len",
    "list",
    "map",
    "max",
    "min",
    "open",
    "print",
    "range",
    "repr",
    "set",
    "sorted",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "zip",
];

impl<'a, 't> Eval<'a, 't> {
    pub(crate) fn new(
        mods: &'a [ModuleIr<'t>],
        by_file: &'a BTreeMap<String, usize>,
        resolver: &'a Resolver<'a>,
    ) -> Self {
        Eval {
            mods,
            by_file,
            resolver,
            sites: Arc::new(FastMap::default()),
            index_mode: true,
            cache: RefCell::new(FastMap::default()),
            active: RefCell::new(FastSet::default()),
            frames: RefCell::new(Vec::new()),
            next_frame: Cell::new(0),
            framed: RefCell::new(FastMap::default()),
            steps: Cell::new(0),
            exhausted: Cell::new(false),
            depth: Cell::new(0),
            too_deep: RefCell::new(BTreeSet::new()),
        }
    }

    /// Switch to full evaluation with a call-site index; drops cached results.
    pub(crate) fn set_sites(&mut self, sites: Arc<Sites<'t>>) {
        self.sites = sites;
        self.index_mode = false;
        self.cache.borrow_mut().clear();
    }

    pub(crate) fn src(&self, m: usize) -> &'t str {
        self.mods.get(m).map_or("", |ir| ir.src)
    }

    pub(crate) fn text(&self, m: usize, node: Node<'_>) -> &'t str {
        text(self.src(m), node)
    }

    fn memo(&self, key: Key, f: impl FnOnce() -> Vec<Obj>) -> Vec<Obj> {
        let frame_ids: Vec<u64> = self.frames.borrow().iter().map(|f| f.id).collect();
        let hit = if frame_ids.is_empty() {
            self.cache.borrow().get(&key).cloned()
        } else {
            self.framed
                .borrow()
                .get(&(frame_ids.clone(), key.clone()))
                .cloned()
        };
        if let Some(hit) = hit {
            return hit;
        }
        if !self.active.borrow_mut().insert(key.clone()) {
            // A cycle: `key = key + '/' + part` in a loop, or recursion.
            return match key {
                Key::Name(..) => vec![Obj::unknown("built up from its own earlier value")],
                _ => Vec::new(),
            };
        }
        let out = normalize(f());
        self.active.borrow_mut().remove(&key);
        if frame_ids.is_empty() {
            self.cache.borrow_mut().insert(key, out.clone());
        } else {
            self.framed
                .borrow_mut()
                .insert((frame_ids, key), out.clone());
        }
        out
    }

    fn push_frame(&self, module: usize, scope: usize, params: FastMap<String, Vec<Obj>>) {
        let id = self.next_frame.get();
        self.next_frame.set(id + 1);
        self.frames.borrow_mut().push(Frame {
            id,
            module,
            scope,
            params,
        });
    }

    fn pop_frame(&self) {
        let mut frames = self.frames.borrow_mut();
        frames.pop();
        if frames.is_empty() {
            // Frame ids are never reused: what was cached under them is dead.
            self.framed.borrow_mut().clear();
        }
    }

    /// Every plain value an expression may have (non-values become unknown).
    pub(crate) fn values(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Value> {
        to_values(self.eval(m, s, node), || {
            format!("`{}` is not a plain value", short(self.text(m, node)))
        })
    }

    pub(crate) fn eval(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if steps > MAX_STEPS {
            self.exhausted.set(true);
            return vec![Obj::unknown("analysis budget exhausted")];
        }
        let depth = self.depth.get();
        if depth > MAX_DEPTH {
            self.too_deep.borrow_mut().insert(m);
            return vec![Obj::unknown("expression nested too deeply to analyse")];
        }
        self.depth.set(depth + 1);
        let mut out = self.eval_inner(m, s, node);
        self.depth.set(depth);
        if depth > MAX_VALUE_DEPTH {
            // Values built this deep would nest deeper than anything worth reporting
            // (and than a small stack can drop or serialise): keep only flat ones.
            for o in &mut out {
                if let Obj::Val(v) = o
                    && !matches!(
                        v,
                        Value::Str { .. }
                            | Value::Scalar { .. }
                            | Value::Unknown { .. }
                            | Value::Env { default: None, .. }
                    )
                {
                    *o = Obj::unknown("value nested too deeply");
                }
            }
        }
        normalize(out)
    }

    fn eval_inner(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let src = self.src(m);
        match node.kind() {
            "identifier" => self.lookup(m, s, text(src, node)),
            "attribute" => {
                let (Some(obj), Some(attr)) = (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("attribute"),
                ) else {
                    return vec![Obj::unknown("incomplete attribute")];
                };
                let name = text(src, attr);
                self.eval(m, s, obj)
                    .into_iter()
                    .flat_map(|o| self.get_attr(o, name))
                    .collect()
            }
            "call" => self.eval_call(m, s, node),
            "string" | "concatenated_string" => self.string(m, s, node),
            "integer" | "float" | "true" | "false" | "none" => vec![Obj::Val(Value::Scalar {
                text: text(src, node).to_string(),
            })],
            "unary_operator" => match node.child_by_field_name("argument").map(|a| a.kind()) {
                Some("integer" | "float") => vec![Obj::Val(Value::Scalar {
                    text: text(src, node).to_string(),
                })],
                _ => vec![Obj::unknown("arithmetic")],
            },
            "list" | "tuple" | "set" | "expression_list" => self.sequence(m, s, node),
            "dictionary" => self.dictionary(m, s, node),
            "subscript" => self.subscript(m, s, node),
            "parenthesized_expression" | "await" => match node.named_child(0) {
                Some(inner) => self.eval(m, s, inner),
                None => vec![Obj::Val(Value::List { items: Vec::new() })],
            },
            "conditional_expression" => {
                let mut out = Vec::new();
                for i in [0, 2] {
                    if let Some(branch) = node.named_child(i) {
                        out.extend(self.eval(m, s, branch));
                    }
                }
                out
            }
            "boolean_operator" => self.boolean(m, s, node),
            "binary_operator" => self.binary(m, s, node),
            "named_expression" => match node.child_by_field_name("value") {
                Some(v) => self.eval(m, s, v),
                None => Vec::new(),
            },
            "lambda" => self.mods[m]
                .scopes
                .iter()
                .position(|sc| sc.kind == ScopeKind::Lambda && sc.node.id() == node.id())
                .map_or_else(Vec::new, |idx| vec![Obj::Func(m, idx)]),
            "list_comprehension" | "generator_expression" | "set_comprehension" => {
                vec![Obj::unknown("built by a comprehension")]
            }
            "dictionary_comprehension" => vec![Obj::Val(Value::Object {
                entries: BTreeMap::new(),
                rest: Some("built by a comprehension".into()),
            })],
            kind => vec![Obj::unknown(format!("`{kind}` expression"))],
        }
    }

    // ---- names ----

    /// Resolve a name as Python does: local, enclosing functions, module, builtins.
    pub(crate) fn lookup(&self, m: usize, scope: usize, name: &str) -> Vec<Obj> {
        let Some(ir) = self.mods.get(m) else {
            return Vec::new();
        };
        let mut s = scope;
        let mut first = true;
        while let Some(sc) = ir.scopes.get(s) {
            if first || sc.kind != ScopeKind::Class {
                if sc.kind != ScopeKind::Module && sc.globals.contains(name) {
                    s = 0;
                    first = false;
                    continue;
                }
                if sc.bindings.contains_key(name) {
                    return self.binding(m, s, name);
                }
                if let Some(p) = sc.params.iter().position(|p| p.name == name) {
                    return self.param(m, s, p);
                }
            }
            match sc.parent {
                Some(p) => {
                    s = p;
                    first = false;
                }
                None => break,
            }
        }
        for star in &ir.stars {
            if let Some(f) = star.file()
                && let Some(&sm) = self.by_file.get(f)
                && sm != m
                && self.mods[sm].scopes[0].bindings.contains_key(name)
            {
                return self.binding(sm, 0, name);
            }
        }
        if BUILTINS.contains(&name) {
            return vec![Obj::Ext(name.to_string())];
        }
        match name {
            "self" | "cls" => vec![Obj::unknown(format!("`{name}` outside a method"))],
            _ => vec![Obj::unknown(format!("undefined name `{name}`"))],
        }
    }

    /// Everything `name` is bound to in scope `s`.
    fn binding(&self, m: usize, s: usize, name: &str) -> Vec<Obj> {
        self.memo(Key::Name(m, s, name.to_string()), || {
            let sc = &self.mods[m].scopes[s];
            let Some(binds) = sc.bindings.get(name) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for b in binds {
                out.extend(self.bind_kind(m, b.scope, name, &b.kind));
            }
            self.apply_item_sets(m, name, out)
        })
    }

    fn bind_kind(&self, m: usize, s: usize, name: &str, kind: &BindKind<'t>) -> Vec<Obj> {
        match kind {
            BindKind::Expr(rhs) => self.eval(m, s, *rhs),
            BindKind::Unpack(rhs, i) => self
                .eval(m, s, *rhs)
                .into_iter()
                .flat_map(|o| unpack(o, *i, name))
                .collect(),
            BindKind::IterUnpack(iter, i) => self
                .eval(m, s, *iter)
                .into_iter()
                .flat_map(|o| self.element(o, name))
                .flat_map(|o| unpack(o, *i, name))
                .collect(),
            BindKind::Iter(iter) => self
                .eval(m, s, *iter)
                .into_iter()
                .flat_map(|o| self.element(o, name))
                .collect(),
            BindKind::With(ctx) => self.eval(m, s, *ctx),
            BindKind::Def(idx) => match self.mods[m].scopes.get(*idx).map(|sc| sc.kind) {
                Some(ScopeKind::Class) => vec![Obj::Class(m, *idx)],
                Some(_) => vec![Obj::Func(m, *idx)],
                None => Vec::new(),
            },
            BindKind::Import(bind) => self.import(bind),
            BindKind::Opaque(reason) => vec![Obj::unknown(*reason)],
        }
    }

    /// `params['Key'] = k` after `params = {...}`: add the entries.
    fn apply_item_sets(&self, m: usize, name: &str, objs: Vec<Obj>) -> Vec<Obj> {
        let sets: Vec<(Node<'t>, Node<'t>, usize)> = self.mods[m]
            .scopes
            .iter()
            .enumerate()
            .flat_map(|(i, sc)| {
                sc.item_sets
                    .get(name)
                    .into_iter()
                    .flatten()
                    .map(move |(k, v)| (*k, *v, i))
            })
            .collect();
        if sets.is_empty() {
            return objs;
        }
        objs.into_iter()
            .map(|o| match o {
                Obj::Val(Value::Object { mut entries, rest }) => {
                    for (k, v, s) in &sets {
                        if let [Value::Str { value: key }] = self.values(m, *s, *k).as_slice() {
                            let vals = self.values(m, *s, *v);
                            entries.insert(key.clone(), single(vals));
                        }
                    }
                    Obj::Val(Value::Object { entries, rest })
                }
                other => other,
            })
            .collect()
    }

    /// An element of an iterated value.
    fn element(&self, o: Obj, name: &str) -> Vec<Obj> {
        match o {
            Obj::Val(Value::List { items }) => items.into_iter().map(Obj::Val).collect(),
            Obj::Seq(items) => items.into_iter().flatten().collect(),
            Obj::Res { service, path } if super::objects::is_collection_path(&path) => {
                vec![Obj::Res {
                    service,
                    path: super::objects::item_path(path),
                }]
            }
            Obj::ResAttr {
                service,
                mut path,
                name: coll,
            } => {
                path.push(collection_step(&coll));
                vec![Obj::Res {
                    service,
                    path: super::objects::item_path(path),
                }]
            }
            Obj::Val(Value::Unknown { reason }) if values::from_event(&reason) => {
                vec![Obj::unknown(reason)]
            }
            _ => vec![Obj::unknown(format!("loop variable `{name}`"))],
        }
    }

    fn import(&self, bind: &ImportBind) -> Vec<Obj> {
        match bind {
            ImportBind::Module(m) => vec![self.module_obj(m)],
            ImportBind::Attr(m, name) => match m.file().and_then(|f| self.by_file.get(f)) {
                Some(&mi) => self.module_attr(mi, name),
                None => vec![Obj::unknown(format!("`{name}` from an unparsed module"))],
            },
            ImportBind::External(path) => vec![Obj::Ext(path.clone())],
            ImportBind::Missing(module) => {
                vec![Obj::unknown(format!(
                    "imported from `{module}`, which is not in the project"
                ))]
            }
        }
    }

    fn module_obj(&self, m: &ModRef) -> Obj {
        match m.file().and_then(|f| self.by_file.get(f)) {
            Some(&mi) => Obj::Module(mi),
            None => Obj::Package(m.package_dir().unwrap_or_default()),
        }
    }

    /// `module.name`: a global of the module, or a submodule of a package.
    pub(crate) fn module_attr(&self, mi: usize, name: &str) -> Vec<Obj> {
        let Some(ir) = self.mods.get(mi) else {
            return Vec::new();
        };
        if ir.scopes[0].bindings.contains_key(name) {
            return self.binding(mi, 0, name);
        }
        let module = ModRef::File(ir.rel.clone());
        if let Some(sub) = self.resolver.submodule(&module, name) {
            return vec![self.module_obj(&sub)];
        }
        let star = self.lookup(mi, 0, name);
        if star
            .iter()
            .any(|o| !matches!(o, Obj::Val(Value::Unknown { .. })))
        {
            return star;
        }
        vec![Obj::unknown(format!(
            "`{name}` is not defined in {}",
            ir.rel
        ))]
    }

    // ---- parameters and call sites ----

    fn param(&self, m: usize, s: usize, index: usize) -> Vec<Obj> {
        let sc = &self.mods[m].scopes[s];
        let Some(p) = sc.params.get(index) else {
            return Vec::new();
        };
        for frame in self.frames.borrow().iter().rev() {
            if frame.module == m
                && frame.scope == s
                && let Some(objs) = frame.params.get(&p.name)
            {
                return objs.clone();
            }
        }
        if let (Some(class), ParamKind::Positional(0)) = (sc.class, p.kind) {
            match sc.method_kind {
                MethodKind::Instance | MethodKind::Property => {
                    return vec![Obj::Instance(m, class)];
                }
                MethodKind::Class => return vec![Obj::Class(m, class)],
                MethodKind::Static => {}
            }
        }
        match p.kind {
            ParamKind::Star => return vec![Obj::unknown(format!("`*{}` arguments", p.name))],
            ParamKind::DoubleStar if self.index_mode || !self.sites.contains_key(&(m, s)) => {
                return vec![Obj::Val(Value::Object {
                    entries: BTreeMap::new(),
                    rest: Some(format!("`**{}` arguments", p.name)),
                })];
            }
            _ => {}
        }
        if self.index_mode {
            return vec![Obj::unknown(param_reason(&sc.params, index))];
        }
        let Some(sites) = self.sites.get(&(m, s)) else {
            return self.unbound_param(m, s, index);
        };
        self.memo(Key::Param(m, s, index), || {
            let mut out = Vec::new();
            for site in sites {
                out.extend(self.site_arg(site, m, s, index));
            }
            out
        })
    }

    /// A parameter no call site binds: unknown, unless a `mypy-boto3` annotation says
    /// which SDK object it is (`def save(table: Table)`).
    fn unbound_param(&self, m: usize, s: usize, index: usize) -> Vec<Obj> {
        let sc = &self.mods[m].scopes[s];
        let reason = Value::unknown(param_reason(&sc.params, index));
        let annotation = sc.params.get(index).and_then(|p| p.annotation);
        if let (Some(annotation), Some(parent)) = (annotation, sc.parent) {
            let types = match annotation.named_child(0) {
                // `"S3Client"` (a forward reference): the name it spells.
                Some(inner) if inner.kind() == "string" => self
                    .values(m, parent, inner)
                    .into_iter()
                    .filter_map(|v| v.as_str().map(|n| self.lookup(m, parent, n.trim())))
                    .flatten()
                    .collect(),
                Some(inner) => self.eval(m, parent, inner),
                None => Vec::new(),
            };
            let found: Vec<Obj> = types
                .into_iter()
                .filter_map(|t| match t {
                    Obj::Ext(path) => super::objects::annotated(&path, &reason),
                    _ => None,
                })
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        vec![Obj::Val(reason)]
    }

    /// What `site` passes for parameter `index` of function (m, s).
    fn site_arg(&self, site: &Site<'t>, m: usize, s: usize, index: usize) -> Vec<Obj> {
        let sc = &self.mods[m].scopes[s];
        let Some(p) = sc.params.get(index) else {
            return Vec::new();
        };
        let args = self.args(site.module, site.call);
        if p.kind == ParamKind::DoubleStar {
            // The keyword arguments no named parameter takes.
            let named: BTreeSet<&str> = sc
                .params
                .iter()
                .filter(|q| matches!(q.kind, ParamKind::Positional(_) | ParamKind::KeywordOnly))
                .map(|q| q.name.as_str())
                .collect();
            let rest = Args {
                positional: Vec::new(),
                keywords: args
                    .keywords
                    .iter()
                    .filter(|(k, _)| !named.contains(k.as_str()))
                    .cloned()
                    .collect(),
                star: false,
                double_star: args.double_star.clone(),
            };
            return vec![Obj::Val(self.kwargs_object(site.module, site.scope, &rest))];
        }
        let node = match p.kind {
            ParamKind::Positional(i) => args.keyword(&p.name).or_else(|| {
                i.checked_sub(site.offset)
                    .and_then(|i| args.positional.get(i + site.skip).copied())
            }),
            ParamKind::KeywordOnly => args.keyword(&p.name),
            _ => None,
        };
        if let Some(node) = node {
            let objs = self.eval(site.module, site.scope, node);
            if site.elements {
                return objs
                    .into_iter()
                    .flat_map(|o| self.element(o, &p.name))
                    .collect();
            }
            return objs;
        }
        if args.star || !args.double_star.is_empty() {
            return vec![Obj::unknown(format!(
                "parameter `{}` passed through `*args`/`**kwargs`",
                p.name
            ))];
        }
        match (p.default, sc.parent) {
            (Some(default), Some(parent)) => self.eval(m, parent, default),
            _ => vec![Obj::unknown(param_reason(&sc.params, index))],
        }
    }

    pub(crate) fn args(&self, m: usize, call: Node<'t>) -> Args<'t> {
        let mut out = Args::default();
        let Some(list) = call.child_by_field_name("arguments") else {
            return out;
        };
        if list.kind() == "generator_expression" {
            out.positional.push(list);
            return out;
        }
        let mut cursor = list.walk();
        for arg in list.named_children(&mut cursor) {
            match arg.kind() {
                "keyword_argument" => {
                    if let (Some(k), Some(v)) = (
                        arg.child_by_field_name("name"),
                        arg.child_by_field_name("value"),
                    ) {
                        out.keywords.push((self.text(m, k).to_string(), v));
                    }
                }
                "list_splat" => out.star = true,
                "dictionary_splat" => {
                    if let Some(inner) = arg.named_child(0) {
                        out.double_star.push(inner);
                    }
                }
                "comment" => {}
                _ => out.positional.push(arg),
            }
        }
        out
    }

    /// What a local function may return (for decorators: the wrapper).
    pub(crate) fn function_returns(&self, m: usize, s: usize) -> Vec<Obj> {
        self.returns(m, s)
    }

    /// A function's return values, in no particular calling context.
    fn returns(&self, m: usize, s: usize) -> Vec<Obj> {
        self.memo(Key::Return(m, s), || self.returns_now(m, s))
    }

    fn returns_now(&self, m: usize, s: usize) -> Vec<Obj> {
        let sc = &self.mods[m].scopes[s];
        if sc.returns.is_empty() {
            return vec![Obj::Val(Value::Scalar {
                text: "None".into(),
            })];
        }
        sc.returns
            .iter()
            .flat_map(|r| self.eval(m, s, *r))
            .collect()
    }

    /// The result of calling local function (fm, fs) at `call`, binding its parameters
    /// to this call's arguments when that is cheap.
    fn call_result(
        &self,
        m: usize,
        s: usize,
        call: Node<'t>,
        fm: usize,
        fs: usize,
        offset: usize,
    ) -> Vec<Obj> {
        let sc = &self.mods[fm].scopes[fs];
        let has_args = call
            .child_by_field_name("arguments")
            .is_some_and(|a| a.named_child_count() > 0);
        if self.index_mode
            || !has_args
            || self.frames.borrow().len() >= MAX_FRAMES
            || sc.returns.is_empty()
        {
            return self.returns(fm, fs);
        }
        let key = Key::Return(fm, fs);
        if self.active.borrow().contains(&key) {
            return Vec::new();
        }
        let site = Site {
            module: m,
            scope: s,
            call,
            offset,
            skip: 0,
            elements: false,
        };
        let mut params = FastMap::default();
        for (i, p) in sc.params.iter().enumerate() {
            if sc.class.is_some() && i == 0 && sc.method_kind != MethodKind::Static {
                continue;
            }
            params.insert(p.name.clone(), self.site_arg(&site, fm, fs, i));
        }
        self.push_frame(fm, fs, params);
        self.active.borrow_mut().insert(key.clone());
        let out = self.returns_now(fm, fs);
        self.active.borrow_mut().remove(&key);
        self.pop_frame();
        out
    }

    /// The call sites of local function (m, fs), when there are several and few
    /// enough to evaluate its body once per site.
    pub(crate) fn contexts(&self, m: usize, fs: usize) -> &[Site<'t>] {
        let sc = &self.mods[m].scopes[fs];
        let has_params =
            sc.params.iter().enumerate().any(|(i, _)| {
                !(sc.class.is_some() && i == 0 && sc.method_kind != MethodKind::Static)
            });
        match self.sites.get(&(m, fs)) {
            Some(sites) if has_params && (2..=MAX_CONTEXTS).contains(&sites.len()) => sites,
            _ => &[],
        }
    }

    /// Run `f` with the parameters of (m, fs) bound to what `site` passes.
    pub(crate) fn with_site<R>(
        &self,
        m: usize,
        fs: usize,
        site: &Site<'t>,
        f: impl FnOnce() -> R,
    ) -> R {
        let sc = &self.mods[m].scopes[fs];
        let mut params = FastMap::default();
        for (i, p) in sc.params.iter().enumerate() {
            if sc.class.is_some() && i == 0 && sc.method_kind != MethodKind::Static {
                continue;
            }
            params.insert(p.name.clone(), self.site_arg(site, m, fs, i));
        }
        self.push_frame(m, fs, params);
        let out = f();
        self.pop_frame();
        out
    }

    // ---- classes ----

    /// The method or class-body binding `name` of class (m, c) or its local bases.
    pub(crate) fn class_member(
        &self,
        m: usize,
        c: usize,
        name: &str,
        depth: usize,
    ) -> Option<(usize, usize)> {
        let sc = self.mods.get(m)?.scopes.get(c)?;
        if sc.bindings.contains_key(name) {
            return Some((m, c));
        }
        if depth > MAX_BASES {
            return None;
        }
        let parent = sc.parent.unwrap_or(0);
        for base in &sc.bases {
            for o in self.eval(m, parent, *base) {
                if let Obj::Class(bm, bc) = o
                    && let Some(hit) = self.class_member(bm, bc, name, depth + 1)
                {
                    return Some(hit);
                }
            }
        }
        None
    }

    /// Classes in the MRO of (m, c) (local ones only), the class first.
    fn mro(&self, m: usize, c: usize) -> Vec<(usize, usize)> {
        let mut out = vec![(m, c)];
        let mut i = 0;
        while let Some(&(cm, cc)) = out.get(i) {
            i += 1;
            if out.len() > MAX_BASES {
                break;
            }
            let sc = &self.mods[cm].scopes[cc];
            let parent = sc.parent.unwrap_or(0);
            for base in &sc.bases {
                for o in self.eval(cm, parent, *base) {
                    if let Obj::Class(bm, bc) = o
                        && !out.contains(&(bm, bc))
                    {
                        out.push((bm, bc));
                    }
                }
            }
        }
        out
    }

    /// The method `name` of class (m, c), if it is a local function.
    pub(crate) fn method(&self, m: usize, c: usize, name: &str) -> Option<(usize, usize)> {
        let (mm, mc) = self.class_member(m, c, name, 0)?;
        let binds = self.mods[mm].scopes[mc].bindings.get(name)?;
        binds.iter().rev().find_map(|b| match b.kind {
            BindKind::Def(idx) if self.mods[mm].scopes[idx].kind == ScopeKind::Function => {
                Some((mm, idx))
            }
            _ => None,
        })
    }

    fn instance_attr(&self, m: usize, c: usize, name: &str) -> Vec<Obj> {
        if let Some((mm, f)) = self.method(m, c, name) {
            return match self.mods[mm].scopes[f].method_kind {
                MethodKind::Static => vec![Obj::Func(mm, f)],
                MethodKind::Property => self.returns(mm, f),
                _ => vec![Obj::BoundMethod(mm, f)],
            };
        }
        self.memo(Key::Attr(m, c, name.to_string()), || {
            let mut out = Vec::new();
            for (cm, cc) in self.mro(m, c) {
                let sc = &self.mods[cm].scopes[cc];
                if let Some(binds) = sc.self_attrs.get(name) {
                    for b in binds {
                        out.extend(self.bind_kind(cm, b.scope, name, &b.kind));
                    }
                }
                if sc.bindings.contains_key(name) {
                    out.extend(self.binding(cm, cc, name));
                }
            }
            if out.is_empty() {
                let class = &self.mods[m].scopes[c].name;
                out.push(Obj::unknown(format!(
                    "attribute `{name}` of `{class}` is never assigned"
                )));
            }
            out
        })
    }

    fn class_attr(&self, m: usize, c: usize, name: &str) -> Vec<Obj> {
        if let Some((mm, f)) = self.method(m, c, name) {
            return match self.mods[mm].scopes[f].method_kind {
                MethodKind::Class => vec![Obj::BoundMethod(mm, f)],
                _ => vec![Obj::Func(mm, f)],
            };
        }
        match self.class_member(m, c, name, 0) {
            Some((cm, cc)) => self.binding(cm, cc, name),
            None => vec![Obj::unknown(format!("class attribute `{name}`"))],
        }
    }

    // ---- attributes ----

    pub(crate) fn get_attr(&self, obj: Obj, name: &str) -> Vec<Obj> {
        if let Some(o) = sdk_attr(&obj, name) {
            return vec![o];
        }
        match obj {
            Obj::Module(mi) => self.module_attr(mi, name),
            Obj::Package(dir) => match self.resolver.submodule(&ModRef::Dir(dir), name) {
                Some(sub) => vec![self.module_obj(&sub)],
                None => vec![Obj::unknown(format!(
                    "`{name}` not found in a local package"
                ))],
            },
            Obj::Instance(m, c) => self.instance_attr(m, c, name),
            Obj::Super(m, c) => {
                for (bm, bc) in self.mro(m, c).into_iter().skip(1) {
                    if let Some((fm, f)) = self.method(bm, bc, name) {
                        return vec![Obj::BoundMethod(fm, f)];
                    }
                }
                vec![Obj::Opaque(format!("super().{name}"))]
            }
            Obj::Class(m, c) => self.class_attr(m, c, name),
            Obj::Val(Value::Unknown { reason }) => vec![Obj::unknown(reason)],
            Obj::Val(v) => vec![Obj::ValMethod(v, name.to_string())],
            Obj::Map(entries) if name == "get" => vec![Obj::MapGet(entries)],
            Obj::Map(entries) if name == "values" => vec![Obj::MapGet(entries)],
            _ => vec![Obj::Opaque(format!(".{name}"))],
        }
    }

    // ---- calls ----

    fn eval_call(&self, m: usize, s: usize, call: Node<'t>) -> Vec<Obj> {
        let Some(func) = call.child_by_field_name("function") else {
            return Vec::new();
        };
        let callees = self.eval(m, s, func);
        callees
            .into_iter()
            .flat_map(|c| self.apply(m, s, call, func, c))
            .collect()
    }

    fn result_reason(&self, m: usize, func: Node<'t>) -> Obj {
        Obj::unknown(format!("result of `{}()`", short(self.text(m, func))))
    }

    fn apply(&self, m: usize, s: usize, call: Node<'t>, func: Node<'t>, callee: Obj) -> Vec<Obj> {
        match callee {
            Obj::Ext(path) => self.ext_apply(m, s, call, func, &path),
            Obj::Func(fm, fs) => self.call_result(m, s, call, fm, fs, 0),
            Obj::BoundMethod(fm, fs) => self.call_result(m, s, call, fm, fs, 1),
            Obj::Class(cm, cc) => vec![Obj::Instance(cm, cc)],
            Obj::Instance(cm, cc) => match self.method(cm, cc, "__call__") {
                Some((fm, fs)) => self.call_result(m, s, call, fm, fs, 1),
                None => vec![self.result_reason(m, func)],
            },
            Obj::SdkMethod { target, name } => {
                let args = self.args(m, call);
                let names = |i: usize, kw: &str| match args.arg(i, kw) {
                    Some(n) => self.values(m, s, n),
                    None => Vec::new(),
                };
                match (*target, name.as_str()) {
                    (Obj::Client(service), "get_paginator") => names(0, "operation_name")
                        .into_iter()
                        .map(|v| match v {
                            Value::Str { value } => Obj::Paginator {
                                service: service.clone(),
                                name: value,
                            },
                            _ => Obj::unknown("paginator with a computed operation name"),
                        })
                        .collect(),
                    (Obj::Client(service), "get_waiter") => names(0, "waiter_name")
                        .into_iter()
                        .map(|v| match v {
                            Value::Str { value } => Obj::Waiter {
                                service: service.clone(),
                                name: value,
                            },
                            _ => Obj::unknown("waiter with a computed name"),
                        })
                        .collect(),
                    _ => vec![Obj::unknown(format!("result of `{name}()`"))],
                }
            }
            Obj::ResAttr {
                service,
                path,
                name,
            } => {
                let args = self.args(m, call);
                let kwarg = |k: &str| args.keyword(k).map(|n| single(self.values(m, s, n)));
                vec![resource_action_result(&service, &path, &name, kwarg)]
            }
            Obj::SubRes {
                service,
                path,
                name,
            } => {
                let args = self.args(m, call);
                let mut slots: Vec<Vec<Value>> = args
                    .positional
                    .iter()
                    .map(|n| self.values(m, s, *n))
                    .collect();
                slots.extend(args.keywords.iter().map(|(_, n)| self.values(m, s, *n)));
                values::product(slots)
                    .into_iter()
                    .map(|step_args| {
                        let mut path = path.clone();
                        path.push(ResourceStep {
                            name: name.clone(),
                            args: step_args,
                        });
                        Obj::Res {
                            service: service.clone(),
                            path,
                        }
                    })
                    .collect()
            }
            Obj::ValMethod(value, name) => self.value_method(m, s, call, &value, &name),
            Obj::MapGet(entries) => {
                let args = self.args(m, call);
                let keys = args
                    .positional
                    .first()
                    .map(|k| self.values(m, s, *k))
                    .unwrap_or_default();
                match keys.as_slice() {
                    [Value::Str { value }] => entries.get(value).cloned().unwrap_or_default(),
                    // `.values()`, or a computed key: any of them.
                    _ => vec![Obj::Seq(entries.into_values().collect())],
                }
            }
            Obj::Val(Value::Unknown { reason }) if values::from_event(&reason) => {
                vec![Obj::unknown(reason)]
            }
            _ => vec![self.result_reason(m, func)],
        }
    }

    fn ext_apply(
        &self,
        m: usize,
        s: usize,
        call: Node<'t>,
        func: Node<'t>,
        path: &str,
    ) -> Vec<Obj> {
        let args = self.args(m, call);
        match ext_call(path) {
            ExtCall::Client | ExtCall::Resource => {
                let services = match args.arg(0, "service_name") {
                    Some(n) => service_refs(self.values(m, s, n)),
                    None => vec![ServiceRef::Dynamic {
                        reason: "no service name given".into(),
                    }],
                };
                services
                    .into_iter()
                    .map(|service| match ext_call(path) {
                        ExtCall::Client => Obj::Client(service),
                        _ => Obj::Res {
                            service,
                            path: Vec::new(),
                        },
                    })
                    .collect()
            }
            ExtCall::Session => vec![Obj::Session],
            ExtCall::Env => {
                let default = args.arg(1, "default").map(|n| single(self.values(m, s, n)));
                let names = match args.arg(0, "key") {
                    Some(n) => self.values(m, s, n),
                    None => Vec::new(),
                };
                names
                    .into_iter()
                    .map(|v| match v {
                        Value::Str { value } => Obj::Val(Value::Env {
                            name: value,
                            default: default.clone().map(Box::new),
                        }),
                        _ => Obj::unknown("environment variable with a computed name"),
                    })
                    .collect()
            }
            ExtCall::Getattr => {
                let (Some(target), Some(name)) = (args.positional.first(), args.positional.get(1))
                else {
                    return vec![Obj::unknown("getattr without a name")];
                };
                let targets = self.eval(m, s, *target);
                let mut out = Vec::new();
                for n in self.values(m, s, *name) {
                    match n {
                        Value::Str { value } => {
                            for t in &targets {
                                out.extend(self.get_attr(t.clone(), &value));
                            }
                        }
                        _ => out.push(Obj::unknown("getattr with a computed name")),
                    }
                }
                if let Some(default) = args.positional.get(2) {
                    out.extend(self.eval(m, s, *default));
                }
                out
            }
            ExtCall::Passthrough => match args.positional.first() {
                Some(n) => self
                    .values(m, s, *n)
                    .into_iter()
                    .map(|v| Obj::Val(values::stringify(v)))
                    .collect(),
                None => vec![Obj::Val(Value::str(""))],
            },
            ExtCall::Partial => match args.positional.first() {
                Some(n) => self.eval(m, s, *n),
                None => Vec::new(),
            },
            ExtCall::Dict => vec![Obj::Val(self.kwargs_object(m, s, &args))],
            ExtCall::Super => {
                // The class of the enclosing method.
                let mut scope = Some(s);
                while let Some(i) = scope {
                    let sc = &self.mods[m].scopes[i];
                    if let Some(class) = sc.class {
                        return vec![Obj::Super(m, class)];
                    }
                    scope = sc.parent;
                }
                vec![Obj::unknown("`super()` outside a method")]
            }
            ExtCall::Other => {
                // A function of event data is still event data (`unquote_plus(key)`,
                // `json.loads(event['body'])`).
                let from_event = args.positional.iter().any(|a| {
                    self.eval(m, s, *a).iter().any(|o| {
                        matches!(o, Obj::Val(Value::Unknown { reason }) if values::from_event(reason))
                    })
                });
                if from_event {
                    vec![Obj::unknown("from the event")]
                } else if path.starts_with("boto3.") || path.starts_with("botocore.") {
                    vec![Obj::Opaque(path.to_string())]
                } else {
                    vec![self.result_reason(m, func)]
                }
            }
        }
    }

    /// Keyword arguments (and `**spreads`) as an object value.
    pub(crate) fn kwargs_object(&self, m: usize, s: usize, args: &Args<'t>) -> Value {
        let mut entries = BTreeMap::new();
        let mut rest = None;
        for spread in &args.double_star {
            match single(self.values(m, s, *spread)) {
                Value::Object {
                    entries: e,
                    rest: r,
                } => {
                    entries.extend(e);
                    if r.is_some() {
                        rest = r;
                    }
                }
                Value::Unknown { reason } => rest = Some(reason),
                _ => rest = Some(format!("`**{}`", short(self.text(m, *spread)))),
            }
        }
        for (k, v) in &args.keywords {
            entries.insert(k.clone(), single(self.values(m, s, *v)));
        }
        Value::Object { entries, rest }
    }

    fn value_method(
        &self,
        m: usize,
        s: usize,
        call: Node<'t>,
        value: &Value,
        name: &str,
    ) -> Vec<Obj> {
        let args = self.args(m, call);
        let vals = |n: Option<&Node<'t>>| n.map_or_else(Vec::new, |n| self.values(m, s, *n));
        let out: Vec<Value> = match (value, name) {
            (Value::Str { value: template }, "format") => {
                let mut slots: Vec<Vec<Value>> = args
                    .positional
                    .iter()
                    .map(|n| self.values(m, s, *n))
                    .collect();
                let n_pos = slots.len();
                slots.push(vec![self.kwargs_object(m, s, &args)]);
                values::product(slots)
                    .into_iter()
                    .map(|row| {
                        let named = row.get(n_pos).cloned().unwrap_or(Value::Object {
                            entries: BTreeMap::new(),
                            rest: None,
                        });
                        values::brace_format(template, row.get(..n_pos).unwrap_or(&[]), &named)
                    })
                    .collect()
            }
            (Value::Str { value: sep }, "join") => vals(args.positional.first())
                .iter()
                .map(|items| values::join(sep, items))
                .collect(),
            (Value::Str { value }, "lower") => vec![Value::str(value.to_lowercase())],
            (Value::Str { value }, "upper") => vec![Value::str(value.to_uppercase())],
            (Value::Str { value }, "strip") => vec![Value::str(value.trim())],
            (Value::Object { entries, rest }, "get") => {
                let default = args
                    .positional
                    .get(1)
                    .map(|n| single(self.values(m, s, *n)));
                vals(args.positional.first())
                    .into_iter()
                    .map(|k| match k.as_str().and_then(|k| entries.get(k)) {
                        Some(v) => v.clone(),
                        None => default.clone().unwrap_or_else(|| {
                            Value::unknown(rest.clone().unwrap_or_else(|| "missing key".into()))
                        }),
                    })
                    .collect()
            }
            (Value::Object { .. }, "copy") => vec![value.clone()],
            _ => vec![Value::unknown(format!("result of `.{name}()`"))],
        };
        out.into_iter().map(Obj::Val).collect()
    }

    // ---- literals and operators ----

    fn string(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let src = self.src(m);
        let mut slots: Vec<Vec<Value>> = Vec::new();
        if node.kind() == "concatenated_string" {
            let mut cursor = node.walk();
            for part in node.named_children(&mut cursor) {
                slots.push(to_values(self.string(m, s, part), || "string".into()));
            }
        } else {
            let mut cursor = node.walk();
            let mut raw = false;
            let mut fstring = false;
            for part in node.named_children(&mut cursor) {
                match part.kind() {
                    "string_start" => {
                        let prefix = text(src, part).to_ascii_lowercase();
                        raw = prefix.contains('r');
                        fstring = prefix.contains('f');
                    }
                    "string_content" => {
                        let mut body = values::unescape(text(src, part), raw);
                        if fstring {
                            body = body.replace("{{", "{").replace("}}", "}");
                        }
                        slots.push(vec![Value::str(body)]);
                    }
                    "interpolation" => {
                        let vals = match part.child_by_field_name("expression") {
                            Some(e) => self.values(m, s, e),
                            None => vec![Value::unknown("empty interpolation")],
                        };
                        slots.push(vals.into_iter().map(values::stringify).collect());
                    }
                    _ => {}
                }
            }
        }
        values::concat_alternatives(slots)
            .into_iter()
            .map(Obj::Val)
            .collect()
    }

    fn sequence(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        if self.depth.get() > MAX_VALUE_DEPTH {
            return vec![Obj::unknown("value nested too deeply")];
        }
        let mut cursor = node.walk();
        let items: Vec<Vec<Obj>> = node
            .named_children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .map(|n| self.eval(m, s, n))
            .collect();
        let plain = items
            .iter()
            .all(|alts| alts.iter().all(|o| matches!(o, Obj::Val(_))));
        if plain {
            let items = items
                .into_iter()
                .map(|alts| single(to_values(alts, || "item".into())))
                .collect();
            vec![Obj::Val(values::bounded(Value::List { items }))]
        } else {
            vec![Obj::Seq(items)]
        }
    }

    fn dictionary(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        if self.depth.get() > MAX_VALUE_DEPTH {
            return vec![Obj::unknown("value nested too deeply")];
        }
        let mut entries = BTreeMap::new();
        let mut rest = None;
        // Dicts holding SDK objects (`CLIENTS = {'s3': boto3.client('s3')}`).
        let mut objects: BTreeMap<String, Vec<Obj>> = BTreeMap::new();
        let mut cursor = node.walk();
        for item in node.named_children(&mut cursor) {
            match item.kind() {
                "pair" => {
                    let (Some(k), Some(v)) = (
                        item.child_by_field_name("key"),
                        item.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    match single(self.values(m, s, k)) {
                        Value::Str { value: key } => {
                            let objs = self.eval(m, s, v);
                            if objs.iter().any(Obj::is_sdk) {
                                objects.insert(key.clone(), objs.clone());
                            }
                            let vals = to_values(objs, || {
                                format!("`{}` is not a plain value", short(self.text(m, v)))
                            });
                            entries.insert(key, single(vals));
                        }
                        _ => {
                            rest = Some(format!("computed key `{}`", short(self.text(m, k))));
                        }
                    }
                }
                "dictionary_splat" => {
                    if let Some(inner) = item.named_child(0) {
                        match single(self.values(m, s, inner)) {
                            Value::Object {
                                entries: e,
                                rest: r,
                            } => {
                                entries.extend(e);
                                if r.is_some() {
                                    rest = r;
                                }
                            }
                            Value::Unknown { reason } => rest = Some(reason),
                            _ => rest = Some(format!("`**{}`", short(self.text(m, inner)))),
                        }
                    }
                }
                _ => {}
            }
        }
        if !objects.is_empty() {
            for (k, v) in entries {
                objects.entry(k).or_insert_with(|| vec![Obj::Val(v)]);
            }
            return vec![Obj::Map(objects)];
        }
        vec![Obj::Val(values::bounded(Value::Object { entries, rest }))]
    }

    fn subscript(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let (Some(value), Some(key)) = (
            node.child_by_field_name("value"),
            node.child_by_field_name("subscript"),
        ) else {
            return vec![Obj::unknown("incomplete subscript")];
        };
        let keys = self.values(m, s, key);
        let mut out = Vec::new();
        for obj in self.eval(m, s, value) {
            for k in &keys {
                out.push(match (&obj, k) {
                    (Obj::Ext(p), Value::Str { value: name }) if p == "os.environ" => {
                        Obj::Val(Value::Env {
                            name: name.clone(),
                            default: None,
                        })
                    }
                    (Obj::Val(Value::Object { entries, rest }), Value::Str { value: name }) => {
                        match entries.get(name) {
                            Some(v) => Obj::Val(v.clone()),
                            None => Obj::unknown(
                                rest.clone()
                                    .unwrap_or_else(|| format!("key `{name}` is not in the dict")),
                            ),
                        }
                    }
                    (Obj::Val(Value::List { items }), Value::Scalar { text: i }) => {
                        match index(i, items.len()).and_then(|i| items.get(i)) {
                            Some(v) => Obj::Val(v.clone()),
                            None => Obj::unknown("list index"),
                        }
                    }
                    (Obj::Map(entries), Value::Str { value: name }) => match entries.get(name) {
                        Some(alts) => {
                            out.extend(alts.iter().cloned());
                            continue;
                        }
                        None => Obj::unknown(format!("key `{name}` is not in the dict")),
                    },
                    (Obj::Map(entries), _) => {
                        out.extend(entries.values().flatten().cloned());
                        continue;
                    }
                    (Obj::Seq(items), Value::Scalar { text: i }) => {
                        match index(i, items.len()).and_then(|i| items.get(i)) {
                            Some(alts) => {
                                out.extend(alts.iter().cloned());
                                continue;
                            }
                            None => Obj::unknown("list index"),
                        }
                    }
                    (Obj::Val(Value::Unknown { reason }), _) => Obj::unknown(reason.clone()),
                    _ => Obj::unknown(format!("`{}`", short(self.text(m, node)))),
                });
            }
        }
        out
    }

    fn boolean(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return Vec::new();
        };
        let op = node
            .child_by_field_name("operator")
            .map_or("", |o| self.text(m, o));
        let rights = self.eval(m, s, right);
        if op == "and" {
            return rights;
        }
        let mut out = Vec::new();
        let mut used_right = false;
        for l in self.eval(m, s, left) {
            match l {
                Obj::Val(Value::Env {
                    name,
                    default: None,
                }) => {
                    let default = single(to_values(rights.clone(), || "default".into()));
                    out.push(Obj::Val(Value::Env {
                        name,
                        default: Some(Box::new(default)),
                    }));
                }
                Obj::Val(Value::Scalar { ref text }) if text == "None" || text == "False" => {
                    used_right = true;
                }
                other => {
                    out.push(other);
                    used_right = true;
                }
            }
        }
        if used_right {
            out.extend(rights);
        }
        out
    }

    fn binary(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return Vec::new();
        };
        let op = node
            .child_by_field_name("operator")
            .map_or("", |o| self.text(m, o));
        let lv = self.values(m, s, left);
        let rv = self.values(m, s, right);
        let out: Vec<Value> = match op {
            "+" => {
                let numeric = |vs: &[Value]| vs.iter().all(|v| matches!(v, Value::Scalar { .. }));
                if numeric(&lv) && numeric(&rv) {
                    vec![Value::unknown("arithmetic")]
                } else if let ([Value::List { items: a }], [Value::List { items: b }]) =
                    (lv.as_slice(), rv.as_slice())
                {
                    vec![values::bounded(Value::List {
                        items: a.iter().chain(b).cloned().collect(),
                    })]
                } else {
                    let lv = lv.into_iter().map(values::stringify).collect();
                    let rv = rv.into_iter().map(values::stringify).collect();
                    values::concat_alternatives(vec![lv, rv])
                }
            }
            "%" => {
                let mut out = Vec::new();
                for l in &lv {
                    for r in &rv {
                        out.push(match l {
                            Value::Str { value } => values::percent_format(value, r),
                            Value::Unknown { reason } => Value::unknown(reason.clone()),
                            _ => Value::unknown("`%` of a non-literal template"),
                        });
                    }
                }
                out
            }
            _ => vec![Value::unknown(format!("result of `{op}`"))],
        };
        out.into_iter().map(Obj::Val).collect()
    }
}

/// Item `i` of an unpacked value (`a, b = value`).
fn unpack(o: Obj, i: usize, name: &str) -> Vec<Obj> {
    match o {
        Obj::Val(Value::List { items }) => {
            items.get(i).cloned().map(Obj::Val).into_iter().collect()
        }
        Obj::Seq(items) => items.get(i).cloned().unwrap_or_default(),
        Obj::Val(Value::Unknown { reason }) => vec![Obj::unknown(reason)],
        _ => vec![Obj::unknown(format!("unpacked into `{name}`"))],
    }
}

/// Python index text (`0`, `-1`) into a position.
fn index(text: &str, len: usize) -> Option<usize> {
    let i: i64 = text.trim().parse().ok()?;
    if i < 0 {
        len.checked_sub(usize::try_from(-i).ok()?)
    } else {
        usize::try_from(i).ok()
    }
}

/// The plain values among `objs` (others become one unknown with `reason`).
pub(crate) fn to_values(objs: Vec<Obj>, reason: impl FnOnce() -> String) -> Vec<Value> {
    let mut out = Vec::new();
    let mut other = false;
    for o in objs {
        match o {
            Obj::Val(v) => out.push(v),
            _ => other = true,
        }
    }
    if other || out.is_empty() {
        out.push(Value::unknown(reason()));
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_ALTERNATIVES {
        let n = out.len();
        return vec![Value::unknown(format!("one of {n} possible values"))];
    }
    out
}

/// One value from alternatives: the value itself, or unknown when they differ.
pub(crate) fn single(mut vals: Vec<Value>) -> Value {
    match vals.len() {
        0 => Value::unknown("no value"),
        1 => vals.remove(0),
        n => Value::unknown(format!("one of {n} possible values")),
    }
}

/// Source text trimmed to one short line, for messages.
pub(crate) fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > 60 {
        let cut: String = line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        line.to_string()
    }
}
