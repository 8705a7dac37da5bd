//! The CloudFormation and SAM output is valid for its tool: merged into the example
//! project's own template, it passes cfn-lint (pinned in `.ci/run`). Locally the test is
//! skipped with a note when cfn-lint is not installed; in CI (`CI` set) it fails instead.

use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;
use leastrole_testkit::fixture_projects;

fn generate(project: &str, format: &str) -> serde_json::Value {
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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_slice(&out.stdout).unwrap();
    serde_json::to_value(yaml).unwrap()
}

/// `cfn-lint` if installed; `None` (skip) outside CI.
fn cfn_lint() -> Option<Std> {
    let found = Std::new("cfn-lint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(Std::new("cfn-lint"));
    }
    leastrole_testkit::tool_missing(
        "the cfn-lint check",
        "cfn-lint is not installed (pip install cfn-lint==1.51.0; .ci/run installs it)",
    );
    None
}

fn lint(template: &serde_json::Value, name: &str) {
    let Some(mut cmd) = cfn_lint() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, serde_json::to_string_pretty(template).unwrap()).unwrap();
    // E2533 (deprecated runtime) and W3005 (redundant DependsOn) concern the example
    // project's own resources, not the generated policies.
    let out = cmd
        .args(["--ignore-checks", "E2533", "W3005", "--"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cfn-lint rejects {name}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read_template(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).unwrap()
    } else {
        // Short-form tags (`!Ref`) become `{"Ref": …}`-style maps cfn-lint understands.
        let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
        serde_json::to_value(untag(yaml)).unwrap()
    }
}

/// Turn YAML short-form intrinsics into their long form.
fn untag(v: serde_yaml_ng::Value) -> serde_yaml_ng::Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            let key = if name == "Ref" || name == "Condition" {
                name.to_string()
            } else {
                format!("Fn::{name}")
            };
            let inner = untag(t.value);
            let inner = match (name, inner) {
                ("GetAtt", Y::String(s)) => {
                    let (a, b) = s.split_once('.').unwrap_or((&s, ""));
                    Y::Sequence(vec![Y::String(a.into()), Y::String(b.into())])
                }
                (_, other) => other,
            };
            let mut m = serde_yaml_ng::Mapping::new();
            m.insert(Y::String(key), inner);
            Y::Mapping(m)
        }
        Y::Mapping(m) => Y::Mapping(m.into_iter().map(|(k, v)| (k, untag(v))).collect()),
        Y::Sequence(s) => Y::Sequence(s.into_iter().map(untag).collect()),
        other => other,
    }
}

#[test]
fn cloudformation_roles_lint_clean_in_the_cdk_template() {
    let template_path = fixture_projects().join("cdk-app/cdk.out/OrdersStack.template.json");
    let mut template = read_template(&template_path);
    let roles = generate("cdk-app", "cloudformation");
    let resources = template["Resources"].as_object_mut().unwrap();
    for (id, role) in roles.as_object().unwrap() {
        assert!(
            !resources.contains_key(id),
            "{id} clashes with the template"
        );
        resources.insert(id.clone(), role.clone());
    }
    lint(&template, "cdk-with-roles.json");
}

/// The image function's S3 event bucket depends on the function: its policy names the
/// bucket by its `BucketName` expression, not `!Ref` (which cfn-lint rejects as a circular
/// dependency, E3004).
#[test]
fn sam_policies_lint_clean_in_the_sam_template() {
    let mut template = read_template(&fixture_projects().join("sam-app/template.yaml"));
    // The example's container-image function inherits `Globals` Runtime/Handler, which SAM
    // rejects for images; it gets no generated policy, so it is left out of the lint.
    if let Some(resources) = template["Resources"].as_object_mut() {
        resources.retain(|_, r| r["Properties"]["PackageType"] != "Image");
    }
    let generated = generate("sam-app", "sam");
    for (id, fragment) in generated["Resources"].as_object().unwrap() {
        let function = &mut template["Resources"][id];
        assert!(function.is_object(), "{id} is not in the SAM template");
        function["Properties"]["Policies"] = fragment["Properties"]["Policies"].clone();
    }
    lint(&template, "sam-with-policies.json");
}
