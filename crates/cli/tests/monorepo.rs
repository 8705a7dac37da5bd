//! A folder holding several projects (fixtures/projects/monorepo-mixed: Serverless, SAM, a
//! synthesized CDK app and Terraform, three functions named `api`) read from its root by
//! `generate`, `check` and `diff --git`; and `--cdk-out`.

use std::path::{Path, PathBuf};
use std::process::Output;

use leastrole_testkit::{copy_dir, git, shown};

fn monorepo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/projects/monorepo-mixed")
}

fn leastrole(args: &[&str]) -> Output {
    leastrole_testkit::leastrole_clean(env!("CARGO_BIN_EXE_leastrole"), args)
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", shown(o)))
}

fn names(v: &serde_json::Value) -> Vec<String> {
    v["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_text_report_groups_functions_by_project() {
    let o = leastrole(&["generate", path(&monorepo()), "--format", "text"]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    insta::assert_snapshot!("monorepo_mixed_text", text);
}

#[test]
fn function_takes_the_full_name_or_a_name_one_project_has() {
    let dir = monorepo();
    let o = leastrole(&[
        "generate",
        path(&dir),
        "--format",
        "json",
        "--function",
        "createOrder",
        "--function",
        "apps/reports:api",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let v = json(&o);
    assert_eq!(
        names(&v),
        ["apps/reports:api", "services/orders:createOrder"]
    );
    assert_eq!(v["functions"][1]["project"], "services/orders");
    // `api` is three functions: an error listing them, nothing written.
    let o = leastrole(&[
        "generate",
        path(&dir),
        "--format",
        "json",
        "--function",
        "api",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", shown(&o));
    assert!(o.stdout.is_empty(), "{}", shown(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("ambiguous-function")
            && stderr.contains("apps/reports:api, services/billing:api, services/orders:api"),
        "{stderr}"
    );
}

#[test]
fn a_paste_ready_format_takes_one_projects_functions_under_their_own_names() {
    let dir = monorepo();
    let o = leastrole(&["generate", path(&dir), "--format", "sam"]);
    assert_eq!(o.status.code(), Some(2), "{}", shown(&o));
    assert!(o.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("apps/reports, jobs, services/billing, services/orders")
            && stderr.contains("--function"),
        "{stderr}"
    );
    // One project's functions: named as its serverless.yml names them, in the keys of
    // its own frameworkVersion ('3').
    let o = leastrole(&[
        "generate",
        path(&dir),
        "--format",
        "serverless",
        "--function",
        "services/orders:createOrder",
        "--function",
        "services/orders:api",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_slice(&o.stdout).unwrap();
    let functions = yaml["functions"].as_mapping().unwrap();
    let keys: Vec<&str> = functions.keys().filter_map(|k| k.as_str()).collect();
    assert_eq!(keys, ["api", "createOrder"]);
    assert!(
        functions
            .values()
            .all(|f| f.get("iamRoleStatements").is_some()),
        "{yaml:?}"
    );
}

#[test]
fn check_reviews_each_project_against_its_own_roles() {
    let o = leastrole(&["check", path(&monorepo()), "--format", "json"]);
    // billing's SQS policy template grants no KMS on its encrypted queue: missing rows.
    assert_eq!(o.status.code(), Some(1), "{}", shown(&o));
    let v = json(&o);
    assert_eq!(v["version"], 3);
    let billing = v["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "services/billing:api")
        .unwrap();
    assert_eq!(billing["project"], "services/billing");
    let missing = &billing["findings"][0];
    assert_eq!(missing["kind"], "missing");
    // Relative to the repository (the review's convention), through the folder scanned
    // and the code folder (CodeUri: src/) once.
    assert_eq!(
        missing["locations"][0]["file"],
        "fixtures/projects/monorepo-mixed/services/billing/src/app.py"
    );
    // The orders service's shared role is named with its project, and its unused
    // DeleteItem is located in its serverless.yml.
    let role = &v["roles"][0];
    assert_eq!(
        role["name"],
        "services/orders: provider.iam.role (shared by all functions)"
    );
    let unused = role["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "unused")
        .unwrap();
    assert_eq!(unused["action"], "dynamodb:DeleteItem");
    assert_eq!(
        unused["locations"][0]["file"],
        "fixtures/projects/monorepo-mixed/services/orders/serverless.yml"
    );
    let o = leastrole(&["check", path(&monorepo()), "--format", "markdown"]);
    let markdown = String::from_utf8(o.stdout).unwrap();
    let order: Vec<usize> = [
        "### Project `apps/reports`",
        "### Project `services/billing`",
        "### Project `services/orders`",
    ]
    .iter()
    .map(|h| {
        markdown
            .find(h)
            .unwrap_or_else(|| panic!("{h} in {markdown}"))
    })
    .collect();
    assert!(order.is_sorted(), "{markdown}");
}

#[test]
fn a_project_that_cannot_be_read_is_reported_and_the_others_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    copy_dir(&monorepo(), &root);
    std::fs::create_dir_all(root.join("services/broken")).unwrap();
    std::fs::write(root.join("services/broken/serverless.yml"), "service: [\n").unwrap();
    let o = leastrole(&["generate", path(&root), "--format", "json"]);
    // Written, and exit 1: the run is incomplete.
    assert_eq!(o.status.code(), Some(1), "{}", shown(&o));
    let v = json(&o);
    assert_eq!(names(&v).len(), 5);
    let error = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "config-parse-error")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(error["file"], "services/broken/serverless.yml");
    let o = leastrole(&[
        "check",
        path(&root),
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", shown(&o));
    assert_eq!(json(&o)["functions"].as_array().unwrap().len(), 5);
    // No project readable: a configuration error, exit 2, nothing written.
    let only_broken = tmp.path().join("only-broken");
    std::fs::create_dir_all(only_broken.join("a")).unwrap();
    std::fs::write(only_broken.join("a/serverless.yml"), "service: [\n").unwrap();
    let o = leastrole(&["generate", path(&only_broken), "--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", shown(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn diff_git_at_a_monorepo_root_names_changes_by_project() {
    if std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_err()
    {
        return leastrole_testkit::tool_missing("the monorepo git diff test", "git is not on PATH");
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    copy_dir(&monorepo(), repo);
    git(repo, &["init", "-q", "-b", "main"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "base"]);
    // orders' api starts writing; billing is untouched.
    let api = repo.join("services/orders/handlers/api.py");
    let code = std::fs::read_to_string(&api).unwrap().replace(
        "    return table.get_item(",
        "    table.put_item(Item={\"pk\": \"seen\"})\n    return table.get_item(",
    );
    std::fs::write(&api, code).unwrap();
    let o = leastrole(&[
        "diff",
        "--git",
        "HEAD",
        path(repo),
        "--format",
        "json",
        "--fail-on",
        "write",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", shown(&o));
    let v = json(&o);
    let changed: Vec<(&str, &str, &str)> = v["functions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "unchanged")
        .map(|f| {
            (
                f["name"].as_str().unwrap(),
                f["project"].as_str().unwrap(),
                f["findings"][0]["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [("services/orders:api", "services/orders", "dynamodb:PutItem")]
    );
    assert_eq!(v["functions"].as_array().unwrap().len(), 5);
    let o = leastrole(&["diff", "--git", "HEAD", path(repo), "--format", "text"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("== project services/orders =="), "{text}");
}

#[test]
fn cdk_out_names_an_assembly_synthesized_elsewhere() {
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("app");
    let reports = monorepo().join("apps/reports");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::copy(reports.join("cdk.json"), app.join("cdk.json")).unwrap();
    copy_dir(&reports.join("src"), &app.join("src"));
    let assembly = tmp.path().join("synth-output");
    copy_dir(&reports.join("cdk.out"), &assembly);
    // Without it: the app is not synthesized, and the message says how to pass one.
    let o = leastrole(&["generate", path(&app), "--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", shown(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("cdk-not-synthesized") && stderr.contains("--cdk-out DIR"),
        "{stderr}"
    );
    let o = leastrole(&[
        "generate",
        path(&app),
        "--format",
        "json",
        "--cdk-out",
        path(&assembly),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let v = json(&o);
    assert_eq!(names(&v), ["api"]);
    // The asset is a copy of the app's source folder: reported there.
    assert_eq!(v["functions"][0]["files"][0], "src/api/index.py");
    assert_eq!(
        v["functions"][0]["policy"]["Statement"][0]["Action"][0],
        "s3:ListBucket"
    );
    // A folder with no assembly: a configuration error naming it.
    let o = leastrole(&["generate", path(&app), "--cdk-out", path(&app.join("src"))]);
    assert_eq!(o.status.code(), Some(2), "{}", shown(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no cloud assembly there"),
        "{}",
        shown(&o)
    );
    // A project that is no CDK app would not use it: a usage error, nothing written.
    let billing = monorepo().join("services/billing");
    let o = leastrole(&["generate", path(&billing), "--cdk-out", path(&assembly)]);
    assert_eq!(o.status.code(), Some(2), "{}", shown(&o));
    assert!(o.stdout.is_empty(), "{}", shown(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--cdk-out names the cloud assembly"),
        "{}",
        shown(&o)
    );
}

/// Two SAM projects whose templates use the same logical id for queues encrypted with
/// different customer-managed keys: each function gets its own project's key.
#[test]
fn encrypted_resources_stay_with_their_project() {
    let tmp = tempfile::tempdir().unwrap();
    let template = |key: &str| {
        format!(
            "# One encrypted queue and a function sending to it.\n\
             Transform: AWS::Serverless-2016-10-31\n\
             Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: jobs\n      KmsMasterKeyId: {key}\n  \
             Send:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n      \
             Environment:\n        Variables:\n          QUEUE_URL: !Ref Queue\n"
        )
    };
    let code = "import os\nimport boto3\n\n\ndef handler(event, context):\n    boto3.client(\"sqs\").send_message(QueueUrl=os.environ[\"QUEUE_URL\"], MessageBody=\"x\")\n";
    for (project, key) in [
        (
            "a",
            "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-0000-0000-0000-000000000000",
        ),
        (
            "b",
            "arn:aws:kms:us-east-1:123456789012:key/bbbbbbbb-0000-0000-0000-000000000000",
        ),
    ] {
        let dir = tmp.path().join(project);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("template.yaml"), template(key)).unwrap();
        std::fs::write(dir.join("src/app.py"), code).unwrap();
    }
    let o = leastrole(&["generate", path(tmp.path()), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let v = json(&o);
    assert_eq!(names(&v), ["a:Send", "b:Send"]);
    for (i, own, other) in [(0, "aaaaaaaa", "bbbbbbbb"), (1, "bbbbbbbb", "aaaaaaaa")] {
        let policy = v["functions"][i]["policy"].to_string();
        assert!(
            policy.contains(&format!("key/{own}")) && !policy.contains(&format!("key/{other}")),
            "{policy}"
        );
    }
}
