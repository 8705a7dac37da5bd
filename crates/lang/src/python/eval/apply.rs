//! Calls: what calling each kind of object gives (local functions, classes, boto3
//! factories, environment reads, `getattr`, string and dict methods).

use super::*;

impl<'t> Eval<'_, 't> {
    pub(super) fn eval_call(&self, m: usize, s: usize, call: Node<'t>) -> Vec<Obj> {
        let Some(func) = call.child_by_field_name("function") else {
            return Vec::new();
        };
        let callees = self.eval(m, s, func);
        callees
            .into_iter()
            .flat_map(|c| self.apply(m, s, call, func, c))
            .collect()
    }

    pub(super) fn result_reason(&self, m: usize, func: Node<'t>) -> Obj {
        Obj::unknown(format!("result of `{}()`", short(self.text(m, func))))
    }

    pub(super) fn apply(
        &self,
        m: usize,
        s: usize,
        call: Node<'t>,
        func: Node<'t>,
        callee: Obj,
    ) -> Vec<Obj> {
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
                    (Obj::Client(ServiceRef::Known { name: service }), _) => {
                        self.sdk_result(m, s, &args, &service, &name)
                    }
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
            Obj::Val(Value::Event { path }) => {
                vec![Obj::Val(values::through_event("calling", &path))]
            }
            _ => vec![self.result_reason(m, func)],
        }
    }

    /// The result of a client call that names an existing resource, as far as it
    /// names it: `get_queue_url(QueueName=q)['QueueUrl']` is that queue's URL,
    /// `get_function(FunctionName=f)['Configuration']['FunctionArn']` that function's
    /// ARN. Anything else a call returns (paginated `List*` items) is unknown.
    fn sdk_result(
        &self,
        m: usize,
        s: usize,
        args: &Args<'t>,
        service: &str,
        name: &str,
    ) -> Vec<Obj> {
        let reason = format!("result of `{name}()`");
        let kwarg = |k: &str| args.keyword(k).map(|n| self.values(m, s, n));
        let partly = |entries: Vec<(&str, Value)>| Value::Object {
            entries: entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            rest: Some(reason.clone()),
        };
        match (service, name) {
            ("sqs", "get_queue_url") => match kwarg("QueueName") {
                Some(names) => names
                    .into_iter()
                    .map(|q| {
                        let url = if args.keyword("QueueOwnerAWSAccountId").is_some() {
                            // Another account's queue: its URL names that account, which
                            // the deployment's would not be.
                            Value::unknown("the URL of a queue of another account")
                        } else {
                            values::queue_url(q)
                        };
                        Obj::Val(partly(vec![("QueueUrl", url)]))
                    })
                    .collect(),
                None => vec![Obj::unknown(reason)],
            },
            ("lambda", "get_function" | "get_function_configuration") => {
                match kwarg("FunctionName") {
                    Some(names) => names
                        .into_iter()
                        .map(|f| {
                            let config = partly(vec![
                                ("FunctionArn", values::function_arn(f.clone())),
                                ("FunctionName", f),
                            ]);
                            Obj::Val(if name == "get_function" {
                                partly(vec![("Configuration", config)])
                            } else {
                                config
                            })
                        })
                        .collect(),
                    None => vec![Obj::unknown(reason)],
                }
            }
            _ => vec![Obj::unknown(reason)],
        }
    }

    pub(super) fn ext_apply(
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
            // `urllib.parse.unquote_plus(key)`: the same text, decoded.
            ExtCall::Unquote { plus } => match args.positional.first() {
                Some(n) => self
                    .values(m, s, *n)
                    .into_iter()
                    .map(|v| Obj::Val(values::unquote(v, plus)))
                    .collect(),
                None => vec![self.result_reason(m, func)],
            },
            // `random.choice([...])`: any of the items.
            ExtCall::Choice => match args.positional.first() {
                Some(n) => self
                    .eval(m, s, *n)
                    .into_iter()
                    .flat_map(|o| match o {
                        Obj::Val(Value::List { items }) if !items.is_empty() => {
                            items.into_iter().map(Obj::Val).collect()
                        }
                        Obj::Seq(items) if !items.is_empty() => {
                            items.into_iter().flatten().collect()
                        }
                        Obj::Val(v @ Value::Event { .. }) => {
                            v.event_item().map(Obj::Val).into_iter().collect()
                        }
                        _ => vec![self.result_reason(m, func)],
                    })
                    .collect(),
                None => vec![self.result_reason(m, func)],
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
                // A function of event data is still from the event, but no longer a
                // path into it: `json.loads(record['body'])` is parsed from the body.
                let vals: Vec<Value> = args
                    .positional
                    .iter()
                    .flat_map(|a| self.values(m, s, *a))
                    .collect();
                if let Some(at) = values::any_event_path(&vals) {
                    let reason = if is_json_parse(path) {
                        format!("parsed from {}", values::event_name(at))
                    } else {
                        format!(
                            "result of `{}()` of {}",
                            short(self.text(m, func)),
                            values::event_name(at)
                        )
                    };
                    return vec![Obj::unknown(reason)];
                }
                let derived = vals.into_iter().find_map(|v| match v {
                    Value::Unknown { reason } if values::from_event(&reason) => Some(reason),
                    _ => None,
                });
                if let Some(reason) = derived {
                    vec![Obj::unknown(reason)]
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
                Value::Event { path } => rest = Some(values::event_reason(&path)),
                Value::Unknown { reason } => rest = Some(reason),
                _ => rest = Some(format!("`**{}`", short(self.text(m, *spread)))),
            }
        }
        for (k, v) in &args.keywords {
            entries.insert((*k).to_string(), single(self.values(m, s, *v)));
        }
        Value::Object { entries, rest }
    }

    pub(super) fn value_method(
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
                let mut out = Vec::new();
                for k in vals(args.positional.first()) {
                    match (k.as_str(), k.as_str().and_then(|k| entries.get(k))) {
                        (_, Some(v)) => out.push(v.clone()),
                        // A key the code computes: any of the values, or the default.
                        (None, None) => {
                            out.extend(entries.values().cloned());
                            out.extend(rest.clone().map(Value::unknown));
                            out.extend(default.clone());
                        }
                        (Some(_), None) => out.push(default.clone().unwrap_or_else(|| {
                            Value::unknown(rest.clone().unwrap_or_else(|| "missing key".into()))
                        })),
                    }
                }
                out
            }
            (Value::Object { .. }, "copy") => vec![value.clone()],
            // `event.get('detail', {})`: the member, or the default when it is missing
            // (a `None` or `{}` default names nothing: only `None` can come of it).
            (Value::Event { path }, "get") => {
                let mut out = Vec::new();
                for k in vals(args.positional.first()) {
                    match k {
                        Value::Str { value: key } => out.extend(value.event_member(&key)),
                        _ => out.push(values::through_event("`.get()` of a computed key", path)),
                    }
                }
                out.extend(vals(args.positional.get(1)).into_iter().filter(|d| {
                    !matches!(d, Value::Scalar { text } if text == "None")
                        && *d != Value::empty_object()
                }));
                out
            }
            // `.strip()` keeps the key's shape (a key does not start or end with blanks).
            (Value::Event { .. } | Value::Concat { .. }, "strip" | "lstrip" | "rstrip")
                if args.positional.is_empty() && values::event_path(value).is_some() =>
            {
                vec![value.clone()]
            }
            _ => match values::event_path(value) {
                Some(path) => vec![values::through_event(&format!("`.{name}()`"), path)],
                None => vec![Value::unknown(format!("result of `.{name}()`"))],
            },
        };
        out.into_iter().map(Obj::Val).collect()
    }
}

/// Whether an external function parses JSON text (`json.loads`, `orjson.loads`).
fn is_json_parse(path: &str) -> bool {
    matches!(
        path.rsplit_once('.'),
        Some((
            "json" | "simplejson" | "ujson" | "orjson" | "rapidjson",
            "loads" | "load"
        ))
    )
}
