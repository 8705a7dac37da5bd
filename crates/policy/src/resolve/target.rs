//! From an SDK call (in the SDK's vocabulary) to the API requests it sends.

use std::sync::Arc;

use leastrole_lang::{CallKind, Sdk, SdkCall, ServiceRef, Value};
use leastrole_maps::{Maps, MapsError, Service, did_you_mean};

use super::boto3_resources;
use super::request::{Request, Targets, helper_requests};
use leastrole_core::Code;

pub fn requests(maps: &Maps, call: &SdkCall) -> Result<Targets, MapsError> {
    let mut out = Targets::default();
    let name = match &call.service {
        ServiceRef::Known { name } => name.as_str(),
        // The front-end reports a computed service name where it sees it (`dynamic-service`).
        ServiceRef::Dynamic { .. } => return Ok(out),
    };
    match call.sdk {
        Sdk::Boto3 => boto3(maps, call, name, &mut out)?,
        Sdk::JsV2 => js_v2(maps, call, name, &mut out)?,
        Sdk::JsV3 => js_v3(maps, call, name, &mut out)?,
    }
    Ok(out)
}

fn unknown_service(call: &SdkCall, name: &str, out: &mut Targets) {
    out.warn(
        call,
        Code::UnknownService,
        format!(
            "`{name}` is not an AWS service in the service maps; `{}` is not in the policy",
            call.text
        ),
    );
}

fn direct(service: &Arc<Service>, op: &str, params: &Value) -> Request {
    Request {
        service: service.clone(),
        operation: op.to_string(),
        params: params.clone(),
        via: None,
    }
}

fn unknown_method<'a>(
    call: &SdkCall,
    service: &Service,
    method: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    out: &mut Targets,
) {
    let hint = did_you_mean(method, candidates)
        .map(|m| format!("; did you mean `{m}`?"))
        .unwrap_or_default();
    out.warn(
        call,
        Code::UnknownMethod,
        format!(
            "{} has no operation or helper `{method}`{hint} (`{}` is not in the policy)",
            service.name(),
            call.text
        ),
    );
}

fn boto3(maps: &Maps, call: &SdkCall, name: &str, out: &mut Targets) -> Result<(), MapsError> {
    if let CallKind::Resource { path, method } = &call.call {
        return boto3_resources::requests(maps, call, name, path, method, out);
    }
    let Some(service) = maps.service_for_boto3(name)? else {
        unknown_service(call, name, out);
        return Ok(());
    };
    match &call.call {
        CallKind::Method { name: method } | CallKind::Presign { name: method } => {
            if let Some((op, _)) = service.by_boto3(method) {
                out.requests.push(direct(&service, op, &call.params));
            } else if let Some(helper) = maps.helper("boto3", &format!("{name}.client.{method}"))? {
                helper_requests(
                    maps,
                    call,
                    method,
                    &helper,
                    &Value::Object {
                        entries: Default::default(),
                        rest: None,
                    },
                    out,
                )?;
            } else {
                unknown_method(call, &service, method, service.boto3_methods(), out);
            }
        }
        CallKind::Paginator { name: method } => match service.by_boto3(method) {
            Some((op, _)) => out.requests.push(direct(&service, op, &call.params)),
            None => unknown_method(call, &service, method, service.boto3_methods(), out),
        },
        CallKind::Waiter { name: waiter } => waiter_request(call, &service, waiter, out),
        CallKind::Command { name: other } | CallKind::Helper { method: other, .. } => out.warn(
            call,
            Code::UnknownMethod,
            format!("boto3 has no `{other}` call form (`{}`)", call.text),
        ),
        CallKind::Resource { .. } => {}
    }
    Ok(())
}

fn waiter_request(call: &SdkCall, service: &Arc<Service>, waiter: &str, out: &mut Targets) {
    let found = service.waiter(waiter).or_else(|| {
        // JS v2 `waitFor('objectExists')` and v3 names differ only in the first letter's case.
        let mut upper = waiter.to_string();
        if let Some(first) = upper.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        service.waiter(&upper)
    });
    match found {
        Some((w_name, w)) => out.requests.push(Request {
            service: service.clone(),
            operation: w.operation.clone(),
            params: call.params.clone(),
            via: Some(format!("waiter {w_name} polls {}", w.operation)),
        }),
        None => out.warn(
            call,
            Code::UnknownWaiter,
            format!(
                "{} has no waiter `{waiter}` (`{}` is not in the policy)",
                service.name(),
                call.text
            ),
        ),
    }
}

fn js_v2(maps: &Maps, call: &SdkCall, name: &str, out: &mut Targets) -> Result<(), MapsError> {
    let Some(service) = maps.service_for_js_v2(name)? else {
        unknown_service(call, name, out);
        return Ok(());
    };
    let class = service
        .table()
        .sdk
        .js_v2
        .clone()
        .unwrap_or_else(|| name.to_string());
    match &call.call {
        CallKind::Method { name: method } | CallKind::Presign { name: method } => {
            if let Some((op, _)) = service.by_js(method) {
                out.requests.push(direct(&service, op, &call.params));
            } else if let Some(helper) =
                maps.helper("js-v2", &format!("{class}.client.{method}"))?
            {
                helper_requests(maps, call, method, &helper, &call.params, out)?;
            } else {
                unknown_method(call, &service, method, service.js_methods(), out);
            }
        }
        CallKind::Helper { object, method } => {
            let key = format!("{class}.{object}.{method}");
            match maps.helper("js-v2", &key)? {
                Some(helper) => helper_requests(maps, call, method, &helper, &call.params, out)?,
                None => out.warn(
                    call,
                    Code::UnknownMethod,
                    format!(
                        "{class}.{object} has no method `{method}` (`{}` is not in the policy)",
                        call.text
                    ),
                ),
            }
        }
        CallKind::Waiter { name: waiter } => waiter_request(call, &service, waiter, out),
        CallKind::Paginator { name: op } => {
            match service.operation(op).or_else(|| service.by_js(op)) {
                Some((op, _)) => out.requests.push(direct(&service, op, &call.params)),
                None => unknown_method(call, &service, op, service.js_methods(), out),
            }
        }
        CallKind::Command { name: other } | CallKind::Resource { method: other, .. } => out.warn(
            call,
            Code::UnknownMethod,
            format!("JS SDK v2 has no `{other}` call form (`{}`)", call.text),
        ),
    }
    Ok(())
}

fn js_v3(maps: &Maps, call: &SdkCall, package: &str, out: &mut Targets) -> Result<(), MapsError> {
    // Library packages (lib-dynamodb, lib-storage) are helper tables, not services.
    if !package.starts_with("@aws-sdk/client-") {
        let (object, method) = match &call.call {
            CallKind::Command { name } | CallKind::Presign { name } => ("client", name.as_str()),
            CallKind::Helper { object, method } => (object.as_str(), method.as_str()),
            CallKind::Method { name } => ("client", name.as_str()),
            CallKind::Paginator { name } => {
                // Library paginators are module functions: `paginateQuery(config, input)`.
                let key = format!("{package}.module.paginate{name}");
                match maps.helper("js-v3", &key)? {
                    Some(helper) => helper_requests(maps, call, name, &helper, &call.params, out)?,
                    None => out.warn(
                        call,
                        Code::UnknownMethod,
                        format!("{package} has no paginator `paginate{name}` (`{}` is not in the policy)", call.text),
                    ),
                }
                return Ok(());
            }
            CallKind::Waiter { name } | CallKind::Resource { method: name, .. } => {
                ("client", name.as_str())
            }
        };
        let key = format!("{package}.{object}.{method}");
        match maps.helper("js-v3", &key)? {
            Some(helper) => helper_requests(maps, call, method, &helper, &call.params, out)?,
            None => out.warn(
                call,
                Code::UnknownMethod,
                format!("{package} has no `{object}.{method}` in the helper tables (`{}` is not in the policy)", call.text),
            ),
        }
        return Ok(());
    }
    let Some(service) = maps.service_for_js_v3(package)? else {
        unknown_service(call, package, out);
        return Ok(());
    };
    match &call.call {
        CallKind::Command { name } | CallKind::Presign { name } => {
            match service.by_v3_command(name) {
                Some((op, _)) => out.requests.push(direct(&service, op, &call.params)),
                None => unknown_method(call, &service, name, service.v3_commands(), out),
            }
        }
        CallKind::Method { name } => {
            if let Some((op, _)) = service.by_js(name) {
                out.requests.push(direct(&service, op, &call.params));
            } else if let Some(op) = name.strip_prefix("paginate")
                && let Some((op, _)) = service.operation(op)
            {
                out.requests.push(direct(&service, op, &call.params));
            } else if let Some(w) = name
                .strip_prefix("waitUntil")
                .or_else(|| name.strip_prefix("waitFor"))
            {
                waiter_request(call, &service, w, out);
            } else {
                unknown_method(call, &service, name, service.js_methods(), out);
            }
        }
        CallKind::Paginator { name } => match service.operation(name) {
            Some((op, _)) => out.requests.push(direct(&service, op, &call.params)),
            None => unknown_method(
                call,
                &service,
                name,
                service.table().operations.keys().map(String::as_str),
                out,
            ),
        },
        CallKind::Waiter { name } => waiter_request(call, &service, name, out),
        CallKind::Helper { object, method } => out.warn(
            call,
            Code::UnknownMethod,
            format!(
                "{package} has no helper `{object}.{method}` (`{}` is not in the policy)",
                call.text
            ),
        ),
        CallKind::Resource { method, .. } => out.warn(
            call,
            Code::UnknownMethod,
            format!(
                "JS SDK v3 has no resource call `{method}` (`{}`)",
                call.text
            ),
        ),
    }
    Ok(())
}
