//! The abstract objects an expression can evaluate to, and the boto3 rules: which
//! calls create clients, resources, sessions, paginators and waiters, and what an
//! attribute of each is.

use std::collections::BTreeMap;

use crate::facts::{ResourceStep, ServiceRef, Value};

/// What an expression may denote. Evaluation returns a sorted set of alternatives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Obj {
    /// Plain data (or an unknown value, with the reason).
    Val(Value),
    /// Something outside the project, by dotted path (`boto3`, `os.environ.get`).
    Ext(String),
    /// A boto3 `Session` or botocore session.
    Session,
    Client(ServiceRef),
    /// A boto3 resource: the service resource (empty path), a resource
    /// (`[Bucket(b)]`), or a collection (`[Bucket(b), objects]`).
    Res {
        service: ServiceRef,
        path: Vec<ResourceStep>,
    },
    /// A lowercase attribute of a resource: an action when called, a collection when
    /// its own attributes are used, a loaded attribute when read.
    ResAttr {
        service: ServiceRef,
        path: Vec<ResourceStep>,
        name: String,
    },
    /// A capitalised attribute of a resource: a sub-resource constructor (`Bucket`).
    SubRes {
        service: ServiceRef,
        path: Vec<ResourceStep>,
        name: String,
    },
    /// `resource.meta`.
    ResMeta(ServiceRef),
    Paginator {
        service: ServiceRef,
        name: String,
    },
    Waiter {
        service: ServiceRef,
        name: String,
    },
    /// A client (or paginator/waiter) method, not yet called.
    SdkMethod {
        target: Box<Obj>,
        name: String,
    },
    /// A local function (module index, scope index).
    Func(usize, usize),
    /// A method bound to an instance (`self.save`, `repo.save`).
    BoundMethod(usize, usize),
    Class(usize, usize),
    Instance(usize, usize),
    /// A parsed local module.
    Module(usize),
    /// A local package or module that was not parsed (namespace package folder).
    Package(String),
    /// A tuple or list holding non-value items (`return s3, table`).
    Seq(Vec<Vec<Obj>>),
    /// A method of a plain value (`"{}".format`, `params.get`).
    ValMethod(Value, String),
    /// A dict holding SDK objects, by literal key.
    Map(BTreeMap<String, Vec<Obj>>),
    /// `.get` (or `.values`) of such a dict.
    MapGet(BTreeMap<String, Vec<Obj>>),
    /// `super()` in a method of class (module, scope).
    Super(usize, usize),
    /// Something we know is not an SDK object and has nothing to report.
    Opaque(String),
}

impl Obj {
    pub(crate) fn unknown(reason: impl Into<String>) -> Obj {
        Obj::Val(Value::unknown(reason))
    }

    /// Whether this is an AWS SDK object (anything a call can be reported on).
    pub(crate) fn is_sdk(&self) -> bool {
        matches!(
            self,
            Obj::Session
                | Obj::Client(_)
                | Obj::Res { .. }
                | Obj::ResAttr { .. }
                | Obj::SubRes { .. }
                | Obj::ResMeta(_)
                | Obj::Paginator { .. }
                | Obj::Waiter { .. }
                | Obj::SdkMethod { .. }
        )
    }
}

/// Client methods that are not API operations.
pub(crate) const NON_API_CLIENT_METHODS: &[&str] = &[
    "can_paginate",
    "close",
    "exceptions",
    "get_paginator",
    "get_waiter",
    "meta",
];

/// Resource attributes that never trigger a load (identifiers, metadata).
const RESOURCE_IDENTIFIERS: &[&str] = &[
    "arn",
    "bucket_name",
    "id",
    "key",
    "meta",
    "name",
    "object_key",
    "queue_url",
    "url",
];

/// Well-known resource attributes that are loaded from the service on first read. The
/// full lists live in the maps; these are the ones common in Lambda code.
const LOAD_ATTRIBUTES: &[&str] = &[
    "accept_ranges",
    "attribute_definitions",
    "attributes",
    "cache_control",
    "content_disposition",
    "content_encoding",
    "content_language",
    "content_length",
    "content_type",
    "creation_date_time",
    "e_tag",
    "expiration",
    "expires",
    "global_secondary_indexes",
    "item_count",
    "key_schema",
    "last_modified",
    "latest_stream_arn",
    "metadata",
    "parts_count",
    "provisioned_throughput",
    "replication_status",
    "server_side_encryption",
    "sse_kms_key_id",
    "storage_class",
    "stream_specification",
    "table_arn",
    "table_id",
    "table_size_bytes",
    "table_status",
    "version_id",
    "website_redirect_location",
];

/// Whether reading `attr` on a resource (not a collection) sends its `load` request.
pub(crate) fn is_load_attribute(path: &[ResourceStep], attr: &str) -> bool {
    let is_resource = path
        .last()
        .is_some_and(|s| s.name.starts_with(|c: char| c.is_ascii_uppercase()));
    is_resource && !RESOURCE_IDENTIFIERS.contains(&attr) && LOAD_ATTRIBUTES.contains(&attr)
}

/// Collection methods that return the collection itself (sent on iteration).
pub(crate) const COLLECTION_METHODS: &[&str] = &["all", "filter", "limit", "page_size"];

pub(crate) fn is_collection_path(path: &[ResourceStep]) -> bool {
    path.last().is_some_and(|s| {
        s.args.is_empty()
            && s.name.starts_with(|c: char| c.is_ascii_lowercase())
            && !s.name.ends_with("[]")
    })
}

/// The path of one item of a collection: its last step `objects` becomes `objects[]`
/// (the convention `leastrole-policy` walks: a resource of the collection's item type).
pub(crate) fn item_path(mut path: Vec<ResourceStep>) -> Vec<ResourceStep> {
    if let Some(last) = path.last_mut() {
        last.name.push_str("[]");
    }
    path
}

/// The attribute `name` of an SDK or external object; `None` when `obj` is not one.
pub(crate) fn sdk_attr(obj: &Obj, name: &str) -> Option<Obj> {
    Some(match obj {
        Obj::Ext(path) => Obj::Ext(format!("{path}.{name}")),
        Obj::Session => match name {
            "client" | "create_client" => Obj::Ext("boto3.client".into()),
            "resource" => Obj::Ext("boto3.resource".into()),
            _ => Obj::Opaque(format!("session.{name}")),
        },
        Obj::Client(_) => match name {
            "meta" | "exceptions" => Obj::Opaque(format!("client.{name}")),
            _ => Obj::SdkMethod {
                target: Box::new(obj.clone()),
                name: name.to_string(),
            },
        },
        Obj::Paginator { .. } | Obj::Waiter { .. } => Obj::SdkMethod {
            target: Box::new(obj.clone()),
            name: name.to_string(),
        },
        Obj::Res { service, path } => {
            if name == "meta" {
                Obj::ResMeta(service.clone())
            } else if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                Obj::SubRes {
                    service: service.clone(),
                    path: path.clone(),
                    name: name.to_string(),
                }
            } else {
                Obj::ResAttr {
                    service: service.clone(),
                    path: path.clone(),
                    name: name.to_string(),
                }
            }
        }
        Obj::ResAttr {
            service,
            path,
            name: collection,
        } => {
            // `bucket.objects.filter`: the attribute was a collection.
            let mut path = path.clone();
            path.push(ResourceStep {
                name: collection.clone(),
                args: Vec::new(),
            });
            Obj::ResAttr {
                service: service.clone(),
                path,
                name: name.to_string(),
            }
        }
        Obj::ResMeta(service) => match name {
            "client" => Obj::Client(service.clone()),
            _ => Obj::Opaque(format!("resource.meta.{name}")),
        },
        Obj::SdkMethod { .. } | Obj::SubRes { .. } => Obj::Opaque(format!("method.{name}")),
        _ => return None,
    })
}

/// How an external callable's result is modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExtCall {
    Client,
    Resource,
    Session,
    Env,
    Getattr,
    Passthrough,
    /// `urllib.parse.unquote` (`plus`: `unquote_plus`).
    Unquote {
        plus: bool,
    },
    /// `random.choice`: one of the items.
    Choice,
    Partial,
    Dict,
    Super,
    Other,
}

pub(crate) fn ext_call(path: &str) -> ExtCall {
    match path {
        "boto3.client" | "boto3.session.client" => ExtCall::Client,
        "boto3.resource" => ExtCall::Resource,
        "boto3.Session"
        | "boto3.session.Session"
        | "botocore.session.get_session"
        | "botocore.session.Session"
        | "aioboto3.Session"
        | "aiobotocore.session.get_session"
        | "aiobotocore.session.AioSession" => ExtCall::Session,
        "os.getenv" | "os.environ.get" | "os.environ.setdefault" => ExtCall::Env,
        "getattr" => ExtCall::Getattr,
        "str" => ExtCall::Passthrough,
        "urllib.parse.unquote" => ExtCall::Unquote { plus: false },
        "urllib.parse.unquote_plus" => ExtCall::Unquote { plus: true },
        "random.choice" | "secrets.choice" => ExtCall::Choice,
        "super" => ExtCall::Super,
        "functools.partial" => ExtCall::Partial,
        "dict" => ExtCall::Dict,
        _ => ExtCall::Other,
    }
}

/// The service a client/resource is created for, from its name argument's values.
pub(crate) fn service_refs(values: Vec<Value>) -> Vec<ServiceRef> {
    let mut out: Vec<ServiceRef> = values
        .into_iter()
        .map(|v| match v {
            Value::Str { value } => ServiceRef::Known { name: value },
            Value::Env { name, .. } => ServiceRef::Dynamic {
                reason: format!("from environment variable {name}"),
            },
            Value::Unknown { reason } => ServiceRef::Dynamic { reason },
            Value::Event { path } => ServiceRef::Dynamic {
                reason: super::values::event_reason(&path),
            },
            _ => ServiceRef::Dynamic {
                reason: "not a string literal".into(),
            },
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The result of calling a method on a resource (`ResAttr`): a collection for the
/// collection methods, a new resource for the actions that return one.
pub(crate) fn resource_action_result(
    service: &ServiceRef,
    path: &[ResourceStep],
    name: &str,
    kwarg: impl Fn(&str) -> Option<Value>,
) -> Obj {
    let sub = |step: &str, args: Vec<Value>| Obj::Res {
        service: service.clone(),
        path: vec![ResourceStep {
            name: step.to_string(),
            args,
        }],
    };
    if is_collection_path(path) && COLLECTION_METHODS.contains(&name) {
        return Obj::Res {
            service: service.clone(),
            path: path.to_vec(),
        };
    }
    match name {
        // The queue of that name, in the caller's region and account (unless another
        // account's is asked for).
        "get_queue_by_name" | "create_queue" => sub(
            "Queue",
            vec![match kwarg("QueueName") {
                Some(q) if kwarg("QueueOwnerAWSAccountId").is_none() => super::values::queue_url(q),
                _ => Value::unknown(format!("queue URL returned by `{name}()`")),
            }],
        ),
        "create_bucket" => sub(
            "Bucket",
            vec![kwarg("Bucket").unwrap_or_else(|| Value::unknown("bucket name not given"))],
        ),
        "create_table" => sub(
            "Table",
            vec![kwarg("TableName").unwrap_or_else(|| Value::unknown("table name not given"))],
        ),
        "create_topic" => sub(
            "Topic",
            vec![Value::unknown(format!("topic ARN returned by `{name}()`"))],
        ),
        "batch_writer" => Obj::Opaque("batch writer".into()),
        _ => Obj::unknown(format!("result of `{name}()`")),
    }
}

/// A collection step (`objects`) of a resource path.
pub(crate) fn collection_step(name: &str) -> ResourceStep {
    ResourceStep {
        name: name.to_string(),
        args: Vec::new(),
    }
}

/// The SDK object a `mypy-boto3` type annotation names (`mypy_boto3_s3.S3Client`,
/// `mypy_boto3_dynamodb.service_resource.Table`), with `unknown` for identifiers.
pub(crate) fn annotated(path: &str, unknown: &Value) -> Option<Obj> {
    let rest = path.strip_prefix("mypy_boto3_")?;
    let (package, class) = match (rest.split_once('.'), rest.rsplit_once('.')) {
        (Some((package, _)), Some((_, class))) => (package, class),
        _ => return None,
    };
    let service = ServiceRef::Known {
        name: package.replace('_', "-"),
    };
    if class.ends_with("Client") {
        return Some(Obj::Client(service));
    }
    if class.ends_with("ServiceResource") {
        return Some(Obj::Res {
            service,
            path: Vec::new(),
        });
    }
    if class.starts_with(|c: char| c.is_ascii_uppercase())
        && !class.ends_with("Paginator")
        && !class.ends_with("Waiter")
    {
        return Some(Obj::Res {
            service,
            path: vec![ResourceStep {
                name: class.to_string(),
                args: vec![unknown.clone()],
            }],
        });
    }
    None
}
