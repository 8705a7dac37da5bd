//! `leastrole maps [SERVICE [OPERATION]]`: what the embedded tables say.

use std::sync::Arc;

use anyhow::{Context, bail};
use leastrole_maps::{Maps, Operation, Service, did_you_mean};

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
    let json = args.format == ListFormat::Json;
    let text = match (&args.service, &args.operation) {
        (None, _) => {
            let index = maps.index().context("cannot load the service maps index")?;
            leastrole_render::maps_index(&index, json)
        }
        (Some(s), None) => leastrole_render::maps_service(&*find_service(maps, s)?, json),
        (Some(s), Some(o)) => {
            let service = find_service(maps, s)?;
            let (name, op) = find_operation(&service, o)?;
            leastrole_render::maps_operation(&service, name, op, json)
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
