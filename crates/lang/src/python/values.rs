//! Building abstract [`Value`]s: string literals and f-strings, `%`, `.format` and `+`
//! concatenation, `str.join`, and combining alternatives without blowing up.

use crate::facts::Value;

/// At most this many alternatives are kept for one value; more fold into one
/// [`Value::OneOf`].
pub(crate) const MAX_ALTERNATIVES: usize = 8;
/// At most this many items in a [`Value::OneOf`]; more collapse to unknown (a choice
/// that wide is no tighter than a wildcard, and values must not grow without bound).
pub(crate) const MAX_ONE_OF: usize = 16;

/// One value from alternatives: the value itself when they agree, a [`Value::OneOf`]
/// of them when they differ (nested choices flattened, equal items once), unknown when
/// there are too many.
pub(crate) fn one_of(items: Vec<Value>) -> Value {
    let mut flat = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::OneOf { items } => flat.extend(items),
            other => flat.push(other),
        }
    }
    flat.sort();
    flat.dedup();
    match flat.len() {
        0 => Value::unknown("no value"),
        1 => flat.remove(0),
        n if n > MAX_ONE_OF => Value::unknown(format!("one of {n} possible values")),
        _ => Value::OneOf { items: flat },
    }
}

/// Append `part` to a concatenation, merging adjacent literals.
fn push_part(parts: &mut Vec<Value>, part: Value) {
    match part {
        Value::Concat { parts: inner } => {
            for p in inner {
                push_part(parts, p);
            }
        }
        Value::Str { value } if value.is_empty() => {}
        Value::Str { value } => {
            if let Some(Value::Str { value: last }) = parts.last_mut() {
                last.push_str(&value);
            } else {
                parts.push(Value::Str { value });
            }
        }
        other => parts.push(other),
    }
}

/// Strings longer than this (or with more parts) are not tracked: no resource name is
/// that long, and computed values must not grow without bound.
const MAX_STRING: usize = 2048;
const MAX_PARTS: usize = 64;

/// A concatenation of parts, simplified (`Str` when fully literal).
pub(crate) fn concat(parts: Vec<Value>) -> Value {
    let mut out = Vec::new();
    for p in parts {
        push_part(&mut out, p);
    }
    let long = out
        .iter()
        .any(|p| matches!(p, Value::Str { value } if value.len() > MAX_STRING));
    if long || out.len() > MAX_PARTS {
        return Value::unknown("string too long to track");
    }
    match out.len() {
        0 => Value::str(""),
        1 if matches!(out.first(), Some(Value::Str { .. })) => out.remove(0),
        _ => Value::Concat { parts: out },
    }
}

/// Every combination of the alternatives of each slot (capped: a slot with too many
/// combinations collapses to one unknown value).
pub(crate) fn product(slots: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let mut total: usize = 1;
    let mut slots = slots;
    for slot in &mut slots {
        if slot.is_empty() {
            slot.push(Value::unknown("no value"));
        }
    }
    for slot in &slots {
        total = total.saturating_mul(slot.len());
    }
    if total > MAX_ALTERNATIVES {
        // Too many combinations to split into: each slot with a choice becomes one
        // value holding it.
        for slot in &mut slots {
            if slot.len() > 1 {
                *slot = vec![one_of(std::mem::take(slot))];
            }
        }
    }
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for slot in slots {
        let mut next = Vec::with_capacity(out.len() * slot.len());
        for prefix in &out {
            for v in &slot {
                let mut row = prefix.clone();
                row.push(v.clone());
                next.push(row);
            }
        }
        out = next;
    }
    out
}

/// Concatenate slots of alternatives into alternatives of the concatenation.
pub(crate) fn concat_alternatives(slots: Vec<Vec<Value>>) -> Vec<Value> {
    let mut out: Vec<Value> = product(slots).into_iter().map(concat).collect();
    out.sort();
    out.dedup();
    out
}

/// Decode the body of a string literal (escape sequences of non-raw strings).
pub(crate) fn unescape(body: &str, raw: bool) -> String {
    if raw {
        return body.to_string();
    }
    crate::escape::unescape(body, crate::escape::Dialect::Python)
}

/// `template % args` with `%s`/`%d`/`%r`/`%(name)s` placeholders.
pub(crate) fn percent_format(template: &str, args: &Value) -> Value {
    let positional: Vec<Value> = match args {
        Value::List { items } => items.clone(),
        Value::Object { .. } => Vec::new(),
        other => vec![other.clone()],
    };
    let mut next = positional.into_iter();
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            lit.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            lit.push('%');
            continue;
        }
        let mut key = None;
        if chars.peek() == Some(&'(') {
            chars.next();
            let name: String = chars.by_ref().take_while(|&c| c != ')').collect();
            key = Some(name);
        }
        // Skip flags, width, precision up to the conversion letter.
        for c in chars.by_ref() {
            if c.is_ascii_alphabetic() {
                break;
            }
        }
        parts.push(Value::str(std::mem::take(&mut lit)));
        let value = match key {
            Some(k) => args
                .get(&k)
                .cloned()
                .unwrap_or_else(|| Value::unknown(format!("`%({k})` placeholder"))),
            None => next
                .next()
                .unwrap_or_else(|| Value::unknown("missing `%` argument")),
        };
        parts.push(stringify(value));
    }
    parts.push(Value::str(lit));
    concat(parts)
}

/// `template.format(*positional, **named)`.
pub(crate) fn brace_format(template: &str, positional: &[Value], named: &Value) -> Value {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut auto = 0;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let field: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let name = field
                    .split(['!', ':', '.', '['])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                let value = if name.is_empty() {
                    auto += 1;
                    positional.get(auto - 1).cloned()
                } else if let Ok(i) = name.parse::<usize>() {
                    positional.get(i).cloned()
                } else {
                    named.get(&name).cloned()
                };
                parts.push(Value::str(std::mem::take(&mut lit)));
                parts.push(stringify(value.unwrap_or_else(|| {
                    Value::unknown(format!("`{{{field}}}` placeholder"))
                })));
            }
            _ => lit.push(c),
        }
    }
    parts.push(Value::str(lit));
    concat(parts)
}

/// `sep.join(items)`.
pub(crate) fn join(sep: &str, items: &Value) -> Value {
    match items {
        Value::List { items } => {
            let mut parts = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    parts.push(Value::str(sep));
                }
                parts.push(stringify(item.clone()));
            }
            concat(parts)
        }
        Value::Unknown { reason } => Value::unknown(reason.clone()),
        _ => Value::unknown(format!("`{sep}`.join of a non-list")),
    }
}

/// A value used as text (`str(x)`, an f-string part): scalars become their text.
pub(crate) fn stringify(v: Value) -> Value {
    match v {
        Value::Scalar { text } => Value::Str { value: text },
        other => other,
    }
}

/// Whether an unknown value's reason says it comes from the Lambda event (see
/// [`event_name`]).
pub(crate) fn from_event(reason: &str) -> bool {
    reason.starts_with("from the event") || reason.contains(" the event")
}

/// The event, or the place in it a path names, for reasons: "the event's
/// `Records[].body`".
pub(crate) fn event_name(path: &str) -> String {
    if path.is_empty() {
        "the event".to_string()
    } else {
        format!("the event's `{path}`")
    }
}

/// Why a value read from the event is not a literal (the wording resolution uses):
/// "from the event (`Records[].s3.bucket.name`)".
pub(crate) fn event_reason(path: &str) -> String {
    if path.is_empty() {
        "from the event".to_string()
    } else {
        format!("from the event (`{path}`)")
    }
}

/// Why a value is not a literal, when it is unknown or read from the event.
pub(crate) fn not_literal(v: &Value) -> Option<String> {
    match v {
        Value::Unknown { reason } => Some(reason.clone()),
        Value::Event { path } => Some(event_reason(path)),
        _ => None,
    }
}

/// The path of the first part of `v` read from the event, if any.
pub(crate) fn event_path(v: &Value) -> Option<&str> {
    match v {
        Value::Event { path } => Some(path),
        Value::Concat { parts } => parts.iter().find_map(event_path),
        Value::OneOf { items } => items.iter().find_map(event_path),
        _ => None,
    }
}

/// What an operation the front-end does not model makes of a value read from the
/// event: unknown, saying from where (`what` says what was done: "`.split()`").
pub(crate) fn through_event(what: &str, path: &str) -> Value {
    Value::unknown(format!("{what} of {}", event_name(path)))
}

/// The path of the first of `values` read from the event (or holding such a part).
pub(crate) fn any_event_path(values: &[Value]) -> Option<&str> {
    values.iter().find_map(event_path)
}

/// Composite values larger than this many nodes are not tracked (they could otherwise
/// grow exponentially through helper functions).
const MAX_NODES: usize = 512;

fn count_nodes(v: &Value, budget: &mut usize) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    match v {
        Value::Concat { parts } => parts.iter().for_each(|p| count_nodes(p, budget)),
        Value::List { items } => items.iter().for_each(|p| count_nodes(p, budget)),
        Value::Object { entries, .. } => entries.values().for_each(|p| count_nodes(p, budget)),
        Value::OneOf { items } => items.iter().for_each(|p| count_nodes(p, budget)),
        Value::Map { entries } => entries.iter().for_each(|(k, v)| {
            count_nodes(k, budget);
            count_nodes(v, budget);
        }),
        Value::Env {
            default: Some(d), ..
        } => count_nodes(d, budget),
        _ => {}
    }
}

/// `v`, or an unknown value when it is too large to track.
pub(crate) fn bounded(v: Value) -> Value {
    let mut budget = MAX_NODES;
    count_nodes(&v, &mut budget);
    if budget == 0 {
        Value::unknown("value too large to track")
    } else {
        v
    }
}

/// `urllib.parse.unquote(v)` (`plus`: `unquote_plus`): a literal is decoded; any other
/// value keeps its shape (an object key read from the event is still that key).
pub(crate) fn unquote(v: Value, plus: bool) -> Value {
    match v {
        Value::Str { value } => Value::Str {
            value: percent_decode(&value, plus),
        },
        other => stringify(other),
    }
}

fn percent_decode(s: &str, plus: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| {
            bytes
                .get(j)
                .and_then(|c| char::from(*c).to_digit(16))
                .and_then(|d| u8::try_from(d).ok())
        };
        match b {
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 3;
                    continue;
                }
                _ => out.push(b),
            },
            b'+' if plus => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL of the queue named `name` in the caller's own region and account (what
/// `get_queue_url(QueueName=name)` returns): `<unknown host and account>/name`. The
/// host and account are left unknown rather than invented; the queue URL parser reads
/// the name after the last `/`, and the deployment's region and account stand.
pub(crate) fn queue_url(name: Value) -> Value {
    concat(vec![
        Value::unknown("the queue URL's host and account"),
        Value::str("/"),
        name,
    ])
}

/// The ARN of the function `name` names (what `get_function(FunctionName=name)` gives
/// as `FunctionArn`): a literal ARN is itself; a name becomes
/// `<unknown partition, region and account>:function:name`, which the function name
/// parser reads back as the name; any other value (a variable that may hold either)
/// stays as it is, since `FunctionName` reads the same function from a name or an ARN.
pub(crate) fn function_arn(name: Value) -> Value {
    match name {
        Value::Str { ref value } if value.starts_with("arn:") => name,
        Value::Str { .. } => concat(vec![
            Value::unknown("the function ARN's partition, region and account"),
            Value::str(":function:"),
            name,
        ]),
        other => other,
    }
}
