//! Turning evaluated call sites into facts: the SDK calls each function makes (with
//! their request parameters), the local functions it calls or passes along, and the
//! diagnostics for what cannot be resolved.

use std::collections::{BTreeMap, BTreeSet};

use crate::syntax::Node;

use super::eval::{Eval, normalize, short, single};
use super::objects::{NON_API_CLIENT_METHODS, Obj, is_load_attribute};
use super::scope::{MethodKind, ScopeKind};
use super::values;
use crate::facts::{
    CallKind, Code, Diagnostic, Level, Location, ResourceStep, Sdk, SdkCall, ServiceRef, Value,
};
use crate::program::{FunctionFacts, FunctionId};

/// Per-function facts being collected, keyed by scope index.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub calls: BTreeMap<usize, BTreeSet<SdkCall>>,
    pub callees: BTreeMap<usize, BTreeSet<FunctionId>>,
    pub diagnostics: BTreeMap<usize, BTreeSet<Diagnostic>>,
}

/// A call's source text on one line, at most 120 chars.
fn call_text(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 120 {
        let cut: String = one_line.chars().take(117).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

/// Receivers whose names suggest an AWS SDK object.
const SDK_NAMES: &[&str] = &[
    "athena",
    "boto",
    "bucket",
    "client",
    "cloudwatch",
    "cognito",
    "ddb",
    "dynamo",
    "ec2",
    "eventbridge",
    "events",
    "firehose",
    "glue",
    "kinesis",
    "kms",
    "lambda",
    "logs",
    "paginator",
    "queue",
    "resource",
    "s3",
    "secrets",
    "ses",
    "sfn",
    "sns",
    "sqs",
    "ssm",
    "states",
    "sts",
    "table",
    "topic",
    "waiter",
];

/// Method name prefixes typical of boto3 operations.
const SDK_VERBS: &[&str] = &[
    "batch_",
    "create_",
    "delete_",
    "describe_",
    "download_",
    "generate_presigned",
    "get_item",
    "get_object",
    "get_parameter",
    "get_secret",
    "get_query",
    "invoke",
    "list_",
    "paginate",
    "publish",
    "put_",
    "query",
    "receive_message",
    "scan",
    "send_",
    "start_",
    "stop_",
    "transact_",
    "update_",
    "upload_",
];

fn looks_like_sdk(receiver: &str, method: &str) -> bool {
    if method.starts_with('_') || method.chars().any(|c| c.is_ascii_uppercase()) {
        return false;
    }
    let verb = SDK_VERBS.iter().any(|v| method.starts_with(v));
    let snake = method.contains('_');
    // Two of the three (a verb, a snake_case name, a receiver named like an SDK object):
    // the receiver's name is looked at only when it decides.
    if verb && snake {
        return true;
    }
    if !verb && !snake {
        return false;
    }
    named_like_sdk(receiver)
}

/// Whether a receiver's last part (`s3` in `self.s3`) is named like an SDK object.
fn named_like_sdk(receiver: &str) -> bool {
    let last = receiver
        .rsplit('.')
        .next()
        .unwrap_or(receiver)
        .to_ascii_lowercase();
    SDK_NAMES.iter().any(|n| last.contains(n))
}

struct Ctx<'e, 'a, 't> {
    eval: &'e Eval<'a, 't>,
    m: usize,
    rel: &'e str,
    out: Collected,
}

/// Collect the facts of module `m`.
pub(crate) fn collect(eval: &Eval<'_, '_>, m: usize) -> Collected {
    let ir = &eval.mods[m];
    let mut cx = Ctx {
        eval,
        m,
        rel: &ir.rel,
        out: Collected::default(),
    };
    for (scope, call) in ir.calls() {
        // A helper called from several places with different clients or values
        // reports its calls once per call site.
        let fact = ir.scopes.get(scope).map_or(0, |s| s.fact);
        let sites = eval.contexts(m, fact);
        if sites.is_empty() {
            cx.call(scope, call);
        } else {
            for site in sites {
                eval.with_site(m, fact, site, || cx.call(scope, call));
            }
        }
    }
    for (scope, node, called) in ir.refs() {
        cx.reference(scope, node, called);
    }
    for &(scope, def) in &ir.registered {
        let id = cx.function_id(m, def);
        cx.edge(scope, id);
    }
    for &(scope, def, expr) in &ir.decorated {
        // `@with_retries` / `@retry(3)` defined locally: calling the function runs the
        // decorator's wrapper, so the wrapper is reachable from it.
        for o in eval.eval(m, scope, expr) {
            if let Obj::Func(dm, ds) = o {
                let mut wrapped = false;
                for r in eval.function_returns(dm, ds) {
                    if let Obj::Func(wm, ws) = r {
                        let id = cx.function_id(wm, ws);
                        cx.edge(def, id);
                        wrapped = true;
                    }
                }
                if !wrapped {
                    let id = cx.function_id(dm, ds);
                    cx.edge(def, id);
                }
            }
        }
    }
    for (scope, file) in &ir.loads {
        if eval.by_file.contains_key(file) {
            cx.out
                .callees
                .entry(*scope)
                .or_default()
                .insert(FunctionId::module_scope(file));
        }
    }
    cx.out
}

impl<'t> Ctx<'_, '_, 't> {
    fn fact(&self, scope: usize) -> usize {
        self.eval.mods[self.m]
            .scopes
            .get(scope)
            .map_or(0, |s| s.fact)
    }

    fn function_id(&self, fm: usize, fs: usize) -> Option<FunctionId> {
        let ir = self.eval.mods.get(fm)?;
        let fact = ir.scopes.get(fs)?.fact;
        Some(FunctionId::new(&ir.rel, &ir.scopes.get(fact)?.qualname))
    }

    fn edge(&mut self, scope: usize, target: Option<FunctionId>) {
        if let Some(id) = target {
            let fact = self.fact(scope);
            self.out.callees.entry(fact).or_default().insert(id);
        }
    }

    fn diag(&mut self, scope: usize, code: Code, message: String, node: Node<'_>) {
        let fact = self.fact(scope);
        let loc = node.location(self.rel, self.eval.src(self.m));
        self.out
            .diagnostics
            .entry(fact)
            .or_default()
            .insert(Diagnostic::new(Level::Warning, code, message, Some(loc)));
    }

    fn report(
        &mut self,
        scope: usize,
        call: Node<'t>,
        service: ServiceRef,
        kind: CallKind,
        params: Value,
        positional: Vec<Value>,
    ) {
        let src = self.eval.src(self.m);
        let text = call_text(self.eval.text(self.m, call));
        if let ServiceRef::Dynamic { reason } = &service {
            self.diag(
                scope,
                Code::DynamicService,
                format!(
                    "the AWS service of `{}` is not known statically ({reason}); its permissions cannot be derived",
                    short(&text)
                ),
                call,
            );
        }
        let fact = self.fact(scope);
        self.out.calls.entry(fact).or_default().insert(SdkCall {
            location: call.location(self.rel, src),
            sdk: Sdk::Boto3,
            service,
            call: kind,
            params,
            positional,
            text,
        });
    }

    /// Keyword arguments and spreads (as alternatives of the params object) and
    /// positional arguments.
    fn request(&self, scope: usize, call: Node<'t>) -> Vec<(Value, Vec<Value>)> {
        let eval = self.eval;
        let m = self.m;
        let args = eval.args(m, call);
        let mut slots: Vec<Vec<Value>> = Vec::new();
        for (_, v) in &args.keywords {
            slots.push(eval.values(m, scope, *v));
        }
        for spread in &args.double_star {
            slots.push(eval.values(m, scope, *spread));
        }
        for p in &args.positional {
            slots.push(eval.values(m, scope, *p));
        }
        let n_kw = args.keywords.len();
        let n_spread = args.double_star.len();
        values::product(slots)
            .into_iter()
            .map(|row| {
                let mut entries = BTreeMap::new();
                let mut rest = None;
                for (i, v) in row.iter().enumerate().skip(n_kw).take(n_spread) {
                    match v {
                        Value::Object {
                            entries: e,
                            rest: r,
                        } => {
                            entries.extend(e.clone());
                            if r.is_some() {
                                rest.clone_from(r);
                            }
                        }
                        Value::Unknown { .. } | Value::Event { .. } => {
                            rest = values::not_literal(v);
                        }
                        _ => {
                            let node = args.double_star.get(i - n_kw);
                            rest = Some(format!(
                                "`**{}` is not a dict",
                                node.map_or(String::new(), |n| short(eval.text(m, *n)))
                            ));
                        }
                    }
                }
                for ((k, _), v) in args.keywords.iter().zip(row.iter()) {
                    entries.insert((*k).to_string(), v.clone());
                }
                if args.star {
                    rest.get_or_insert_with(|| "`*args` spread".to_string());
                }
                let positional = row.get(n_kw + n_spread..).unwrap_or(&[]).to_vec();
                (Value::Object { entries, rest }, positional)
            })
            .collect()
    }

    fn call(&mut self, scope: usize, call: Node<'t>) {
        let Some(func) = call.child_by_field_name("function") else {
            return;
        };
        let eval = self.eval;
        let m = self.m;
        let callees = eval.eval(m, scope, func);
        let mut sdk_seen = false;
        for callee in &callees {
            match callee {
                Obj::SdkMethod { target, name } => {
                    sdk_seen = true;
                    self.sdk_method(scope, call, target, name);
                }
                Obj::ResAttr {
                    service,
                    path,
                    name,
                } => {
                    sdk_seen = true;
                    for (params, positional) in self.request(scope, call) {
                        self.report(
                            scope,
                            call,
                            service.clone(),
                            CallKind::Resource {
                                path: path.clone(),
                                method: name.clone(),
                            },
                            params,
                            positional,
                        );
                    }
                }
                Obj::Func(fm, fs) | Obj::BoundMethod(fm, fs) => {
                    let id = self.function_id(*fm, *fs);
                    self.edge(scope, id);
                }
                Obj::Class(cm, cc) => {
                    if let Some((im, init)) = eval.method(*cm, *cc, "__init__") {
                        let id = self.function_id(im, init);
                        self.edge(scope, id);
                    }
                }
                Obj::Instance(cm, cc) => {
                    if let Some((im, f)) = eval.method(*cm, *cc, "__call__") {
                        let id = self.function_id(im, f);
                        self.edge(scope, id);
                    }
                }
                Obj::Ext(path) if path == "getattr" => self.getattr(scope, call),
                Obj::Ext(path) if path == "importlib.import_module" || path == "__import__" => {
                    self.diag(
                        scope,
                        Code::DynamicImport,
                        format!(
                            "`{}` imports a module at run time; it is not followed, so the calls it makes are not analysed",
                            short(eval.text(m, call))
                        ),
                        call,
                    );
                }
                _ => {}
            }
        }
        if !sdk_seen && func.kind() == "attribute" {
            self.unresolved(scope, call, func);
        }
    }

    fn getattr(&mut self, scope: usize, call: Node<'t>) {
        let args = self.eval.args(self.m, call);
        let (Some(target), Some(name)) = (args.positional.first(), args.positional.get(1)) else {
            return;
        };
        let targets = self.eval.eval(self.m, scope, *target);
        let names = self.eval.values(self.m, scope, *name);
        if !targets.iter().any(Obj::is_sdk) {
            self.dynamic_dispatch(scope, &targets, &names);
            return;
        }
        for v in names {
            if v.as_str().is_none() {
                let reason =
                    values::not_literal(&v).unwrap_or_else(|| "not a string literal".into());
                self.diag(
                    scope,
                    Code::DynamicMethod,
                    format!(
                        "`getattr({}, …)` calls an AWS SDK method whose name is computed ({reason}); its permissions cannot be derived",
                        short(self.eval.text(self.m, *target))
                    ),
                    call,
                );
            }
        }
    }

    /// `getattr(self, f"handle_{action}")`: any method of the class (or function of the
    /// module) with the name's literal prefix may be called.
    fn dynamic_dispatch(&mut self, scope: usize, targets: &[Obj], names: &[Value]) {
        let eval = self.eval;
        let prefixes: Vec<String> = names
            .iter()
            .filter(|v| v.as_str().is_none())
            .map(|v| match v {
                Value::Concat { parts } => parts
                    .first()
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                _ => String::new(),
            })
            .collect();
        if prefixes.is_empty() {
            return;
        }
        for target in targets {
            let candidates: Vec<(usize, usize)> = match target {
                Obj::Instance(cm, cc) | Obj::Class(cm, cc) => eval
                    .mods
                    .get(*cm)
                    .and_then(|ir| ir.scopes.get(*cc))
                    .map(|sc| {
                        sc.bindings
                            .iter()
                            .map(|(name, _)| name)
                            .filter_map(|n| eval.method(*cm, *cc, n))
                            .collect()
                    })
                    .unwrap_or_default(),
                Obj::Module(mi) => eval
                    .mods
                    .get(*mi)
                    .map(|ir| {
                        ir.scopes
                            .iter()
                            .enumerate()
                            .filter(|(_, sc)| {
                                sc.kind == ScopeKind::Function && sc.parent == Some(0)
                            })
                            .map(|(i, _)| (*mi, i))
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            for (fm, fs) in candidates {
                let Some(name) = eval.mods.get(fm).and_then(|ir| ir.scopes.get(fs)) else {
                    continue;
                };
                if prefixes.iter().any(|p| name.name.starts_with(p.as_str())) {
                    let id = self.function_id(fm, fs);
                    self.edge(scope, id);
                }
            }
        }
    }

    /// A method call on something unresolved that looks like an SDK object.
    fn unresolved(&mut self, scope: usize, call: Node<'t>, func: Node<'t>) {
        let (Some(obj), Some(attr)) = (
            func.child_by_field_name("object"),
            func.child_by_field_name("attribute"),
        ) else {
            return;
        };
        let receiver = self.eval.text(self.m, obj);
        let method = self.eval.text(self.m, attr);
        if !looks_like_sdk(receiver, method) {
            return;
        }
        let objs = self.eval.eval(self.m, scope, obj);
        let mut reasons = BTreeSet::new();
        for o in &objs {
            match o {
                Obj::Val(Value::Unknown { reason }) if !values::from_event(reason) => {
                    reasons.insert(reason.clone());
                }
                _ => return,
            }
        }
        let why = if reasons.is_empty() {
            "it is never assigned".to_string()
        } else {
            reasons.into_iter().collect::<Vec<_>>().join("; ")
        };
        let hint = if why.starts_with("function parameter") {
            ", and no call site in the analysed code passes it"
        } else {
            ""
        };
        self.diag(
            scope,
            Code::UnresolvedClient,
            format!(
                "cannot tell which AWS client `{}` is in `{}.{method}(…)`: {why}{hint}; its permissions cannot be derived",
                short(receiver),
                short(receiver)
            ),
            call,
        );
    }

    fn sdk_method(&mut self, scope: usize, call: Node<'t>, target: &Obj, name: &str) {
        let eval = self.eval;
        let m = self.m;
        match target {
            Obj::Client(service) => {
                if NON_API_CLIENT_METHODS.contains(&name) {
                    return;
                }
                match name {
                    "generate_presigned_url" => self.presign_url(scope, call, service),
                    "generate_presigned_post" => {
                        let args = eval.args(m, call);
                        let mut entries = BTreeMap::new();
                        for (i, key) in ["Bucket", "Key"].into_iter().enumerate() {
                            if let Some(n) = args.arg(i, key) {
                                entries.insert(key.to_string(), single(eval.values(m, scope, n)));
                            }
                        }
                        self.report(
                            scope,
                            call,
                            service.clone(),
                            CallKind::Presign {
                                name: "put_object".into(),
                            },
                            Value::Object {
                                entries,
                                rest: None,
                            },
                            Vec::new(),
                        );
                    }
                    _ => {
                        for (params, positional) in self.request(scope, call) {
                            self.report(
                                scope,
                                call,
                                service.clone(),
                                CallKind::Method {
                                    name: name.to_string(),
                                },
                                params,
                                positional,
                            );
                        }
                    }
                }
            }
            Obj::Paginator {
                service,
                name: operation,
            } if name == "paginate" => {
                for (params, positional) in self.request(scope, call) {
                    self.report(
                        scope,
                        call,
                        service.clone(),
                        CallKind::Paginator {
                            name: operation.clone(),
                        },
                        params,
                        positional,
                    );
                }
            }
            Obj::Waiter {
                service,
                name: waiter,
            } if name == "wait" => {
                for (params, positional) in self.request(scope, call) {
                    self.report(
                        scope,
                        call,
                        service.clone(),
                        CallKind::Waiter {
                            name: waiter.clone(),
                        },
                        params,
                        positional,
                    );
                }
            }
            _ => {}
        }
    }

    fn presign_url(&mut self, scope: usize, call: Node<'t>, service: &ServiceRef) {
        let eval = self.eval;
        let m = self.m;
        let args = eval.args(m, call);
        let names = match args.arg(0, "ClientMethod") {
            Some(n) => eval.values(m, scope, n),
            None => vec![Value::unknown("no ClientMethod given")],
        };
        let params = match args.arg(1, "Params") {
            Some(n) => eval.values(m, scope, n),
            None => vec![Value::Object {
                entries: BTreeMap::new(),
                rest: None,
            }],
        };
        for name in names {
            let Value::Str { value: name } = name else {
                let reason =
                    values::not_literal(&name).unwrap_or_else(|| "not a string literal".into());
                self.diag(
                    scope,
                    Code::DynamicMethod,
                    format!(
                        "`generate_presigned_url` signs a method whose name is computed ({reason}); its permissions cannot be derived"
                    ),
                    call,
                );
                continue;
            };
            for p in &params {
                let p = match p {
                    Value::Unknown { reason } => Value::Object {
                        entries: BTreeMap::new(),
                        rest: Some(reason.clone()),
                    },
                    other => other.clone(),
                };
                self.report(
                    scope,
                    call,
                    service.clone(),
                    CallKind::Presign { name: name.clone() },
                    p,
                    Vec::new(),
                );
            }
        }
    }

    /// A name reference: a function passed along or stored (a callback) is an edge; a
    /// loaded attribute of a resource is a `load` request.
    fn reference(&mut self, scope: usize, node: Node<'t>, called: bool) {
        let eval = self.eval;
        let m = self.m;
        // Walk an attribute chain from its base: any read of a loaded attribute of a
        // resource sends the load request (`obj.metadata.get(...)`).
        let mut chain = Vec::new();
        let mut base = node;
        while base.kind() == "attribute" {
            let Some(obj) = base.child_by_field_name("object") else {
                return;
            };
            chain.push(base);
            base = obj;
        }
        let mut objs = eval.eval(m, scope, base);
        let levels = chain.len();
        for (i, level) in chain.into_iter().rev().enumerate() {
            let Some(attr) = level.child_by_field_name("attribute") else {
                return;
            };
            let name = eval.text(m, attr);
            // The last attribute's value is only wanted when it is called (it may be a
            // function); the checks below look only at what it is read from. A plain
            // read such as `x = self.message` would otherwise evaluate the attribute in
            // full: in a class hierarchy, the union of what every call site of the
            // constructor that sets it passes.
            let wanted = called || i + 1 < levels;
            let mut next = Vec::new();
            for o in objs {
                if let Obj::Res { service, path } = &o
                    && is_load_attribute(path, name)
                {
                    self.report_load(scope, level, service.clone(), path.clone());
                }
                // Reading a property calls its getter.
                if let Obj::Instance(cm, cc) = &o
                    && let Some((pm, pf)) = eval.method(*cm, *cc, name)
                    && eval.mods[pm].scopes[pf].method_kind == MethodKind::Property
                {
                    let id = self.function_id(pm, pf);
                    self.edge(scope, id);
                }
                if wanted {
                    next.extend(eval.get_attr(o, name));
                }
            }
            objs = normalize(next);
        }
        if !called {
            return;
        }
        for o in objs {
            if let Obj::Func(fm, fs) | Obj::BoundMethod(fm, fs) = o {
                let id = self.function_id(fm, fs);
                self.edge(scope, id);
            }
        }
    }

    fn report_load(
        &mut self,
        scope: usize,
        node: Node<'t>,
        service: ServiceRef,
        path: Vec<ResourceStep>,
    ) {
        self.report(
            scope,
            node,
            service,
            CallKind::Resource {
                path,
                method: "load".into(),
            },
            Value::Object {
                entries: BTreeMap::new(),
                rest: None,
            },
            Vec::new(),
        );
    }
}

/// Assemble the collected facts of module `m` into its functions.
pub(crate) fn functions(
    eval: &Eval<'_, '_>,
    m: usize,
    mut collected: Collected,
) -> BTreeMap<String, FunctionFacts> {
    let ir = &eval.mods[m];
    let mut out: BTreeMap<String, FunctionFacts> = BTreeMap::new();
    for (idx, scope) in ir.scopes.iter().enumerate() {
        if scope.kind == ScopeKind::Class {
            continue;
        }
        let location = if scope.kind == ScopeKind::Module {
            Location {
                file: ir.rel.clone(),
                line: 1,
                column: 1,
            }
        } else {
            scope.node.location(&ir.rel, ir.src)
        };
        let calls = collected.calls.remove(&idx).unwrap_or_default();
        let mut callees = collected.callees.remove(&idx).unwrap_or_default();
        let own = FunctionId::new(&ir.rel, &scope.qualname);
        callees.remove(&own);
        let diagnostics = collected.diagnostics.remove(&idx).unwrap_or_default();
        let entry = out
            .entry(scope.qualname.clone())
            .or_insert_with(|| FunctionFacts {
                id: own.clone(),
                location,
                calls: Vec::new(),
                callees: BTreeSet::new(),
                diagnostics: Vec::new(),
            });
        entry.calls.extend(calls);
        entry.callees.extend(callees);
        entry.diagnostics.extend(diagnostics);
        entry.calls.sort();
        entry.calls.dedup();
        super::sort_diagnostics(&mut entry.diagnostics);
    }
    out
}

/// Exported names of module `m`: top-level defs, and top-level names bound to a
/// function (`handler = make_handler()`, `from .impl import handler`). A name bound to
/// a function of another module gets a small alias function calling it.
pub(crate) fn exports(
    eval: &Eval<'_, '_>,
    m: usize,
    functions: &mut BTreeMap<String, FunctionFacts>,
) -> BTreeMap<String, String> {
    let ir = &eval.mods[m];
    let module = &ir.scopes[0];
    let mut out = BTreeMap::new();
    for (name, binds) in module.bindings.iter() {
        let objs = eval.lookup(m, 0, name);
        let mut targets = BTreeSet::new();
        for o in objs {
            // A callable instance (`handler = Handler()`) is its `__call__`.
            let o = match o {
                Obj::Instance(cm, cc) => match eval.method(cm, cc, "__call__") {
                    Some((fm, fs)) => Obj::BoundMethod(fm, fs),
                    None => continue,
                },
                other => other,
            };
            if let Obj::Func(fm, fs) | Obj::BoundMethod(fm, fs) = o
                && let Some(ir2) = eval.mods.get(fm)
                && let Some(scope) = ir2.scopes.get(fs)
                && let Some(fact) = ir2.scopes.get(scope.fact)
            {
                targets.insert((fm, fact.qualname.clone()));
            }
        }
        if targets.is_empty() {
            continue;
        }
        let local: Vec<&String> = targets
            .iter()
            .filter(|(fm, _)| *fm == m)
            .map(|(_, q)| q)
            .collect();
        if targets.len() == 1
            && let Some(q) = local.first()
        {
            out.insert(name.to_string(), (*q).clone());
            continue;
        }
        if functions.contains_key(name) {
            continue;
        }
        let node = binds
            .iter()
            .find_map(|b| match b.kind {
                super::scope::BindKind::Expr(n) => Some(n),
                _ => None,
            })
            .unwrap_or(ir.scopes[0].node);
        let loc = if node.kind() == "module" {
            Location {
                file: ir.rel.clone(),
                line: 1,
                column: 1,
            }
        } else {
            node.location(&ir.rel, ir.src)
        };
        let callees = targets
            .iter()
            .filter_map(|(fm, q)| eval.mods.get(*fm).map(|i| FunctionId::new(&i.rel, q)))
            .collect();
        functions.insert(
            name.to_string(),
            FunctionFacts {
                id: FunctionId::new(&ir.rel, name),
                location: loc,
                calls: Vec::new(),
                callees,
                diagnostics: Vec::new(),
            },
        );
        out.insert(name.to_string(), name.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rule as stated: a method that is not private nor capitalised, and two of
    /// the three (a verb, a snake_case name, a receiver named like an SDK object).
    fn two_of_three(receiver: &str, method: &str) -> bool {
        let parts = [
            named_like_sdk(receiver),
            SDK_VERBS.iter().any(|v| method.starts_with(v)),
            method.contains('_'),
        ];
        !method.starts_with('_')
            && !method.chars().any(|c| c.is_ascii_uppercase())
            && parts.iter().filter(|&&p| p).count() >= 2
    }

    #[test]
    fn sdk_looking_calls() {
        for (receiver, method, expected) in [
            ("self.s3_client", "head_bucket", true),
            ("helper", "put_item", true),
            ("self.Table", "scan", true),
            ("self.backend", "create_bucket", true),
            ("json", "loads", false),
            ("items", "append", false),
            ("self.helper", "do_work", false),
            ("client", "_private_call", false),
            ("client", "Upper_case", false),
        ] {
            assert_eq!(
                looks_like_sdk(receiver, method),
                expected,
                "{receiver}.{method}"
            );
        }
    }

    proptest! {
        /// Looking at the receiver only when it decides gives the rule's answer.
        #[test]
        fn the_receiver_is_read_only_when_it_decides(
            receiver in "(self\\.)?(s3|ddb|Client|helper|x|table_x)(_[a-z]{1,3})?",
            method in "_?(put_|get_object|scan|query|append|do_|loads|Upper)[a-z_]{0,4}",
        ) {
            prop_assert_eq!(looks_like_sdk(&receiver, &method), two_of_three(&receiver, &method));
        }
    }
}
