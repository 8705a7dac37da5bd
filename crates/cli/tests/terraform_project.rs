//! A Terraform project's triggers and declared roles (fixtures/projects/
//! terraform-declared-overgrant): the buckets and topic the handlers take from their
//! events come from the Terraform resources that invoke them, and `check` compares each
//! function with the role its configuration declares.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use leastrole_testkit::report_function as function;
use serde_json::Value;

const PROJECT: &str = "terraform-declared-overgrant";

fn project() -> PathBuf {
    leastrole_testkit::fixture_project(PROJECT)
}

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let out = Command::cargo_bin("leastrole")
        .unwrap()
        .args(&args[..1])
        .arg(dir)
        .args(&args[1..])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", leastrole_testkit::shown(&out)));
    (out.status.code(), json)
}

/// (action, resources) of each statement of a function's generated policy.
fn statements(report: &Value, name: &str) -> Vec<(String, Vec<String>)> {
    function(report, name)["policy"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let strings = |v: &Value| -> Vec<String> {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect()
            };
            (strings(&s["Action"]).join(","), strings(&s["Resource"]))
        })
        .collect()
}

#[test]
fn terraform_triggers_give_what_the_handlers_read_from_their_events() {
    let (code, report) = run(&project(), &["generate"]);
    assert_eq!(code, Some(0), "{report:#}");
    let s = |action: &str, resource: &str| (action.to_string(), vec![resource.to_string()]);
    // aws_s3_bucket_notification: the bucket, and keys between filter_prefix and
    // filter_suffix.
    assert_eq!(
        statements(&report, "ingest"),
        [
            s(
                "dynamodb:PutItem",
                "arn:*:dynamodb:*:*:table/media-dev-files"
            ),
            s(
                "s3:GetObject",
                "arn:*:s3:::media-dev-uploads/incoming/*.csv"
            ),
        ]
    );
    // aws_sns_topic_subscription: the topic the records come from.
    assert_eq!(
        statements(&report, "relay"),
        [s("sns:Publish", "arn:*:sns:*:*:media-dev-events")]
    );
    // aws_cloudwatch_event_target → its rule's event_pattern (jsonencode, a reference
    // to the bucket and a prefix matcher), for a lambda-module function.
    assert_eq!(
        statements(&report, "digest"),
        [s("s3:GetObject", "arn:*:s3:::media-dev-uploads/reports/*")]
    );
}

/// (kind, actions, resources) of a function's findings.
fn findings(report: &Value, name: &str) -> Vec<(String, String, String)> {
    function(report, name)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["action"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn check_reports_the_over_grants_of_terraform_declared_roles() {
    let (code, report) = run(&project(), &["check"]);
    assert_eq!(code, Some(0), "nothing is missing: {report:#}");
    let row = |kind: &str, action: &str, resource: &str| {
        (kind.to_string(), action.to_string(), resource.to_string())
    };
    // aws_iam_role with inline_policy, aws_iam_role_policy from a policy document data
    // source, AWS managed policies by aws_iam_role_policy_attachment (embedded).
    assert_eq!(function(&report, "ingest")["role"], "aws_iam_role.ingest");
    assert_eq!(
        findings(&report, "ingest"),
        [
            row("unused", "sqs:*", "*"),
            row("broad", "dynamodb:*", "${aws_dynamodb_table.files.arn}"),
            row("unused", "sns:Publish", "*"),
            row("broad", "s3:GetObject", "${aws_s3_bucket.uploads.arn}/*"),
            row(
                "framework",
                "logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents",
                "*"
            ),
        ]
    );
    // An aws_iam_policy (a JSON heredoc with references) attached by its ARN; the SQS
    // reads of the event source mapping are the wiring's, not unused.
    assert_eq!(function(&report, "relay")["role"], "aws_iam_role.relay");
    assert_eq!(
        findings(&report, "relay"),
        [
            row("unused", "sns:DeleteTopic", "${aws_sns_topic.events.arn}"),
            row(
                "framework",
                "sqs:ReceiveMessage",
                "${aws_sqs_queue.jobs.arn}"
            ),
            row(
                "framework",
                "sqs:DeleteMessage",
                "${aws_sqs_queue.jobs.arn}"
            ),
            row(
                "framework",
                "sqs:GetQueueAttributes",
                "${aws_sqs_queue.jobs.arn}"
            ),
        ]
    );
    // The lambda module's attach_policy_statements + policy_statements, and the logs
    // policy it attaches by default.
    let digest = findings(&report, "digest");
    assert_eq!(
        digest.first(),
        Some(&row("broad", "s3:*", "*")),
        "{digest:?}"
    );
    assert_eq!(digest.len(), 2, "{digest:?}");
    assert_eq!(digest[1].0, "framework", "{digest:?}");
}

#[test]
fn a_role_given_by_arn_is_not_checkable_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    leastrole_testkit::copy_dir(&project(), dir.path());
    let main = dir.path().join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap().replace(
        "role             = aws_iam_role.relay.arn",
        "role             = \"arn:aws:iam::123456789012:role/shared\"",
    );
    std::fs::write(&main, text).unwrap();
    let (_, report) = run(dir.path(), &["check"]);
    let relay = function(&report, "relay");
    assert_eq!(relay["status"], "not-checkable", "{relay:#}");
    let reason = relay["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("arn:aws:iam::123456789012:role/shared"),
        "{relay:#}"
    );
}

/// The fixture with `var.stage` given no default: its names are not known from the
/// configuration alone.
fn without_stage_default() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    leastrole_testkit::copy_dir(&project(), dir.path());
    std::fs::write(
        dir.path().join("variables.tf"),
        "# The stage, set only in CI.\nvariable \"stage\" {\n  type = string\n}\n",
    )
    .unwrap();
    dir
}

fn plan_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/terraform-plan-prod.json")
}

#[test]
fn a_terraform_plan_gives_the_names_the_configuration_leaves_unknown() {
    let dir = without_stage_default();
    let (_, report) = run(dir.path(), &["generate"]);
    let unknown = statements(&report, "relay");
    assert_eq!(unknown.len(), 1);
    assert!(
        !unknown[0].1[0].contains("media-prod-events"),
        "without the plan the stage is unknown: {unknown:?}"
    );
    let plan = plan_file();
    let (code, report) = run(
        dir.path(),
        &["generate", "--terraform-plan", plan.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{report:#}");
    let s = |action: &str, resource: &str| (action.to_string(), vec![resource.to_string()]);
    assert_eq!(
        statements(&report, "relay"),
        [s("sns:Publish", "arn:*:sns:*:*:media-prod-events")]
    );
    assert_eq!(
        statements(&report, "ingest"),
        [
            s(
                "dynamodb:PutItem",
                "arn:*:dynamodb:*:*:table/media-prod-files"
            ),
            s(
                "s3:GetObject",
                "arn:*:s3:::media-prod-uploads/incoming/*.csv"
            ),
        ]
    );
}

#[test]
fn a_terraform_plan_that_cannot_be_read_is_exit_2_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let not_json = dir.path().join("plan.txt");
    std::fs::write(&not_json, "Terraform will perform the following actions:\n").unwrap();
    let not_a_plan = dir.path().join("state.json");
    std::fs::write(&not_a_plan, r#"{"format_version": "1.0", "values": {}}"#).unwrap();
    let missing = dir.path().join("missing.json");
    for (plan, says) in [
        (&missing, "cannot read"),
        (&not_json, "is not JSON"),
        (&not_a_plan, "terraform show -json"),
    ] {
        for command in ["generate", "check"] {
            let out = Command::cargo_bin("leastrole")
                .unwrap()
                .arg(command)
                .arg(project())
                .args(["--terraform-plan", plan.to_str().unwrap()])
                .output()
                .unwrap();
            let shown = leastrole_testkit::shown(&out);
            assert_eq!(out.status.code(), Some(2), "{shown}");
            assert!(out.stdout.is_empty(), "{shown}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("--terraform-plan"), "{shown}");
            assert!(stderr.contains(says), "{shown}");
        }
    }
}

#[test]
fn check_reads_the_lambda_module_s_policy_inputs_and_a_role_s_managed_policy_arns() {
    let dir = project().with_file_name("terraform-module-policy-inputs");
    let (code, report) = run(&dir, &["check"]);
    assert_eq!(code, Some(0), "nothing is missing: {report:#}");
    let a = function(&report, "a");
    assert_eq!(a["role"], "the role module.a creates", "{a:#}");
    let rows = findings(&report, "a");
    let row = |kind: &str, action: &str, resource: &str| {
        (kind.to_string(), action.to_string(), resource.to_string())
    };
    for wanted in [
        // attach_policy_json: the document data source, its condition read.
        row("broad", "s3:GetObject", "${aws_s3_bucket.data.arn}/*"),
        // attach_policy_jsons: a jsonencode document.
        row("unused", "sqs:SendMessage", "*"),
        // attach_policies: AmazonSNSReadOnlyAccess, from the embedded set.
        row("unused", "sns:List*", "*"),
    ] {
        assert!(rows.contains(&wanted), "{wanted:?} not in {rows:#?}");
    }
    // attach_cloudwatch_logs_policy = false: no logs statement.
    assert!(!rows.iter().any(|r| r.1.contains("logs:")), "{rows:#?}");
    let text = a.to_string();
    assert!(text.contains("granted only under a Condition"), "{a:#}");
    // attach_policy with a customer managed policy, and source_policy_documents: grants
    // of unknown content, named.
    let unknown: Vec<&str> = a["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "declared-grant-unknown")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(unknown.len(), 2, "{unknown:#?}");
    assert!(
        unknown
            .iter()
            .any(|m| m.contains("arn:aws:iam::123456789012:policy/custom")),
        "{unknown:#?}"
    );
    assert!(
        unknown
            .iter()
            .any(|m| m.contains("source_policy_documents")),
        "{unknown:#?}"
    );
    // create_role = false: the lambda_role's aws_iam_role and its managed_policy_arns;
    // the module's own policy inputs attach nothing then.
    let b = function(&report, "b");
    assert_eq!(b["role"], "aws_iam_role.b", "{b:#}");
    let rows = findings(&report, "b");
    assert!(rows.contains(&row("broad", "s3:Get*", "*")), "{rows:#?}");
    assert!(
        !rows.iter().any(|r| r.2.contains("aws_s3_bucket.data")),
        "{rows:#?}"
    );
}

#[test]
fn terraform_inputs_for_a_path_that_is_no_terraform_project_are_exit_2_saying_where_they_apply() {
    let projects = project().with_file_name("");
    let dir = tempfile::tempdir().unwrap();
    let vars = dir.path().join("prod.tfvars");
    std::fs::write(&vars, "stage = \"prod\"\n").unwrap();
    let out_file = dir.path().join("out.json");
    let vars = vars.to_str().unwrap();
    let plan = plan_file();
    let plan = plan.to_str().unwrap();
    for (path, says) in [
        // Another framework's project.
        ("sam-app", "sam-app is none"),
        // A monorepo: the flags would reach none of its projects; its Terraform one is named.
        ("monorepo-mixed", "monorepo-mixed/jobs"),
    ] {
        for command in ["generate", "check"] {
            for flags in [
                vec!["--var-file", vars],
                vec!["--terraform-plan", plan],
                vec!["--var-file", vars, "--terraform-plan", plan],
            ] {
                let out = Command::cargo_bin("leastrole")
                    .unwrap()
                    .arg(command)
                    .arg(projects.join(path))
                    .args(&flags)
                    .args(["-o", out_file.to_str().unwrap()])
                    .output()
                    .unwrap();
                let shown = leastrole_testkit::shown(&out);
                assert_eq!(out.status.code(), Some(2), "{path} {flags:?}: {shown}");
                assert!(out.stdout.is_empty(), "{shown}");
                assert!(!out_file.exists(), "{shown}");
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(stderr.contains(flags[0]), "{shown}");
                assert!(stderr.contains(says), "{shown}");
            }
        }
    }
    // A Terraform project takes them.
    let out = Command::cargo_bin("leastrole")
        .unwrap()
        .arg("generate")
        .arg(projects.join("terraform-archive-file"))
        .args(["--var-file", vars, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        leastrole_testkit::shown(&out)
    );
}
