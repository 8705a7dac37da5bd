//! Reading request parameters out of abstract values: parameter paths, presence, text.

use std::borrow::Cow;

use leastrole_lang::Value;
use leastrole_maps::path::{self, Step};

/// What a path yields in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The values found (several for `[]`/`{}` paths).
    Found(Vec<Value>),
    /// The request certainly lacks the parameter.
    Absent,
    /// The request may or may not have it; the reason says why.
    Unknown(String),
}

/// Every value at `path` in `params`.
pub fn lookup(params: &Value, path_text: &str) -> Lookup {
    lookup_or(params, path_text, None)
}

/// Every value at `path` in `params`; with a documented `default`, an object that
/// certainly lacks the path's last member yields the default instead (each entry of
/// `Entries[]` without `EventBusName` is one more value, `default`).
pub fn lookup_or(params: &Value, path_text: &str, default: Option<&str>) -> Lookup {
    let Some(steps) = path::parse(path_text) else {
        return Lookup::Unknown(format!("malformed parameter path `{path_text}`"));
    };
    let last = steps.len().saturating_sub(1);
    // Values inside `params` are borrowed (a request is looked up once per path of
    // every rule): only what is found, or built from the event, is copied.
    let mut current: Vec<Cow<'_, Value>> = vec![Cow::Borrowed(params)];
    let mut unknown: Option<String> = None;
    for (i, step) in steps.into_iter().enumerate() {
        let mut next = Vec::new();
        let at = At {
            step: &step,
            last: i == last,
            default,
        };
        for v in current {
            match v {
                Cow::Borrowed(v) => at.step_into(v, Cow::Borrowed, &mut next, &mut unknown),
                Cow::Owned(v) => {
                    at.step_into(&v, |x| Cow::Owned(x.clone()), &mut next, &mut unknown);
                }
            }
        }
        current = next;
    }
    match (current.is_empty(), unknown) {
        (false, _) => Lookup::Found(current.into_iter().map(Cow::into_owned).collect()),
        (true, Some(reason)) => Lookup::Unknown(reason),
        (true, None) => Lookup::Absent,
    }
}

/// One step of a path lookup.
struct At<'s> {
    step: &'s Step<'s>,
    /// Whether it is the path's last step.
    last: bool,
    default: Option<&'s str>,
}

impl At<'_> {
    /// What the step reaches from `v` into `next`, each found value through `keep`
    /// (borrowed from the request, or copied out of a value built along the way); the
    /// first reason a value cannot be stepped into into `unknown`.
    fn step_into<'a, 'v>(
        &self,
        v: &'v Value,
        keep: impl Fn(&'v Value) -> Cow<'a, Value>,
        next: &mut Vec<Cow<'a, Value>>,
        unknown: &mut Option<String>,
    ) {
        let (i_last, default) = (self.last, self.default);
        match (self.step, v) {
            (Step::Member(m), Value::Object { entries, rest }) => match entries.get(*m) {
                Some(found) if is_null(found) && i_last && default.is_some() => {
                    next.extend(default.map(|d| Cow::Owned(Value::str(d))));
                }
                Some(found) => next.push(keep(found)),
                None => match (rest, default) {
                    (Some(r), _) => {
                        unknown.get_or_insert_with(|| r.clone());
                    }
                    (None, Some(d)) if i_last => next.push(Cow::Owned(Value::str(d))),
                    (None, _) => {}
                },
            },
            (Step::Member(m), Value::Map { entries }) => {
                for (key, value) in entries {
                    match key {
                        Value::Str { value: k } if k == *m => next.push(keep(value)),
                        Value::Str { .. } => {}
                        other => {
                            unknown.get_or_insert_with(|| format!("keyed by {}", short(other)));
                        }
                    }
                }
            }
            (Step::Keys, Value::Map { entries }) => {
                next.extend(entries.iter().map(|(key, _)| keep(key)));
            }
            (Step::Each, Value::List { items }) => next.extend(items.iter().map(keep)),
            (Step::Keys, Value::Object { entries, rest }) => {
                next.extend(entries.keys().map(|k| Cow::Owned(Value::str(k.clone()))));
                if let Some(r) = rest {
                    unknown.get_or_insert_with(|| r.clone());
                }
            }
            (Step::Member(m), Value::Event { .. }) => {
                next.extend(v.event_member(m).map(Cow::Owned));
            }
            (Step::Each, Value::Event { .. }) => next.extend(v.event_item().map(Cow::Owned)),
            (_, Value::Unknown { reason }) => {
                unknown.get_or_insert_with(|| reason.clone());
            }
            (_, Value::Env { name, .. }) => {
                unknown.get_or_insert_with(|| format!("built from environment variable {name}"));
            }
            (_, other) => {
                unknown.get_or_insert_with(|| {
                    format!("{} is not an object or list here", short(other))
                });
            }
        }
    }
}

/// Whether the parameter at the path is given: `Some(true/false)`, or `None` if unknowable.
pub fn presence(params: &Value, path_text: &str) -> Option<bool> {
    match lookup(params, path_text) {
        Lookup::Found(values) => Some(values.iter().any(|v| !is_null(v))),
        Lookup::Absent => Some(false),
        Lookup::Unknown(_) => None,
    }
}

fn is_null(v: &Value) -> bool {
    matches!(v, Value::Scalar { text } if matches!(text.as_str(), "None" | "null" | "undefined"))
}

/// A short description of a value for messages.
pub fn short(v: &Value) -> String {
    match v {
        Value::Str { value } => format!("{value:?}"),
        Value::Concat { .. } => "a computed string".into(),
        Value::Env { name, .. } => format!("environment variable {name}"),
        Value::Scalar { text } => text.clone(),
        Value::Object { .. } => "an object".into(),
        Value::List { .. } => "a list".into(),
        Value::Unknown { reason } => format!("an unknown value ({reason})"),
        Value::Event { path } => format!("a value {}", super::arn::event_reason(path)),
        Value::OneOf { items } => format!("one of {} values", items.len()),
        Value::Map { .. } => "an object with computed keys".to_string(),
    }
}

/// Merge `extra`'s entries into an object value (later wins); a non-object `extra`
/// makes the result partly unknown.
pub fn merge_into(target: &mut Value, extra: &Value) {
    let Value::Object { entries, rest } = target else {
        return;
    };
    match extra {
        Value::Object {
            entries: more,
            rest: more_rest,
        } => {
            for (k, v) in more {
                entries.insert(k.clone(), v.clone());
            }
            if rest.is_none() {
                rest.clone_from(more_rest);
            }
        }
        Value::Scalar { text } if matches!(text.as_str(), "None" | "null" | "undefined") => {}
        other => {
            if rest.is_none() {
                *rest = Some(format!("spread of {}", short(other)));
            }
        }
    }
}

/// Set `path` (members only) in an object value, creating objects on the way.
pub fn set_path(target: &mut Value, path_text: &str, value: Value) {
    let members: Vec<&str> = path_text.split('.').collect();
    let mut current = target;
    for (i, m) in members.iter().enumerate() {
        let Value::Object { entries, .. } = current else {
            return;
        };
        if i + 1 == members.len() {
            entries.insert((*m).to_string(), value);
            return;
        }
        current = entries
            .entry((*m).to_string())
            .or_insert_with(Value::empty_object);
    }
}

/// A map whose one key is `key` (a literal), or a map with unknown keys.
pub fn keyed_by(key: Value) -> Value {
    match key {
        Value::Str { value } => Value::Object {
            entries: [(value, Value::empty_object())].into(),
            rest: None,
        },
        other => Value::Object {
            entries: Default::default(),
            rest: Some(format!("keyed by {}", short(&other))),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn obj(entries: &[(&str, Value)]) -> Value {
        Value::object(entries.iter().cloned())
    }

    #[test]
    fn lookup_walks_members_lists_and_keys() {
        let params = obj(&[
            (
                "RequestItems",
                obj(&[("orders", Value::str("x")), ("users", Value::str("y"))]),
            ),
            (
                "TransactItems",
                Value::List {
                    items: vec![
                        obj(&[("Put", obj(&[("TableName", Value::str("a"))]))]),
                        obj(&[("Delete", obj(&[("TableName", Value::str("b"))]))]),
                    ],
                },
            ),
        ]);
        assert_eq!(
            lookup(&params, "RequestItems{}"),
            Lookup::Found(vec![Value::str("orders"), Value::str("users")])
        );
        assert_eq!(
            lookup(&params, "TransactItems[].Put.TableName"),
            Lookup::Found(vec![Value::str("a")])
        );
        assert_eq!(presence(&params, "TransactItems[].Update"), Some(false));
        assert_eq!(presence(&params, "Bucket"), Some(false));
    }

    #[test]
    fn unknown_spread_makes_absence_unknowable() {
        let params = Value::Object {
            entries: BTreeMap::new(),
            rest: Some("spread of event".into()),
        };
        assert_eq!(presence(&params, "VersionId"), None);
        assert_eq!(presence(&Value::unknown("from the event"), "Bucket"), None);
    }

    #[test]
    fn explicit_none_is_not_given() {
        let params = obj(&[(
            "VersionId",
            Value::Scalar {
                text: "None".into(),
            },
        )]);
        assert_eq!(presence(&params, "VersionId"), Some(false));
    }
}
