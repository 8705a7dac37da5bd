//! Every example project in `fixtures/projects/` through `generate`: the JSON report and
//! the format its users would paste (Serverless → `serverless`, SAM → `sam`, CDK →
//! `cloudformation`, plain folders → `iam`), each snapshotted; the YAML formats are
//! parsed back and checked for the structure their tool expects.

use std::path::Path;

use assert_cmd::Command;
use leastrole_testkit::fixture_projects;

fn generate(project: &str, format: &str) -> String {
    let dir = fixture_projects().join(project);
    let out = Command::cargo_bin("leastrole")
        .unwrap()
        .args(["generate", dir.to_str().unwrap(), "--format", format])
        // The deliberately broken projects (a config that does not parse) exit 2 without
        // it; here every project's output is snapshotted as the fallback reads it.
        .arg("--config-fallback")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{project} {format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The project's native format, from the config it has.
fn native_format(project: &str) -> &'static str {
    let dir = fixture_projects().join(project);
    let has = |name: &str| dir.join(name).exists();
    if has("serverless.yml") || has("serverless.yaml") || has("serverless.json") {
        "serverless"
    } else if ["template.yaml", "template.yml"].iter().any(|t| {
        std::fs::read_to_string(dir.join(t))
            .is_ok_and(|text| text.contains("AWS::Serverless-2016-10-31"))
    }) {
        "sam"
    } else if has("template.yaml") || has("template.yml") || has("cdk.out") {
        // A plain CloudFormation template (no SAM transform), or a CDK assembly.
        "cloudformation"
    } else if has("main.tf") {
        "terraform"
    } else {
        "iam"
    }
}

fn yaml(text: &str) -> serde_json::Value {
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).expect("valid YAML");
    serde_json::to_value(value).expect("YAML maps to JSON")
}

/// Every statement is Allow with a non-empty list of exact actions and resources.
fn check_statements(statements: &serde_json::Value, what: &str) {
    let list = statements
        .as_array()
        .unwrap_or_else(|| panic!("{what}: Statement is not a list"));
    for s in list {
        assert_eq!(s["Effect"], "Allow", "{what}");
        let actions = s["Action"]
            .as_array()
            .unwrap_or_else(|| panic!("{what}: Action list"));
        assert!(!actions.is_empty(), "{what}");
        assert!(
            actions.iter().all(|a| a
                .as_str()
                .is_some_and(|a| a.contains(':') && !a.contains('*'))),
            "{what}: {actions:?}"
        );
        assert!(
            !s["Resource"]
                .as_array()
                .unwrap_or_else(|| panic!("{what}: Resource list"))
                .is_empty(),
            "{what}"
        );
        let sid = s["Sid"].as_str().unwrap_or("");
        assert!(
            sid.chars().all(|c| c.is_ascii_alphanumeric()),
            "{what}: Sid {sid}"
        );
    }
}

fn check_native(project: &str, format: &str, text: &str) {
    match format {
        "serverless" => {
            let v = yaml(text);
            for (name, f) in v["functions"].as_object().expect("functions map") {
                // The keys of the project's `frameworkVersion`: v3 or v4.
                let statements = match f.get("iamRoleStatements") {
                    Some(v3) => v3,
                    None => &f["iam"]["role"]["statements"],
                };
                check_statements(statements, &format!("{project} {name}"));
            }
        }
        "sam" => {
            let v = yaml(text);
            for (name, f) in v["Resources"].as_object().expect("Resources map") {
                let doc = &f["Properties"]["Policies"][0];
                assert_eq!(
                    doc["Version"], "2012-10-17",
                    "{project} {name}: version must stay a string"
                );
                check_statements(&doc["Statement"], &format!("{project} {name}"));
            }
        }
        "cloudformation" => {
            let v = yaml(text);
            for (name, role) in v.as_object().expect("resources map") {
                assert_eq!(role["Type"], "AWS::IAM::Role", "{name}");
                let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
                assert_eq!(
                    trust["Principal"]["Service"], "lambda.amazonaws.com",
                    "{name}"
                );
                let doc = &role["Properties"]["Policies"][0]["PolicyDocument"];
                assert_eq!(doc["Version"], "2012-10-17", "{name}");
                check_statements(&doc["Statement"], name);
            }
        }
        // HCL: terraform_output.rs checks it with terraform fmt and python-hcl2.
        "terraform" => {
            assert!(text.starts_with("# Generated by leastrole"), "{text}");
            assert!(
                text.contains("data \"aws_iam_policy_document\""),
                "{project}: {text}"
            );
        }
        _ => {
            let v: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
            assert!(v.is_object());
        }
    }
}

#[test]
fn every_project_json_and_native_format() {
    let mut names: Vec<String> = std::fs::read_dir(fixture_projects())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    for project in &names {
        let json = generate(project, "json");
        let report: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(report["version"], 2);
        insta::assert_snapshot!(format!("{project}__json"), json);
        let format = native_format(project);
        let native = generate(project, format);
        check_native(project, format, &native);
        insta::assert_snapshot!(format!("{project}__{format}"), native);
    }
}

#[test]
fn template_resources_come_out_exact() {
    // JSON: resources the template names are literal ARNs.
    let json = generate("serverless-v3-shared-role", "json");
    assert!(json.contains("table/orders-api-dev-orders"), "{json}");
    // SAM: references stay references.
    let sam = generate("sam-app", "sam");
    assert!(sam.contains("${ImagesTable}"), "{sam}");
    assert!(sam.contains("Ref: ImageWorkflow"), "{sam}");
}

/// Every project's JSON report validates against the published schema.
#[test]
fn reports_validate_against_the_json_schema() {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("report.schema.json", schema).unwrap();
    let index = compiler
        .compile("report.schema.json", &mut schemas)
        .unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(fixture_projects()).unwrap() {
        let project = entry.unwrap().file_name().to_string_lossy().into_owned();
        let report: serde_json::Value = serde_json::from_str(&generate(&project, "json")).unwrap();
        if let Err(e) = schemas.validate(&report, index) {
            panic!("{project}: the report does not match docs/report.schema.json: {e:#}");
        }
        checked += 1;
    }
    assert!(checked >= 5);
    // The schema is not vacuous: a wrong version and a wildcard action are rejected.
    let mut bad: serde_json::Value =
        serde_json::from_str(&generate("plain-python", "json")).unwrap();
    bad["version"] = serde_json::json!(1);
    assert!(schemas.validate(&bad, index).is_err());
    let mut wild: serde_json::Value =
        serde_json::from_str(&generate("plain-python", "json")).unwrap();
    wild["functions"][0]["policy"]["Statement"][0]["Action"][0] = serde_json::json!("s3:*");
    assert!(schemas.validate(&wild, index).is_err());
}
