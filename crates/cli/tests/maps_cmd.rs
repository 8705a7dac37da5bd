//! `leastrole maps`: the contract the "done when" names, run as a user would.

use assert_cmd::Command;

fn leastrole() -> Command {
    Command::cargo_bin("leastrole").expect("binary builds")
}

fn stdout_of(args: &[&str]) -> String {
    let out = leastrole().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn list_objects_v2_is_list_bucket_on_the_bucket_bound_from_bucket() {
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "maps",
        "s3",
        "ListObjectsV2",
        "--format",
        "json",
    ]))
    .unwrap();
    let actions = json["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{json:#}");
    assert_eq!(actions[0]["action"], "s3:ListBucket");
    assert!(actions[0].get("when").is_none());
    let resource = &actions[0]["resources"][0];
    assert_eq!(resource["type"], "bucket");
    assert_eq!(resource["arn"], "arn:${Partition}:s3:::${BucketName}");
    assert_eq!(resource["bind"]["BucketName"], "Bucket");
    insta::assert_snapshot!(stdout_of(&["maps", "s3", "ListObjectsV2"]));
}

#[test]
fn invoke_and_send_message_batch() {
    let invoke = stdout_of(&["maps", "lambda", "Invoke"]);
    assert!(invoke.contains("lambda:InvokeFunction (Write)"), "{invoke}");
    let batch = stdout_of(&["maps", "sqs", "send_message_batch"]);
    assert!(batch.contains("\n  sqs:SendMessage (Write)\n"), "{batch}");
    assert!(!batch.contains("sqs:SendMessageBatch ("), "{batch}");
}

#[test]
fn operation_lookup_accepts_every_sdk_name() {
    for name in [
        "GetObject",
        "get_object",
        "getObject",
        "GetObjectCommand",
        "getobject",
    ] {
        let out = stdout_of(&["maps", "s3", name]);
        assert!(out.starts_with("s3 GetObject\n"), "{name}: {out}");
    }
    let by_class = stdout_of(&["maps", "DynamoDB"]);
    assert!(
        by_class.starts_with("dynamodb (IAM prefix `dynamodb`"),
        "{by_class}"
    );
}

#[test]
fn list_in_json_names_every_botocore_service() {
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(&["maps", "--format", "json"])).unwrap();
    assert_eq!(json["version"], 1);
    let services = json["services"].as_array().unwrap();
    assert!(services.len() > 400, "{}", services.len());
    let names: Vec<&str> = services
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    for expected in [
        "s3",
        "dynamodb",
        "lambda",
        "stepfunctions",
        "sesv2",
        "bedrock-runtime",
    ] {
        assert!(names.contains(&expected), "{expected} missing");
    }
    let sfn = services
        .iter()
        .find(|s| s["service"] == "stepfunctions")
        .unwrap();
    assert_eq!(sfn["iam_prefix"], "states");
    assert_eq!(sfn["unmapped"], 0);
}

#[test]
fn unknown_names_exit_2_with_a_hint() {
    let out = leastrole().args(["maps", "s4"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no service `s4`") && err.contains("did you mean"),
        "{err}"
    );
    let out = leastrole()
        .args(["maps", "s3", "GetObjet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `GetObject`"));
}

#[test]
fn validate_passes_on_the_embedded_tables() {
    leastrole().args(["maps", "--validate"]).assert().success();
}

#[test]
fn usage_errors_exit_2() {
    let out = leastrole()
        .args(["maps", "--format", "yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
