//! The embedded service maps: every table loads and validates, names only real IAM
//! actions, is sorted, and is exactly what the generator wrote (SOURCES.json).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use leastrole_maps::{Maps, validate};
use sha2::{Digest, Sha256};

fn maps_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../service-maps")
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_table_loads_validates_and_names_real_actions() {
    let problems = validate::all(Maps::embedded());
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_botocore_service_has_a_table_and_an_index_entry() {
    let maps = Maps::embedded();
    let names: Vec<&str> = maps.service_names().collect();
    assert!(names.len() > 400, "only {} service tables", names.len());
    let index = maps.index().expect("index loads");
    let indexed: Vec<&str> = index.services.keys().map(String::as_str).collect();
    assert_eq!(names, indexed, "index.json and services/ disagree");
    for (name, entry) in &index.services {
        let service = maps.service(name).expect("loads").expect("exists");
        let t = service.table();
        assert_eq!(t.iam_prefix, entry.iam_prefix, "{name}");
        assert_eq!(t.operations.len(), entry.operations, "{name}");
        let unmapped = t
            .operations
            .values()
            .filter(|o| o.actions.is_empty() && o.no_permission.is_none())
            .count();
        assert_eq!(unmapped, entry.unmapped, "{name}");
    }
}

#[test]
fn launch_services_map_every_operation_or_say_why() {
    let maps = Maps::embedded();
    for name in [
        "lambda",
        "kinesis",
        "kms",
        "s3",
        "ses",
        "sesv2",
        "sns",
        "dynamodb",
        "stepfunctions",
    ] {
        let service = maps.service(name).expect("loads").expect("exists");
        for (op, o) in &service.table().operations {
            let ok = !o.actions.is_empty()
                || o.no_permission.is_some()
                || o.unmapped.as_deref().is_some_and(|r| r.len() > 20);
            assert!(ok, "{name} {op} has no action and no explicit reason");
        }
    }
}

/// Keys of every object on the given JSON pointer paths must be in sorted order as the
/// file stores them (serde_json keeps file order in this workspace).
fn assert_sorted_keys(file: &Path, value: &serde_json::Value, pointers: &[&str]) {
    for p in pointers {
        if let Some(obj) = value.pointer(p).and_then(|v| v.as_object()) {
            let keys: Vec<&String> = obj.keys().collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted, "{} {p} is not sorted", file.display());
        }
    }
}

#[test]
fn tables_are_sorted() {
    for (sub, pointers) in [
        ("services", &["/operations", "/waiters"][..]),
        ("iam", &["/actions", "/resources"][..]),
        ("helpers", &["/helpers", "/services"][..]),
    ] {
        let dir = maps_dir().join(sub);
        for entry in std::fs::read_dir(&dir).expect("folder exists") {
            let path = entry.expect("readable").path();
            if path.extension().is_some_and(|e| e == "json") {
                assert_sorted_keys(&path, &read_json(&path), pointers);
            }
        }
    }
}

fn sha256_hex(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A hand edit of a generated table, or an override changed without regenerating,
/// fails here: regenerate with `python3 service-maps/generator/generate.py`.
#[test]
fn generated_files_match_sources_json() {
    let dir = maps_dir();
    let sources = read_json(&dir.join("SOURCES.json"));
    let outputs = sources["outputs"]
        .as_object()
        .expect("SOURCES.json has outputs");
    let mut listed = BTreeSet::new();
    for (rel, hash) in outputs {
        let path = dir.join(rel);
        assert_eq!(
            sha256_hex(&path),
            hash.as_str().expect("hash is a string"),
            "{rel} differs from what the generator wrote; regenerate the service maps"
        );
        listed.insert(rel.clone());
    }
    let mut on_disk = BTreeSet::new();
    for sub in ["services", "iam", "helpers", "sam", "managed-policies"] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("folder exists") {
            let name = entry
                .expect("readable")
                .file_name()
                .to_string_lossy()
                .into_owned();
            on_disk.insert(format!("{sub}/{name}"));
        }
    }
    on_disk.insert("index.json".to_string());
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "files the generator did not write: {unlisted:?}"
    );
    let overrides = sources["inputs"]["overrides"]
        .as_object()
        .expect("override hashes");
    for (rel, hash) in overrides {
        assert_eq!(
            sha256_hex(&dir.join(rel)),
            hash.as_str().expect("hash is a string"),
            "{rel} changed since the tables were generated; regenerate the service maps"
        );
    }
    // The generator and its pins: a table regenerated by hand, or a pin bumped without
    // regenerating, shows here rather than at the next person's `generate.py --check`.
    let generator = dir.join("generator");
    for (rel, hash) in [
        ("generate.py", &sources["generator_sha256"]),
        ("requirements.txt", &sources["inputs"]["requirements.txt"]),
        ("package-lock.json", &sources["inputs"]["package-lock.json"]),
    ] {
        assert_eq!(
            sha256_hex(&generator.join(rel)),
            hash.as_str().expect("hash is a string"),
            "service-maps/generator/{rel} changed since the tables were generated; regenerate the service maps"
        );
    }
}

#[test]
fn lookups_by_every_sdk_name() {
    let maps = Maps::embedded();
    let s3 = maps.service_for_boto3("s3").unwrap().unwrap();
    assert_eq!(s3.by_boto3("list_objects_v2").unwrap().0, "ListObjectsV2");
    assert_eq!(s3.by_js("listObjectsV2").unwrap().0, "ListObjectsV2");
    assert_eq!(
        s3.by_v3_command("ListObjectsV2Command").unwrap().0,
        "ListObjectsV2"
    );
    assert_eq!(
        s3.waiter("object_exists").unwrap().1.operation,
        "HeadObject"
    );
    let v2 = maps.service_for_js_v2("DynamoDB").unwrap().unwrap();
    assert_eq!(v2.name(), "dynamodb");
    let v3 = maps
        .service_for_js_v3("@aws-sdk/client-sfn")
        .unwrap()
        .unwrap();
    assert_eq!(v3.name(), "stepfunctions");
    assert_eq!(v3.iam_prefix(), "states");
    let sns = maps.service("sns").unwrap().unwrap();
    assert_eq!(
        sns.by_boto3("get_sms_attributes").unwrap().0,
        "GetSMSAttributes"
    );
    assert!(
        maps.helper("boto3", "s3.client.upload_file")
            .unwrap()
            .is_some()
    );
    assert!(
        maps.boto3_resources()
            .unwrap()
            .services
            .contains_key("dynamodb")
    );
    let (canonical, action) = maps.iam_action("S3:getobject").unwrap().unwrap();
    assert_eq!(canonical, "s3:GetObject");
    assert_eq!(action.access, leastrole_maps::AccessLevel::Read);
}

#[test]
fn a_user_overlay_goes_through_the_same_loader() {
    let dir = std::env::temp_dir().join(format!("leastrole-overlay-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("services")).unwrap();
    std::fs::write(dir.join("services/s3.json"), "{\"schema\": 1}").unwrap();
    let maps = Maps::with_overlay(&dir).unwrap();
    let err = maps.service("s3").unwrap_err();
    assert!(err.to_string().contains("s3"), "{err}");
    // Untouched services still come from the embedded tables.
    assert!(maps.service("sqs").unwrap().is_some());
    std::fs::remove_dir_all(&dir).ok();
}

/// The declared-role data parses and has the shape `leastrole-project` reads: every SAM
/// template a `Definition.Statement` and named `Parameters`; every managed policy the
/// document of the ARN that ends in its name.
#[test]
fn declared_role_data_is_embedded_with_its_shape() {
    let templates: serde_json::Value =
        serde_json::from_str(leastrole_maps::sam_policy_templates()).expect("SAM templates");
    let templates = templates["Templates"].as_object().expect("Templates");
    assert!(templates.len() > 50, "{} templates", templates.len());
    for (name, t) in templates {
        assert!(t["Definition"]["Statement"].is_array(), "{name}");
        assert!(t["Parameters"].is_object(), "{name}");
    }
    let crud = &templates["DynamoDBCrudPolicy"]["Definition"]["Statement"][0]["Action"];
    assert!(
        crud.as_array()
            .expect("actions")
            .contains(&serde_json::json!("dynamodb:PutItem")),
        "{crud}"
    );
    let mut names = Vec::new();
    for line in leastrole_maps::aws_managed_policy_lines() {
        let p: serde_json::Value = serde_json::from_str(line).expect("one policy per line");
        let name = p["name"].as_str().expect("name");
        let arn = p["arn"].as_str().expect("arn");
        assert!(
            arn.starts_with("arn:aws:iam::aws:policy/")
                && arn.ends_with(&format!("/{name}"))
                && !arn.contains("/aws-service-role/"),
            "{name}: {arn}"
        );
        for s in p["document"]["Statement"].as_array().expect("statements") {
            assert!(s["Effect"] == "Allow" || s["Effect"] == "Deny", "{name}");
        }
        assert_eq!(
            leastrole_maps::aws_managed_policy(name),
            Some(line),
            "{name}"
        );
        names.push(name.to_string());
    }
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(names, sorted, "sorted by name, each once");
    // Every AWS managed policy a role can have, not a chosen few.
    assert!(names.len() > 1_000, "{} policies", names.len());
    let basic: serde_json::Value = serde_json::from_str(
        leastrole_maps::aws_managed_policy("AWSLambdaBasicExecutionRole").expect("embedded"),
    )
    .expect("json");
    assert_eq!(
        basic["document"]["Statement"][0]["Action"],
        serde_json::json!([
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents"
        ])
    );
}
