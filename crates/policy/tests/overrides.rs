//! Every row of the exceptions table in iam-facts.md §7 (operations whose IAM action
//! differs from their name, or that need extra actions), checked end to end: an SDK
//! call with literal parameters resolves through the embedded maps to these grants.

use std::collections::BTreeSet;

use leastrole_lang::{CallKind, Location, Sdk, SdkCall, ServiceRef, Value};
use leastrole_maps::Maps;
use leastrole_policy::{ArnEnv, EnvContext, Options, resolve_call};

fn obj(entries: &[(&str, Value)]) -> Value {
    Value::object(entries.iter().cloned())
}

fn s(v: &str) -> Value {
    Value::str(v)
}

fn call(service: &str, method: &str, params: Value) -> SdkCall {
    SdkCall {
        location: Location {
            file: "handler.py".into(),
            line: 1,
            column: 1,
        },
        sdk: Sdk::Boto3,
        service: ServiceRef::Known {
            name: service.into(),
        },
        call: CallKind::Method {
            name: method.into(),
        },
        params,
        positional: Vec::new(),
        text: format!("{service}.{method}(...)"),
    }
}

/// (action, resource) pairs, with partition/region/account filled for readability.
fn grants_with(
    service: &str,
    method: &str,
    params: Value,
    options: &Options,
) -> BTreeSet<(String, String)> {
    let env = ArnEnv {
        partition: Some("aws".into()),
        region: Some("us-east-1".into()),
        account: Some("111122223333".into()),
    };
    let (grants, _) = resolve_call(
        Maps::embedded(),
        &call(service, method, params),
        &EnvContext::default(),
        options,
    )
    .expect("maps load");
    grants
        .into_iter()
        .map(|g| (g.action, g.resource.render(&env)))
        .collect()
}

fn grants(service: &str, method: &str, params: Value) -> BTreeSet<(String, String)> {
    grants_with(service, method, params, &Options::default())
}

fn actions(service: &str, method: &str, params: Value) -> BTreeSet<String> {
    grants(service, method, params)
        .into_iter()
        .map(|(a, _)| a)
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn pairs(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, r)| (a.to_string(), r.to_string()))
        .collect()
}

const BUCKET: &str = "arn:aws:s3:::invoices";
const OBJECT: &str = "arn:aws:s3:::invoices/2024/a.pdf";

fn bucket_key() -> Value {
    obj(&[("Bucket", s("invoices")), ("Key", s("2024/a.pdf"))])
}

#[test]
fn s3_listing_is_list_bucket_on_the_bucket() {
    let p = obj(&[("Bucket", s("invoices")), ("Prefix", s("2024/"))]);
    assert_eq!(
        grants("s3", "list_objects_v2", p.clone()),
        pairs(&[("s3:ListBucket", BUCKET)])
    );
    assert_eq!(
        grants("s3", "list_objects", p),
        pairs(&[("s3:ListBucket", BUCKET)])
    );
}

#[test]
fn s3_head_object_is_get_object_and_head_bucket_is_list_bucket() {
    assert_eq!(
        grants("s3", "head_object", bucket_key()),
        pairs(&[("s3:GetObject", OBJECT)])
    );
    assert_eq!(
        grants("s3", "head_bucket", obj(&[("Bucket", s("invoices"))])),
        pairs(&[("s3:ListBucket", BUCKET)])
    );
}

#[test]
fn s3_get_object_alone_and_with_version() {
    assert_eq!(
        grants("s3", "get_object", bucket_key()),
        pairs(&[("s3:GetObject", OBJECT)])
    );
    let versioned = obj(&[
        ("Bucket", s("invoices")),
        ("Key", s("2024/a.pdf")),
        ("VersionId", s("3")),
    ]);
    assert_eq!(
        actions("s3", "get_object", versioned),
        set(&["s3:GetObjectVersion"])
    );
}

#[test]
fn s3_put_object_alone_and_with_acl_and_tagging() {
    assert_eq!(
        grants("s3", "put_object", bucket_key()),
        pairs(&[("s3:PutObject", OBJECT)])
    );
    let extra = obj(&[
        ("Bucket", s("invoices")),
        ("Key", s("2024/a.pdf")),
        ("ACL", s("private")),
        ("Tagging", s("a=b")),
    ]);
    assert_eq!(
        actions("s3", "put_object", extra),
        set(&["s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging"])
    );
}

#[test]
fn s3_multipart_operations() {
    let upload = obj(&[
        ("Bucket", s("invoices")),
        ("Key", s("2024/a.pdf")),
        ("UploadId", s("u")),
    ]);
    for method in [
        "create_multipart_upload",
        "upload_part",
        "complete_multipart_upload",
    ] {
        assert_eq!(
            actions("s3", method, upload.clone()),
            set(&["s3:PutObject"]),
            "{method}"
        );
    }
    assert_eq!(
        actions("s3", "abort_multipart_upload", upload.clone()),
        set(&["s3:AbortMultipartUpload"])
    );
    assert_eq!(
        actions("s3", "list_parts", upload),
        set(&["s3:ListMultipartUploadParts"])
    );
    assert_eq!(
        grants(
            "s3",
            "list_multipart_uploads",
            obj(&[("Bucket", s("invoices"))])
        ),
        pairs(&[("s3:ListBucketMultipartUploads", BUCKET)])
    );
}

#[test]
fn s3_copy_reads_the_source_and_writes_the_destination() {
    let p = obj(&[
        ("Bucket", s("archive")),
        ("Key", s("b.pdf")),
        ("CopySource", s("invoices/2024/a.pdf")),
    ]);
    assert_eq!(
        grants("s3", "copy_object", p.clone()),
        pairs(&[
            ("s3:GetObject", OBJECT),
            ("s3:PutObject", "arn:aws:s3:::archive/b.pdf")
        ])
    );
    let part = obj(&[
        ("Bucket", s("archive")),
        ("Key", s("b.pdf")),
        (
            "CopySource",
            obj(&[("Bucket", s("invoices")), ("Key", s("2024/a.pdf"))]),
        ),
        ("UploadId", s("u")),
        ("PartNumber", Value::Scalar { text: "1".into() }),
    ]);
    assert_eq!(
        grants("s3", "upload_part_copy", part),
        pairs(&[
            ("s3:GetObject", OBJECT),
            ("s3:PutObject", "arn:aws:s3:::archive/b.pdf")
        ])
    );
}

#[test]
fn s3_delete_objects_select_list_buckets_and_versions() {
    let del = obj(&[
        ("Bucket", s("invoices")),
        (
            "Delete",
            obj(&[(
                "Objects",
                Value::List {
                    items: vec![obj(&[("Key", s("2024/a.pdf"))])],
                },
            )]),
        ),
    ]);
    assert_eq!(
        actions("s3", "delete_objects", del),
        set(&["s3:DeleteObject"])
    );
    assert_eq!(
        actions("s3", "select_object_content", bucket_key()),
        set(&["s3:GetObject"])
    );
    assert_eq!(
        grants("s3", "list_buckets", obj(&[])),
        pairs(&[("s3:ListAllMyBuckets", "*")])
    );
    assert_eq!(
        grants(
            "s3",
            "list_object_versions",
            obj(&[("Bucket", s("invoices"))])
        ),
        pairs(&[("s3:ListBucketVersions", BUCKET)])
    );
}

#[test]
fn s3_bucket_configuration_renames() {
    let b = obj(&[("Bucket", s("invoices"))]);
    assert_eq!(
        actions("s3", "delete_bucket_cors", b.clone()),
        set(&["s3:PutBucketCORS"])
    );
    assert_eq!(
        actions("s3", "delete_bucket_lifecycle", b.clone()),
        set(&["s3:PutLifecycleConfiguration"])
    );
    assert_eq!(
        actions("s3", "delete_bucket_encryption", b.clone()),
        set(&["s3:PutEncryptionConfiguration"])
    );
    assert_eq!(
        actions("s3", "delete_bucket_tagging", b.clone()),
        set(&["s3:PutBucketTagging"])
    );
    assert_eq!(
        actions("s3", "get_bucket_notification_configuration", b.clone()),
        set(&["s3:GetBucketNotification"])
    );
    assert_eq!(
        actions("s3", "put_bucket_notification_configuration", b),
        set(&["s3:PutBucketNotification"])
    );
}

#[test]
fn s3_kms_actions_only_with_the_kms_option() {
    let p = bucket_key();
    let with = grants_with(
        "s3",
        "get_object",
        p.clone(),
        &Options {
            kms: true,
            ..Options::default()
        },
    );
    assert!(with.iter().any(|(a, _)| a == "kms:Decrypt"), "{with:?}");
    assert!(!actions("s3", "get_object", p).contains("kms:Decrypt"));
}

const TABLE: &str = "arn:aws:dynamodb:us-east-1:111122223333:table/orders";

#[test]
fn dynamodb_batch_operations_cover_every_table() {
    let p = obj(&[(
        "RequestItems",
        obj(&[("orders", obj(&[])), ("users", obj(&[]))]),
    )]);
    assert_eq!(
        grants("dynamodb", "batch_get_item", p.clone()),
        pairs(&[
            ("dynamodb:BatchGetItem", TABLE),
            (
                "dynamodb:BatchGetItem",
                "arn:aws:dynamodb:us-east-1:111122223333:table/users"
            ),
        ])
    );
    assert_eq!(
        actions("dynamodb", "batch_write_item", p),
        set(&["dynamodb:BatchWriteItem"])
    );
}

#[test]
fn dynamodb_transactions_map_per_item() {
    let item = |kind: &str, table: &str| obj(&[(kind, obj(&[("TableName", s(table))]))]);
    let p = obj(&[(
        "TransactItems",
        Value::List {
            items: vec![
                item("Put", "orders"),
                item("Update", "users"),
                item("ConditionCheck", "limits"),
            ],
        },
    )]);
    assert_eq!(
        grants("dynamodb", "transact_write_items", p),
        pairs(&[
            (
                "dynamodb:ConditionCheckItem",
                "arn:aws:dynamodb:us-east-1:111122223333:table/limits"
            ),
            ("dynamodb:PutItem", TABLE),
            (
                "dynamodb:UpdateItem",
                "arn:aws:dynamodb:us-east-1:111122223333:table/users"
            ),
        ])
    );
    let g = obj(&[(
        "TransactItems",
        Value::List {
            items: vec![item("Get", "orders")],
        },
    )]);
    assert_eq!(
        grants("dynamodb", "transact_get_items", g),
        pairs(&[("dynamodb:GetItem", TABLE)])
    );
}

#[test]
fn dynamodb_query_on_an_index() {
    let p = obj(&[("TableName", s("orders")), ("IndexName", s("by-customer"))]);
    assert_eq!(
        grants("dynamodb", "query", p),
        pairs(&[("dynamodb:Query", &format!("{TABLE}/index/by-customer"))])
    );
    assert_eq!(
        grants("dynamodb", "query", obj(&[("TableName", s("orders"))])),
        pairs(&[("dynamodb:Query", TABLE)])
    );
}

#[test]
fn dynamodb_partiql_by_statement_verb() {
    let p = |st: &str| obj(&[("Statement", s(st))]);
    assert_eq!(
        actions(
            "dynamodb",
            "execute_statement",
            p("SELECT * FROM \"orders\"")
        ),
        set(&["dynamodb:PartiQLSelect"])
    );
    assert_eq!(
        actions(
            "dynamodb",
            "execute_statement",
            p("insert into \"orders\" value {}")
        ),
        set(&["dynamodb:PartiQLInsert"])
    );
    assert_eq!(
        actions(
            "dynamodb",
            "execute_statement",
            p("UPDATE \"orders\" SET a=1")
        ),
        set(&["dynamodb:PartiQLUpdate"])
    );
    assert_eq!(
        actions("dynamodb", "execute_statement", p("DELETE FROM \"orders\"")),
        set(&["dynamodb:PartiQLDelete"])
    );
}

#[test]
fn lambda_invoke_is_invoke_function_with_qualifiers() {
    let f = "arn:aws:lambda:us-east-1:111122223333:function:worker";
    let p = obj(&[("FunctionName", s("worker"))]);
    assert_eq!(
        grants("lambda", "invoke", p.clone()),
        pairs(&[("lambda:InvokeFunction", f)])
    );
    assert_eq!(
        actions("lambda", "invoke_with_response_stream", p.clone()),
        set(&["lambda:InvokeFunction"])
    );
    let q = obj(&[("FunctionName", s("worker")), ("Qualifier", s("live"))]);
    assert_eq!(
        grants("lambda", "invoke", q),
        pairs(&[("lambda:InvokeFunction", &format!("{f}:live"))])
    );
    let a = actions(
        "lambda",
        "invoke_async",
        obj(&[("FunctionName", s("worker"))]),
    );
    assert_eq!(a, set(&["lambda:InvokeAsync", "lambda:InvokeFunction"]));
    let layer = obj(&[(
        "Arn",
        s("arn:aws:lambda:us-east-1:111122223333:layer:deps:3"),
    )]);
    assert_eq!(
        actions("lambda", "get_layer_version_by_arn", layer),
        set(&["lambda:GetLayerVersion"])
    );
}

#[test]
fn kinesis_consumer_operations_use_the_consumer_arn() {
    let consumer = "arn:aws:kinesis:us-east-1:111122223333:stream/clicks/consumer/app:1700000000";
    let p = obj(&[("ConsumerARN", s(consumer)), ("ShardId", s("shardId-0"))]);
    assert_eq!(
        grants("kinesis", "subscribe_to_shard", p),
        pairs(&[("kinesis:SubscribeToShard", consumer)])
    );
    let put = obj(&[
        ("StreamName", s("clicks")),
        ("Data", s("x")),
        ("PartitionKey", s("k")),
    ]);
    assert_eq!(
        grants("kinesis", "put_record", put),
        pairs(&[(
            "kinesis:PutRecord",
            "arn:aws:kinesis:us-east-1:111122223333:stream/clicks"
        )])
    );
}

#[test]
fn kms_reencrypt_needs_from_and_to() {
    let p = obj(&[
        ("CiphertextBlob", s("x")),
        (
            "SourceKeyId",
            s("arn:aws:kms:us-east-1:111122223333:key/1111"),
        ),
        (
            "DestinationKeyId",
            s("arn:aws:kms:us-east-1:111122223333:key/2222"),
        ),
    ]);
    assert_eq!(
        grants("kms", "re_encrypt", p),
        pairs(&[
            (
                "kms:ReEncryptFrom",
                "arn:aws:kms:us-east-1:111122223333:key/1111"
            ),
            (
                "kms:ReEncryptTo",
                "arn:aws:kms:us-east-1:111122223333:key/2222"
            ),
        ])
    );
}

#[test]
fn kms_alias_and_missing_key_are_wildcards() {
    let alias = grants(
        "kms",
        "encrypt",
        obj(&[("KeyId", s("alias/app")), ("Plaintext", s("x"))]),
    );
    assert_eq!(
        alias,
        pairs(&[("kms:Encrypt", "arn:aws:kms:us-east-1:111122223333:key/*")])
    );
    let decrypt = actions("kms", "decrypt", obj(&[("CiphertextBlob", s("x"))]));
    assert_eq!(decrypt, set(&["kms:Decrypt"]));
}

#[test]
fn ses_v1_and_v2_sending() {
    let identity = "arn:aws:ses:us-east-1:111122223333:identity/noreply@example.com";
    let v1 = obj(&[
        ("Source", s("noreply@example.com")),
        ("Destination", obj(&[])),
        ("Message", obj(&[])),
    ]);
    assert_eq!(
        grants("ses", "send_email", v1),
        pairs(&[("ses:SendEmail", identity)])
    );
    let simple = obj(&[
        ("FromEmailAddress", s("noreply@example.com")),
        ("Content", obj(&[("Simple", obj(&[]))])),
    ]);
    assert_eq!(
        actions("sesv2", "send_email", simple),
        set(&["ses:SendEmail"])
    );
    let raw = obj(&[
        ("FromEmailAddress", s("noreply@example.com")),
        ("Content", obj(&[("Raw", obj(&[]))])),
    ]);
    assert_eq!(
        actions("sesv2", "send_email", raw),
        set(&["ses:SendEmail", "ses:SendRawEmail"])
    );
    let bulk = actions(
        "sesv2",
        "send_bulk_email",
        obj(&[("FromEmailAddress", s("noreply@example.com"))]),
    );
    assert!(bulk.contains("ses:SendBulkEmail"), "{bulk:?}");
}

#[test]
fn sns_publish_batch_is_publish_and_sms_is_star() {
    let topic = "arn:aws:sns:us-east-1:111122223333:alerts";
    let p = obj(&[
        ("TopicArn", s(topic)),
        ("PublishBatchRequestEntries", Value::List { items: vec![] }),
    ]);
    assert_eq!(
        grants("sns", "publish_batch", p),
        pairs(&[("sns:Publish", topic)])
    );
    let sms = obj(&[("PhoneNumber", s("+15555550100")), ("Message", s("hi"))]);
    assert_eq!(
        grants("sns", "publish", sms),
        pairs(&[("sns:Publish", "*")])
    );
}

#[test]
fn step_functions_task_tokens_and_executions() {
    assert_eq!(
        grants(
            "stepfunctions",
            "send_task_success",
            obj(&[("taskToken", s("t")), ("output", s("{}"))])
        ),
        pairs(&[("states:SendTaskSuccess", "*")])
    );
    let sm = "arn:aws:states:us-east-1:111122223333:stateMachine:orders";
    assert_eq!(
        grants(
            "stepfunctions",
            "start_execution",
            obj(&[("stateMachineArn", s(sm))])
        ),
        pairs(&[("states:StartExecution", sm)])
    );
    assert_eq!(
        actions(
            "stepfunctions",
            "start_sync_execution",
            obj(&[("stateMachineArn", s(sm))])
        ),
        set(&["states:StartSyncExecution"])
    );
}

#[test]
fn cross_service_renames() {
    let q = "https://sqs.us-east-1.amazonaws.com/111122223333/jobs";
    for method in [
        "send_message_batch",
        "delete_message_batch",
        "change_message_visibility_batch",
    ] {
        let expected = match method {
            "send_message_batch" => "sqs:SendMessage",
            "delete_message_batch" => "sqs:DeleteMessage",
            _ => "sqs:ChangeMessageVisibility",
        };
        assert_eq!(
            grants(
                "sqs",
                method,
                obj(&[
                    ("QueueUrl", s(q)),
                    ("Entries", Value::List { items: vec![] })
                ])
            ),
            pairs(&[(expected, "arn:aws:sqs:us-east-1:111122223333:jobs")]),
            "{method}"
        );
    }
    let post = actions(
        "apigatewaymanagementapi",
        "post_to_connection",
        obj(&[("ConnectionId", s("c")), ("Data", s("x"))]),
    );
    assert_eq!(post, set(&["execute-api:ManageConnections"]));
    let invoke = actions(
        "bedrock-runtime",
        "invoke_model",
        obj(&[("modelId", s("anthropic.claude-v2"))]),
    );
    assert_eq!(invoke, set(&["bedrock:InvokeModel"]));
    let converse = actions(
        "bedrock-runtime",
        "converse",
        obj(&[("modelId", s("anthropic.claude-v2"))]),
    );
    assert_eq!(converse, set(&["bedrock:InvokeModel"]));
    assert!(grants("sts", "get_caller_identity", obj(&[])).is_empty());
    let tags = actions("resourcegroupstaggingapi", "get_resources", obj(&[]));
    assert_eq!(tags, set(&["tag:GetResources"]));
}

/// A secret named by name: its ARN always ends in `-` and six random characters
/// (Secrets Manager user guide, "Secret ARNs"), so `secret:NAME` alone would be denied
/// at run time; `secret:NAME-??????` matches the real ARN and no longer name. A whole
/// ARN is used as given.
#[test]
fn secrets_manager_names_match_the_arn_with_its_random_suffix() {
    let by_name = grants(
        "secretsmanager",
        "get_secret_value",
        obj(&[("SecretId", s("gateway/password"))]),
    );
    assert_eq!(
        by_name,
        pairs(&[(
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:gateway/password-??????"
        )])
    );
    let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:gateway/password-AbCdEf";
    assert_eq!(
        grants(
            "secretsmanager",
            "get_secret_value",
            obj(&[("SecretId", s(arn))])
        ),
        pairs(&[("secretsmanager:GetSecretValue", arn)])
    );
    let created = grants(
        "secretsmanager",
        "create_secret",
        obj(&[("Name", s("gateway/password"))]),
    );
    assert!(
        created.contains(&(
            "secretsmanager:CreateSecret".to_string(),
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:gateway/password-??????"
                .to_string()
        )),
        "{created:?}"
    );
}

/// Every `*` says why, including the one IAM leaves no choice about: an action with no
/// resource type gets an info diagnostic naming it, with the tables' note when there is
/// one (issue 16: `redshift-data` `ExecuteStatement` gave `Resource: *` and nothing else;
/// with a cluster or workgroup it now names it, see below; without either it is `*`).
#[test]
fn a_wildcard_for_an_action_without_resource_types_says_so() {
    let (grants, diagnostics) = resolve_call(
        Maps::embedded(),
        &call(
            "redshift-data",
            "execute_statement",
            obj(&[("Sql", s("select 1"))]),
        ),
        &EnvContext::default(),
        &Options::default(),
    )
    .expect("maps load");
    assert!(grants.iter().all(|g| g.resource.is_any()), "{grants:?}");
    let why: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.code == "no-resource-type")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(why.len(), 1, "{diagnostics:?}");
    assert!(
        why[0].starts_with("redshift-data:ExecuteStatement: `*` is the only resource"),
        "{why:?}"
    );
    let (_, diagnostics) = resolve_call(
        Maps::embedded(),
        &call("s3", "list_buckets", obj(&[])),
        &EnvContext::default(),
        &Options::default(),
    )
    .expect("maps load");
    assert!(
        diagnostics.iter().any(|d| d.code == "no-resource-type"
            && d.message.contains("s3:ListAllMyBuckets")
            && d.message.contains("no resource-level permissions")),
        "{diagnostics:?}"
    );
}

fn s3_object(bucket: &str, name: &str) -> Value {
    obj(&[("S3Object", obj(&[("Bucket", s(bucket)), ("Name", s(name))]))])
}

/// Rekognition reads an image or video named by an `S3Object` with the caller's
/// credentials (API reference, S3Object): s3:GetObject on that object, or
/// s3:GetObjectVersion with `Version`; image bytes need no S3 permission.
#[test]
fn rekognition_reads_the_s3_object_it_is_given() {
    assert_eq!(
        grants(
            "rekognition",
            "detect_labels",
            obj(&[("Image", s3_object("photos", "in/cat.jpg"))])
        ),
        pairs(&[
            ("rekognition:DetectLabels", "*"),
            ("s3:GetObject", "arn:aws:s3:::photos/in/cat.jpg")
        ])
    );
    assert_eq!(
        actions(
            "rekognition",
            "detect_labels",
            obj(&[("Image", obj(&[("Bytes", s("...."))]))])
        ),
        set(&["rekognition:DetectLabels"])
    );
    let versioned = obj(&[(
        "S3Object",
        obj(&[
            ("Bucket", s("photos")),
            ("Name", s("a.jpg")),
            ("Version", s("v1")),
        ]),
    )]);
    assert_eq!(
        actions("rekognition", "detect_text", obj(&[("Image", versioned)])),
        set(&["rekognition:DetectText", "s3:GetObjectVersion"])
    );
    assert_eq!(
        grants(
            "rekognition",
            "compare_faces",
            obj(&[
                ("SourceImage", s3_object("photos", "a.jpg")),
                ("TargetImage", s3_object("ids", "b.jpg")),
            ])
        ),
        pairs(&[
            ("rekognition:CompareFaces", "*"),
            ("s3:GetObject", "arn:aws:s3:::photos/a.jpg"),
            ("s3:GetObject", "arn:aws:s3:::ids/b.jpg"),
        ])
    );
    assert_eq!(
        grants(
            "rekognition",
            "start_label_detection",
            obj(&[("Video", s3_object("videos", "clip.mp4"))])
        ),
        pairs(&[
            ("rekognition:StartLabelDetection", "*"),
            ("s3:GetObject", "arn:aws:s3:::videos/clip.mp4")
        ])
    );
}

/// Textract reads the document with the caller's credentials; the asynchronous
/// operations write their results to `OutputConfig.S3Bucket` under names Textract picks.
#[test]
fn textract_reads_the_document_and_writes_its_output_bucket() {
    assert_eq!(
        grants(
            "textract",
            "analyze_document",
            obj(&[
                ("Document", s3_object("inbox", "scan.pdf")),
                (
                    "FeatureTypes",
                    Value::List {
                        items: vec![s("FORMS")]
                    }
                ),
            ])
        ),
        pairs(&[
            ("textract:AnalyzeDocument", "*"),
            ("s3:GetObject", "arn:aws:s3:::inbox/scan.pdf")
        ])
    );
    assert_eq!(
        grants(
            "textract",
            "start_document_text_detection",
            obj(&[
                ("DocumentLocation", s3_object("inbox", "scan.pdf")),
                (
                    "OutputConfig",
                    obj(&[("S3Bucket", s("results")), ("S3Prefix", s("ocr"))])
                ),
            ])
        ),
        pairs(&[
            ("textract:StartDocumentTextDetection", "*"),
            ("s3:GetObject", "arn:aws:s3:::inbox/scan.pdf"),
            ("s3:PutObject", "arn:aws:s3:::results/*"),
        ])
    );
}

/// Transcribe reads the media at an `s3://bucket/key` URI and writes the transcript to
/// `OutputBucketName`; Polly's asynchronous synthesis writes to its output bucket and
/// publishes to its status topic.
#[test]
fn transcribe_and_polly_read_and_write_the_buckets_they_are_given() {
    assert_eq!(
        grants(
            "transcribe",
            "start_transcription_job",
            obj(&[
                ("TranscriptionJobName", s("job-1")),
                (
                    "Media",
                    obj(&[("MediaFileUri", s("s3://calls/2024/call.wav"))])
                ),
                ("OutputBucketName", s("transcripts")),
            ])
        ),
        pairs(&[
            ("transcribe:StartTranscriptionJob", "*"),
            ("s3:GetObject", "arn:aws:s3:::calls/2024/call.wav"),
            ("s3:PutObject", "arn:aws:s3:::transcripts/*"),
        ])
    );
    // Not an s3:// URI the code shows: the object is a wildcard, with the reason.
    let (g, diagnostics) = resolve_call(
        Maps::embedded(),
        &call(
            "transcribe",
            "start_transcription_job",
            obj(&[(
                "Media",
                obj(&[("MediaFileUri", Value::unknown("function parameter"))]),
            )]),
        ),
        &EnvContext::default(),
        &Options::default(),
    )
    .expect("maps load");
    assert!(
        g.iter()
            .any(|g| g.action == "s3:GetObject" && g.resource.has_wildcard()),
        "{g:?}"
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == "unresolved-resource" && d.message.contains("Media")),
        "{diagnostics:?}"
    );
    assert_eq!(
        grants(
            "polly",
            "start_speech_synthesis_task",
            obj(&[
                ("OutputS3BucketName", s("audio")),
                ("Text", s("hello")),
                (
                    "SnsTopicArn",
                    s("arn:aws:sns:us-east-1:111122223333:speech-done")
                ),
            ])
        ),
        pairs(&[
            ("polly:StartSpeechSynthesisTask", "*"),
            ("s3:PutObject", "arn:aws:s3:::audio/*"),
            (
                "sns:Publish",
                "arn:aws:sns:us-east-1:111122223333:speech-done"
            ),
        ])
    );
}

/// The Redshift Data API runs on the cluster or workgroup the request names, with
/// credentials from a secret or temporary credentials (Management Guide, "Authorizing
/// access to the Amazon Redshift Data API").
#[test]
fn redshift_data_names_the_cluster_and_the_credentials_it_uses() {
    let cluster = "arn:aws:redshift:us-east-1:111122223333:cluster:analytics";
    assert_eq!(
        grants(
            "redshift-data",
            "execute_statement",
            obj(&[
                ("ClusterIdentifier", s("analytics")),
                ("Database", s("dev")),
                ("DbUser", s("reporter")),
                ("Sql", s("select 1")),
            ])
        ),
        pairs(&[
            ("redshift-data:ExecuteStatement", cluster),
            (
                "redshift:GetClusterCredentials",
                "arn:aws:redshift:us-east-1:111122223333:dbuser:analytics/reporter"
            ),
            (
                "redshift:GetClusterCredentials",
                "arn:aws:redshift:us-east-1:111122223333:dbname:analytics/dev"
            ),
        ])
    );
    assert_eq!(
        grants(
            "redshift-data",
            "batch_execute_statement",
            obj(&[
                ("ClusterIdentifier", s("analytics")),
                ("Database", s("dev")),
                (
                    "Sqls",
                    Value::List {
                        items: vec![s("select 1")]
                    }
                ),
            ])
        ),
        pairs(&[
            ("redshift-data:BatchExecuteStatement", cluster),
            (
                "redshift:GetClusterCredentialsWithIAM",
                "arn:aws:redshift:us-east-1:111122223333:dbname:analytics/dev"
            ),
        ])
    );
    let secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:redshift/app-AbCdEf";
    assert_eq!(
        grants(
            "redshift-data",
            "execute_statement",
            obj(&[
                ("ClusterIdentifier", s("analytics")),
                ("Database", s("dev")),
                ("SecretArn", s(secret)),
                ("Sql", s("select 1")),
            ])
        ),
        pairs(&[
            ("redshift-data:ExecuteStatement", cluster),
            ("secretsmanager:GetSecretValue", secret),
        ])
    );
    // A workgroup's ARN holds a generated id: by name it is a wildcard that says why.
    let (g, diagnostics) = resolve_call(
        Maps::embedded(),
        &call(
            "redshift-data",
            "execute_statement",
            obj(&[
                ("WorkgroupName", s("bi")),
                ("Database", s("dev")),
                ("Sql", s("select 1")),
            ]),
        ),
        &EnvContext::default(),
        &Options::default(),
    )
    .expect("maps load");
    let acts: BTreeSet<&str> = g.iter().map(|g| g.action.as_str()).collect();
    assert_eq!(
        acts,
        BTreeSet::from([
            "redshift-data:ExecuteStatement",
            "redshift-serverless:GetCredentials"
        ])
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == "unresolved-resource" && d.message.contains("generated id")),
        "{diagnostics:?}"
    );
}

/// A parameter the call leaves out takes the service's documented default: an
/// EventBridge entry without `EventBusName` goes to the bus named `default`, a schedule
/// without `GroupName` is in the group named `default`.
#[test]
fn left_out_parameters_take_their_documented_defaults() {
    let entry = |bus: Option<&str>| {
        let mut e = vec![
            ("Source", s("app")),
            ("DetailType", s("t")),
            ("Detail", s("{}")),
        ];
        if let Some(b) = bus {
            e.push(("EventBusName", s(b)));
        }
        obj(&e)
    };
    let default_bus = "arn:aws:events:us-east-1:111122223333:event-bus/default";
    assert_eq!(
        grants(
            "events",
            "put_events",
            obj(&[(
                "Entries",
                Value::List {
                    items: vec![entry(None)]
                }
            )])
        ),
        pairs(&[("events:PutEvents", default_bus)])
    );
    let orders = "arn:aws:events:us-east-1:111122223333:event-bus/orders";
    let audit = "arn:aws:events:eu-west-1:444455556666:event-bus/audit";
    assert_eq!(
        grants(
            "events",
            "put_events",
            obj(&[(
                "Entries",
                Value::List {
                    items: vec![entry(None), entry(Some("orders")), entry(Some(audit))]
                }
            )])
        ),
        pairs(&[
            ("events:PutEvents", default_bus),
            ("events:PutEvents", orders),
            ("events:PutEvents", audit),
        ])
    );
    // An entry whose bus is unknown stays a wildcard, not the default.
    let unknown = obj(&[("EventBusName", Value::unknown("function parameter"))]);
    assert_eq!(
        grants(
            "events",
            "put_events",
            obj(&[(
                "Entries",
                Value::List {
                    items: vec![unknown]
                }
            )])
        ),
        pairs(&[(
            "events:PutEvents",
            "arn:aws:events:us-east-1:111122223333:event-bus/*"
        )])
    );
    let schedule = |group: Option<&str>| {
        let mut p = vec![
            ("Name", s("nightly")),
            ("ScheduleExpression", s("rate(1 day)")),
        ];
        if let Some(g) = group {
            p.push(("GroupName", s(g)));
        }
        obj(&p)
    };
    for method in [
        "create_schedule",
        "get_schedule",
        "update_schedule",
        "delete_schedule",
    ] {
        let action = match method {
            "create_schedule" => "scheduler:CreateSchedule",
            "get_schedule" => "scheduler:GetSchedule",
            "update_schedule" => "scheduler:UpdateSchedule",
            _ => "scheduler:DeleteSchedule",
        };
        assert_eq!(
            grants("scheduler", method, schedule(None)),
            pairs(&[(
                action,
                "arn:aws:scheduler:us-east-1:111122223333:schedule/default/nightly"
            )]),
            "{method}"
        );
        assert_eq!(
            grants("scheduler", method, schedule(Some("reports"))),
            pairs(&[(
                action,
                "arn:aws:scheduler:us-east-1:111122223333:schedule/reports/nightly"
            )]),
            "{method}"
        );
    }
}

/// A resource the template encrypts with a customer-managed key: a call on it gets the
/// `option: kms` actions of its operation on that key, without `--kms`; a call on
/// another resource, or an operation with no such action, gets none; DynamoDB, whose
/// operations list none, gets a warning naming the key.
#[test]
fn a_template_key_adds_the_calls_kms_actions_on_that_key() {
    use leastrole_policy::{Resource, TemplateKey};
    let key = "arn:aws:kms:us-east-1:111122223333:key/data";
    let options = Options {
        template_keys: vec![
            TemplateKey {
                logical_id: "Uploads".into(),
                resource_type: "AWS::S3::Bucket".into(),
                name: Some("invoices".into()),
                key: Resource::literal(key),
            },
            TemplateKey {
                logical_id: "Orders".into(),
                resource_type: "AWS::DynamoDB::Table".into(),
                name: Some("orders".into()),
                key: Resource::literal(key),
            },
        ],
        ..Options::default()
    };
    assert_eq!(
        grants_with("s3", "get_object", bucket_key(), &options),
        pairs(&[("s3:GetObject", OBJECT), ("kms:Decrypt", key)])
    );
    assert_eq!(
        grants_with("s3", "put_object", bucket_key(), &options),
        pairs(&[("s3:PutObject", OBJECT), ("kms:GenerateDataKey", key)])
    );
    let other = obj(&[("Bucket", s("public")), ("Key", s("a.txt"))]);
    assert_eq!(
        actions_with("s3", "get_object", other, &options),
        set(&["s3:GetObject"])
    );
    let list = obj(&[("Bucket", s("invoices"))]);
    assert_eq!(
        actions_with("s3", "list_objects_v2", list, &options),
        set(&["s3:ListBucket"])
    );
    let (_, diagnostics) = resolve_call(
        Maps::embedded(),
        &call(
            "dynamodb",
            "put_item",
            obj(&[("TableName", s("orders")), ("Item", obj(&[]))]),
        ),
        &EnvContext::default(),
        &options,
    )
    .expect("maps load");
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == "kms-key-not-covered" && d.message.contains(key)),
        "{diagnostics:?}"
    );
}

fn actions_with(service: &str, method: &str, params: Value, options: &Options) -> BTreeSet<String> {
    grants_with(service, method, params, options)
        .into_iter()
        .map(|(a, _)| a)
        .collect()
}

#[test]
fn websocket_connection_calls_name_their_method_and_connections_path() {
    // The API and stage come from the client's endpoint (project mode: the WebSocket
    // trigger); the method and `@connections/<id>` path are the operation's own.
    let connection = s("abc123=");
    assert_eq!(
        grants(
            "apigatewaymanagementapi",
            "post_to_connection",
            obj(&[("ConnectionId", connection.clone()), ("Data", s("hi"))]),
        ),
        pairs(&[(
            "execute-api:ManageConnections",
            "arn:aws:execute-api:us-east-1:111122223333:*/*/POST/@connections/abc123="
        )])
    );
    assert_eq!(
        grants(
            "apigatewaymanagementapi",
            "delete_connection",
            obj(&[("ConnectionId", connection)]),
        ),
        pairs(&[(
            "execute-api:ManageConnections",
            "arn:aws:execute-api:us-east-1:111122223333:*/*/DELETE/@connections/abc123="
        )])
    );
    // A connection id from the event is any connection, under the same method and path.
    assert_eq!(
        grants(
            "apigatewaymanagementapi",
            "get_connection",
            obj(&[("ConnectionId", Value::unknown("from the event"))]),
        ),
        pairs(&[(
            "execute-api:ManageConnections",
            "arn:aws:execute-api:us-east-1:111122223333:*/*/GET/@connections/*"
        )])
    );
}
