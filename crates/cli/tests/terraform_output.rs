//! `--format terraform` is valid Terraform: it passes `terraform fmt -check`, and parsed
//! by python-hcl2 (pinned in `.ci/run`) its documents hold the JSON report's statements,
//! with a Terraform project's references kept as expressions and the data sources they
//! use declared once. `terraform validate` would need the AWS provider, which cannot be
//! downloaded here. Locally each tool's check is skipped with a note when the tool is
//! not installed; in CI (`CI` set) it fails instead.

use std::collections::BTreeMap;
use std::process::Command as Std;

use assert_cmd::Command;
use leastrole_testkit::fixture_projects;
use serde_json::Value;

fn generate(project: &str, format: &str) -> String {
    let out = Command::cargo_bin("leastrole")
        .unwrap()
        .args([
            "generate",
            fixture_projects().join(project).to_str().unwrap(),
            "--format",
            format,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", leastrole_testkit::shown(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn found(program: &str, args: &[&str]) -> bool {
    Std::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `terraform fmt -check` on `hcl`, unless terraform is missing outside CI.
fn assert_formatted(hcl: &str, project: &str) {
    if !found("terraform", &["version"]) {
        leastrole_testkit::tool_missing("the terraform fmt check", "terraform is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leastrole.tf"), hcl).unwrap();
    let out = Std::new("terraform")
        .args(["fmt", "-check", "-diff", "leastrole.tf"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "terraform fmt rejects the output for {project}:\n{}\n{hcl}",
        leastrole_testkit::shown(&out)
    );
}

/// Reads the HCL with python-hcl2 and prints, as JSON, the data blocks (`[type, name]`)
/// and each policy document's statements. A string is its text between the quotes; a
/// bare expression is `=` and the expression.
const PARSE: &str = r#"
import hcl2, json, sys
def value(v):
    if isinstance(v, list):
        return [value(x) for x in v]
    if v.startswith('"') and v.endswith('"'):
        return v[1:-1]
    if v.startswith("${") and v.endswith("}"):
        return "=" + v[2:-1]
    return "?" + v
def unquote(k):
    return k[1:-1] if k.startswith('"') else k
doc = hcl2.loads(sys.stdin.read())
blocks, documents = [], {}
for block in doc.get("data", []):
    for kind, named in block.items():
        for name, body in named.items():
            blocks.append([unquote(kind), unquote(name)])
            if unquote(kind) == "aws_iam_policy_document":
                documents[unquote(name)] = [
                    {k: value(s[k]) for k in ("sid", "effect", "actions", "resources")}
                    for s in body.get("statement", [])
                ]
print(json.dumps({"blocks": blocks, "documents": documents}))
"#;

/// The parsed structure, unless python-hcl2 is missing outside CI.
fn parse(hcl: &str) -> Option<Value> {
    if !found("python3", &["-c", "import hcl2"]) {
        leastrole_testkit::tool_missing(
            "the python-hcl2 structure check",
            "python-hcl2 is not installed (pip install python-hcl2==8.1.4; .ci/run installs it)",
        );
        return None;
    }
    let mut child = Std::new("python3")
        .args(["-c", PARSE])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), hcl.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python-hcl2 cannot parse:\n{}\n{hcl}",
        leastrole_testkit::shown(&out)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// The report's statements per function as (sid, actions, resources), the document
/// name as the Terraform output writes it.
fn report_statements(project: &str) -> BTreeMap<String, Vec<(String, Value, Value)>> {
    let report: Value = serde_json::from_str(&generate(project, "json")).unwrap();
    let mut out = BTreeMap::new();
    for f in report["functions"].as_array().unwrap() {
        let statements = f["policy"]["Statement"].as_array().unwrap();
        if f["status"] == "not-analysed" || statements.is_empty() {
            continue;
        }
        let name: String = f["name"]
            .as_str()
            .unwrap()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let rows = statements
            .iter()
            .map(|s| {
                (
                    s["Sid"].as_str().unwrap().to_string(),
                    s["Action"].clone(),
                    s["Resource"].clone(),
                )
            })
            .collect();
        out.insert(name, rows);
    }
    out
}

#[test]
fn plain_arns_are_formatted_hcl_holding_the_report_s_statements() {
    let project = "sam-app";
    let hcl = generate(project, "terraform");
    assert_formatted(&hcl, project);
    let Some(parsed) = parse(&hcl) else { return };
    // Not a Terraform project: no data source, every resource a plain string.
    let blocks: Vec<&str> = parsed["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b[0].as_str().unwrap())
        .collect();
    assert!(
        blocks.iter().all(|b| *b == "aws_iam_policy_document"),
        "{blocks:?}"
    );
    let expected = report_statements(project);
    let documents = parsed["documents"].as_object().unwrap();
    assert_eq!(
        documents.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (name, rows) in &expected {
        let statements = documents[name].as_array().unwrap();
        assert_eq!(statements.len(), rows.len(), "{name}");
        for (s, (sid, actions, resources)) in statements.iter().zip(rows) {
            assert_eq!(s["sid"], *sid, "{name}");
            assert_eq!(s["effect"], "Allow", "{name}");
            assert_eq!(s["actions"], *actions, "{name}");
            let written: Vec<String> = s["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().replace("$${", "${"))
                .collect();
            assert_eq!(serde_json::json!(written), *resources, "{name}");
        }
    }
}

#[test]
fn a_terraform_project_keeps_its_references_in_formatted_hcl() {
    let project = "terraform-declared-overgrant";
    let hcl = generate(project, "terraform");
    assert_formatted(&hcl, project);
    let Some(parsed) = parse(&hcl) else { return };
    // The data sources the documents use, each declared once, before the documents.
    let blocks: Vec<(String, String)> = parsed["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b[0].as_str().unwrap().into(), b[1].as_str().unwrap().into()))
        .collect();
    let block = |kind: &str, name: &str| (kind.to_string(), name.to_string());
    assert_eq!(
        blocks,
        [
            block("aws_partition", "current"),
            block("aws_region", "current"),
            block("aws_caller_identity", "current"),
            block("aws_iam_policy_document", "digest"),
            block("aws_iam_policy_document", "ingest"),
            block("aws_iam_policy_document", "relay"),
        ]
    );
    // The report's actions, statement by statement.
    let expected = report_statements(project);
    let documents = parsed["documents"].as_object().unwrap();
    for (name, rows) in &expected {
        let statements = documents[name].as_array().unwrap();
        let actions: Vec<&Value> = statements.iter().map(|s| &s["actions"]).collect();
        let wanted: Vec<&Value> = rows.iter().map(|(_, a, _)| a).collect();
        assert_eq!(actions, wanted, "{name}");
    }
    // The resources keep the configuration's references.
    let resources = |name: &str| -> Vec<Value> {
        documents[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["resources"].clone())
            .collect()
    };
    let partition = "${data.aws_partition.current.partition}";
    let region = "${data.aws_region.current.name}";
    let account = "${data.aws_caller_identity.current.account_id}";
    assert_eq!(
        resources("relay"),
        [serde_json::json!(["=aws_sns_topic.events.arn"])]
    );
    assert_eq!(
        resources("ingest"),
        [
            serde_json::json!([format!(
                "arn:{partition}:dynamodb:{region}:{account}:table/${{aws_dynamodb_table.files.name}}"
            )]),
            serde_json::json!([format!(
                "arn:{partition}:s3:::${{aws_s3_bucket.uploads.id}}/incoming/*.csv"
            )]),
        ]
    );
    assert_eq!(
        resources("digest"),
        [serde_json::json!([format!(
            "arn:{partition}:s3:::${{aws_s3_bucket.uploads.bucket}}/reports/*"
        )])]
    );
}

#[test]
fn every_terraform_fixture_gives_formatted_hcl_with_the_report_s_actions() {
    let mut projects: Vec<String> = std::fs::read_dir(fixture_projects())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("main.tf").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    projects.sort();
    assert!(projects.len() >= 3, "{projects:?}");
    for project in &projects {
        let hcl = generate(project, "terraform");
        assert_formatted(&hcl, project);
        let Some(parsed) = parse(&hcl) else { return };
        let documents = parsed["documents"].as_object().unwrap();
        let expected = report_statements(project);
        assert_eq!(
            documents.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{project}"
        );
        for (name, rows) in &expected {
            let actions: Vec<&Value> = documents[name]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| &s["actions"])
                .collect();
            let wanted: Vec<&Value> = rows.iter().map(|(_, a, _)| a).collect();
            assert_eq!(actions, wanted, "{project} {name}");
        }
    }
}

#[test]
fn references_to_instances_of_for_each_and_count_resources_are_kept() {
    let project = "terraform-for-each-count";
    let hcl = generate(project, "terraform");
    assert_formatted(&hcl, project);
    for wanted in [
        "table/${aws_dynamodb_table.orders[\"eu\"].name}",
        "table/${aws_dynamodb_table.orders[\"us\"].name}",
        "s3:::${aws_s3_bucket.archive[1].bucket}/archived/*.json",
    ] {
        assert!(hcl.contains(wanted), "{wanted} not in\n{hcl}");
    }
}
