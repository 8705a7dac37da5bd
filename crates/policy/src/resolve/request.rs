//! What a call turns into: the API requests it sends ([`Targets`]), and the requests of
//! an SDK helper (`upload_file`, `batch_writer`, `lib-storage` `Upload`…), shared by
//! the plain calls (`target`) and the boto3 resource models (`boto3_resources`).

use std::sync::Arc;

use leastrole_core::Code;
use leastrole_lang::{Diagnostic, Level, Sdk, SdkCall, Value};
use leastrole_maps::{Helper, Maps, MapsError, Service};

use super::values::{self, merge_into, set_path};

/// One API request a call sends.
#[derive(Debug, Clone)]
pub struct Request {
    pub service: Arc<Service>,
    pub operation: String,
    pub params: Value,
    /// Why this request is part of the call, when it is not the call itself
    /// (`upload_file sends PutObject`).
    pub via: Option<String>,
}

/// The requests of one call, and what could not be understood.
#[derive(Debug, Default)]
pub struct Targets {
    pub requests: Vec<Request>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Targets {
    pub(crate) fn warn(&mut self, call: &SdkCall, code: Code, message: String) {
        self.diagnostics.push(Diagnostic::new(
            Level::Warning,
            code,
            message,
            Some(call.location.clone()),
        ));
    }
}

/// The requests a helper sends. `base` holds named arguments that are not in the call
/// (a boto3 resource's identifiers); positional arguments are named by `helper.params`.
pub fn helper_requests(
    maps: &Maps,
    call: &SdkCall,
    method: &str,
    helper: &Helper,
    base: &Value,
    out: &mut Targets,
) -> Result<(), MapsError> {
    let Some(service) = maps.service(&helper.service)? else {
        out.warn(
            call,
            Code::UnknownService,
            format!("helper `{method}` names unknown service {}", helper.service),
        );
        return Ok(());
    };
    let mut args = Value::empty_object();
    merge_into(&mut args, base);
    for (name, value) in helper.params.iter().zip(&call.positional) {
        set_path(&mut args, name, value.clone());
    }
    // JS helpers take the request as one argument object (`put(params)`,
    // `paginateQuery(config, input)`, `new Upload(options)`); the front-end reports that
    // object as the call's parameters.
    // That argument is the one the helper's requests are spread from.
    let request_arg = helper
        .calls
        .iter()
        .find_map(|c| c.spread.as_deref())
        .map(leastrole_maps::path::root)
        .filter(|root| helper.params.iter().any(|p| p == root));
    match (call.sdk, request_arg) {
        (Sdk::JsV2 | Sdk::JsV3, Some(name)) if call.positional.is_empty() => {
            set_path(&mut args, name, call.params.clone());
        }
        _ => merge_into(&mut args, &call.params),
    }

    for hc in &helper.calls {
        if let Some(cond) = &hc.when
            && super::condition::eval(cond, &args, &super::Options::default()) == Some(false)
        {
            continue;
        }
        let mut params = Value::empty_object();
        if let Some(spread) = &hc.spread {
            if spread == "*" {
                merge_into(&mut params, &args);
            } else if let values::Lookup::Found(found) = values::lookup(&args, spread) {
                for v in found {
                    merge_into(&mut params, &v);
                }
            }
        }
        for (target, source) in &hc.args {
            let value = match values::lookup(&args, source) {
                values::Lookup::Found(mut found) if found.len() == 1 => found.remove(0),
                values::Lookup::Found(_) | values::Lookup::Absent => continue,
                values::Lookup::Unknown(reason) => Value::unknown(reason),
            };
            match target.strip_suffix("{}") {
                // `RequestItems{}` ← name: the value is a key of the map.
                Some(map) => set_path(&mut params, map, values::keyed_by(value)),
                None => set_path(&mut params, target, value),
            }
        }
        if service.operation(&hc.operation).is_none() {
            out.warn(
                call,
                Code::UnknownMethod,
                format!("helper `{method}` sends unknown operation {}", hc.operation),
            );
            continue;
        }
        out.requests.push(Request {
            service: service.clone(),
            operation: hc.operation.clone(),
            params,
            via: Some(format!("{method} sends {}", hc.operation)),
        });
    }
    Ok(())
}
