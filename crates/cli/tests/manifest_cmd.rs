//! `leastrole generate --manifest FILE|-`: a Serverless service as the framework resolved
//! it (tests/data/orders-v3.manifest.json, captured by tests/data/capture-manifest.sh from serverless@3 at
//! `before:package:finalize` by the plugin, for the plugin's fixture service) gives the same
//! output as reading that service's folder; bad manifests are errors (exit 2) that say why.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn service_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../serverless-plugin/test/fixtures/orders-v3")
        .canonicalize()
        .expect("fixture service")
}

/// The captured manifest, pointing at this checkout's copy of the service.
fn manifest() -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/orders-v3.manifest.json"),
    )
    .expect("manifest fixture");
    let dir = serde_json::to_string(service_dir().to_str().expect("utf-8 path")).expect("json");
    text.replace("\"@SERVICE_DIR@\"", &dir)
}

fn run(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("leastrole").expect("binary builds");
    cmd.args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

#[test]
fn a_manifest_gives_the_same_output_as_the_service_folder() {
    let dir = service_dir();
    let dir = dir.to_str().unwrap();
    let manifest = manifest();
    for format in ["json", "serverless", "statements", "text"] {
        let (code, from_folder, err) = run(&["generate", dir, "--format", format], None);
        assert_eq!(code, 0, "{format}: {err}");
        let (code, from_manifest, err) = run(
            &["generate", "--manifest", "-", "--format", format],
            Some(&manifest),
        );
        assert_eq!(code, 0, "{format}: {err}");
        assert_eq!(from_manifest, from_folder, "{format}");
    }
    let (_, json, _) = run(
        &["generate", "--manifest", "-", "--format", "json"],
        Some(&manifest),
    );
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = report["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["createOrder", "report", "worker"]);
    // Files stay relative to the service folder; the table's name comes from the template.
    assert_eq!(
        report["functions"][0]["files"],
        serde_json::json!(["src/create.js"])
    );
    assert!(
        json.contains("arn:*:dynamodb:*:*:table/lr-orders-dev-orders"),
        "{json}"
    );
}

#[test]
fn the_statements_format_keeps_template_references() {
    let (code, out, err) = run(
        &["generate", "--manifest", "-", "--format", "statements"],
        Some(&manifest()),
    );
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["kind"], "statements");
    let create = &doc["functions"][0];
    assert_eq!(create["name"], "createOrder");
    assert_eq!(create["analysed"], true);
    let publish = create["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"] == serde_json::json!(["sns:Publish"]))
        .expect("sns:Publish");
    assert_eq!(
        publish["Resource"],
        serde_json::json!([{"Ref": "OrdersTopic"}])
    );
}

#[test]
fn a_manifest_file_and_function_selection() {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), manifest()).unwrap();
    let (code, out, err) = run(
        &[
            "generate",
            "--manifest",
            file.path().to_str().unwrap(),
            "--function",
            "worker",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["functions"].as_array().unwrap().len(), 1);
    assert_eq!(report["functions"][0]["name"], "worker");
}

#[test]
fn bad_manifests_exit_2_and_say_why() {
    let cases = [
        ("{", "invalid manifest: not JSON (line 1"),
        (
            r#"{"version": 2, "framework": "serverless"}"#,
            "invalid manifest: version 2 is not supported; this leastrole reads version 1",
        ),
        (
            r#"{"version": 1, "framework": "serverless", "serviceDir": "/no/such/leastrole/dir", "service": {}}"#,
            "invalid manifest: `serviceDir` /no/such/leastrole/dir is not a folder",
        ),
    ];
    for (input, message) in cases {
        let (code, out, err) = run(&["generate", "--manifest", "-"], Some(input));
        assert_eq!(code, 2, "{input}: {err}");
        assert!(out.is_empty(), "{input}: {out}");
        assert!(err.contains(message), "{input}: {err}");
    }
    let (code, _, err) = run(&["generate", "--manifest", "/no/such/manifest.json"], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot read the manifest /no/such/manifest.json"),
        "{err}"
    );
    let (code, _, err) = run(&["generate", ".", "--manifest", "-"], Some("{}"));
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn the_captured_manifest_matches_the_documented_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("docs/manifest.schema.json")).unwrap(),
    )
    .unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("manifest.schema.json", schema)
        .unwrap();
    let index = compiler
        .compile("manifest.schema.json", &mut schemas)
        .unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest()).unwrap();
    if let Err(e) = schemas.validate(&manifest, index) {
        panic!("the manifest does not match docs/manifest.schema.json: {e:#}");
    }
    let bad = serde_json::json!({"version": 2, "framework": "serverless", "serviceDir": "/x", "service": {}});
    assert!(schemas.validate(&bad, index).is_err());
}

/// The plugin sends the service's `layers` (issue 19): a function's layer is followed
/// from a manifest as from the service folder.
#[test]
fn a_manifests_layers_are_followed_like_the_service_folders() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/projects/serverless-layer-shared-code")
        .canonicalize()
        .unwrap();
    let manifest = serde_json::json!({
        "version": 1,
        "framework": "serverless",
        "serviceDir": dir,
        "configurationFilename": "serverless.yml",
        "service": {
            "service": "orders",
            "provider": {"name": "aws", "stage": "dev", "runtime": "nodejs20.x",
                "environment": {"ORDERS_TABLE": "orders-dev-orders"}},
            "functions": {"createOrder": {"handler": "src/handler.createOrder",
                "layers": [{"Ref": "SharedLambdaLayer"}]}},
            "layers": {"shared": {"path": "layers/shared", "package": {}}}
        }
    })
    .to_string();
    let (code, out, err) = run(
        &["generate", "--manifest", "-", "--format", "json"],
        Some(&manifest),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("\"resource\": \"arn:*:dynamodb:*:*:table/orders-dev-orders\""),
        "{out}"
    );
    assert!(
        out.contains("\"file\": \"layers/shared/nodejs/node_modules/shared/lib/orders.js\""),
        "{out}"
    );
    assert!(!out.contains("layer-not-followed"), "{out}");
}

#[test]
fn check_reads_a_manifest_like_the_service_folder() {
    let dir = service_dir();
    let (code, from_folder, err) = run(&["check", dir.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(
        code, 1,
        "the fixture's declared role misses what the code needs: {err}"
    );
    let (code, from_manifest, err) = run(
        &["check", "--manifest", "-", "--format", "json"],
        Some(&manifest()),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(from_manifest, from_folder);
    assert!(from_manifest.contains("\"action\": \"dynamodb:PutItem\""));
}

#[test]
fn version_flag() {
    let (code, out, _) = run(&["--version"], None);
    assert_eq!(code, 0);
    assert_eq!(out, format!("leastrole {}\n", env!("CARGO_PKG_VERSION")));
}
