//! `leastrole maps [SERVICE [OPERATION]]`: what the embedded tables say.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::{Context, bail};
use leastrole_maps::{Condition, Maps, Operation, Service, did_you_mean};
use serde_json::json;

use crate::Status;
use crate::args::{ListFormat, MapsArgs};
use crate::output::{emit, note};

pub fn run(args: MapsArgs) -> anyhow::Result<Status> {
    let maps = Maps::embedded();
    if args.validate {
        let problems = leastrole_maps::validate::all(maps);
        for p in &problems {
            note(p);
        }
        note(&format!(
            "{} problem(s) in the service maps",
            problems.len()
        ));
        return Ok(if problems.is_empty() {
            Status::Clean
        } else {
            Status::Findings
        });
    }
    let text = match (&args.service, &args.operation) {
        (None, _) => list_services(maps, args.format)?,
        (Some(s), None) => show_service(&find_service(maps, s)?, args.format)?,
        (Some(s), Some(o)) => {
            let service = find_service(maps, s)?;
            let (name, op) = find_operation(&service, o)?;
            show_operation(&service, name, op, args.format)?
        }
    };
    emit(None, &text)?;
    Ok(Status::Clean)
}

/// A service by botocore name, then case-insensitively, then by JS v2 class, v3 package
/// or IAM prefix (when that prefix names one service).
fn find_service(maps: &Maps, name: &str) -> anyhow::Result<Arc<Service>> {
    if let Some(s) = maps.service(name)? {
        return Ok(s);
    }
    let index = maps.index()?;
    let lower = name.to_ascii_lowercase();
    let found = index
        .services
        .iter()
        .find(|(k, _)| k.to_ascii_lowercase() == lower)
        .or_else(|| {
            index
                .services
                .iter()
                .find(|(_, e)| e.js_v2.as_deref() == Some(name))
        })
        .or_else(|| {
            index
                .services
                .iter()
                .find(|(_, e)| e.js_v3_package.as_deref() == Some(name))
        })
        .or_else(|| {
            let mut by_prefix = index.services.iter().filter(|(_, e)| e.iam_prefix == lower);
            match (by_prefix.next(), by_prefix.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        });
    if let Some((k, _)) = found
        && let Some(s) = maps.service(k)?
    {
        return Ok(s);
    }
    let hint = did_you_mean(name, index.services.keys().map(String::as_str))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    bail!("no service `{name}` in the service maps{hint} (`leastrole maps` lists them)")
}

fn find_operation<'a>(
    service: &'a Service,
    name: &str,
) -> anyhow::Result<(&'a str, &'a Operation)> {
    let found = service
        .operation(name)
        .or_else(|| service.by_boto3(name))
        .or_else(|| service.by_js(name))
        .or_else(|| service.by_v3_command(name))
        .or_else(|| {
            let lower = name.to_ascii_lowercase();
            service
                .table()
                .operations
                .iter()
                .find(|(k, _)| k.to_ascii_lowercase() == lower)
                .map(|(k, v)| (k.as_str(), v))
        });
    if let Some(found) = found {
        return Ok(found);
    }
    let hint = did_you_mean(name, service.table().operations.keys().map(String::as_str))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    bail!(
        "{} has no operation `{name}`{hint} (`leastrole maps {}` lists them)",
        service.name(),
        service.name()
    )
}

fn list_services(maps: &Maps, format: ListFormat) -> anyhow::Result<String> {
    let index = maps.index().context("cannot load the service maps index")?;
    Ok(match format {
        ListFormat::Json => {
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
            pretty(&json!({ "version": 1, "services": services }))?
        }
        ListFormat::Text => {
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
                writeln!(
                    s,
                    "{name:width$}  {:24}  {:>10}  {:>6}  {:>8}",
                    e.iam_prefix, e.operations, e.mapped, e.unmapped
                )?;
            }
            writeln!(
                s,
                "\n{} services, {ops} operations, {mapped} mapped, {} unmapped",
                index.services.len(),
                ops - mapped
            )?;
            s
        }
    })
}

fn show_service(service: &Arc<Service>, format: ListFormat) -> anyhow::Result<String> {
    let t = service.table();
    Ok(match format {
        ListFormat::Json => pretty(&serde_json::to_value(t)?)?,
        ListFormat::Text => {
            let mut s = String::new();
            writeln!(
                s,
                "{} (IAM prefix `{}`, API {}){}",
                t.service,
                t.iam_prefix,
                t.api_version,
                t.title
                    .as_deref()
                    .map(|x| format!(": {x}"))
                    .unwrap_or_default()
            )?;
            let sdk = &t.sdk;
            writeln!(
                s,
                "boto3 client `{}`; JS v2 `{}`; JS v3 `{}` ({})\n",
                sdk.boto3,
                sdk.js_v2.as_deref().unwrap_or("-"),
                sdk.js_v3_package.as_deref().unwrap_or("-"),
                sdk.js_v3_client.as_deref().unwrap_or("-"),
            )?;
            let width = t.operations.keys().map(String::len).max().unwrap_or(9);
            for (name, op) in &t.operations {
                writeln!(s, "{name:width$}  {}", action_summary(op))?;
            }
            s
        }
    })
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
        write!(s, "(+{conditional} conditional)").ok();
    }
    s
}

fn show_operation(
    service: &Service,
    name: &str,
    op: &Operation,
    format: ListFormat,
) -> anyhow::Result<String> {
    if format == ListFormat::Json {
        let mut v = serde_json::to_value(op)?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("operation".into(), json!(name));
            obj.insert("service".into(), json!(service.name()));
            obj.insert("iam_prefix".into(), json!(service.iam_prefix()));
        }
        return pretty(&v);
    }
    let mut s = String::new();
    writeln!(s, "{} {name}", service.name())?;
    writeln!(
        s,
        "  boto3 `{}`, JS `{}`{}{}",
        op.boto3,
        op.js,
        op.v3_command
            .as_deref()
            .map(|c| format!(", v3 `{c}`"))
            .unwrap_or_default(),
        if op.paginator { ", paginated" } else { "" }
    )?;
    let origin = serde_json::to_value(op.origin.kind)?;
    writeln!(
        s,
        "  mapping: {}{}",
        origin.as_str().unwrap_or("?"),
        op.origin
            .source
            .as_deref()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default()
    )?;
    if let Some(why) = &op.no_permission {
        writeln!(s, "  needs no permission: {why}")?;
    }
    if let Some(why) = &op.unmapped {
        writeln!(s, "  unmapped: {why}")?;
    }
    for rule in &op.actions {
        let when = rule
            .when
            .as_ref()
            .map(|c| format!("  when {}", describe(c)))
            .unwrap_or_default();
        writeln!(s, "\n  {} ({}){when}", rule.action, rule.access.as_str())?;
        if rule.resources.is_empty() {
            writeln!(
                s,
                "    resource: * (the action supports no resource-level permissions)"
            )?;
        }
        for r in &rule.resources {
            writeln!(s, "    resource {}: {}", r.resource_type, r.arn)?;
            for (placeholder, binding) in &r.bind {
                writeln!(
                    s,
                    "      ${{{placeholder}}} <- {}",
                    describe_binding(binding)
                )?;
            }
            for (placeholder, why) in &r.unbound {
                writeln!(s, "      ${{{placeholder}}} = * ({why})")?;
            }
            if let Some(p) = &r.arn_param {
                writeln!(s, "      whole ARN <- {p} when it is an ARN")?;
            }
        }
        if let Some(n) = &rule.note {
            writeln!(s, "    note: {n}")?;
        }
    }
    if !op.not_needed.is_empty() {
        writeln!(s, "\n  may authorize, not needed by default:")?;
        for n in &op.not_needed {
            writeln!(s, "    {}: {}", n.action, n.reason)?;
        }
    }
    Ok(s)
}

fn describe_binding(b: &leastrole_maps::Binding) -> String {
    match b {
        leastrole_maps::Binding::Path(p) => p.clone(),
        leastrole_maps::Binding::Parsed { param, parse } => {
            let parser = serde_json::to_value(parse).ok();
            format!(
                "{param} (parsed: {})",
                parser.as_ref().and_then(|v| v.as_str()).unwrap_or("?")
            )
        }
    }
}

fn describe(c: &Condition) -> String {
    match c {
        Condition::Present(p) => format!("{p} is given"),
        Condition::Absent(p) => format!("{p} is not given"),
        Condition::Equals { param, values } => format!("{param} is one of {}", values.join(", ")),
        Condition::StartsWith { param, prefixes } => {
            format!("{param} starts with {}", prefixes.join(" or "))
        }
        Condition::Option(o) => format!("option --{o}"),
        Condition::All(cs) => cs.iter().map(describe).collect::<Vec<_>>().join(" and "),
        Condition::Any(cs) => cs.iter().map(describe).collect::<Vec<_>>().join(" or "),
    }
}

fn pretty(v: &serde_json::Value) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    Ok(s)
}
