//! Checks of one service table on its own, run once per table when it is loaded. They need
//! nothing but the table, so the loader (`store`) and the cross-table checks (`validate`) both
//! use this module and neither uses the other for it.

use std::collections::BTreeSet;

use crate::error::MapsError;
use crate::path;
use crate::schema::{ActionRule, Condition, ResourceRule, SCHEMA_VERSION, ServiceTable};

/// Placeholders that come from the command line (or stay `*`), never from parameters.
pub const ENVIRONMENT_PLACEHOLDERS: [&str; 3] = ["Partition", "Region", "Account"];

/// The `${Name}` placeholders of an ARN template, in order.
pub fn placeholders(arn: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = arn;
    while let Some((_, after)) = rest.split_once("${") {
        let Some((name, tail)) = after.split_once('}') else {
            break;
        };
        out.push(name);
        rest = tail;
    }
    out
}

/// Checks one service table on its own: schema version, names, every operation mapped or
/// saying why not, every ARN placeholder bound or explained, paths well formed, waiters
/// pointing at operations.
pub fn table(name: &str, t: &ServiceTable) -> Result<(), MapsError> {
    if t.schema != SCHEMA_VERSION {
        return Err(MapsError::SchemaVersion {
            table: name.to_string(),
            found: t.schema,
            expected: SCHEMA_VERSION,
        });
    }
    if t.service != name {
        return Err(MapsError::invalid(
            name,
            format!("names service `{}`", t.service),
        ));
    }
    for (op_name, op) in &t.operations {
        let at = |m: String| MapsError::invalid(name, format!("operation {op_name}: {m}"));
        if op.actions.is_empty() && op.unmapped.is_none() && op.no_permission.is_none() {
            return Err(at(
                "no actions and no `unmapped` or `no_permission` reason".into()
            ));
        }
        for rule in &op.actions {
            action_rule(rule).map_err(at)?;
        }
    }
    for (w_name, w) in &t.waiters {
        if !t.operations.contains_key(&w.operation) {
            return Err(MapsError::invalid(
                name,
                format!("waiter {w_name} polls unknown operation {}", w.operation),
            ));
        }
    }
    Ok(())
}

fn action_rule(rule: &ActionRule) -> Result<(), String> {
    if crate::split_action(&rule.action).is_none() {
        return Err(format!("`{}` is not a prefix:Action name", rule.action));
    }
    for r in &rule.resources {
        resource_rule(r).map_err(|m| format!("{} on {}: {m}", rule.action, r.resource_type))?;
    }
    if let Some(c) = &rule.when {
        condition(c).map_err(|m| format!("{}: {m}", rule.action))?;
    }
    Ok(())
}

fn resource_rule(r: &ResourceRule) -> Result<(), String> {
    let in_arn: BTreeSet<&str> = placeholders(&r.arn).into_iter().collect();
    for p in &in_arn {
        let covered = ENVIRONMENT_PLACEHOLDERS.contains(p)
            || r.bind.contains_key(*p)
            || r.unbound.contains_key(*p);
        if !covered {
            return Err(format!(
                "placeholder ${{{p}}} of {} is neither bound nor explained in `unbound`",
                r.arn
            ));
        }
    }
    for (p, binding) in &r.bind {
        if !in_arn.contains(p.as_str()) {
            return Err(format!("binds ${{{p}}}, which {} does not have", r.arn));
        }
        if !matches!(
            binding,
            crate::Binding::Constant { .. } | crate::Binding::Event { .. }
        ) && path::parse(binding.path()).is_none()
        {
            return Err(format!("malformed parameter path `{}`", binding.path()));
        }
    }
    if let Some(p) = &r.arn_param
        && path::parse(p).is_none()
    {
        return Err(format!("malformed parameter path `{p}`"));
    }
    Ok(())
}

fn condition(c: &Condition) -> Result<(), String> {
    match c {
        Condition::Present(p) | Condition::Absent(p) => check_path(p),
        Condition::Equals { param, values } => {
            check_path(param)?;
            if values.is_empty() {
                return Err(format!("`equals` on {param} lists no values"));
            }
            Ok(())
        }
        Condition::StartsWith { param, prefixes } => {
            check_path(param)?;
            if prefixes.is_empty() {
                return Err(format!("`starts_with` on {param} lists no prefixes"));
            }
            Ok(())
        }
        Condition::Option(name) if name.is_empty() => Err("empty option name".into()),
        Condition::Option(_) => Ok(()),
        Condition::All(cs) | Condition::Any(cs) => cs.iter().try_for_each(condition),
    }
}

fn check_path(p: &str) -> Result<(), String> {
    path::parse(p)
        .map(|_| ())
        .ok_or_else(|| format!("malformed parameter path `{p}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_listed_in_order() {
        assert_eq!(
            placeholders("arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
            vec!["Partition", "BucketName", "ObjectName"]
        );
        assert!(placeholders("*").is_empty());
    }

    fn rule(arn: &str, bind: &[(&str, &str)], unbound: &[&str]) -> ResourceRule {
        ResourceRule {
            resource_type: "object".into(),
            arn: arn.into(),
            bind: bind
                .iter()
                .map(|(k, v)| (k.to_string(), crate::Binding::Path(v.to_string())))
                .collect(),
            unbound: unbound
                .iter()
                .map(|k| (k.to_string(), "why".into()))
                .collect(),
            arn_param: None,
        }
    }

    #[test]
    fn unbound_placeholder_without_reason_is_rejected() {
        let arn = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert!(resource_rule(&rule(arn, &[("BucketName", "Bucket")], &[])).is_err());
        assert!(resource_rule(&rule(arn, &[("BucketName", "Bucket")], &["ObjectName"])).is_ok());
        assert!(
            resource_rule(&rule(
                arn,
                &[("BucketName", "Bucket"), ("ObjectName", "Key")],
                &[]
            ))
            .is_ok()
        );
    }

    #[test]
    fn binding_a_placeholder_the_arn_lacks_is_rejected() {
        let arn = "arn:${Partition}:s3:::${BucketName}";
        assert!(
            resource_rule(&rule(arn, &[("BucketName", "Bucket"), ("Key", "Key")], &[])).is_err()
        );
    }
}
