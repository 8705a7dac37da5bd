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
}
