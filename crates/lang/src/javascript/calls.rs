//! Call sites: local functions (call edges, callbacks, factories), class
//! instantiation, and dispatch of SDK calls to `sdk_v2`/`sdk_v3`. Method calls on
//! parameters are kept as [`Pending`] for linking.

use crate::syntax::Node;

use crate::program::FunctionId;

use super::functions::is_function;
use super::resolve::require_or_import;
use super::scope::{Analyzer, Binding, Pending, UploadSite};
use super::values::{Abs, Site, join};
use super::{sdk_v2, sdk_v3};
use crate::facts::{Code, Value};

/// Receiver names that suggest an AWS client (for `unresolved-client`).
pub(crate) fn looks_like_client(receiver: &str) -> bool {
    let last = receiver
        .rsplit(['.', ' '])
        .next()
        .unwrap_or(receiver)
        .trim_start_matches('_')
        .to_ascii_lowercase();
    last.ends_with("client")
        || matches!(
            last.as_str(),
            "s3" | "ddb"
                | "dynamodb"
                | "dynamo"
                | "docclient"
                | "documentclient"
                | "sqs"
                | "sns"
                | "ses"
                | "lambda"
                | "kinesis"
                | "firehose"
                | "sfn"
                | "stepfunctions"
                | "kms"
                | "ssm"
                | "secretsmanager"
                | "eventbridge"
                | "cloudwatch"
                | "athena"
                | "sts"
                | "cognito"
        )
}

/// `Array.prototype.join` and `String.prototype.concat` on known values.
fn string_method(recv: &Abs, name: &str, args: &[Abs]) -> Option<Abs> {
    use super::values::{as_concat_part, concat};
    use crate::facts::Value;
    let stringy = |v: &Value| {
        matches!(
            v,
            Value::Str { .. } | Value::Concat { .. } | Value::Env { .. }
        )
    };
    match (recv, name) {
        (Abs::Arr(items), "join") => {
            let sep = match args.first().map(Abs::to_value) {
                None => Value::str(","),
                Some(v @ Value::Str { .. }) => v,
                Some(_) => return None,
            };
            let mut parts = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    parts.push(sep.clone());
                }
                parts.push(as_concat_part(item.to_value()));
            }
            Some(Abs::Val(concat(parts)))
        }
        (Abs::Val(v), "concat") if stringy(v) => {
            let mut parts = vec![v.clone()];
            parts.extend(args.iter().map(|a| as_concat_part(a.to_value())));
            Some(Abs::Val(concat(parts)))
        }
        _ => None,
    }
}

/// Array methods that call their callback with each item first.
fn is_iteration(name: &str) -> bool {
    matches!(
        name,
        "map" | "forEach" | "filter" | "flatMap" | "some" | "every" | "find" | "findLast"
    )
}

/// Whether a value is, or is built from, something read from the event.
fn from_event(v: &Value) -> Option<&str> {
    match v {
        Value::Event { path } => Some(path),
        Value::Concat { parts } => parts.iter().find_map(from_event),
        Value::OneOf { items } => items.iter().find_map(from_event),
        _ => None,
    }
}

/// Global functions that keep a string's shape: `decodeURIComponent(key)` (an S3 event's
/// key is URL-encoded; decoded, it is still the object's key), `String(x)`; and
/// `JSON.parse` of something from the event, whose members this analysis cannot see.
fn builtin_call(callee: &str, args: &[Abs]) -> Option<Abs> {
    let arg = args.first()?;
    match callee {
        "decodeURIComponent" | "decodeURI" | "String" => match arg {
            Abs::Param(_) => Some(arg.clone()),
            Abs::Val(v) => Some(Abs::Val(match v {
                Value::Scalar { text } if callee == "String" => Value::str(text.clone()),
                // Decoding changes a literal's text only where it holds an escape.
                Value::Str { value } if callee != "String" && value.contains('%') => {
                    return None;
                }
                Value::Object { .. } | Value::Map { .. } | Value::List { .. } => return None,
                other => other.clone(),
            })),
            _ => None,
        },
        "JSON.parse" => {
            let why = match arg {
                Abs::Val(v) => match from_event(v) {
                    Some(path) => format!("parsed from the event's `{path}`"),
                    None => return None,
                },
                Abs::Param(p) => format!("parsed from {}", p.reason()),
                _ => return None,
            };
            Some(Abs::unknown(why))
        }
        _ => None,
    }
}

/// String methods that keep the shape of a value read from the event: `.trim()`,
/// `.toString()`, and `.replace(/\+/g, ' ')` (the S3 event encodes a key's spaces as
/// `+`). Other methods on such a value give an unknown that names its path.
fn builtin_method(recv: &Abs, name: &str, args: &[Abs], site: &Site) -> Option<Abs> {
    let plus = matches!(
        site.first_arg.as_str(),
        r"/\+/g" | r"/[+]/g" | "'+'" | "\"+\"" | r"/\+/"
    );
    let keeps = match name {
        "trim" | "toString" | "valueOf" => args.is_empty(),
        "replace" | "replaceAll" => plus,
        _ => false,
    };
    match recv {
        Abs::Val(v) if keeps && from_event(v).is_some() => Some(recv.clone()),
        Abs::Param(_) if keeps => Some(recv.clone()),
        Abs::Val(Value::Str { value }) if name == "trim" && args.is_empty() => {
            Some(Abs::str(value.trim()))
        }
        _ => None,
    }
}

impl<'t> Analyzer<'t> {
    fn eval_args(
        &mut self,
        args: Option<Node<'t>>,
        hint: Option<&str>,
    ) -> (Vec<Abs>, Option<Node<'t>>) {
        self.eval_args_with(args, hint, None)
    }

    /// Arguments, the first inline function among them getting `item` as its first
    /// parameter (an array iteration callback).
    fn eval_args_with(
        &mut self,
        args: Option<Node<'t>>,
        hint: Option<&str>,
        item: Option<Abs>,
    ) -> (Vec<Abs>, Option<Node<'t>>) {
        let mut item = item;
        let Some(args) = args else {
            return (Vec::new(), None);
        };
        if args.kind() == "template_string" {
            let v = self.eval(args);
            return (vec![v], Some(args));
        }
        let mut cursor = args.walk();
        let nodes: Vec<Node<'t>> = args
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect();
        let first = nodes.first().copied();
        let mut hint = hint;
        let mut out = Vec::with_capacity(nodes.len());
        for node in nodes {
            let v = if is_function(node.kind()) && item.is_some() {
                // An iteration callback is part of the function iterating.
                self.callback_item = item.take();
                let v = self.eval(node);
                self.callback_item = None;
                v
            } else if is_function(node.kind()) && hint.is_some() {
                self.eval_named(node, hint.take())
            } else {
                self.eval(node)
            };
            out.push(if node.kind() == "spread_element" {
                Abs::unknown("spread arguments")
            } else {
                v
            });
        }
        (out, first)
    }

    /// Functions passed as arguments may be called: they are callees.
    /// Functions passed as arguments may be called (they are callees), with
    /// arguments this analysis does not see (they escape: see `link.rs`).
    fn callback_edges(&mut self, args: &[Abs]) {
        for a in args {
            let funcs: Vec<&FunctionId> = match a {
                Abs::Func(id) => vec![id],
                Abs::Arr(items) | Abs::OneOf(items) => items
                    .iter()
                    .filter_map(|i| match i {
                        Abs::Func(id) => Some(id),
                        _ => None,
                    })
                    .collect(),
                Abs::Obj(entries, _) => entries
                    .values()
                    .filter_map(|i| match i {
                        Abs::Func(id) => Some(id),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for id in funcs {
                self.add_callee(id.clone());
                self.escaped.insert(id.clone());
            }
        }
    }

    pub fn eval_call(&mut self, node: Node<'t>, hint: Option<&str>) -> Abs {
        if let Some(spec) = require_or_import(node, self.text) {
            return self.require_value(&spec, node);
        }
        let Some(function) = node.child_by_field_name("function") else {
            return Abs::unknown("call");
        };
        let args_node = node.child_by_field_name("arguments");
        if function.kind() == "identifier" && self.text_of(function) == "await" {
            // tree-sitter reads `await (0, f)(x)` as a call of `await`: it is an await
            // of a parenthesised sequence.
            let (args, _) = self.eval_args(args_node, hint);
            return args
                .into_iter()
                .last()
                .unwrap_or_else(|| Abs::unknown("await"));
        }
        match function.kind() {
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    function.child_by_field_name("object"),
                    function.child_by_field_name("property"),
                ) else {
                    return Abs::unknown("call");
                };
                let recv = self.eval(object);
                let name = self.text_of(property).trim_start_matches('#').to_string();
                let item = is_iteration(&name)
                    .then(|| super::functions::item_of(&recv))
                    .flatten();
                let (args, first) = self.eval_args_with(args_node, hint, item);
                let site = self.site(node, Some(object), first);
                self.method_call(recv, &name, args, site)
            }
            "super" => {
                let (args, _) = self.eval_args(args_node, hint);
                self.callback_edges(&args);
                let base = self
                    .cur_ref()
                    .class
                    .clone()
                    .and_then(|c| self.classes.get(&c).and_then(|i| i.base.clone()));
                if let Some(Abs::Class(base)) = base {
                    self.construct_class(&base.file, &base.qual, args, 0);
                }
                Abs::unknown("super")
            }
            _ => {
                let callee = self.eval(function);
                let (args, first) = self.eval_args(args_node, hint);
                let site = self.site(node, None, first);
                let callee_text = super::values::one_line(self.text_of(function), 40);
                self.fn_call(callee, args, site, &callee_text)
            }
        }
    }

    /// The return value of a local function (analysing it first if needed).
    pub fn returns_of(&mut self, id: &FunctionId) -> Abs {
        if id.file() == self.file {
            self.ensure_fn(id.qualname());
            self.returns
                .get(id.qualname())
                .cloned()
                .unwrap_or_else(|| Abs::unknown(format!("result of `{}()`", id.qualname())))
        } else {
            self.deps
                .get(id.file())
                .and_then(|m| m.returns.get(id.qualname()).cloned())
                .unwrap_or_else(|| Abs::unknown(format!("result of `{}()`", id.qualname())))
        }
    }

    fn call_local(&mut self, id: &FunctionId, args: Vec<Abs>) -> Abs {
        self.add_callee(id.clone());
        let ret = self.returns_of(id);
        let ret = super::values::subst(&ret, id, &args);
        if !args.is_empty() {
            self.bindings.push(Binding {
                callee: id.clone(),
                args,
            });
        }
        ret
    }

    pub fn fn_call(&mut self, callee: Abs, args: Vec<Abs>, site: Site, callee_text: &str) -> Abs {
        if let Abs::OneOf(all) = callee {
            return all
                .into_iter()
                .map(|c| self.fn_call(c, args.clone(), site.clone(), callee_text))
                .reduce(join)
                .unwrap_or_else(|| Abs::unknown("nothing"));
        }
        self.callback_edges(&args);
        match &callee {
            Abs::Func(id) => return self.call_local(id, args),
            Abs::V2Class(_) | Abs::V2DocClass | Abs::V2Dynamic(_) => {
                // `AWS.S3()` without `new` constructs too.
                return self.construct(callee, args, site, callee_text);
            }
            Abs::Param(_) => {
                return Abs::unknown(format!("result of `{callee_text}()`"));
            }
            Abs::Val(Value::Unknown { .. }) => {
                if let Some(v) = builtin_call(callee_text, &args) {
                    return v;
                }
            }
            _ => {}
        }
        let mut calls = Vec::new();
        let mut diags = Vec::new();
        if let Some(result) = sdk_v3::function(&callee, &args, &site, &mut calls, &mut diags) {
            self.cur().calls.extend(calls);
            self.cur().diags.extend(diags);
            return result;
        }
        // Wrappers: `middy(handler)`, `captureAWSClient(new S3())`, `tracer.captureAWSv3Client(c)`.
        if let Some(f) = args.iter().find(|a| matches!(a, Abs::Func(_))) {
            return f.clone();
        }
        if let Some(sdk) = args.first().filter(|a| a.is_sdk()) {
            return sdk.clone();
        }
        Abs::unknown(format!("result of `{callee_text}()`"))
    }

    pub fn method_call(&mut self, recv: Abs, name: &str, args: Vec<Abs>, site: Site) -> Abs {
        if let Abs::OneOf(all) = recv {
            return all
                .into_iter()
                .map(|r| self.method_call(r, name, args.clone(), site.clone()))
                .reduce(join)
                .unwrap_or_else(|| Abs::unknown("nothing"));
        }
        if is_iteration(name)
            && let Some(item) = super::functions::item_of(&recv)
        {
            // `event.Records.forEach(handleRecord)`: called with each item, here.
            for f in &args {
                if let Abs::Func(id) = f {
                    self.call_local(&id.clone(), vec![item.clone()]);
                }
            }
            let rest: Vec<Abs> = args
                .iter()
                .filter(|a| !matches!(a, Abs::Func(_)))
                .cloned()
                .collect();
            self.callback_edges(&rest);
        } else {
            self.callback_edges(&args);
        }
        if let Some(v) = builtin_method(&recv, name, &args, &site) {
            return v;
        }
        if recv.is_unknown()
            && site.receiver == "JSON"
            && name == "parse"
            && let Some(v) = builtin_call("JSON.parse", &args)
        {
            return v;
        }
        if let Abs::Func(id) = &recv {
            return match name {
                "call" => self.call_local(id, args.into_iter().skip(1).collect()),
                "apply" => {
                    let list = match args.get(1) {
                        Some(Abs::Arr(items)) => items.clone(),
                        _ => Vec::new(),
                    };
                    self.call_local(id, list)
                }
                "bind" => {
                    self.add_callee(id.clone());
                    recv
                }
                // `middy(handler).use(...)`: still the handler.
                _ => recv,
            };
        }
        // String building: `[prefix, id].join('/')`, `'a'.concat(b)`.
        if let Some(v) = string_method(&recv, name, &args) {
            return v;
        }
        if matches!(
            recv,
            Abs::Obj(..) | Abs::Instance(_) | Abs::Class(_) | Abs::LocalModule(_)
        ) {
            let member = self.member_of(&recv, name);
            match member {
                Abs::Func(_) | Abs::V2Class(_) | Abs::V2DocClass | Abs::V3Export { .. } => {
                    let text = site.receiver.clone();
                    return self.fn_call(member, args, site, &format!("{text}.{name}"));
                }
                _ => {}
            }
        }
        if let Abs::Param(_) = recv {
            if name == "send" && sdk_v3::send(&args, &site, &mut self.cur().calls) {
                return sdk_v3::sent_result(&args);
            }
            self.pendings.push(Pending {
                owner: self.cur_ref().id.clone(),
                site,
                recv,
                method: name.to_string(),
                args,
            });
            return Abs::unknown("result of a call on a function parameter");
        }
        if name == "send" && matches!(args.first(), Some(Abs::Param(_))) {
            self.pendings.push(Pending {
                owner: self.cur_ref().id.clone(),
                site,
                recv,
                method: name.to_string(),
                args,
            });
            return Abs::unknown("result of an AWS call");
        }
        let mut calls = Vec::new();
        let mut diags = Vec::new();
        let mut done = Vec::new();
        let result =
            sdk_v2::method(&recv, name, &args, &site, &mut calls, &mut diags).or_else(|| {
                sdk_v3::method(&recv, name, &args, &site, &mut calls, &mut diags, &mut done)
            });
        if let Some(result) = result {
            self.cur().calls.extend(calls);
            self.cur().diags.extend(diags);
            self.uploads_done.extend(done);
            return result;
        }
        if matches!(recv, Abs::V2Class(_) | Abs::V2DocClass | Abs::V2Dynamic(_)) {
            return Abs::V2Inert;
        }
        // A known command sent through something unresolved: the command names the service.
        if name == "send" && sdk_v3::send(&args, &site, &mut self.cur().calls) {
            return sdk_v3::sent_result(&args);
        }
        let on_event = matches!(recv, Abs::Val(Value::Event { .. }));
        if recv.is_unknown() || on_event {
            let recv_why = match recv.to_value() {
                Value::Unknown { reason } => reason,
                Value::Event { path } => super::values::event_reason(&path),
                _ => "unknown".to_string(),
            };
            let flagged = match (&recv, name) {
                (Abs::UnresolvedCall { receiver, why, .. }, "promise") => {
                    looks_like_client(receiver).then(|| {
                        (
                            receiver.clone(),
                            "an AWS SDK v2 request (`.promise()`)",
                            why.clone(),
                        )
                    })
                }
                (_, "send") => looks_like_client(&site.receiver).then(|| {
                    (
                        site.receiver.clone(),
                        "an AWS SDK v3 `send`",
                        recv_why.clone(),
                    )
                }),
                _ => None,
            };
            if let Some((receiver, what, why)) = flagged {
                let location = Some(site.location.clone());
                self.cur().diags.push(crate::facts::Diagnostic::new(
                    crate::facts::Level::Warning,
                    Code::UnresolvedClient,
                    format!(
                        "`{}` looks like {what}, but `{receiver}` cannot be resolved to an AWS SDK client ({why}); its permissions are not granted",
                        site.text
                    ),
                    location,
                ));
            }
            if let Abs::Val(Value::Event { path }) = &recv {
                return Abs::unknown(format!("result of `.{name}()` on the event's `{path}`"));
            }
            // Wrappers called as methods: `AWSXRay.captureAWSClient(new S3())`.
            if let Some(sdk) = args.first().filter(|a| a.is_sdk()) {
                return sdk.clone();
            }
            if let Some(f) = args.iter().find(|a| matches!(a, Abs::Func(_))) {
                return f.clone();
            }
            return Abs::UnresolvedCall {
                why: recv_why,
                call: format!("{}.{name}", site.receiver),
                receiver: site.receiver,
            };
        }
        Abs::unknown(format!("result of `.{name}()`"))
    }

    pub fn eval_new(&mut self, node: Node<'t>) -> Abs {
        let Some(ctor_node) = node.child_by_field_name("constructor") else {
            return Abs::unknown("new");
        };
        let ctor = self.eval(ctor_node);
        let (args, first) = self.eval_args(node.child_by_field_name("arguments"), None);
        let site = self.site(node, None, first);
        let ctor_text = super::values::one_line(self.text_of(ctor_node), 40);
        self.construct(ctor, args, site, &ctor_text)
    }

    fn construct_class(&mut self, file: &str, qual: &str, args: Vec<Abs>, depth: usize) {
        let ctor = FunctionId::new(file, &format!("{qual}.constructor"));
        let exists = if file == self.file {
            self.ensure_class(qual);
            self.facts.contains_key(ctor.qualname()) || self.defs.contains_key(ctor.qualname())
        } else {
            self.deps
                .get(file)
                .is_some_and(|m| m.functions.contains(ctor.qualname()))
        };
        if exists {
            self.call_local(&ctor, args);
        } else {
            // No constructor of its own: the base class's runs.
            let base = if file == self.file {
                self.classes.get(qual).and_then(|i| i.base.clone())
            } else {
                self.deps
                    .get(file)
                    .and_then(|m| m.classes.get(qual).and_then(|i| i.base.clone()))
            };
            if let Some(Abs::Class(base)) = base
                && (base.file != file || base.qual != qual)
                && depth < 8
            {
                self.construct_class(&base.file.clone(), &base.qual.clone(), args, depth + 1);
            }
        }
    }

    fn construct(&mut self, ctor: Abs, args: Vec<Abs>, site: Site, ctor_text: &str) -> Abs {
        if let Abs::OneOf(all) = ctor {
            return all
                .into_iter()
                .map(|c| self.construct(c, args.clone(), site.clone(), ctor_text))
                .reduce(join)
                .unwrap_or_else(|| Abs::unknown("nothing"));
        }
        self.callback_edges(&args);
        match &ctor {
            Abs::Class(class) => {
                let class = class.clone();
                self.construct_class(&class.file, &class.qual, args, 0);
                return Abs::Instance(class);
            }
            Abs::Func(id) => {
                self.call_local(&id.clone(), args);
                return Abs::unknown(format!("a `{ctor_text}` object"));
            }
            _ => {}
        }
        let mut calls = Vec::new();
        let mut diags = Vec::new();
        if let Some(v) = sdk_v2::construct(&ctor, &args, &site, &mut calls, &mut diags) {
            self.cur().calls.extend(calls);
            self.cur().diags.extend(diags);
            return v;
        }
        if let Some(v) = sdk_v3::construct(&ctor, &args, &mut self.next_upload) {
            if let Abs::V3Upload { id, params } = &v {
                let owner = self.cur_ref().qual.clone();
                self.uploads.push(UploadSite {
                    owner,
                    id: *id,
                    site,
                    params: (**params).clone(),
                });
            }
            return v;
        }
        if ctor_text.ends_with("Command") {
            return Abs::unknown(format!(
                "`{ctor_text}` is not imported from an @aws-sdk package"
            ));
        }
        Abs::unknown(format!("a `{ctor_text}` object"))
    }
}
