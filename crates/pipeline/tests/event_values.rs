//! Values a handler reads from its event, resolved against the triggers discovery finds
//! in the trigger fixture projects: each call is built by hand with the event paths the
//! front-ends give (`record['s3']['bucket']['name']` → `Records[].s3.bucket.name`).

use std::path::{Path, PathBuf};

use leastrole_core::Code;
use leastrole_lang::{CallKind, Diagnostic, Location, Sdk, SdkCall, ServiceRef, Value};
use leastrole_maps::Maps;
use leastrole_pipeline::env_context;
use leastrole_policy::{ArnEnv, EnvContext, Options, resolve_call};
use leastrole_project::{DiscoverOptions, discover};

fn project(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/projects")
        .join(name)
}

/// The resolution context of one function of a fixture project.
fn context(project_name: &str, function: &str) -> EnvContext {
    let d = discover(&project(project_name), &DiscoverOptions::default());
    let f = d
        .functions
        .iter()
        .find(|f| f.name == function)
        .unwrap_or_else(|| panic!("{project_name}: no function {function}"));
    env_context(f)
}

fn event(path: &str) -> Value {
    Value::Event { path: path.into() }
}

fn call(service: &str, method: &str, params: &[(&str, Value)]) -> SdkCall {
    SdkCall {
        location: Location {
            file: "app.py".into(),
            line: 7,
            column: 9,
        },
        sdk: Sdk::Boto3,
        service: ServiceRef::Known {
            name: service.into(),
        },
        call: CallKind::Method {
            name: method.into(),
        },
        params: Value::object(params.iter().cloned()),
        positional: Vec::new(),
        text: format!("{service}.{method}(...)"),
    }
}

/// (action, resource as plain text, resource as template text) of each grant, and the
/// diagnostics.
fn resolve(call: &SdkCall, env: &EnvContext) -> (Vec<(String, String, String)>, Vec<Diagnostic>) {
    let arn = ArnEnv {
        partition: Some("aws".into()),
        region: Some("us-east-1".into()),
        account: Some("123456789012".into()),
    };
    let (grants, diagnostics) =
        resolve_call(Maps::embedded(), call, env, &Options::default()).expect("maps load");
    let grants = grants
        .into_iter()
        .map(|g| (g.action, g.resource.render(&arn), g.resource.to_sub()))
        .collect();
    (grants, diagnostics)
}

fn with_code(diagnostics: &[Diagnostic], code: Code) -> Vec<&Diagnostic> {
    diagnostics.iter().filter(|d| d.code == code).collect()
}

#[test]
fn s3_bucket_and_key_from_the_record_are_the_notifying_bucket_under_its_filter() {
    let env = context("sam-s3-trigger-prefix-suffix", "ThumbnailFunction");
    let get = call(
        "s3",
        "get_object",
        &[
            ("Bucket", event("Records[].s3.bucket.name")),
            ("Key", event("Records[].s3.object.key")),
        ],
    );
    let (grants, diagnostics) = resolve(&get, &env);
    assert_eq!(
        grants,
        [(
            "s3:GetObject".to_string(),
            "arn:aws:s3:::acme-photo-uploads/uploads/*.jpg".to_string(),
            "arn:${AWS::Partition}:s3:::${UploadBucket}/uploads/*.jpg".to_string()
        )]
    );
    let from = with_code(&diagnostics, Code::EventValueFromTrigger);
    assert_eq!(from.len(), 2, "{diagnostics:#?}");
    assert!(from.iter().all(|d| d.level == leastrole_core::Level::Info
        && d.location.as_ref().is_some_and(|l| l.line == 7)
        && d.message.contains("PhotoUploaded")));
    // The key's wildcard is the filter's, and says so.
    let unresolved = with_code(&diagnostics, Code::UnresolvedResource);
    assert!(
        unresolved
            .iter()
            .any(|d| d.message.contains("prefix `uploads/`")),
        "{unresolved:#?}"
    );
    // The key kept its shape through concatenation (`f"thumbs/{key}"`).
    let put = call(
        "s3",
        "put_object",
        &[
            ("Bucket", Value::str("acme-photo-thumbnails")),
            (
                "Key",
                Value::Concat {
                    parts: vec![Value::str("thumbs/"), event("Records[].s3.object.key")],
                },
            ),
        ],
    );
    let (grants, _) = resolve(&put, &env);
    assert_eq!(
        grants[0].1,
        "arn:aws:s3:::acme-photo-thumbnails/thumbs/uploads/*.jpg"
    );
}

#[test]
fn several_triggers_give_one_resource_each() {
    let env = context("serverless-s3-event-existing-bucket", "ingest");
    let get = call(
        "s3",
        "get_object",
        &[
            ("Bucket", event("Records[].s3.bucket.name")),
            ("Key", event("Records[].s3.object.key")),
        ],
    );
    let (grants, _) = resolve(&get, &env);
    let plain: Vec<&str> = grants.iter().map(|g| g.1.as_str()).collect();
    // Bucket and key vary together, per trigger: the inbox only under its filter.
    assert_eq!(
        plain,
        [
            "arn:aws:s3:::acme-invoices-inbox/incoming/*.pdf",
            "arn:aws:s3:::invoice-ingest-prod-scans/*"
        ]
    );
}

#[test]
fn a_path_no_trigger_sets_stays_unknown_and_says_so() {
    let env = context("sam-s3-trigger-prefix-suffix", "ThumbnailFunction");
    let get = call(
        "s3",
        "get_object",
        &[
            ("Bucket", event("detail.bucket.name")),
            ("Key", Value::str("k")),
        ],
    );
    let (grants, diagnostics) = resolve(&get, &env);
    assert_eq!(grants[0].1, "arn:aws:s3:::*/k");
    let unresolved = with_code(&diagnostics, Code::UnresolvedResource);
    assert!(
        unresolved.iter().any(|d| d.message.contains(
            "from the event (`detail.bucket.name`); no trigger of this function names it"
        )),
        "{unresolved:#?}"
    );
    assert!(with_code(&diagnostics, Code::EventValueFromTrigger).is_empty());
}

#[test]
fn without_known_triggers_an_event_value_is_only_from_the_event() {
    let (grants, diagnostics) = resolve(
        &call(
            "s3",
            "get_object",
            &[
                ("Bucket", event("Records[].s3.bucket.name")),
                ("Key", Value::str("k")),
            ],
        ),
        &EnvContext::default(),
    );
    assert_eq!(grants[0].1, "arn:aws:s3:::*/k");
    assert!(diagnostics.iter().any(|d| {
        d.code == Code::UnresolvedResource
            && d.message
                .contains("(from the event (`Records[].s3.bucket.name`))")
    }));
}

#[test]
fn eventbridge_s3_detail_gives_the_bucket_and_key_prefix() {
    let env = context("sam-eventbridge-s3", "ScanFunction");
    let (grants, _) = resolve(
        &call(
            "s3",
            "put_object_tagging",
            &[
                ("Bucket", event("detail.bucket.name")),
                ("Key", event("detail.object.key")),
            ],
        ),
        &env,
    );
    assert_eq!(
        grants,
        [(
            "s3:PutObjectTagging".to_string(),
            "arn:aws:s3:::acme-media-ingest/videos/*".to_string(),
            "arn:${AWS::Partition}:s3:::acme-media-ingest/videos/*".to_string()
        )]
    );
}

#[test]
fn a_stream_arn_from_the_record_is_the_stream() {
    let env = context("sam-sqs-kinesis-dynamodb-sources", "ClicksFunction");
    let (grants, diagnostics) = resolve(
        &call(
            "kinesis",
            "describe_stream_summary",
            &[("StreamARN", event("Records[].eventSourceARN"))],
        ),
        &env,
    );
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0].0, "kinesis:DescribeStreamSummary");
    assert_eq!(grants[0].2, "${ClickStream.Arn}");
    assert_eq!(
        with_code(&diagnostics, Code::EventValueFromTrigger).len(),
        1
    );
}

#[test]
fn custom_resource_properties_name_the_table_and_bucket() {
    let env = context("sam-custom-resource", "SeedFunction");
    let (grants, _) = resolve(
        &call(
            "dynamodb",
            "put_item",
            &[("TableName", event("ResourceProperties.TableName"))],
        ),
        &env,
    );
    assert_eq!(
        grants[0].2,
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${SettingsTable}"
    );
    let (grants, _) = resolve(
        &call(
            "s3",
            "get_object",
            &[
                ("Bucket", event("ResourceProperties.SeedBucket")),
                ("Key", event("ResourceProperties.SeedKey")),
            ],
        ),
        &env,
    );
    assert_eq!(
        grants[0].1,
        "arn:aws:s3:::acme-config-seeds/settings/defaults.json"
    );
}

#[test]
fn cognito_user_pool_id_is_the_pool_that_triggers() {
    let env = context("sam-cognito-trigger", "ConfirmFunction");
    let (grants, _) = resolve(
        &call(
            "cognito-idp",
            "admin_add_user_to_group",
            &[
                ("UserPoolId", event("userPoolId")),
                ("Username", event("userName")),
                ("GroupName", Value::str("members")),
            ],
        ),
        &env,
    );
    assert_eq!(grants[0].0, "cognito-idp:AdminAddUserToGroup");
    assert_eq!(
        grants[0].2,
        "arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/${MembersPool}"
    );
}

#[test]
fn websocket_connections_are_managed_on_the_functions_own_api_and_stage() {
    let env = context("serverless-websocket", "message");
    let (grants, diagnostics) = resolve(
        &call(
            "apigatewaymanagementapi",
            "post_to_connection",
            &[("ConnectionId", event("requestContext.connectionId"))],
        ),
        &env,
    );
    // The API's id is random (plain output: `*`; template output names the API); the
    // method and `@connections/` path are the operation's, the connection any of them.
    assert_eq!(
        grants,
        [(
            "execute-api:ManageConnections".to_string(),
            "arn:aws:execute-api:us-east-1:123456789012:*/prod/POST/@connections/*".to_string(),
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebsocketsApi}/prod/POST/@connections/*"
                .to_string()
        )]
    );
    assert!(!with_code(&diagnostics, Code::EventValueFromTrigger).is_empty());
    // Without the trigger, the API and stage stay `*`; the connection is the one named.
    let (grants, _) = resolve(
        &call(
            "apigatewaymanagementapi",
            "post_to_connection",
            &[("ConnectionId", Value::str("c"))],
        ),
        &EnvContext::default(),
    );
    assert_eq!(
        grants[0].1,
        "arn:aws:execute-api:us-east-1:123456789012:*/*/POST/@connections/c"
    );
}

#[test]
fn a_choice_is_one_resource_per_alternative() {
    let choice = Value::OneOf {
        items: vec![Value::str("reports-eu"), Value::str("reports-us")],
    };
    let (grants, _) = resolve(
        &call(
            "s3",
            "get_object",
            &[
                ("Bucket", choice),
                (
                    "Key",
                    Value::OneOf {
                        items: vec![Value::str("a.csv"), Value::str("b.csv")],
                    },
                ),
            ],
        ),
        &EnvContext::default(),
    );
    let plain: Vec<&str> = grants.iter().map(|g| g.1.as_str()).collect();
    assert_eq!(
        plain,
        [
            "arn:aws:s3:::reports-eu/a.csv",
            "arn:aws:s3:::reports-eu/b.csv",
            "arn:aws:s3:::reports-us/a.csv",
            "arn:aws:s3:::reports-us/b.csv"
        ]
    );
    // Too many alternatives: one wildcard with a warning, never a silent cut.
    let many = Value::OneOf {
        items: (0..100).map(|i| Value::str(format!("b{i}"))).collect(),
    };
    let (grants, diagnostics) = resolve(
        &call(
            "s3",
            "get_object",
            &[("Bucket", many), ("Key", Value::str("k"))],
        ),
        &EnvContext::default(),
    );
    assert_eq!(grants[0].1, "arn:aws:s3:::*/k");
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == Code::UnresolvedResource && d.message.contains("more than 64"))
    );
}
