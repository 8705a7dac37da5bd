//! Building abstract [`Value`]s: string literals and f-strings, `%`, `.format` and `+`
//! concatenation, `str.join`, and combining alternatives without blowing up.

use crate::facts::Value;

/// At most this many alternatives are kept for one value; more collapse to unknown.
pub(crate) const MAX_ALTERNATIVES: usize = 8;

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
        for slot in &mut slots {
            if slot.len() > 1 {
                let n = slot.len();
                *slot = vec![Value::unknown(format!("one of {n} possible values"))];
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

/// Whether an unknown value's reason says it comes from the Lambda event.
pub(crate) fn from_event(reason: &str) -> bool {
    reason == "from the event"
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
