//! AWS SDK for JavaScript v2 (`aws-sdk`): the namespace, service classes, clients,
//! `DocumentClient`, and what their methods are in the SDK's vocabulary.

use crate::facts::{CallKind, Code, Diagnostic, Level, Sdk, SdkCall, ServiceRef, Value};

use super::sdk_v2_names::class_for_module;
use super::values::{Abs, Site};

/// The value a `require`/`import` of an `aws-sdk…` module path denotes, if it is one.
pub(crate) fn module(spec: &str) -> Option<Abs> {
    match spec {
        "aws-sdk" | "aws-sdk/global" | "aws-sdk/lib/aws" => Some(Abs::V2Ns),
        "aws-sdk/lib/dynamodb/document_client" | "aws-sdk/clients/dynamodb/document_client" => {
            Some(Abs::V2DocClass)
        }
        _ => {
            let id = spec.strip_prefix("aws-sdk/clients/")?;
            let id = id.strip_suffix(".js").unwrap_or(id);
            Some(Abs::V2Class(class_for_module(id)))
        }
    }
}

fn call(site: &Site, service: ServiceRef, call: CallKind, params: Value) -> SdkCall {
    SdkCall {
        location: site.location.clone(),
        sdk: Sdk::JsV2,
        service,
        call,
        params,
        positional: Vec::new(),
        text: site.text.clone(),
    }
}

/// The request parameters of a v2 method: the first argument, unless it is the callback.
fn params_arg(args: &[Abs]) -> Value {
    match args.first() {
        None | Some(Abs::Func(_)) => Value::empty_object(),
        Some(a) => a.to_value(),
    }
}

/// What `new <ctor>(args)` makes, for v2 constructors. `None`: not a v2 constructor.
pub(crate) fn construct(
    ctor: &Abs,
    args: &[Abs],
    site: &Site,
    calls: &mut Vec<SdkCall>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Abs> {
    Some(match ctor {
        Abs::V2Class(class) => Abs::V2Client(ServiceRef::Known {
            name: class.clone(),
        }),
        Abs::V2DocClass => Abs::V2Doc,
        Abs::V2Inert => Abs::V2Inert,
        Abs::V2Ns => Abs::V2Inert,
        Abs::V2Dynamic(reason) => {
            diags.push(Diagnostic::new(
                Level::Warning,
                Code::DynamicService,
                format!(
                    "`{}`: the AWS service is chosen at run time ({reason}); its calls cannot be mapped to actions",
                    site.text
                ),
                Some(site.location.clone()),
            ));
            Abs::V2Client(ServiceRef::Dynamic {
                reason: reason.clone(),
            })
        }
        Abs::V2ManagedUploadClass => {
            // `new AWS.S3.ManagedUpload({ params })` is `s3.upload(params)`.
            let params = args
                .first()
                .map_or_else(Value::empty_object, |a| a.member("params").to_value());
            calls.push(call(
                site,
                ServiceRef::Known {
                    name: "S3".to_string(),
                },
                CallKind::Method {
                    name: "upload".to_string(),
                },
                params,
            ));
            Abs::V2Request
        }
        _ => return None,
    })
}

/// `<recv>.<method>(args)` on v2 objects. `None`: `recv` is not a v2 object.
pub(crate) fn method(
    recv: &Abs,
    method: &str,
    args: &[Abs],
    site: &Site,
    calls: &mut Vec<SdkCall>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Abs> {
    match recv {
        Abs::V2Client(service) => {
            client_method(service, method, args, site, calls, diags);
            Some(match method {
                "getSignedUrl" => Abs::unknown("a presigned URL"),
                _ => match super::sdk_v3::result_of(
                    &super::sdk_v3::operation_of(method),
                    &params_arg(args),
                ) {
                    known @ Abs::Obj(..) => Abs::V2Result(Box::new(known)),
                    _ => Abs::V2Request,
                },
            })
        }
        Abs::V2Doc => {
            if !matches!(method, "createSet" | "options") {
                calls.push(call(
                    site,
                    ServiceRef::Known {
                        name: "DynamoDB".to_string(),
                    },
                    CallKind::Helper {
                        object: "DocumentClient".to_string(),
                        method: method.to_string(),
                    },
                    params_arg(args),
                ));
            }
            Some(Abs::V2Request)
        }
        // `new AWS.S3(...)` written without `new` works too.
        Abs::V2Class(_) | Abs::V2DocClass | Abs::V2Dynamic(_) => None,
        Abs::V2Request => Some(Abs::unknown("result of an AWS call")),
        Abs::V2Result(result) => Some(match method {
            "promise" => (**result).clone(),
            _ => Abs::unknown("result of an AWS call"),
        }),
        Abs::V2Ns | Abs::V2Inert | Abs::V2ManagedUploadClass => {
            Some(Abs::unknown(format!("result of `{method}()`")))
        }
        _ => None,
    }
}

fn client_method(
    service: &ServiceRef,
    method: &str,
    args: &[Abs],
    site: &Site,
    calls: &mut Vec<SdkCall>,
    diags: &mut Vec<Diagnostic>,
) {
    // Named-operation forms: the operation is the first argument.
    let kind: fn(String) -> CallKind = match method {
        "getSignedUrl" | "getSignedUrlPromise" => |name| CallKind::Presign { name },
        "waitFor" => |name| CallKind::Waiter { name },
        "makeRequest" | "makeUnauthenticatedRequest" => |name| CallKind::Method { name },
        // Local configuration and plumbing on the client object.
        "config" | "endpoint" | "setupRequestListeners" | "on" | "customizeRequests" => return,
        _ => {
            calls.push(call(
                site,
                service.clone(),
                CallKind::Method {
                    name: method.to_string(),
                },
                params_arg(args),
            ));
            return;
        }
    };
    let op = args.first().map(Abs::to_value);
    match op {
        Some(Value::Str { value }) => {
            let params = match args.get(1) {
                None | Some(Abs::Func(_)) => Value::empty_object(),
                Some(a) => a.to_value(),
            };
            calls.push(call(site, service.clone(), kind(value), params));
        }
        other => {
            let why = match other {
                Some(Value::Unknown { reason }) => reason,
                Some(Value::Event { path }) => super::values::event_reason(&path),
                None => "no operation given".to_string(),
                Some(_) => "not a string literal".to_string(),
            };
            diags.push(Diagnostic::new(
                Level::Warning,
                Code::DynamicOperation,
                format!(
                    "`{}`: the operation name `{}` cannot be resolved ({why})",
                    site.text, site.first_arg
                ),
                Some(site.location.clone()),
            ));
        }
    }
}
