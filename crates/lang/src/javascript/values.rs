//! The abstract values the JavaScript front-end tracks through variables: plain data
//! ([`Value`]), SDK objects (v2 namespace/classes/clients, v3 packages/clients/commands),
//! local functions, classes and instances, and function parameters whose value is only
//! known at call sites (bound during linking).

use std::collections::BTreeMap;

use crate::facts::{Location, ServiceRef, Value};
use crate::program::FunctionId;

use super::sdk_v2_names::{self, NestedClass};

/// A class defined in some local module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ClassRef {
    pub file: String,
    pub qual: String,
}

/// A function parameter: its value comes from the call sites (see `link.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParamRef {
    pub func: FunctionId,
    pub index: usize,
    /// Members read from it (`{ client }` destructuring, `opts.client`).
    pub path: Vec<String>,
    pub name: String,
    /// The Lambda handler's event (or a parameter named `event`).
    pub event: bool,
}

impl ParamRef {
    pub fn reason(&self) -> String {
        if self.event {
            "from the event".to_string()
        } else if self.path.is_empty() {
            format!("function parameter `{}`", self.name)
        } else {
            format!("function parameter `{}.{}`", self.name, self.path.join("."))
        }
    }
}

/// Unknown values that come from a function parameter carry its identity in their
/// reason, between two `PARAM_MARK`s, until linking replaces them with the value
/// passed at the call sites (or strips the marker). See `link.rs`.
pub(crate) const PARAM_MARK: char = '\u{1}';

/// Like [`PARAM_MARK`], for `process.env[param]`: an environment variable whose name
/// the call site gives (`getEnv('TABLE')`).
pub(crate) const ENV_MARK: char = '\u{2}';

/// A marked reason: (mark, parameter index, member path, function, human reason).
pub(crate) fn parse_mark(reason: &str) -> Option<(char, usize, &str, &str, &str)> {
    let mark = reason
        .chars()
        .next()
        .filter(|c| *c == PARAM_MARK || *c == ENV_MARK)?;
    let rest = reason.get(mark.len_utf8()..)?;
    let (inner, human) = rest.split_once(mark)?;
    let (index, rest) = inner.split_once('|')?;
    let (path, func) = rest.split_once('|')?;
    Some((mark, index.parse().ok()?, path, func, human))
}

/// A function's return value as seen by one call site: its own parameters replaced by
/// that call's arguments (`key(event.id)` where `key(id)` returns `items/${id}`).
pub(crate) fn subst(abs: &Abs, func: &FunctionId, args: &[Abs]) -> Abs {
    match abs {
        Abs::Param(p) if &p.func == func => match args.get(p.index) {
            Some(arg) => p.path.iter().fold(arg.clone(), |acc, k| acc.member(k)),
            None => Abs::Val(Value::Scalar {
                text: "undefined".to_string(),
            }),
        },
        Abs::Val(v) => Abs::Val(subst_value(v, func, args)),
        Abs::Obj(entries, rest) => Abs::Obj(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), subst(v, func, args)))
                .collect(),
            rest.clone(),
        ),
        Abs::Arr(items) => Abs::Arr(items.iter().map(|v| subst(v, func, args)).collect()),
        Abs::OneOf(all) => all
            .iter()
            .map(|v| subst(v, func, args))
            .reduce(join)
            .unwrap_or_else(|| Abs::unknown("nothing")),
        Abs::V3Command { pkg, name, input } => Abs::V3Command {
            pkg: pkg.clone(),
            name: name.clone(),
            input: Box::new(subst_value(input, func, args)),
        },
        other => other.clone(),
    }
}

fn subst_value(v: &Value, func: &FunctionId, args: &[Abs]) -> Value {
    match v {
        Value::Unknown { reason } => match parse_mark(reason) {
            Some((mark, index, path, f, human)) if f == func.0 => {
                let arg = args.get(index).map(|a| {
                    path.split('.')
                        .filter(|p| !p.is_empty())
                        .fold(a.clone(), |acc, k| acc.member(k))
                        .to_value()
                });
                match (mark, arg) {
                    (PARAM_MARK, Some(value)) => value,
                    (_, Some(Value::Str { value })) => Value::Env {
                        name: value,
                        default: None,
                    },
                    _ => Value::unknown(human),
                }
            }
            _ => v.clone(),
        },
        Value::Concat { parts } => {
            concat(parts.iter().map(|p| subst_value(p, func, args)).collect())
        }
        Value::Object { entries, rest } => Value::Object {
            entries: entries
                .iter()
                .map(|(k, e)| (k.clone(), subst_value(e, func, args)))
                .collect(),
            rest: rest.clone(),
        },
        Value::List { items } => Value::List {
            items: items.iter().map(|i| subst_value(i, func, args)).collect(),
        },
        Value::OneOf { items } => {
            one_of(items.iter().map(|i| subst_value(i, func, args)).collect())
        }
        Value::Map { entries } => Value::Map {
            entries: entries
                .iter()
                .map(|(k, e)| (subst_value(k, func, args), subst_value(e, func, args)))
                .collect(),
        },
        Value::Env {
            name,
            default: Some(d),
        } => Value::Env {
            name: name.clone(),
            default: Some(Box::new(subst_value(d, func, args))),
        },
        other => other.clone(),
    }
}

impl ParamRef {
    /// `process.env[param]`, marked so a call site naming the variable resolves it.
    pub fn env_marked_reason(&self) -> String {
        format!(
            "{ENV_MARK}{}|{}|{}{ENV_MARK}environment variable named by {}",
            self.index,
            self.path.join("."),
            self.func,
            self.reason()
        )
    }

    /// The reason, marked with the parameter's identity when call sites may bind it.
    pub fn marked_reason(&self) -> String {
        format!(
            "{PARAM_MARK}{}|{}|{}{PARAM_MARK}{}",
            self.index,
            self.path.join("."),
            self.func,
            self.reason()
        )
    }
}

/// Where a call is, for reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Site {
    pub location: Location,
    /// The call's text, one line, at most 120 chars.
    pub text: String,
    /// The receiver's text (`s3` in `s3.getObject(...)`), when there is one.
    pub receiver: String,
    /// The first argument's text.
    pub first_arg: String,
}

/// What an expression may evaluate to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Abs {
    /// Plain data (string, template, env var, scalar, unknown with reason).
    Val(Value),
    /// An object literal whose members may be anything (clients, functions, data).
    Obj(BTreeMap<String, Abs>, Option<String>),
    Arr(Vec<Abs>),
    /// `process` and `process.env`.
    Process,
    ProcessEnv,
    Param(ParamRef),
    Func(FunctionId),
    Class(ClassRef),
    Instance(ClassRef),
    /// The namespace of a local module (`import * as m from './m'`).
    LocalModule(String),
    /// The result of a call on something unresolved, kept so `.promise()` can be flagged.
    UnresolvedCall {
        receiver: String,
        /// `receiver.method` as written, for the unknown's reason.
        call: String,
        /// Why the receiver is unknown.
        why: String,
    },

    /// Several SDK objects or functions, depending on a condition (`cond ? new A() :
    /// new B()`); never nested, at most [`MAX_ALTERNATIVES`].
    OneOf(Vec<Abs>),

    // --- aws-sdk v2 ---
    /// The `AWS` namespace.
    V2Ns,
    /// A service class (`AWS.S3`); the name is the class or, failing that, the module id.
    V2Class(String),
    /// `AWS.DynamoDB.DocumentClient`.
    V2DocClass,
    /// `AWS.S3.ManagedUpload`.
    V2ManagedUploadClass,
    /// `AWS.config`, `AWS.Credentials`, `AWS.DynamoDB.Converter`…: local helpers.
    V2Inert,
    /// `AWS[name]`: the service is chosen at run time.
    V2Dynamic(String),
    V2Client(ServiceRef),
    V2Doc,
    /// What a v2 method returns (`AWS.Request`): `.promise()`, `.send()`… grant nothing more.
    V2Request,
    /// A v2 request whose result this analysis knows (see `sdk_v3::result_of`):
    /// `.promise()` resolves to it.
    V2Result(Box<Abs>),

    // --- @aws-sdk v3 ---
    /// A v3 package namespace (`import * as s3 from '@aws-sdk/client-s3'`).
    V3Pkg(String),
    /// A named export of a v3 package (class or function).
    V3Export {
        pkg: String,
        name: String,
    },
    /// `new S3Client()` (bare) or `new S3()` (aggregated: has one method per operation).
    V3Client {
        pkg: String,
        aggregated: bool,
    },
    /// `DynamoDBDocument.from(client)`: methods are helpers.
    V3DocAgg,
    V3Command {
        pkg: String,
        name: String,
        input: Box<Value>,
    },
    /// `new Upload({ client, params })` from `@aws-sdk/lib-storage`.
    V3Upload {
        id: usize,
        params: Box<Value>,
    },
}

/// How many alternatives a [`Abs::OneOf`] keeps.
pub(crate) const MAX_ALTERNATIVES: usize = 8;

/// The value of `cond ? a : b`, or of a variable assigned in two places.
pub(crate) fn join(a: Abs, b: Abs) -> Abs {
    if a == b {
        return a;
    }
    match (a.is_tracked(), b.is_tracked()) {
        (true, true) => {
            let mut all = a.alternatives();
            for alt in b.alternatives() {
                if !all.contains(&alt) && all.len() < MAX_ALTERNATIVES {
                    all.push(alt);
                }
            }
            Abs::OneOf(all)
        }
        (true, false) => a,
        (false, true) => b,
        (false, false) => match (&a, &b) {
            (Abs::Val(Value::Unknown { .. }), _) => a,
            (_, Abs::Val(Value::Unknown { .. })) => b,
            _ => Abs::unknown("depends on a condition"),
        },
    }
}

impl Abs {
    /// The alternatives of a [`Abs::OneOf`], or the value itself.
    pub fn alternatives(self) -> Vec<Abs> {
        match self {
            Abs::OneOf(all) => all,
            other => vec![other],
        }
    }

    pub fn unknown(reason: impl Into<String>) -> Abs {
        Abs::Val(Value::unknown(reason))
    }

    pub fn str(s: impl Into<String>) -> Abs {
        Abs::Val(Value::str(s))
    }

    pub fn is_unknown(&self) -> bool {
        matches!(
            self,
            Abs::Val(Value::Unknown { .. }) | Abs::UnresolvedCall { .. }
        )
    }

    /// SDK objects, functions and parameters: what is worth keeping when a variable is
    /// reassigned with something unknown (`let c = null; … c = new S3()`), and what
    /// call-site bindings carry.
    pub fn is_tracked(&self) -> bool {
        !matches!(
            self,
            Abs::Val(_) | Abs::Arr(_) | Abs::Process | Abs::ProcessEnv | Abs::UnresolvedCall { .. }
        )
    }

    /// An SDK object (client, command, helper), directly.
    pub fn is_sdk(&self) -> bool {
        if let Abs::OneOf(all) = self {
            return all.iter().any(Abs::is_sdk);
        }
        matches!(
            self,
            Abs::V2Ns
                | Abs::V2Class(_)
                | Abs::V2DocClass
                | Abs::V2ManagedUploadClass
                | Abs::V2Dynamic(_)
                | Abs::V2Client(_)
                | Abs::V2Doc
                | Abs::V3Pkg(_)
                | Abs::V3Export { .. }
                | Abs::V3Client { .. }
                | Abs::V3DocAgg
                | Abs::V3Command { .. }
                | Abs::V3Upload { .. }
        )
    }

    /// The data value of this abstract value, as reported in call parameters.
    pub fn to_value(&self) -> Value {
        self.to_value_at(0)
    }

    fn to_value_at(&self, depth: usize) -> Value {
        if depth > 64 {
            return Value::unknown("value nested too deeply");
        }
        match self {
            Abs::Val(v) => v.clone(),
            Abs::Obj(entries, rest) => Value::Object {
                entries: entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value_at(depth + 1)))
                    .collect(),
                rest: rest.clone(),
            },
            Abs::Arr(items) => Value::List {
                items: items.iter().map(|v| v.to_value_at(depth + 1)).collect(),
            },
            Abs::Process | Abs::ProcessEnv => Value::unknown("the process environment"),
            Abs::Func(_) => Value::unknown("a function"),
            Abs::Class(_) | Abs::Instance(_) | Abs::LocalModule(_) => {
                Value::unknown("an object of this program")
            }
            Abs::UnresolvedCall { call, .. } => Value::unknown(format!("result of `{call}()`")),
            Abs::OneOf(_) => Value::unknown("one of several objects"),
            Abs::V2Request | Abs::V2Result(_) => Value::unknown("result of an AWS call"),
            Abs::Param(p) => Value::unknown(p.marked_reason()),
            _ => Value::unknown("an AWS SDK object"),
        }
    }

    /// Member `name` of this value, for the cases that need no module context.
    pub fn member(&self, name: &str) -> Abs {
        match self {
            Abs::OneOf(all) => all
                .iter()
                .map(|a| a.member(name))
                .reduce(join)
                .unwrap_or_else(|| Abs::unknown("nothing")),
            Abs::Obj(entries, rest) => match entries.get(name) {
                Some(v) => v.clone(),
                None => match rest {
                    Some(reason) => Abs::unknown(reason.clone()),
                    None => Abs::unknown(format!("no property `{name}`")),
                },
            },
            Abs::Val(Value::Object { entries, rest }) => match entries.get(name) {
                Some(v) => Abs::Val(v.clone()),
                None => Abs::unknown(
                    rest.clone()
                        .unwrap_or_else(|| format!("no property `{name}`")),
                ),
            },
            Abs::Val(Value::Unknown { reason }) => Abs::unknown(reason.clone()),
            Abs::Val(v @ Value::Event { path }) => {
                if is_index(name) {
                    Abs::Val(v.event_item().unwrap_or_else(|| v.clone()))
                } else if name == "length" {
                    Abs::unknown(format!("the length of the event's `{path}`"))
                } else {
                    Abs::Val(v.event_member(name).unwrap_or_else(|| v.clone()))
                }
            }
            // A member of one of several values: that member of each.
            Abs::Val(Value::OneOf { items }) => Abs::Val(one_of(
                items
                    .iter()
                    .map(|i| Abs::Val(i.clone()).member(name).to_value())
                    .collect(),
            )),
            Abs::Val(Value::List { items }) if name == ANY_INDEX => Abs::Val(one_of(items.clone())),
            Abs::Process if name == "env" => Abs::ProcessEnv,
            Abs::ProcessEnv => Abs::Val(Value::Env {
                name: name.to_string(),
                default: None,
            }),
            Abs::Param(p) => {
                let mut p = p.clone();
                if p.path.len() < 16 {
                    p.path.push(name.to_string());
                }
                Abs::Param(p)
            }
            Abs::Arr(items) if name == ANY_INDEX => choose(items.clone()),
            Abs::Arr(items) => match name.parse::<usize>() {
                Ok(i) => items
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| Abs::unknown("array index out of range")),
                Err(_) => Abs::unknown(format!("array property `{name}`")),
            },
            Abs::V2Ns if sdk_v2_names::is_service_class(name) => Abs::V2Class(name.to_string()),
            Abs::V2Ns => Abs::V2Inert,
            Abs::V2Class(class) => match sdk_v2_names::nested_class(class, name) {
                Some(NestedClass::DocumentClient) => Abs::V2DocClass,
                Some(NestedClass::ManagedUpload) => Abs::V2ManagedUploadClass,
                None => Abs::V2Inert,
            },
            Abs::V3Pkg(pkg) => Abs::V3Export {
                pkg: pkg.clone(),
                name: name.to_string(),
            },
            Abs::V3Command { input, .. } if name == "input" => Abs::Val((**input).clone()),
            Abs::UnresolvedCall { call, .. } => Abs::unknown(format!("result of `{call}()`")),
            _ => Abs::unknown(format!("property `{name}`")),
        }
    }
}

/// Why a value read from the event is not known here (the policy crate words it the
/// same way).
pub(crate) fn event_reason(path: &str) -> String {
    if path.is_empty() {
        "from the event".to_string()
    } else {
        format!("from the event (`{path}`)")
    }
}

/// The member name that stands for "any item" (`arr[i]`, `event.Records[i]`): an index
/// that is not a literal.
pub(crate) const ANY_INDEX: &str = "[]";

/// A member name that indexes a list: a number, or [`ANY_INDEX`].
pub(crate) fn is_index(name: &str) -> bool {
    name == ANY_INDEX || name.parse::<usize>().is_ok()
}

/// How many alternatives a [`Value::OneOf`] holds; past it the value is unknown.
pub(crate) const MAX_CHOICES: usize = 16;

/// One of several data values: nested choices flattened, duplicates dropped, and
/// `null`/`undefined` left out when something else is there (a call given `undefined`
/// names no resource). A single alternative is just that value.
pub(crate) fn one_of(values: Vec<Value>) -> Value {
    let nothing =
        |v: &Value| matches!(v, Value::Scalar { text } if text == "null" || text == "undefined");
    let mut items: Vec<Value> = Vec::new();
    let mut first_nothing: Option<Value> = None;
    for v in values {
        let pieces = match v {
            Value::OneOf { items } => items,
            other => vec![other],
        };
        for piece in pieces {
            if nothing(&piece) {
                first_nothing.get_or_insert(piece);
            } else if !items.contains(&piece) {
                // Stop early: a long literal array must not cost quadratic time.
                if items.len() == MAX_CHOICES {
                    return Value::unknown(format!("one of more than {MAX_CHOICES} values"));
                }
                items.push(piece);
            }
        }
    }
    match items.len() {
        0 => first_nothing.unwrap_or_else(|| Value::unknown("no value")),
        1 => items.pop().unwrap_or_else(|| Value::unknown("no value")),
        _ => Value::OneOf { items },
    }
}

/// Either of two values (`c ? a : b`, an item of a literal array): SDK objects and
/// functions join as [`Abs::OneOf`]; data becomes a [`Value::OneOf`].
pub(crate) fn choice(a: Abs, b: Abs) -> Abs {
    if a == b {
        return a;
    }
    if a.is_tracked() || b.is_tracked() {
        return join(a, b);
    }
    Abs::Val(one_of(vec![a.to_value(), b.to_value()]))
}

/// Any of several values (an item of a literal array, a member of a literal object, at
/// an index the code computes): SDK objects and functions join as [`Abs::OneOf`]; data
/// is one [`Value::OneOf`] of them all.
pub(crate) fn choose(all: Vec<Abs>) -> Abs {
    if all.iter().any(Abs::is_tracked) {
        return all
            .into_iter()
            .reduce(join)
            .unwrap_or_else(|| Abs::unknown("nothing to choose from"));
    }
    if all.is_empty() {
        return Abs::unknown("an item of an empty array or object");
    }
    Abs::Val(one_of(all.iter().map(Abs::to_value).collect()))
}

/// `a + b` / template parts: concatenation, flattened, adjacent literals merged.
pub(crate) fn concat(parts: Vec<Value>) -> Value {
    let mut out: Vec<Value> = Vec::new();
    for part in parts {
        let pieces = match part {
            Value::Concat { parts } => parts,
            other => vec![other],
        };
        for piece in pieces {
            match (out.last_mut(), piece) {
                (Some(Value::Str { value: prev }), Value::Str { value }) => prev.push_str(&value),
                (_, piece) => out.push(piece),
            }
        }
    }
    if out.len() == 1
        && let Some(Value::Str { .. }) = out.first()
    {
        return out.pop().unwrap_or_else(|| Value::str(""));
    }
    if out.is_empty() {
        return Value::str("");
    }
    Value::Concat { parts: out }
}

/// A string value usable in a concatenation: numbers become their text.
pub(crate) fn as_concat_part(v: Value) -> Value {
    match v {
        Value::Scalar { text } => Value::Str { value: text },
        other => other,
    }
}

/// One line of source text, at most `max` chars.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    // No more bytes than `max` is no more chars (most lines): not counted.
    if line.len() <= max || line.chars().count() <= max {
        return line.to_string();
    }
    let mut out: String = line.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
