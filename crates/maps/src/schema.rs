//! The on-disk shape of the service-maps tables, exactly as `service-maps/` stores them.
//!
//! These are the raw serde types: the loader parses a table into them and then
//! validates it (see [`crate::validate`]); nothing outside this crate sees them
//! un-validated. `docs/service-maps.md` documents every field with examples.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Version of the table format; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// One AWS service: `service-maps/services/<botocore-name>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceTable {
    pub schema: u32,
    /// botocore service name (`s3`, `stepfunctions`); also the boto3 client name.
    pub service: String,
    pub api_version: String,
    /// The IAM action prefix (`s3`, `states`, `tag`).
    pub iam_prefix: String,
    /// Human-readable name from the IAM reference (`Amazon S3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub sdk: SdkNames,
    /// Keyed by the botocore operation name (PascalCase), sorted.
    pub operations: BTreeMap<String, Operation>,
    /// Keyed by botocore waiter name (`ObjectExists`), sorted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub waiters: BTreeMap<String, Waiter>,
}

/// How each SDK names this service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SdkNames {
    /// `boto3.client(<this>)`; equal to the botocore name.
    pub boto3: String,
    /// JS SDK v2 class (`new AWS.<this>()`), when aws-sdk@2 has the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_v2: Option<String>,
    /// JS SDK v2 module id (`require('aws-sdk/clients/<this>')`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_v2_module: Option<String>,
    /// JS SDK v3 package (`@aws-sdk/client-s3`), when the package exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_v3_package: Option<String>,
    /// JS SDK v3 bare client class (`S3Client`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_v3_client: Option<String>,
    /// JS SDK v3 aggregated client class (`S3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_v3_aggregated: Option<String>,
    /// The three `js_v3_*` names were checked against a pinned `@aws-sdk/client-*` package
    /// (and so were the operations' `v3_command`/`js_paginator` and the waiters' `js_v3`).
    /// When false they follow the JS v3 naming rule from botocore's `serviceId` unchecked.
    #[serde(default, skip_serializing_if = "is_false")]
    pub js_v3_verified: bool,
}

/// One API operation and what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// boto3 method name (`botocore.xform_name`), e.g. `get_sms_attributes`.
    pub boto3: String,
    /// JS method name (v2 and v3 aggregated), lowerCamel of the operation.
    pub js: String,
    /// v3 command class, when the pinned `@aws-sdk/client-*` package has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v3_command: Option<String>,
    /// botocore has a paginator for this operation (boto3 `get_paginator(<boto3>)`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub paginator: bool,
    /// The JS v3 package exports `paginate<Operation>`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub js_paginator: bool,
    /// The IAM actions this operation needs, each under its condition.
    /// Empty only when `unmapped` says why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionRule>,
    /// Actions the IAM reference says the operation *may* authorize that are left out by
    /// default, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_needed: Vec<NotNeeded>,
    /// Why no action is known (e.g. the operation is newer than the IAM data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmapped: Option<String>,
    /// Set when the operation needs no IAM permission at all (e.g. `sts:GetCallerIdentity`),
    /// with the explanation and citation. `actions` is then empty, and that is not a gap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_permission: Option<String>,
    /// Where the mapping comes from.
    pub origin: Origin,
}

/// How an operation's mapping was established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    pub kind: OriginKind,
    /// Citation for overrides (a documentation URL); optional otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OriginKind {
    /// The base action taken from AWS's service reference: the action of the same name as
    /// the operation, or the only action of the service's own prefix it lists.
    ServiceReference,
    /// Same-name action in the IAM data; the service reference has no entry.
    SameName,
    /// A hand-written, cited row in `service-maps/overrides/<service>.json`.
    Override,
    /// No action could be established.
    Unmapped,
    /// botocore models the request as unsigned (`auth: smithy.api#noAuth`, e.g.
    /// `sts:AssumeRoleWithWebIdentity`, Cognito `InitiateAuth`): no identity-based policy of
    /// the caller is evaluated, so `no_permission` is set and `actions` is empty.
    Unsigned,
}

/// One IAM action an operation needs, with its condition and resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRule {
    /// `prefix:Action`, canonical casing from the IAM data.
    pub action: String,
    pub access: AccessLevel,
    /// The request resources the action is authorized on. Empty means the action
    /// supports no resource-level permissions: `Resource: "*"` is correct, not a fallback.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceRule>,
    /// When absent the action is always needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// Why this action is needed, for the conditional and cross-service ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// IAM access levels as the Service Authorization Reference names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    Tagging,
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
}

impl AccessLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::Tagging => "Tagging",
            AccessLevel::PermissionsManagement => "Permissions management",
        }
    }
}

/// One resource an action is checked against, and how request parameters fill its ARN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceRule {
    /// Resource type name from the IAM data (`object`, `table`, `function`).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// ARN template with `${Placeholder}`s, e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    pub arn: String,
    /// Placeholder → where its value comes from. `Partition`, `Region` and `Account`
    /// are never bound here: they come from the command line or stay `*`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bind: BTreeMap<String, Binding>,
    /// Placeholder → why no request parameter can fill it (it becomes `*`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unbound: BTreeMap<String, String>,
    /// A parameter whose value may be this resource's whole ARN (e.g. `TopicArn`,
    /// `TableName` given as an ARN). When the value is an ARN it is used as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn_param: Option<String>,
}

/// Where a placeholder's value comes from: a parameter path, optionally parsed.
///
/// Path syntax: members joined by `.` (`Content.Template.TemplateName`), `[]` for every
/// element of a list (`TransactItems[].Put.TableName`), `{}` for every key of a map
/// (`RequestItems{}`). A path that yields several values yields one resource each.
///
/// `deny_unknown_fields` here too: without it the `{param, parse}` form ignored a
/// misspelled extra key, unlike every other object of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum Binding {
    Path(String),
    Parsed {
        param: String,
        parse: Parser,
    },
    /// A parameter the service documents a default for: when the request leaves it out
    /// (at the last step of the path: an `Entries[]` element without `EventBusName`), the
    /// placeholder takes `default` (`events:PutEvents` → the bus named `default`).
    Defaulted {
        param: String,
        default: String,
    },
    /// A parameter whose value follows fixed text in the placeholder: API Gateway's
    /// `${ApiSpecificResourcePath}` of `PostToConnection` is `@connections/` and the
    /// `ConnectionId`.
    Prefixed {
        param: String,
        prefix: String,
    },
    /// A value the operation always has, whatever the request: the HTTP method API
    /// Gateway checks `PostToConnection` against is `POST`.
    Constant {
        constant: String,
    },
    /// A value the request does not carry but the function's own event does: the API
    /// and stage of the WebSocket connection `PostToConnection` manages are those of the
    /// route that invokes the function (`requestContext.apiId`, `requestContext.stage`).
    /// Taken from what the function's triggers put there (an `event-value-from-trigger`
    /// note); when none does, the placeholder is `*` with `unknown` as the reason, as an
    /// `unbound` one.
    Event {
        event: String,
        unknown: String,
    },
}

impl Binding {
    /// The parameter path the value is read from; empty for a constant or an event value.
    pub fn path(&self) -> &str {
        match self {
            Binding::Path(p) => p,
            Binding::Parsed { param, .. }
            | Binding::Defaulted { param, .. }
            | Binding::Prefixed { param, .. } => param,
            Binding::Constant { .. } | Binding::Event { .. } => "",
        }
    }
}

/// Value parsers for parameters that pack several things into one string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Parser {
    /// S3 `CopySource` (`bucket/key[?versionId=…]` or `{Bucket, Key}`): the bucket.
    S3CopySourceBucket,
    /// S3 `CopySource`: the key.
    S3CopySourceKey,
    /// Lambda `FunctionName` (`name`, `name:qualifier`, partial or full ARN): the name.
    LambdaFunctionName,
    /// Lambda `FunctionName`: the qualifier after `name:`, if any.
    LambdaQualifier,
    /// An ARN or a bare name: the last `/`- or `:`-separated segment of an ARN.
    ArnLastSegment,
    /// KMS `KeyId` (`1234abcd-…`, key ARN, `alias/name`, alias ARN): the key id
    /// (unknown when an alias is given).
    KmsKeyId,
    /// KMS `KeyId`/`AliasName`: the alias name without `alias/`.
    KmsAliasName,
    /// SQS `QueueUrl` (`https://sqs.<region>.amazonaws.com/<account>/<name>`): the queue
    /// name, its last path segment.
    SqsQueueUrlName,
    /// SSM parameter `Name`/`Path` (`/app/db/password`, `app`, or a parameter ARN): the name
    /// without its leading `/` (the ARN template already has `parameter/`).
    SsmParameterName,
    /// Secrets Manager `SecretId`/`Name` given as a name (`gateway/password`): the name
    /// followed by `-??????`, because a secret's ARN always ends in `-` and six random
    /// characters (a whole ARN is taken through `arn_param` instead).
    SecretsmanagerSecretName,
    /// An `s3://bucket/key` URI (Transcribe `Media.MediaFileUri`): the bucket.
    S3UriBucket,
    /// An `s3://bucket/key` URI: the key.
    S3UriKey,
}

/// A condition on the request under which an action is needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The parameter (path) is given in the request.
    Present(String),
    /// The parameter (path) is not given.
    Absent(String),
    /// The parameter equals one of the values (case-sensitive).
    Equals {
        param: String,
        values: Vec<String>,
    },
    /// The parameter's text starts with one of the prefixes, ignoring case and leading
    /// white space (PartiQL `SELECT …`).
    StartsWith {
        param: String,
        prefixes: Vec<String>,
    },
    /// A leastrole option turns it on (`kms`: customer-managed KMS keys).
    Option(String),
    All(Vec<Condition>),
    Any(Vec<Condition>),
}

/// How a condition reads in messages and in `leastrole maps`: `VersionId is given`,
/// `option --kms is on or SSEKMSKeyId is given`; a compound inside another compound is
/// parenthesized.
impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |f: &mut std::fmt::Formatter<'_>, cs: &[Condition], sep: &str| {
            for (i, c) in cs.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                match c {
                    Condition::All(_) | Condition::Any(_) => write!(f, "({c})")?,
                    _ => write!(f, "{c}")?,
                }
            }
            Ok(())
        };
        match self {
            Condition::Present(p) => write!(f, "{p} is given"),
            Condition::Absent(p) => write!(f, "{p} is not given"),
            Condition::Equals { param, values } => {
                write!(f, "{param} is {}", values.join(" or "))
            }
            Condition::StartsWith { param, prefixes } => {
                write!(f, "{param} starts with {}", prefixes.join(" or "))
            }
            Condition::Option(o) => write!(f, "option --{o} is on"),
            Condition::All(cs) => join(f, cs, " and "),
            Condition::Any(cs) => join(f, cs, " or "),
        }
    }
}

/// An action the operation may authorize that the table leaves out by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotNeeded {
    pub action: String,
    pub reason: String,
}

/// A waiter: polls one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiter {
    pub operation: String,
    /// boto3 `get_waiter(<this>)`.
    pub boto3: String,
    /// JS v3 exports `waitUntil<Name>`/`waitFor<Name>`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub js_v3: bool,
    /// JS v2 `waitFor('<this>')` state name, when aws-sdk@2 defines it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_v2: Option<String>,
}

/// `service-maps/iam/<prefix>.json`: every action and resource type of one IAM prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IamPrefixTable {
    pub schema: u32,
    pub prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Keyed by action name without prefix (`GetObject`), sorted.
    pub actions: BTreeMap<String, IamAction>,
    /// Keyed by resource type name, sorted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub resources: BTreeMap<String, IamResourceType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IamAction {
    pub access: AccessLevel,
    /// Resource types the action can be scoped to; empty means `*` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IamResourceType {
    /// ARN templates (usually one).
    pub arns: Vec<String>,
}

/// `service-maps/index.json`: small lookup index loaded before any table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    pub schema: u32,
    /// botocore name → summary.
    pub services: BTreeMap<String, IndexEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    pub iam_prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_v2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_v2_module: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_v3_package: Option<String>,
    pub operations: usize,
    pub mapped: usize,
    pub unmapped: usize,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `service-maps/helpers/<sdk>.json` (`boto3`, `js-v2`, `js-v3`): SDK helpers that are not
/// API operations (managed transfers, document clients, presigners, `Upload`), each as
/// the operations it sends. Hand-written in `service-maps/overrides/helpers/`, copied by
/// the generator after checking every operation exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelperTable {
    pub schema: u32,
    /// `boto3`, `js-v2` or `js-v3`.
    pub sdk: String,
    /// Keyed by `<service>.<object>.<method>` as the front-end reports it, e.g.
    /// `s3.client.upload_file`, `s3.Object.download_file`, `dynamodb.Table.batch_writer`
    /// (boto3); `S3.client.upload`, `DynamoDB.DocumentClient.put` (js-v2);
    /// `@aws-sdk/lib-storage.Upload.done`, `@aws-sdk/lib-dynamodb.client.PutCommand`,
    /// `@aws-sdk/lib-dynamodb.DynamoDBDocument.put` (js-v3). Sorted.
    pub helpers: BTreeMap<String, Helper>,
}

/// One SDK helper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Helper {
    /// botocore service whose operations it sends.
    pub service: String,
    /// Names of positional parameters, in order (boto3 `upload_file(Filename, Bucket, Key,
    /// ExtraArgs)`), so positional arguments can be named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
    /// The operations it may send; each contributes its actions.
    pub calls: Vec<HelperCall>,
    /// Citation (source file of the SDK, or documentation URL).
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One operation a helper sends and how its request is built from the helper's arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelperCall {
    pub operation: String,
    /// Request parameter path ← helper parameter path (`Bucket` ← `Bucket`,
    /// `CopySource` ← `CopySource`, `Bucket` ← `params.Bucket`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
    /// A helper parameter (an object) whose members are passed through as request
    /// parameters (`ExtraArgs`, `params`); `*` passes the whole argument object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<String>,
    /// Only sent under this condition (evaluated on the helper's arguments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
}

/// `service-maps/helpers/boto3-resources.json`: boto3 resource models, condensed from
/// boto3's `resources-1.json` files, method and attribute names already in Python form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boto3Resources {
    pub schema: u32,
    /// botocore service name → its resource models.
    pub services: BTreeMap<String, Boto3ServiceResources>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boto3ServiceResources {
    /// The service resource itself (`boto3.resource('s3')`).
    pub service: Boto3Resource,
    /// Resource types by name (`Bucket`, `Object`, `Table`).
    pub resources: BTreeMap<String, Boto3Resource>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boto3Resource {
    /// Identifier names in constructor order (`Object(bucket_name, key)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<String>,
    /// Sent when an attribute of an unloaded resource is read, or `load()`/`reload()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<Boto3Request>,
    /// Python attribute names that trigger `load` (the shape's members, snake_case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// Python method name → request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub actions: BTreeMap<String, Boto3Request>,
    /// Python method name on a collection of this resource (`objects.delete()`) → request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub batch_actions: BTreeMap<String, Boto3Request>,
    /// Python method name (`wait_until_exists`) → waiter.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub waiters: BTreeMap<String, Boto3Waiter>,
    /// Sub-resource constructor name (`Object`, `Table`) → how it is built.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub has: BTreeMap<String, Boto3SubResource>,
    /// Collection attribute (`objects`, `tables`) → the listing request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub collections: BTreeMap<String, Boto3Collection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boto3Request {
    pub operation: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Boto3Param>,
}

/// A request parameter or identifier filled from somewhere (boto3's own vocabulary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boto3Param {
    /// Request parameter path (`Bucket`, `Delete.Objects[].Key`) or identifier name.
    pub target: String,
    /// `identifier`, `input`, `string`, `integer`, `boolean`, `data`, `response`,
    /// `requestParameter`.
    pub source: String,
    /// Identifier name, for `source: identifier`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Literal value, for `source: string`/`integer`/`boolean`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// Data/response/request path, for those sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boto3Waiter {
    /// botocore waiter name (`TableExists`).
    pub waiter: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Boto3Param>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boto3SubResource {
    /// Resource type built (`Object`).
    pub resource: String,
    /// How its identifiers are filled: `identifier` (from the parent), `input`
    /// (constructor argument, in order).
    pub identifiers: Vec<Boto3Param>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boto3Collection {
    /// Resource type of the items (`ObjectSummary`); its `batch_actions` apply.
    pub resource: String,
    /// The listing request (`ListObjects`), sent on iteration, `all()`, `filter()`, `limit()`, `page_size()`.
    pub request: Boto3Request,
    /// How each item's identifiers are filled (`BucketName` from the parent's `Name`,
    /// `Key` from the listing response).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Boto3Param>,
}

#[cfg(test)]
mod tests {
    use super::Condition as C;

    #[test]
    fn conditions_read_as_sentences() {
        assert_eq!(
            C::Present("VersionId".into()).to_string(),
            "VersionId is given"
        );
        let any = C::Any(vec![
            C::Option("kms".into()),
            C::Present("SSEKMSKeyId".into()),
        ]);
        assert_eq!(
            any.to_string(),
            "option --kms is on or SSEKMSKeyId is given"
        );
        let nested = C::All(vec![
            any,
            C::Equals {
                param: "ACL".into(),
                values: vec!["private".into(), "public-read".into()],
            },
        ]);
        assert_eq!(
            nested.to_string(),
            "(option --kms is on or SSEKMSKeyId is given) and ACL is private or public-read"
        );
    }
}
