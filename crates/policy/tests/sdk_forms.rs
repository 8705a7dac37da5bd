//! SDK call forms other than plain client methods, resolved end to end through the
//! embedded maps: boto3 resource chains and collections, helpers, waiters, paginators,
//! presigned URLs, JS v2 DocumentClient and v3 commands and libraries.

use std::collections::BTreeSet;

use leastrole_lang::{CallKind, Location, ResourceStep, Sdk, SdkCall, ServiceRef, Value};
use leastrole_maps::Maps;
use leastrole_policy::{EnvContext, Options, resolve_call};

fn obj(entries: &[(&str, Value)]) -> Value {
    Value::object(entries.iter().cloned())
}

fn s(v: &str) -> Value {
    Value::str(v)
}

fn step(name: &str, args: &[&str]) -> ResourceStep {
    ResourceStep {
        name: name.into(),
        args: args.iter().map(|a| s(a)).collect(),
    }
}

fn call(sdk: Sdk, service: &str, kind: CallKind, params: Value, positional: Vec<Value>) -> SdkCall {
    SdkCall {
        location: Location {
            file: "h".into(),
            line: 1,
            column: 1,
        },
        sdk,
        service: ServiceRef::Known {
            name: service.into(),
        },
        call: kind,
        params,
        positional,
        text: "call".into(),
    }
}

/// (action, resource) pairs and the diagnostic codes.
fn resolve(c: SdkCall) -> (BTreeSet<(String, String)>, Vec<String>) {
    let (grants, diags) = resolve_call(
        Maps::embedded(),
        &c,
        &EnvContext::default(),
        &Options::default(),
    )
    .unwrap();
    (
        grants
            .into_iter()
            .map(|g| (g.action, g.resource.to_string()))
            .collect(),
        diags.into_iter().map(|d| d.code).collect(),
    )
}

fn pairs(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, r)| (a.to_string(), r.to_string()))
        .collect()
}

fn resource(service: &str, path: Vec<ResourceStep>, method: &str, params: Value) -> SdkCall {
    call(
        Sdk::Boto3,
        service,
        CallKind::Resource {
            path,
            method: method.into(),
        },
        params,
        vec![],
    )
}

#[test]
fn boto3_resource_chains() {
    let (g, _) = resolve(resource(
        "s3",
        vec![step("Bucket", &["photos"]), step("Object", &["a.jpg"])],
        "get",
        obj(&[]),
    ));
    assert_eq!(g, pairs(&[("s3:GetObject", "arn:*:s3:::photos/a.jpg")]));
    let (g, _) = resolve(resource(
        "s3",
        vec![step("Object", &["photos", "a.jpg"])],
        "delete",
        obj(&[]),
    ));
    assert_eq!(g, pairs(&[("s3:DeleteObject", "arn:*:s3:::photos/a.jpg")]));
    let (g, _) = resolve(resource(
        "dynamodb",
        vec![step("Table", &["orders"])],
        "put_item",
        obj(&[("Item", obj(&[]))]),
    ));
    assert_eq!(
        g,
        pairs(&[("dynamodb:PutItem", "arn:*:dynamodb:*:*:table/orders")])
    );
    let (g, _) = resolve(resource(
        "dynamodb",
        vec![step("Table", &["orders"])],
        "item_count",
        obj(&[]),
    ));
    assert_eq!(
        g,
        pairs(&[("dynamodb:DescribeTable", "arn:*:dynamodb:*:*:table/orders")])
    );
}

#[test]
fn boto3_collections_items_and_batch_actions() {
    let (g, _) = resolve(resource(
        "s3",
        vec![step("Bucket", &["photos"]), step("objects", &[])],
        "filter",
        obj(&[("Prefix", s("t/"))]),
    ));
    assert_eq!(g, pairs(&[("s3:ListBucket", "arn:*:s3:::photos")]));
    // An item of the collection: its bucket from the parent, its key from the listing.
    let (g, d) = resolve(resource(
        "s3",
        vec![step("Bucket", &["photos"]), step("objects[]", &[])],
        "delete",
        obj(&[]),
    ));
    assert_eq!(g, pairs(&[("s3:DeleteObject", "arn:*:s3:::photos/*")]));
    assert_eq!(d, vec!["unresolved-resource"]);
    // The batch action on the whole collection.
    let (g, _) = resolve(resource(
        "s3",
        vec![step("Bucket", &["photos"]), step("objects", &[])],
        "delete",
        obj(&[]),
    ));
    assert_eq!(g, pairs(&[("s3:DeleteObject", "arn:*:s3:::photos/*")]));
    let (g, _) = resolve(resource("sqs", vec![step("queues", &[])], "all", obj(&[])));
    assert_eq!(g, pairs(&[("sqs:ListQueues", "*")]));
}

#[test]
fn boto3_resource_helpers_use_the_identifiers() {
    let upload = call(
        Sdk::Boto3,
        "s3",
        CallKind::Resource {
            path: vec![step("Bucket", &["exports"])],
            method: "upload_file".into(),
        },
        obj(&[]),
        vec![s("/tmp/x"), s("x.csv")],
    );
    let (g, _) = resolve(upload);
    assert!(
        g.contains(&(
            "s3:PutObject".to_string(),
            "arn:*:s3:::exports/x.csv".to_string()
        )),
        "{g:?}"
    );
    let batch = resource(
        "dynamodb",
        vec![step("Table", &["orders"])],
        "batch_writer",
        obj(&[]),
    );
    assert_eq!(
        resolve(batch).0,
        pairs(&[("dynamodb:BatchWriteItem", "arn:*:dynamodb:*:*:table/orders")])
    );
}

#[test]
fn unknown_resource_method_is_a_diagnostic_with_a_hint() {
    let (g, d) = resolve(resource(
        "dynamodb",
        vec![step("Table", &["orders"])],
        "put_iten",
        obj(&[]),
    ));
    assert!(g.is_empty());
    assert_eq!(d, vec!["unknown-method"]);
}

#[test]
fn client_helpers_waiters_paginators_presign() {
    let up = call(
        Sdk::Boto3,
        "s3",
        CallKind::Method {
            name: "upload_file".into(),
        },
        obj(&[]),
        vec![s("/tmp/a"), s("exports"), s("a.csv")],
    );
    assert!(
        resolve(up)
            .0
            .contains(&("s3:PutObject".into(), "arn:*:s3:::exports/a.csv".into()))
    );
    let w = call(
        Sdk::Boto3,
        "dynamodb",
        CallKind::Waiter {
            name: "table_exists".into(),
        },
        obj(&[("TableName", s("t"))]),
        vec![],
    );
    assert_eq!(
        resolve(w).0,
        pairs(&[("dynamodb:DescribeTable", "arn:*:dynamodb:*:*:table/t")])
    );
    let p = call(
        Sdk::Boto3,
        "s3",
        CallKind::Paginator {
            name: "list_objects_v2".into(),
        },
        obj(&[("Bucket", s("logs"))]),
        vec![],
    );
    assert_eq!(resolve(p).0, pairs(&[("s3:ListBucket", "arn:*:s3:::logs")]));
    let ps = call(
        Sdk::Boto3,
        "s3",
        CallKind::Presign {
            name: "put_object".into(),
        },
        obj(&[("Bucket", s("m")), ("Key", s("k"))]),
        vec![],
    );
    assert_eq!(resolve(ps).0, pairs(&[("s3:PutObject", "arn:*:s3:::m/k")]));
    let typo = call(
        Sdk::Boto3,
        "s3",
        CallKind::Method {
            name: "get_objet".into(),
        },
        obj(&[]),
        vec![],
    );
    let (g, d) = resolve(typo);
    assert!(g.is_empty());
    assert_eq!(d, vec!["unknown-method"]);
}

#[test]
fn js_v2_document_client_upload_and_waiter() {
    let put = call(
        Sdk::JsV2,
        "DynamoDB",
        CallKind::Helper {
            object: "DocumentClient".into(),
            method: "put".into(),
        },
        obj(&[("TableName", s("orders")), ("Item", obj(&[]))]),
        vec![],
    );
    assert_eq!(
        resolve(put).0,
        pairs(&[("dynamodb:PutItem", "arn:*:dynamodb:*:*:table/orders")])
    );
    let upload = call(
        Sdk::JsV2,
        "S3",
        CallKind::Method {
            name: "upload".into(),
        },
        obj(&[("Bucket", s("b")), ("Key", s("k"))]),
        vec![],
    );
    assert!(
        resolve(upload)
            .0
            .contains(&("s3:PutObject".into(), "arn:*:s3:::b/k".into()))
    );
    let wait = call(
        Sdk::JsV2,
        "S3",
        CallKind::Waiter {
            name: "objectExists".into(),
        },
        obj(&[("Bucket", s("b")), ("Key", s("k"))]),
        vec![],
    );
    assert_eq!(
        resolve(wait).0,
        pairs(&[("s3:GetObject", "arn:*:s3:::b/k")])
    );
    let by_module = call(
        Sdk::JsV2,
        "s3",
        CallKind::Method {
            name: "getObject".into(),
        },
        obj(&[("Bucket", s("b")), ("Key", s("k"))]),
        vec![],
    );
    assert_eq!(
        resolve(by_module).0,
        pairs(&[("s3:GetObject", "arn:*:s3:::b/k")])
    );
}

#[test]
fn js_v3_commands_libraries_and_aggregated_clients() {
    let send = call(
        Sdk::JsV3,
        "@aws-sdk/client-s3",
        CallKind::Command {
            name: "GetObjectCommand".into(),
        },
        obj(&[("Bucket", s("b")), ("Key", s("k"))]),
        vec![],
    );
    assert_eq!(
        resolve(send).0,
        pairs(&[("s3:GetObject", "arn:*:s3:::b/k")])
    );
    let doc = call(
        Sdk::JsV3,
        "@aws-sdk/lib-dynamodb",
        CallKind::Command {
            name: "PutCommand".into(),
        },
        obj(&[("TableName", s("orders"))]),
        vec![],
    );
    assert_eq!(
        resolve(doc).0,
        pairs(&[("dynamodb:PutItem", "arn:*:dynamodb:*:*:table/orders")])
    );
    let document = call(
        Sdk::JsV3,
        "@aws-sdk/lib-dynamodb",
        CallKind::Helper {
            object: "DynamoDBDocument".into(),
            method: "query".into(),
        },
        obj(&[("TableName", s("orders")), ("IndexName", s("by-user"))]),
        vec![],
    );
    assert_eq!(
        resolve(document).0,
        pairs(&[(
            "dynamodb:Query",
            "arn:*:dynamodb:*:*:table/orders/index/by-user"
        )])
    );
    let upload = call(
        Sdk::JsV3,
        "@aws-sdk/lib-storage",
        CallKind::Helper {
            object: "Upload".into(),
            method: "done".into(),
        },
        // The constructor's options object: `new Upload({ client, params, tags })`.
        obj(&[
            ("params", obj(&[("Bucket", s("b")), ("Key", s("k"))])),
            ("tags", Value::List { items: vec![] }),
        ]),
        vec![],
    );
    let up = resolve(upload).0;
    assert!(
        up.contains(&("s3:PutObject".into(), "arn:*:s3:::b/k".into())),
        "{up:?}"
    );
    assert!(
        up.contains(&("s3:PutObjectTagging".into(), "arn:*:s3:::b/k".into())),
        "{up:?}"
    );
    let agg = call(
        Sdk::JsV3,
        "@aws-sdk/client-sns",
        CallKind::Method {
            name: "publish".into(),
        },
        obj(&[("TopicArn", s("arn:aws:sns:us-east-1:1:t"))]),
        vec![],
    );
    assert_eq!(
        resolve(agg).0,
        pairs(&[("sns:Publish", "arn:aws:sns:us-east-1:1:t")])
    );
    let pag = call(
        Sdk::JsV3,
        "@aws-sdk/client-dynamodb",
        CallKind::Paginator {
            name: "Scan".into(),
        },
        obj(&[("TableName", s("t"))]),
        vec![],
    );
    assert_eq!(
        resolve(pag).0,
        pairs(&[("dynamodb:Scan", "arn:*:dynamodb:*:*:table/t")])
    );
    let wait = call(
        Sdk::JsV3,
        "@aws-sdk/client-s3",
        CallKind::Waiter {
            name: "ObjectExists".into(),
        },
        obj(&[("Bucket", s("b")), ("Key", s("k"))]),
        vec![],
    );
    assert_eq!(
        resolve(wait).0,
        pairs(&[("s3:GetObject", "arn:*:s3:::b/k")])
    );
    let presign = call(
        Sdk::JsV3,
        "@aws-sdk/client-s3",
        CallKind::Presign {
            name: "PutObjectCommand".into(),
        },
        obj(&[("Bucket", s("b")), ("Key", s("k"))]),
        vec![],
    );
    assert_eq!(
        resolve(presign).0,
        pairs(&[("s3:PutObject", "arn:*:s3:::b/k")])
    );
}

#[test]
fn unknown_services_are_diagnostics() {
    let (g, d) = resolve(call(
        Sdk::Boto3,
        "s4",
        CallKind::Method { name: "x".into() },
        obj(&[]),
        vec![],
    ));
    assert!(g.is_empty());
    assert_eq!(d, vec!["unknown-service"]);
    let (g, d) = resolve(call(
        Sdk::JsV3,
        "@aws-sdk/client-nope",
        CallKind::Command {
            name: "XCommand".into(),
        },
        obj(&[]),
        vec![],
    ));
    assert!(g.is_empty());
    assert_eq!(d, vec!["unknown-service"]);
}

#[test]
fn lib_dynamodb_paginators_are_module_functions() {
    let pag = call(
        Sdk::JsV3,
        "@aws-sdk/lib-dynamodb",
        CallKind::Paginator {
            name: "Query".into(),
        },
        obj(&[("TableName", s("items"))]),
        vec![],
    );
    assert_eq!(
        resolve(pag).0,
        pairs(&[("dynamodb:Query", "arn:*:dynamodb:*:*:table/items")])
    );
}

#[test]
fn a_placeholder_no_parameter_fills_is_explained() {
    let post = call(
        Sdk::Boto3,
        "apigatewaymanagementapi",
        CallKind::Method {
            name: "post_to_connection".into(),
        },
        obj(&[("ConnectionId", s("c")), ("Data", s("x"))]),
        vec![],
    );
    let (g, d) = resolve(post);
    assert_eq!(g.len(), 1);
    assert!(g.iter().all(|(_, r)| r.contains('*')));
    assert_eq!(d, vec!["unresolved-resource"]);
}
