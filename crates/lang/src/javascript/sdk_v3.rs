//! AWS SDK for JavaScript v3 (`@aws-sdk/*`): clients, commands sent through them,
//! aggregated clients, `lib-dynamodb`, `lib-storage`, paginators, waiters and the
//! request presigner, in the SDK's vocabulary (package + command/method name).

use crate::facts::{CallKind, Code, Diagnostic, Level, Sdk, SdkCall, ServiceRef, Value};

use super::values::{Abs, Site};

pub(crate) const LIB_DYNAMODB: &str = "@aws-sdk/lib-dynamodb";
const LIB_STORAGE: &str = "@aws-sdk/lib-storage";
const PRESIGNER: &str = "@aws-sdk/s3-request-presigner";
const PRESIGNED_POST: &str = "@aws-sdk/s3-presigned-post";

/// The package part of an `@aws-sdk/...` specifier (`@aws-sdk/client-s3/dist-cjs/x` →
/// `@aws-sdk/client-s3`).
pub(crate) fn package(spec: &str) -> Option<String> {
    let rest = spec.strip_prefix("@aws-sdk/")?;
    let name = rest.split('/').next().filter(|n| !n.is_empty())?;
    Some(format!("@aws-sdk/{name}"))
}

fn call(site: &Site, pkg: &str, call: CallKind, params: Value) -> SdkCall {
    SdkCall {
        location: site.location.clone(),
        sdk: Sdk::JsV3,
        service: ServiceRef::Known {
            name: pkg.to_string(),
        },
        call,
        params,
        positional: Vec::new(),
        text: site.text.clone(),
    }
}

fn arg_value(args: &[Abs], i: usize) -> Value {
    args.get(i).map_or_else(Value::empty_object, Abs::to_value)
}

/// `new <export>(args)`. `None`: not a v3 constructor.
pub(crate) fn construct(ctor: &Abs, args: &[Abs], next_upload: &mut usize) -> Option<Abs> {
    let Abs::V3Export { pkg, name } = ctor else {
        return None;
    };
    let first_upper = name.chars().next().is_some_and(char::is_uppercase);
    Some(if pkg == LIB_STORAGE && name == "Upload" {
        *next_upload += 1;
        // The whole constructor options (`{ client, params, tags, leavePartsOnError }`):
        // the helper table reads `options.params` and `options.tags`.
        let params = args.first().map_or_else(Value::empty_object, Abs::to_value);
        Abs::V3Upload {
            id: *next_upload,
            params: Box::new(params),
        }
    } else if name.ends_with("Command") && name.len() > "Command".len() {
        Abs::V3Command {
            pkg: pkg.clone(),
            name: name.clone(),
            input: Box::new(arg_value(args, 0)),
        }
    } else if pkg == LIB_DYNAMODB && name == "DynamoDBDocument" {
        Abs::V3DocAgg
    } else if name.ends_with("Client") {
        Abs::V3Client {
            pkg: pkg.clone(),
            aggregated: false,
        }
    } else if pkg.starts_with("@aws-sdk/client-")
        && first_upper
        && !name.ends_with("Exception")
        && !name.ends_with("Error")
    {
        Abs::V3Client {
            pkg: pkg.clone(),
            aggregated: true,
        }
    } else {
        Abs::unknown(format!("a `{name}` from {pkg}"))
    })
}

/// What an SDK call returns, for calls whose result names the resource the request
/// names: `GetQueueUrl`'s `QueueUrl` is the URL of the queue `QueueName` names, and
/// `GetFunction`'s `Configuration.FunctionArn` the ARN of the function `FunctionName`
/// names. The value is the name itself: the policy's parsers read a queue's name as the
/// last segment of a URL and a function's name out of an ARN, so the name reads back as
/// itself and no region or account is made up. Anything else (a `ListX` page's items)
/// is unknown.
pub(crate) fn result_of(operation: &str, input: &Value) -> Abs {
    let unknown = || Abs::unknown("result of an AWS call");
    let named = |member: &str| {
        input
            .get(member)
            .filter(|v| !matches!(v, Value::Unknown { .. }))
    };
    let rest = || {
        Some(format!(
            "a member of the `{operation}` result other than the name"
        ))
    };
    let one =
        |key: &str, v: &Value| Abs::Obj([(key.to_string(), Abs::Val(v.clone()))].into(), rest());
    match operation {
        "GetQueueUrl" => named("QueueName").map_or_else(unknown, |q| one("QueueUrl", q)),
        "GetFunction" => named("FunctionName").map_or_else(unknown, |f| {
            Abs::Obj(
                [("Configuration".to_string(), one("FunctionArn", f))].into(),
                rest(),
            )
        }),
        "GetFunctionConfiguration" => {
            named("FunctionName").map_or_else(unknown, |f| one("FunctionArn", f))
        }
        _ => unknown(),
    }
}

/// The result of `send(cmd)`: see [`result_of`].
pub(crate) fn sent_result(args: &[Abs]) -> Abs {
    match args.first() {
        Some(Abs::V3Command { name, input, .. }) => {
            result_of(name.strip_suffix("Command").unwrap_or(name), input)
        }
        _ => Abs::unknown("result of an AWS call"),
    }
}

/// An operation's name from a method's (`getQueueUrl` → `GetQueueUrl`).
pub(crate) fn operation_of(method: &str) -> String {
    let mut chars = method.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The reason a `send` argument is not a command, for the `dynamic-command` warning.
fn not_a_command(arg: Option<&Abs>) -> String {
    match arg {
        None => "nothing is sent".to_string(),
        Some(Abs::Val(Value::Unknown { reason })) => reason.clone(),
        Some(Abs::Val(Value::Event { path })) => super::values::event_reason(path),
        Some(Abs::Param(p)) if p.event => "from the event".to_string(),
        Some(Abs::Param(p)) => format!("{}, and no call site passes it a command", p.reason()),
        Some(Abs::V3Export { name, .. }) => format!("`{name}` is a class, not an instance"),
        Some(_) => "it is not a command object".to_string(),
    }
}

/// `send(cmd)` on any receiver (a v3 client, or something unresolved when the command
/// is known: the command alone names the service).
pub(crate) fn send(args: &[Abs], site: &Site, calls: &mut Vec<SdkCall>) -> bool {
    let alternatives: &[Abs] = match args.first() {
        Some(Abs::OneOf(all)) => all,
        Some(one) => std::slice::from_ref(one),
        None => &[],
    };
    let mut sent = false;
    for alt in alternatives {
        if let Abs::V3Command { pkg, name, input } = alt {
            calls.push(call(
                site,
                pkg,
                CallKind::Command { name: name.clone() },
                (**input).clone(),
            ));
            sent = true;
        }
    }
    sent
}

pub(crate) fn dynamic_command(args: &[Abs], site: &Site) -> Diagnostic {
    Diagnostic::new(
        Level::Warning,
        Code::DynamicCommand,
        format!(
            "`{}`: `{}` cannot be resolved to an AWS SDK command class ({})",
            site.text,
            site.first_arg,
            not_a_command(args.first())
        ),
        Some(site.location.clone()),
    )
}

/// `<recv>.<method>(args)` on v3 objects. `None`: `recv` is not a v3 object.
pub(crate) fn method(
    recv: &Abs,
    method: &str,
    args: &[Abs],
    site: &Site,
    calls: &mut Vec<SdkCall>,
    diags: &mut Vec<Diagnostic>,
    uploads_done: &mut Vec<usize>,
) -> Option<Abs> {
    match recv {
        Abs::V3Client { pkg, .. } => {
            match method {
                "send" => {
                    if !send(args, site, calls) {
                        diags.push(dynamic_command(args, site));
                    }
                }
                "destroy" | "middlewareStack" | "config" => {}
                _ => {
                    let (kind, params) = if let Some(op) = method.strip_prefix("paginate") {
                        (
                            CallKind::Paginator {
                                name: op.to_string(),
                            },
                            arg_value(args, 0),
                        )
                    } else if let Some(w) = method.strip_prefix("waitUntil") {
                        (
                            CallKind::Waiter {
                                name: w.to_string(),
                            },
                            arg_value(args, 0),
                        )
                    } else {
                        (
                            CallKind::Method {
                                name: method.to_string(),
                            },
                            arg_value(args, 0),
                        )
                    };
                    calls.push(call(site, pkg, kind, params));
                }
            }
            Some(match method {
                "send" => sent_result(args),
                _ => result_of(&operation_of(method), &arg_value(args, 0)),
            })
        }
        Abs::V3DocAgg => {
            match method {
                "send" => {
                    if !send(args, site, calls) {
                        diags.push(dynamic_command(args, site));
                    }
                }
                "destroy" | "middlewareStack" | "config" => {}
                _ => calls.push(call(
                    site,
                    LIB_DYNAMODB,
                    CallKind::Helper {
                        object: "DynamoDBDocument".to_string(),
                        method: method.to_string(),
                    },
                    arg_value(args, 0),
                )),
            }
            Some(Abs::unknown("result of an AWS call"))
        }
        Abs::V3Export { pkg, name } if method == "from" && pkg == LIB_DYNAMODB => {
            Some(match name.as_str() {
                "DynamoDBDocumentClient" => Abs::V3Client {
                    pkg: LIB_DYNAMODB.to_string(),
                    aggregated: false,
                },
                "DynamoDBDocument" => Abs::V3DocAgg,
                _ => Abs::unknown(format!("`{name}.from(...)`")),
            })
        }
        Abs::V3Upload { id, params } => {
            if method == "done" {
                uploads_done.push(*id);
                calls.push(upload_call(site, params));
            }
            Some(Abs::unknown("result of an upload"))
        }
        Abs::V3Command { .. } | Abs::V3Pkg(_) | Abs::V3Export { .. } => {
            Some(Abs::unknown(format!("result of `{method}`")))
        }
        _ => None,
    }
}

pub(crate) fn upload_call(site: &Site, params: &Value) -> SdkCall {
    call(
        site,
        LIB_STORAGE,
        CallKind::Helper {
            object: "Upload".to_string(),
            method: "done".to_string(),
        },
        params.clone(),
    )
}

/// `<export>(args)`: paginators, waiters, presigners. `None`: not a v3 function.
pub(crate) fn function(
    callee: &Abs,
    args: &[Abs],
    site: &Site,
    calls: &mut Vec<SdkCall>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Abs> {
    let Abs::V3Export { pkg, name } = callee else {
        return None;
    };
    let upper_after = |rest: &str| rest.chars().next().is_some_and(char::is_uppercase);
    if let Some(op) = name.strip_prefix("paginate").filter(|r| upper_after(r)) {
        calls.push(call(
            site,
            pkg,
            CallKind::Paginator {
                name: op.to_string(),
            },
            arg_value(args, 1),
        ));
    } else if let Some(w) = name
        .strip_prefix("waitUntil")
        .or_else(|| name.strip_prefix("waitFor"))
        .filter(|r| upper_after(r))
    {
        calls.push(call(
            site,
            pkg,
            CallKind::Waiter {
                name: w.to_string(),
            },
            arg_value(args, 1),
        ));
    } else if pkg == PRESIGNER && name == "getSignedUrl" {
        match args.get(1) {
            Some(Abs::V3Command {
                pkg: cmd_pkg,
                name: cmd,
                input,
            }) => calls.push(call(
                site,
                cmd_pkg,
                CallKind::Presign { name: cmd.clone() },
                (**input).clone(),
            )),
            other => {
                let mut site = site.clone();
                site.first_arg = "the second argument".to_string();
                diags.push(dynamic_command(
                    other.map(std::slice::from_ref).unwrap_or(&[]),
                    &site,
                ));
            }
        }
    } else if pkg == PRESIGNED_POST && name == "createPresignedPost" {
        calls.push(call(
            site,
            "@aws-sdk/client-s3",
            CallKind::Presign {
                name: "PutObjectCommand".to_string(),
            },
            arg_value(args, 1),
        ));
    } else {
        return Some(Abs::unknown(format!("result of `{name}()`")));
    }
    Some(Abs::unknown("result of an AWS call"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_of_specifier() {
        assert_eq!(
            package("@aws-sdk/client-s3").as_deref(),
            Some("@aws-sdk/client-s3")
        );
        assert_eq!(
            package("@aws-sdk/client-s3/dist-cjs/index.js").as_deref(),
            Some("@aws-sdk/client-s3")
        );
        assert_eq!(package("aws-sdk"), None);
        assert_eq!(package("@aws-sdk/"), None);
    }
}
