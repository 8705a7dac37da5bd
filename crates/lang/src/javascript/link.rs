//! Linking: method calls on function parameters (`function put(client, item) {
//! client.send(…) }`) are resolved with the values passed at every call site seen
//! anywhere in the program, following parameters passed on through other functions.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::{Code, Diagnostic, Level, SdkCall};
use crate::program::FunctionId;

use super::calls::looks_like_client;
use super::scope::{Binding, Pending};
use crate::facts::Value;

use super::values::{Abs, ENV_MARK, PARAM_MARK, ParamRef, concat, one_of, parse_mark};
use super::{sdk_v2, sdk_v3};

/// How many parameter hops are followed (`a(client)` → `b(client)` → …).
const MAX_HOPS: usize = 8;
/// Deeper values in call parameters are cut off (unknown).
const MAX_VALUE_DEPTH: usize = 64;
/// How many candidate values per parameter are tried.
const MAX_CANDIDATES: usize = 16;

pub(crate) struct Linker {
    bindings: BTreeMap<(FunctionId, usize), Vec<Abs>>,
    escaped: BTreeSet<FunctionId>,
    /// Handlers defined outside their entry file (re-exported, returned by a factory):
    /// their first parameter is the event.
    handlers: BTreeSet<FunctionId>,
}

/// What linking adds to functions.
#[derive(Debug, Default)]
pub(crate) struct Linked {
    pub calls: BTreeMap<FunctionId, Vec<SdkCall>>,
    pub diags: BTreeMap<FunctionId, Vec<Diagnostic>>,
}

impl Linker {
    pub fn new(
        bindings: Vec<Binding>,
        escaped: BTreeSet<FunctionId>,
        handlers: BTreeSet<FunctionId>,
    ) -> Self {
        let mut map: BTreeMap<(FunctionId, usize), Vec<Abs>> = BTreeMap::new();
        for b in bindings {
            for (i, arg) in b.args.into_iter().enumerate() {
                let slot = map.entry((b.callee.clone(), i)).or_default();
                if slot.len() <= MAX_CANDIDATES && !slot.contains(&arg) {
                    slot.push(arg);
                }
            }
        }
        Linker {
            bindings: map,
            escaped,
            handlers,
        }
    }

    /// The values a parameter may hold, through up to [`MAX_HOPS`] parameter hops.
    fn resolve(
        &self,
        p: &ParamRef,
        hops: usize,
        seen: &mut BTreeSet<(FunctionId, usize)>,
        out: &mut Vec<Abs>,
    ) {
        if hops > MAX_HOPS || !seen.insert((p.func.clone(), p.index)) {
            return;
        }
        let Some(values) = self.bindings.get(&(p.func.clone(), p.index)) else {
            return;
        };
        for v in values {
            let v = p.path.iter().fold(v.clone(), |acc, key| acc.member(key));
            match v {
                Abs::Param(inner) => self.resolve(&inner, hops + 1, seen, out),
                other => {
                    for alt in other.alternatives() {
                        if out.len() < MAX_CANDIDATES && !out.contains(&alt) {
                            out.push(alt);
                        }
                    }
                }
            }
        }
    }

    fn candidates(&self, v: &Abs) -> Vec<Abs> {
        match v {
            Abs::Param(p) => {
                let mut out = Vec::new();
                self.resolve(p, 0, &mut BTreeSet::new(), &mut out);
                out
            }
            other => other.clone().alternatives(),
        }
    }

    pub fn link(&self, pendings: Vec<Pending>) -> Linked {
        let mut linked = Linked::default();
        for p in pendings {
            let recvs = self.candidates(&p.recv);
            let args: Vec<Abs> = p
                .args
                .iter()
                .map(|a| match a {
                    Abs::Param(_) => self
                        .candidates(a)
                        .into_iter()
                        .find(Abs::is_sdk)
                        .unwrap_or_else(|| a.clone()),
                    other => other.clone(),
                })
                .collect();
            let mut calls = Vec::new();
            let mut diags = Vec::new();
            let mut resolved = false;
            for recv in recvs.iter().filter(|r| r.is_sdk()) {
                let mut done = Vec::new();
                let r = sdk_v2::method(recv, &p.method, &args, &p.site, &mut calls, &mut diags)
                    .or_else(|| {
                        sdk_v3::method(
                            recv, &p.method, &args, &p.site, &mut calls, &mut diags, &mut done,
                        )
                    });
                resolved |= r.is_some();
            }
            if !resolved && p.method == "send" {
                if sdk_v3::send(&args, &p.site, &mut calls) {
                    resolved = true;
                } else if recvs.iter().any(Abs::is_sdk) || !matches!(p.recv, Abs::Param(_)) {
                    diags.push(sdk_v3::dynamic_command(&args, &p.site));
                    resolved = true;
                }
            }
            if !resolved && (p.method == "send" || looks_like_client(&p.site.receiver)) {
                let why = match &p.recv {
                    Abs::Param(param) => param.reason(),
                    _ => "unknown".to_string(),
                };
                diags.push(Diagnostic::new(
                    Level::Warning,
                    Code::UnresolvedClient,
                    format!(
                        "`{}`: `{}` ({why}) is not passed an AWS SDK client at any call site found; its permissions are not granted",
                        p.site.text, p.site.receiver
                    ),
                    Some(p.site.location.clone()),
                ));
            }
            if !calls.is_empty() {
                linked
                    .calls
                    .entry(p.owner.clone())
                    .or_default()
                    .extend(calls);
            }
            if !diags.is_empty() {
                linked.diags.entry(p.owner).or_default().extend(diags);
            }
        }
        linked
    }
}

impl Linker {
    /// Replace parameter-marked unknowns in a call's parameters with the value the call
    /// sites pass (one of them, when they differ), and strip the markers.
    pub fn finalize(&self, v: &mut Value) {
        self.finalize_at(v, 0);
    }

    fn finalize_at(&self, v: &mut Value, hops: usize) {
        self.finalize_nested(v, hops, 0);
    }

    fn finalize_nested(&self, v: &mut Value, hops: usize, depth: usize) {
        // Output values stay shallow enough to serialise and drop on any stack.
        if depth > MAX_VALUE_DEPTH {
            *v = Value::unknown("value nested too deeply");
            return;
        }
        let depth = depth + 1;
        match v {
            Value::Unknown { reason } => {
                if let Some(new) = self.param_value(reason, hops) {
                    *v = new;
                }
            }
            Value::Concat { parts } => {
                for p in parts.iter_mut() {
                    self.finalize_nested(p, hops, depth);
                }
                *v = concat(std::mem::take(parts));
            }
            Value::Object { entries, rest } => {
                for e in entries.values_mut() {
                    self.finalize_nested(e, hops, depth);
                }
                if let Some(r) = rest {
                    *r = strip_marks(r);
                }
            }
            Value::List { items } => {
                for i in items.iter_mut() {
                    self.finalize_nested(i, hops, depth);
                }
            }
            Value::Env {
                default: Some(d), ..
            } => self.finalize_nested(d, hops, depth),
            Value::OneOf { items } => {
                for i in items.iter_mut() {
                    self.finalize_nested(i, hops, depth);
                }
                *v = one_of(std::mem::take(items));
            }
            Value::Map { entries } => {
                for (k, e) in entries.iter_mut() {
                    self.finalize_nested(k, hops, depth);
                    self.finalize_nested(e, hops, depth);
                }
            }
            _ => {}
        }
    }

    /// The value of a marked parameter unknown, if `reason` is one.
    fn param_value(&self, reason: &str, hops: usize) -> Option<Value> {
        let (mark, index, path, func, human) = parse_mark(reason)?;
        let unknown = |why: &str| Value::unknown(why);
        if mark != PARAM_MARK {
            // `process.env[param]` not resolved at its call site.
            return Some(unknown(human));
        }
        let key = (FunctionId(func.to_string()), index);
        if index == 0 && self.handlers.contains(&key.0) {
            // The event, read at `path`.
            return Some(
                path.split('.')
                    .filter(|p| !p.is_empty())
                    .fold(Abs::Val(Value::event()), |acc, k| acc.member(k))
                    .to_value(),
            );
        }
        // Called from somewhere unseen too: the visible call sites do not tell its value.
        if self.escaped.contains(&key.0) {
            return Some(unknown(human));
        }
        let Some(args) = self.bindings.get(&key).filter(|a| !a.is_empty()) else {
            return Some(unknown(human));
        };
        if hops >= MAX_HOPS {
            return Some(unknown(human));
        }
        if args.len() > MAX_CANDIDATES {
            return Some(unknown(&format!(
                "{human}, which call sites give more than {MAX_CANDIDATES} values"
            )));
        }
        let mut values: Vec<Value> = Vec::new();
        for arg in args {
            let arg = path
                .split('.')
                .filter(|p| !p.is_empty())
                .fold(arg.clone(), |acc, k| acc.member(k));
            let mut value = arg.to_value();
            self.finalize_at(&mut value, hops + 1);
            if !values.contains(&value) {
                values.push(value);
            }
        }
        // Call sites passing different values: the parameter is any of them.
        Some(one_of(values))
    }
}

/// A message or reason without parameter markers.
pub(crate) fn strip_marks(s: &str) -> String {
    if !s.contains([PARAM_MARK, ENV_MARK]) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut inside = false;
    for c in s.chars() {
        if c == PARAM_MARK || c == ENV_MARK {
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}
