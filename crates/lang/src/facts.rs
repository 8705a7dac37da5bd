//! What a front-end reports about one source module, in the SDK's own vocabulary.
//!
//! Front-ends know nothing about IAM: a boto3 call is reported as `s3`/`get_object`, a
//! JS v3 call as `@aws-sdk/client-s3`/`GetObjectCommand`; `leastrole-maps` turns those
//! into operations, and `leastrole-policy` into actions and resources.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use leastrole_core::{Code, Diagnostic, Level, Location};

/// Which SDK a call goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sdk {
    /// boto3 / botocore (Python).
    Boto3,
    /// `aws-sdk` v2 (JavaScript).
    JsV2,
    /// `@aws-sdk/*` v3 (JavaScript).
    JsV3,
}

impl Sdk {
    pub fn as_str(self) -> &'static str {
        match self {
            Sdk::Boto3 => "boto3",
            Sdk::JsV2 => "js-v2",
            Sdk::JsV3 => "js-v3",
        }
    }
}

/// An abstract argument value: as much as static analysis can know about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Value {
    /// A string literal (or a constant that resolves to one).
    Str { value: String },
    /// Concatenation / template / f-string: literal and non-literal parts in order.
    Concat { parts: Vec<Value> },
    /// An environment variable read by name (`os.environ['X']`, `process.env.X`),
    /// with its in-code default, if any.
    Env {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        default: Option<Box<Value>>,
    },
    /// A number, boolean or `None`/`null`/`undefined` literal, as source text.
    Scalar { text: String },
    /// A dict / object literal. `rest` holds the reason when part of it is unknown
    /// (a `**spread` or `...spread` of something unresolvable).
    Object {
        entries: BTreeMap<String, Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rest: Option<String>,
    },
    /// A dict / object with a key computed in the code (`{table_name: items}`,
    /// `{[tableName]: items}`): each entry's key is a value like any other. An object
    /// whose keys are all literal is an `Object`.
    Map { entries: Vec<(Value, Value)> },
    /// A list / array literal.
    List { items: Vec<Value> },
    /// A value read from the handler's event, as the path into the event where it
    /// comes from: members joined by `.`, and `[]` after a list for any of its items
    /// (`Records[].s3.bucket.name`, `detail.bucket.name`, `ResourceProperties.TableName`).
    /// The event itself is the empty path. Project discovery knows what the function's
    /// triggers put at such paths; without it the value is unknown.
    Event { path: String },
    /// One of several values (`random.choice([...])`, a conditional expression, a helper
    /// called with different arguments): the resource is each of them.
    OneOf { items: Vec<Value> },
    /// Not knowable statically; the reason says why ("function parameter").
    Unknown { reason: String },
}

impl Value {
    pub fn str(s: impl Into<String>) -> Self {
        Value::Str { value: s.into() }
    }

    /// `{}`: an empty, fully known object.
    pub fn empty_object() -> Self {
        Value::Object {
            entries: BTreeMap::new(),
            rest: None,
        }
    }

    /// A fully known object from its entries.
    pub fn object<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Self {
        Value::Object {
            entries: entries.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            rest: None,
        }
    }

    pub fn unknown(reason: impl Into<String>) -> Self {
        Value::Unknown {
            reason: reason.into(),
        }
    }

    /// The handler's event itself (the empty path).
    pub fn event() -> Self {
        Value::Event {
            path: String::new(),
        }
    }

    /// The member `key` of a value read from the event (`Records` of the event,
    /// `s3` of a record); `None` when `self` is not an event value.
    pub fn event_member(&self, key: &str) -> Option<Value> {
        match self {
            Value::Event { path } if path.is_empty() => Some(Value::Event {
                path: key.to_string(),
            }),
            Value::Event { path } => Some(Value::Event {
                path: format!("{path}.{key}"),
            }),
            _ => None,
        }
    }

    /// Any item of a list read from the event (`event['Records'][0]`, a loop over
    /// `event.Records`); `None` when `self` is not an event value.
    pub fn event_item(&self) -> Option<Value> {
        match self {
            Value::Event { path } => Some(Value::Event {
                path: format!("{path}[]"),
            }),
            _ => None,
        }
    }

    /// The literal string, when the whole value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str { value } => Some(value),
            _ => None,
        }
    }

    /// A member of an object value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object { entries, .. } => entries.get(key),
            _ => None,
        }
    }
}

/// Which service a call's client belongs to, as the SDK names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ServiceRef {
    /// boto3 client/resource name (`s3`), JS v2 class (`S3`, `DynamoDB`), or JS v3
    /// package (`@aws-sdk/client-s3`, `@aws-sdk/lib-dynamodb`, `@aws-sdk/lib-storage`).
    Known { name: String },
    /// The name is computed at run time; the reason says from what.
    Dynamic { reason: String },
}

/// What is being called on an SDK object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallKind {
    /// A client method: boto3 `s3.get_object`, v2 `s3.getObject`, v3 aggregated
    /// `new S3().getObject`. Also injected/helper methods (`upload_file`, v2 `upload`,
    /// DocumentClient `put`) – maps tells operations and helpers apart.
    Method { name: String },
    /// v3 `client.send(new <command>(input))`.
    Command { name: String },
    /// boto3 `get_paginator('<method>').paginate(...)`; v3 `paginate<Op>({client}, input)`
    /// (`name` is the boto3 method or the v3 operation name respectively).
    Paginator { name: String },
    /// boto3 `get_waiter('<name>').wait(...)`; v3 `waitUntil<Name>`; v2 `waitFor('<name>')`.
    Waiter { name: String },
    /// Presigned URL for a method (boto3 `generate_presigned_url('get_object', Params=…)`,
    /// v2 `getSignedUrl('getObject', params)`) or a command (v3 `getSignedUrl(client,
    /// new GetObjectCommand(…))`). The URL carries the role's credentials.
    Presign { name: String },
    /// A boto3 resource-model chain: `boto3.resource('s3').Bucket(b).Object(k).get()`
    /// is `path` `[Bucket(b), Object(k)]` and `method` `get`; collections appear as
    /// steps without arguments (`Bucket(b).objects.filter(...)` → `[Bucket(b), objects]`,
    /// method `filter`), and an item of a collection (a loop variable over it) as the
    /// collection's name with `[]` (`for o in bucket.objects.all(): o.delete()` →
    /// `[Bucket(b), objects[]]`, method `delete`).
    Resource {
        path: Vec<ResourceStep>,
        method: String,
    },
    /// A helper object that is not a client: v3 lib-storage `new Upload({client, params})`
    /// (`object` `Upload`, `method` `done`), v2 `DocumentClient`, v3 `DynamoDBDocument`.
    Helper { object: String, method: String },
}

/// One step of a boto3 resource chain.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceStep {
    pub name: String,
    /// Positional identifier arguments (`Object(bucket, key)`); empty for collections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Value>,
}

/// One AWS SDK call found in the source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SdkCall {
    pub location: Location,
    pub sdk: Sdk,
    pub service: ServiceRef,
    pub call: CallKind,
    /// The request parameters as an object (keyword arguments, the params object, the
    /// command input). Positional arguments that are not part of the request (a
    /// helper's `Filename`) are in `positional`.
    pub params: Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub positional: Vec<Value>,
    /// The call's source text, trimmed to one line (at most 120 chars).
    pub text: String,
}
