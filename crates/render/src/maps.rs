//! `leastrole maps`: what the embedded service tables say, as text or JSON.

use std::fmt::Write as _;

use leastrole_maps::{Binding, Index, Operation, Service};
use serde_json::json;

use crate::pretty;

/// Every service with its operation counts.
pub fn maps_index(index: &Index, json: bool) -> String {
    if json {
        let services: Vec<_> = index
            .services
            .iter()
            .map(|(name, e)| {
                json!({
                    "service": name,
                    "iam_prefix": e.iam_prefix,
                    "js_v2": e.js_v2,
                    "js_v3_package": e.js_v3_package,
                    "operations": e.operations,
                    "mapped": e.mapped,
                    "unmapped": e.unmapped,
                })
            })
            .collect();
        return pretty(&json!({ "version": 1, "services": services }));
    }
    let width = index
        .services
        .keys()
        .map(String::len)
        .max()
        .unwrap_or(7)
        .max(7);
    let mut s = format!(
        "{:width$}  {:24}  {:>10}  {:>6}  {:>8}\n",
        "SERVICE", "IAM PREFIX", "OPERATIONS", "MAPPED", "UNMAPPED"
    );
    let (mut ops, mut mapped) = (0, 0);
    for (name, e) in &index.services {
        ops += e.operations;
        mapped += e.mapped;
        let _ = writeln!(
            s,
            "{name:width$}  {:24}  {:>10}  {:>6}  {:>8}",
            e.iam_prefix, e.operations, e.mapped, e.unmapped
        );
    }
    let _ = writeln!(
        s,
        "\n{} services, {ops} operations, {mapped} mapped, {} unmapped",
        index.services.len(),
        ops - mapped
    );
    s
}

/// One service: its SDK names and each operation's actions.
pub fn maps_service(service: &Service, json: bool) -> String {
    let t = service.table();
    if json {
        return pretty(t);
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} (IAM prefix `{}`, API {}){}",
        t.service,
        t.iam_prefix,
        t.api_version,
        t.title
            .as_deref()
            .map(|x| format!(": {x}"))
            .unwrap_or_default()
    );
    let sdk = &t.sdk;
    let _ = writeln!(
        s,
        "boto3 client `{}`; JS v2 `{}`; JS v3 `{}` ({})\n",
        sdk.boto3,
        sdk.js_v2.as_deref().unwrap_or("-"),
        sdk.js_v3_package.as_deref().unwrap_or("-"),
        sdk.js_v3_client.as_deref().unwrap_or("-"),
    );
    let width = t.operations.keys().map(String::len).max().unwrap_or(9);
    for (name, op) in &t.operations {
        let _ = writeln!(s, "{name:width$}  {}", action_summary(op));
    }
    s
}

fn action_summary(op: &Operation) -> String {
    if let Some(why) = &op.no_permission {
        return format!("(no permission needed: {why})");
    }
    if op.actions.is_empty() {
        return format!(
            "(unmapped: {})",
            op.unmapped.as_deref().unwrap_or("no reason given")
        );
    }
    let always: Vec<&str> = op
        .actions
        .iter()
        .filter(|a| a.when.is_none())
        .map(|a| a.action.as_str())
        .collect();
    let conditional = op.actions.len() - always.len();
    let mut s = always.join(", ");
    if conditional > 0 {
        if !s.is_empty() {
            s.push(' ');
        }
        let _ = write!(s, "(+{conditional} conditional)");
    }
    s
}

/// One operation: its SDK names, where the mapping comes from, and every action with its
/// condition and resources.
pub fn maps_operation(service: &Service, name: &str, op: &Operation, json: bool) -> String {
    if json {
        let mut v = serde_json::to_value(op).unwrap_or_default();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("operation".into(), json!(name));
            obj.insert("service".into(), json!(service.name()));
            obj.insert("iam_prefix".into(), json!(service.iam_prefix()));
        }
        return pretty(&v);
    }
    let mut s = String::new();
    let _ = writeln!(s, "{} {name}", service.name());
    let _ = writeln!(
        s,
        "  boto3 `{}`, JS `{}`{}{}",
        op.boto3,
        op.js,
        op.v3_command
            .as_deref()
            .map(|c| format!(", v3 `{c}`"))
            .unwrap_or_default(),
        if op.paginator { ", paginated" } else { "" }
    );
    let origin = serde_json::to_value(op.origin.kind).unwrap_or_default();
    let _ = writeln!(
        s,
        "  mapping: {}{}",
        origin.as_str().unwrap_or("?"),
        op.origin
            .source
            .as_deref()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default()
    );
    if let Some(why) = &op.no_permission {
        let _ = writeln!(s, "  needs no permission: {why}");
    }
    if let Some(why) = &op.unmapped {
        let _ = writeln!(s, "  unmapped: {why}");
    }
    for rule in &op.actions {
        let when = rule
            .when
            .as_ref()
            .map(|c| format!("  when {c}"))
            .unwrap_or_default();
        let _ = writeln!(s, "\n  {} ({}){when}", rule.action, rule.access.as_str());
        if rule.resources.is_empty() {
            let _ = writeln!(
                s,
                "    resource: * (the action supports no resource-level permissions)"
            );
        }
        for r in &rule.resources {
            let _ = writeln!(s, "    resource {}: {}", r.resource_type, r.arn);
            for (placeholder, binding) in &r.bind {
                let _ = writeln!(s, "      ${{{placeholder}}} <- {}", binding_text(binding));
            }
            for (placeholder, why) in &r.unbound {
                let _ = writeln!(s, "      ${{{placeholder}}} = * ({why})");
            }
            if let Some(p) = &r.arn_param {
                let _ = writeln!(s, "      whole ARN <- {p} when it is an ARN");
            }
        }
        if let Some(n) = &rule.note {
            let _ = writeln!(s, "    note: {n}");
        }
    }
    if !op.not_needed.is_empty() {
        let _ = writeln!(s, "\n  may authorize, not needed by default:");
        for n in &op.not_needed {
            let _ = writeln!(s, "    {}: {}", n.action, n.reason);
        }
    }
    s
}

fn binding_text(b: &Binding) -> String {
    match b {
        Binding::Path(p) => p.clone(),
        Binding::Parsed { param, parse } => {
            let parser = serde_json::to_value(parse).ok();
            format!(
                "{param} (parsed: {})",
                parser.as_ref().and_then(|v| v.as_str()).unwrap_or("?")
            )
        }
        Binding::Defaulted { param, default } => format!("{param} (default: {default})"),
        Binding::Prefixed { param, prefix } => format!("{prefix}{{{param}}}"),
        Binding::Constant { constant } => format!("always {constant:?}"),
        Binding::Event { event, .. } => format!("the function's event: {event}"),
    }
}
