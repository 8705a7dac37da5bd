//! Evaluating a table condition against a request: true, false, or unknowable.

use leastrole_lang::Value;
use leastrole_maps::Condition;

use super::Options;
use super::values::{Lookup, lookup, presence};

/// `Some(true)`/`Some(false)` when the request decides it, `None` when it cannot be told
/// (the caller then keeps the action: never under-grant).
pub fn eval(c: &Condition, params: &Value, options: &Options) -> Option<bool> {
    match c {
        Condition::Present(p) => presence(params, p),
        Condition::Absent(p) => presence(params, p).map(|present| !present),
        Condition::Equals { param, values } => match lookup(params, param) {
            Lookup::Found(found) => {
                let texts: Option<Vec<&str>> = found.iter().map(Value::as_str).collect();
                texts.map(|t| t.iter().any(|s| values.iter().any(|v| v == s)))
            }
            Lookup::Absent => Some(false),
            Lookup::Unknown(_) => None,
        },
        Condition::StartsWith { param, prefixes } => match lookup(params, param) {
            Lookup::Found(found) => {
                let mut any_unknown = false;
                for v in &found {
                    match leading_text(v) {
                        Some(text) => {
                            let text = text.trim_start().to_ascii_lowercase();
                            if prefixes
                                .iter()
                                .any(|p| text.starts_with(&p.to_ascii_lowercase()))
                            {
                                return Some(true);
                            }
                        }
                        None => any_unknown = true,
                    }
                }
                if any_unknown { None } else { Some(false) }
            }
            Lookup::Absent => Some(false),
            Lookup::Unknown(_) => None,
        },
        Condition::Option(name) => Some(options.enabled(name)),
        Condition::All(cs) => {
            let mut result = Some(true);
            for c in cs {
                match eval(c, params, options) {
                    Some(false) => return Some(false),
                    None => result = None,
                    Some(true) => {}
                }
            }
            result
        }
        Condition::Any(cs) => {
            let mut result = Some(false);
            for c in cs {
                match eval(c, params, options) {
                    Some(true) => return Some(true),
                    None => result = None,
                    Some(false) => {}
                }
            }
            result
        }
    }
}

/// Whether a condition depends on the named leastrole option.
pub fn mentions_option(c: &Condition, name: &str) -> bool {
    match c {
        Condition::Option(o) => o == name,
        Condition::All(cs) | Condition::Any(cs) => cs.iter().any(|c| mentions_option(c, name)),
        _ => false,
    }
}

/// The literal text a value starts with, if its start is known.
fn leading_text(v: &Value) -> Option<String> {
    match v {
        Value::Str { value } => Some(value.clone()),
        Value::Concat { parts } => match parts.first() {
            Some(first) => leading_text(first).filter(|t| !t.trim().is_empty()),
            None => Some(String::new()),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn params(entries: &[(&str, Value)]) -> Value {
        Value::object(entries.iter().cloned())
    }

    #[test]
    fn presence_conditions() {
        let p = params(&[("VersionId", Value::str("3"))]);
        let o = Options::default();
        assert_eq!(
            eval(&Condition::Present("VersionId".into()), &p, &o),
            Some(true)
        );
        assert_eq!(
            eval(&Condition::Absent("VersionId".into()), &p, &o),
            Some(false)
        );
        assert_eq!(eval(&Condition::Present("ACL".into()), &p, &o), Some(false));
        assert_eq!(
            eval(&Condition::Present("ACL".into()), &Value::unknown("x"), &o),
            None
        );
    }

    #[test]
    fn statement_verbs() {
        let c = Condition::StartsWith {
            param: "Statement".into(),
            prefixes: vec!["SELECT".into()],
        };
        let o = Options::default();
        assert_eq!(
            eval(
                &c,
                &params(&[("Statement", Value::str("  select * from t"))]),
                &o
            ),
            Some(true)
        );
        assert_eq!(
            eval(
                &c,
                &params(&[("Statement", Value::str("INSERT INTO t"))]),
                &o
            ),
            Some(false)
        );
        assert_eq!(
            eval(
                &c,
                &params(&[("Statement", Value::unknown("built at run time"))]),
                &o
            ),
            None
        );
    }

    #[test]
    fn options_and_combinators() {
        let kms = Condition::Option("kms".into());
        let p = params(&[]);
        assert_eq!(eval(&kms, &p, &Options::default()), Some(false));
        assert_eq!(
            eval(
                &kms,
                &p,
                &Options {
                    kms: true,
                    ..Options::default()
                }
            ),
            Some(true)
        );
        let any = Condition::Any(vec![
            Condition::Present("A".into()),
            Condition::Present("B".into()),
        ]);
        assert_eq!(
            eval(
                &any,
                &params(&[("B", Value::str("x"))]),
                &Options::default()
            ),
            Some(true)
        );
        let all = Condition::All(vec![
            Condition::Present("A".into()),
            Condition::Present("B".into()),
        ]);
        assert_eq!(
            eval(
                &all,
                &params(&[("B", Value::str("x"))]),
                &Options::default()
            ),
            Some(false)
        );
    }
}
