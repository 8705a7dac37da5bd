//! boto3 resource models: `boto3.resource('s3').Bucket(b).Object(k).get()` → GetObject
//! with `Bucket=b, Key=k`, walking the condensed `resources-1.json` tables.

use std::collections::BTreeMap;

use leastrole_lang::{Diagnostic, Level, ResourceStep, SdkCall, Value};
use leastrole_maps::schema::{Boto3Param, Boto3Request, Boto3Resource, Boto3ServiceResources};
use leastrole_maps::{Maps, MapsError};

use super::request::{Request, Targets, helper_requests};
use super::values::{merge_into, set_path};
use leastrole_core::Code;

const SERVICE_RESOURCE: &str = "ServiceResource";

/// Where the walk is: a resource with its identifier values, or a collection of items.
enum At<'a> {
    Resource {
        name: String,
        model: &'a Boto3Resource,
        identifiers: BTreeMap<String, Value>,
    },
    Collection {
        parent: BTreeMap<String, Value>,
        /// Identifiers every item shares (from the parent), others unknown.
        items: BTreeMap<String, Value>,
        item: &'a Boto3Resource,
        request: &'a Boto3Request,
    },
}

pub fn requests(
    maps: &Maps,
    call: &SdkCall,
    service_name: &str,
    path: &[ResourceStep],
    method: &str,
    out: &mut Targets,
) -> Result<(), MapsError> {
    let models = maps.boto3_resources()?;
    let Some(service_models) = models.services.get(service_name) else {
        out.diagnostics.push(warning(
            call,
            format!(
                "boto3 has no resource model for `{service_name}` (`{}` is not in the policy)",
                call.text
            ),
        ));
        return Ok(());
    };
    let Some(service) = maps.service(service_name)? else {
        return Ok(());
    };
    let mut at = At::Resource {
        name: SERVICE_RESOURCE.into(),
        model: &service_models.service,
        identifiers: BTreeMap::new(),
    };
    for step in path {
        match step_into(service_models, at, step) {
            Ok(next) => at = next,
            Err(message) => {
                out.diagnostics.push(warning(
                    call,
                    format!("{message} (`{}` is not in the policy)", call.text),
                ));
                return Ok(());
            }
        }
    }
    let push =
        |out: &mut Targets, request: &Boto3Request, ids: &BTreeMap<String, Value>, via: String| {
            let mut params = build_params(&request.params, ids);
            merge_into(&mut params, &call.params);
            out.requests.push(Request {
                service: service.clone(),
                operation: request.operation.clone(),
                params,
                via: Some(via),
            });
        };
    match at {
        At::Resource {
            name,
            model,
            identifiers,
        } => {
            if let Some(request) = model.actions.get(method) {
                push(
                    out,
                    request,
                    &identifiers,
                    format!("{name}.{method} sends {}", request.operation),
                );
            } else if matches!(method, "load" | "reload")
                || model.attributes.iter().any(|a| a == method)
            {
                match &model.load {
                    Some(request) => push(
                        out,
                        request,
                        &identifiers,
                        format!("loading {name} sends {}", request.operation),
                    ),
                    None => out
                        .diagnostics
                        .push(warning(call, format!("{name} has no load operation"))),
                }
            } else if let Some(waiter) = model.waiters.get(method) {
                match service.waiter(&waiter.waiter) {
                    Some((_, w)) => {
                        let mut params = build_params(&waiter.params, &identifiers);
                        merge_into(&mut params, &call.params);
                        out.requests.push(Request {
                            service: service.clone(),
                            operation: w.operation.clone(),
                            params,
                            via: Some(format!("{name}.{method} polls {}", w.operation)),
                        });
                    }
                    None => out
                        .diagnostics
                        .push(warning(call, format!("unknown waiter {}", waiter.waiter))),
                }
            } else if let Some(helper) =
                maps.helper("boto3", &format!("{service_name}.{name}.{method}"))?
            {
                let mut base = Value::empty_object();
                for (k, v) in &identifiers {
                    set_path(&mut base, &format!("self.{k}"), v.clone());
                }
                helper_requests(maps, call, method, &helper, &base, out)?;
            } else {
                let candidates: Vec<&str> = model
                    .actions
                    .keys()
                    .chain(model.waiters.keys())
                    .map(String::as_str)
                    .collect();
                let hint = leastrole_maps::did_you_mean(method, candidates)
                    .map(|m| format!("; did you mean `{m}`?"))
                    .unwrap_or_default();
                out.diagnostics.push(Diagnostic::new(
                    Level::Warning,
                    Code::UnknownMethod,
                    format!("boto3 {name} resource has no method `{method}`{hint} (`{}` is not in the policy)", call.text),
                    Some(call.location.clone()),
                ));
            }
        }
        At::Collection {
            parent,
            items,
            item,
            request,
        } => {
            if let Some(batch) = item.batch_actions.get(method) {
                let mut params = build_params(&batch.params, &items);
                merge_into(&mut params, &call.params);
                out.requests.push(Request {
                    service: service.clone(),
                    operation: batch.operation.clone(),
                    params,
                    via: Some(format!("collection {method} sends {}", batch.operation)),
                });
            } else if matches!(
                method,
                "all" | "filter" | "limit" | "page_size" | "pages" | "__iter__"
            ) {
                push(
                    out,
                    request,
                    &parent,
                    format!("iterating the collection sends {}", request.operation),
                );
            } else {
                out.diagnostics.push(warning(
                    call,
                    format!(
                        "boto3 collection has no method `{method}` (`{}` is not in the policy)",
                        call.text
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn warning(call: &SdkCall, message: String) -> Diagnostic {
    Diagnostic::new(
        Level::Warning,
        Code::UnknownMethod,
        message,
        Some(call.location.clone()),
    )
}

fn step_into<'a>(
    models: &'a Boto3ServiceResources,
    at: At<'a>,
    step: &ResourceStep,
) -> Result<At<'a>, String> {
    let At::Resource {
        name,
        model,
        identifiers,
    } = at
    else {
        return Err(format!(
            "`{}` on a collection is not a boto3 resource step",
            step.name
        ));
    };
    if let Some(sub) = model.has.get(&step.name) {
        let Some(sub_model) = models.resources.get(&sub.resource) else {
            return Err(format!("boto3 resource {} is not modelled", sub.resource));
        };
        let mut inputs = step.args.iter();
        let mut ids = BTreeMap::new();
        for p in &sub.identifiers {
            let value = match p.source.as_str() {
                "identifier" => p
                    .name
                    .as_ref()
                    .and_then(|n| identifiers.get(n).cloned())
                    .unwrap_or_else(|| Value::unknown("identifier of the parent resource")),
                "input" => inputs.next().cloned().unwrap_or_else(|| {
                    Value::unknown(format!("{} not given to {}()", p.target, step.name))
                }),
                other => Value::unknown(format!("{} comes from {other}", p.target)),
            };
            ids.insert(p.target.clone(), value);
        }
        return Ok(At::Resource {
            name: sub.resource.clone(),
            model: sub_model,
            identifiers: ids,
        });
    }
    // boto3 lets the service resource build any resource type from its identifiers
    // (`boto3.resource('s3').Object(bucket, key)`), all given as arguments in order
    // (boto3/resources/model.py, `_get_has_definition`).
    if name == SERVICE_RESOURCE
        && let Some(sub_model) = models.resources.get(&step.name)
    {
        let mut inputs = step.args.iter();
        let ids = sub_model
            .identifiers
            .iter()
            .map(|id| {
                let value = inputs.next().cloned().unwrap_or_else(|| {
                    Value::unknown(format!("{id} not given to {}()", step.name))
                });
                (id.clone(), value)
            })
            .collect();
        return Ok(At::Resource {
            name: step.name.clone(),
            model: sub_model,
            identifiers: ids,
        });
    }
    // An item of a collection (`for obj in bucket.objects.all(): obj.delete()`): a resource
    // whose identifiers come from the parent or from the listing response.
    if let Some(collection) = step.name.strip_suffix("[]")
        && let Some(coll) = model.collections.get(collection)
    {
        let Some(item_model) = models.resources.get(&coll.resource) else {
            return Err(format!("boto3 resource {} is not modelled", coll.resource));
        };
        let ids = item_identifiers(coll, &identifiers);
        return Ok(At::Resource {
            name: coll.resource.clone(),
            model: item_model,
            identifiers: ids,
        });
    }
    if let Some(coll) = model.collections.get(&step.name) {
        let item = models.resources.get(&coll.resource).map_or(&EMPTY, |m| m);
        return Ok(At::Collection {
            items: item_identifiers(coll, &identifiers),
            parent: identifiers,
            item,
            request: &coll.request,
        });
    }
    Err(format!(
        "boto3 resource {name} has no sub-resource or collection `{}`",
        step.name
    ))
}

/// The identifiers of a collection's items: from the parent's identifiers where the
/// model says so, otherwise unknown (they come from the listing response).
fn item_identifiers(
    coll: &leastrole_maps::schema::Boto3Collection,
    parent: &BTreeMap<String, Value>,
) -> BTreeMap<String, Value> {
    coll.identifiers
        .iter()
        .map(|p| {
            let value = match (p.source.as_str(), &p.name) {
                ("identifier", Some(n)) => parent
                    .get(n)
                    .cloned()
                    .unwrap_or_else(|| Value::unknown("identifier of the parent resource")),
                _ => Value::unknown(format!(
                    "each item's {} comes from the listing response",
                    p.target
                )),
            };
            (p.target.clone(), value)
        })
        .collect()
}

static EMPTY: Boto3Resource = Boto3Resource {
    identifiers: Vec::new(),
    load: None,
    attributes: Vec::new(),
    actions: BTreeMap::new(),
    batch_actions: BTreeMap::new(),
    waiters: BTreeMap::new(),
    has: BTreeMap::new(),
    collections: BTreeMap::new(),
};

/// A request's parameters from identifiers and literals; `[]` in a target path (batch
/// actions: `Delete.Objects[].Key`) is filled with one element.
fn build_params(params: &[Boto3Param], identifiers: &BTreeMap<String, Value>) -> Value {
    let mut out = Value::empty_object();
    for p in params {
        let value = match p.source.as_str() {
            "identifier" => p
                .name
                .as_ref()
                .and_then(|n| identifiers.get(n).cloned())
                .unwrap_or_else(|| Value::unknown("resource identifier")),
            "string" | "integer" | "boolean" => match &p.value {
                Some(serde_json::Value::String(s)) => Value::str(s.clone()),
                Some(v) => Value::Scalar {
                    text: v.to_string(),
                },
                None => continue,
            },
            _ => Value::unknown(format!("{} comes from the resource's data", p.target)),
        };
        match p.target.split_once("[]") {
            Some((list, rest)) => {
                let mut item = Value::empty_object();
                set_path(&mut item, rest.trim_start_matches('.'), value);
                set_path(&mut out, list, Value::List { items: vec![item] });
            }
            None => set_path(&mut out, &p.target, value),
        }
    }
    out
}
