//! Linking: method calls on function parameters (`function put(client, item) {
//! client.send(…) }`) are resolved with the values passed at every call site seen
//! anywhere in the program, following parameters passed on through other functions.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::{Diagnostic, Level, SdkCall};
use crate::program::FunctionId;

use super::calls::looks_like_client;
use super::scope::{Binding, Pending};
use super::values::{Abs, ParamRef};
use super::{sdk_v2, sdk_v3};

/// How many parameter hops are followed (`a(client)` → `b(client)` → …).
const MAX_HOPS: usize = 8;
/// How many candidate values per parameter are tried.
const MAX_CANDIDATES: usize = 16;

pub(crate) struct Linker {
    bindings: BTreeMap<(FunctionId, usize), Vec<Abs>>,
}

/// What linking adds to functions.
#[derive(Debug, Default)]
pub(crate) struct Linked {
    pub calls: BTreeMap<FunctionId, Vec<SdkCall>>,
    pub diags: BTreeMap<FunctionId, Vec<Diagnostic>>,
}

impl Linker {
    pub fn new(bindings: Vec<Binding>) -> Self {
        let mut map: BTreeMap<(FunctionId, usize), Vec<Abs>> = BTreeMap::new();
        for b in bindings {
            for (i, arg) in b.args.into_iter().enumerate() {
                if arg.worth_binding() {
                    let slot = map.entry((b.callee.clone(), i)).or_default();
                    if slot.len() < MAX_CANDIDATES && !slot.contains(&arg) {
                        slot.push(arg);
                    }
                }
            }
        }
        Linker { bindings: map }
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
                    if out.len() < MAX_CANDIDATES && !out.contains(&other) {
                        out.push(other);
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
            other => vec![other.clone()],
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
                    "unresolved-client",
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
