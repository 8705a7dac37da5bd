//! `leastrole generate` and `leastrole calls` on the example projects, as a user runs
//! them: formats, flags, exit codes, files and pipes.

use std::io::Read;
use std::process::{Command as Std, Stdio};

use assert_cmd::Command;
use leastrole_testkit::fixture_project;

fn leastrole() -> Command {
    Command::cargo_bin("leastrole").expect("binary builds")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = leastrole().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

#[test]
fn plain_python_json_report() {
    let dir = fixture_project("plain-python");
    let (code, out, _) = run(&["generate", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["version"], 2);
    let policy = &report["functions"][0]["policy"];
    assert_eq!(policy["Version"], "2012-10-17");
    insta::assert_snapshot!(out);
}

#[test]
fn plain_node_handlers_text_and_iam() {
    let dir = fixture_project("plain-node");
    let dir = dir.to_str().unwrap();
    let args = [
        "generate",
        dir,
        "--handler",
        "src/thumbnail.handler",
        "--handler",
        "src/notify.handler",
    ];
    let (code, text, _) = run(&[&args[..], &["--format", "text"]].concat());
    assert_eq!(code, 0);
    insta::assert_snapshot!("plain_node_text", text);
    let (code, iam, _) = run(&[
        &args[..],
        &[
            "--format",
            "iam",
            "--partition",
            "aws",
            "--region",
            "eu-west-1",
            "--account",
            "123456789012",
        ],
    ]
    .concat());
    assert_eq!(code, 0);
    let docs: serde_json::Value = serde_json::from_str(&iam).unwrap();
    let thumb = &docs["src/thumbnail.handler"];
    assert_eq!(thumb["Version"], "2012-10-17");
    let text = thumb.to_string();
    assert!(
        text.contains("arn:aws:dynamodb:eu-west-1:123456789012:table/image-metadata"),
        "{text}"
    );
    assert!(
        text.contains("arn:aws:s3:::acme-image-originals/*"),
        "{text}"
    );
    assert!(!text.contains("s3:*"), "{text}");
}

#[test]
fn output_is_deterministic() {
    let dir = fixture_project("plain-node");
    let args = ["generate", dir.to_str().unwrap(), "--format", "json"];
    assert_eq!(run(&args).1, run(&args).1);
}

#[test]
fn strict_exits_1_on_warnings() {
    let dir = fixture_project("plain-node");
    let dir = dir.to_str().unwrap();
    let (code, _, err) = run(&[
        "generate",
        dir,
        "--handler",
        "src/notify.handler",
        "--format",
        "json",
        "--strict",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("warning[unresolved-resource]"), "{err}");
    let (code, _, _) = run(&[
        "generate",
        dir,
        "--handler",
        "src/thumbnail.handler",
        "--format",
        "json",
        "--strict",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn output_file_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("policy.json");
    let dir = fixture_project("plain-python");
    let (code, out, _) = run(&[
        "generate",
        dir.to_str().unwrap(),
        "--format",
        "iam",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(out.is_empty());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written["Version"], "2012-10-17");
}

#[test]
fn missing_handler_is_an_error_exit_2() {
    let dir = fixture_project("plain-python");
    let (code, _, err) = run(&[
        "generate",
        dir.to_str().unwrap(),
        "--handler",
        "nope.handler",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("handler-file-not-found"), "{err}");
    let (code, _, err) = run(&["generate", "/definitely/not/here"]);
    assert_eq!(code, 2);
    assert!(err.contains("/definitely/not/here does not exist"), "{err}");
}

#[test]
fn missing_export_is_reported() {
    let dir = fixture_project("plain-python");
    let (code, out, err) = run(&[
        "generate",
        dir.to_str().unwrap(),
        "--handler",
        "app.nope",
        "--format",
        "json",
    ]);
    // Named by the user: an error, and no report that could read as "needs nothing".
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("error[handler-export-not-found]"), "{err}");
}

/// A function the user named that cannot be analysed is an error (exit 2), and an error
/// exit writes nothing: not `{}` to stdout, not over the `-o` file.
#[test]
fn a_named_function_that_cannot_be_analysed_is_an_error_that_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("policy.json");
    std::fs::write(&file, "previous\n").unwrap();
    let dir = fixture_project("plain-python");
    let dir = dir.to_str().unwrap();
    let (code, out, err) = run(&[
        "generate",
        dir,
        "--handler",
        "nothere.handler",
        "--format",
        "iam",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    for format in ["iam", "text"] {
        let (code, out, err) = run(&[
            "generate",
            dir,
            "--handler",
            "nothere.handler",
            "--format",
            format,
            "-o",
            file.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty(), "{out}");
        assert!(err.contains("error[handler-file-not-found]"), "{err}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous\n");
    }
    // A container image named with --function.
    let sam = fixture_project("sam-app");
    let (code, out, err) = run(&[
        "generate",
        sam.to_str().unwrap(),
        "--function",
        "WatermarkFunction",
        "--format",
        "cloudformation",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("error[function-not-analysed]"), "{err}");
    // The same function among the others, not named: listed, not an error.
    let (code, _, err) = run(&["generate", sam.to_str().unwrap(), "--format", "sam"]);
    assert_eq!(code, 0, "{err}");
}

/// A function that was not analysed (a container image, a missing export) has no policy
/// in any paste-ready format, and one that needs nothing has no document IAM would
/// reject; the formats with comments say why, the JSON ones say it on stderr.
#[test]
fn functions_without_a_policy_are_left_out_of_paste_ready_formats() {
    let dir = fixture_project("handler-missing-export");
    let dir = dir.to_str().unwrap();
    let (code, text, _) = run(&["generate", dir, "--format", "text"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("archive (src/archive.handler, python3.12)\n  not analysed: `src/archive.py` has no export `handler`"),
        "{text}"
    );
    let (code, iam, err) = run(&["generate", dir, "--format", "iam"]);
    assert_eq!(code, 0);
    assert_eq!(iam, "{}\n");
    assert!(err.contains("leastrole: archive: not analysed"), "{err}");
    assert!(
        err.contains("leastrole: ping: needs no AWS permissions"),
        "{err}"
    );
    let (_, tf, _) = run(&["generate", dir, "--format", "terraform"]);
    assert!(!tf.contains("data \""), "{tf}");
    assert!(tf.contains("# archive: not analysed"), "{tf}");
    assert!(tf.contains("# ping: needs no AWS permissions"), "{tf}");
    for format in ["serverless", "sam"] {
        let (_, yaml, _) = run(&["generate", dir, "--format", format]);
        assert!(yaml.contains("# archive: not analysed"), "{yaml}");
        assert!(!yaml.contains("archive:\n"), "{yaml}");
        assert!(!yaml.contains("Statement: []"), "{yaml}");
    }
    let (_, cfn, _) = run(&["generate", dir, "--format", "cloudformation"]);
    assert!(cfn.contains("# archive: not analysed"), "{cfn}");
    assert!(!cfn.contains("ArchiveRole"), "{cfn}");
    // A role keeps its log permissions even when the code needs nothing more.
    assert!(cfn.contains("PingRole:"), "{cfn}");
    let (_, statements, err) = run(&["generate", dir, "--format", "statements"]);
    let v: serde_json::Value = serde_json::from_str(&statements).unwrap();
    let archive = &v["functions"][0];
    assert_eq!(archive["name"], "archive");
    assert_eq!(archive["analysed"], false);
    assert!(archive["reason"].as_str().unwrap().contains("no export"));
    assert!(err.contains("leastrole: archive: not analysed"), "{err}");

    // A container image in a SAM template, and one in a Serverless service.
    let sam = fixture_project("sam-app");
    let sam = sam.to_str().unwrap();
    let (_, cfn, _) = run(&["generate", sam, "--format", "cloudformation"]);
    assert!(!cfn.contains("WatermarkFunctionRole"), "{cfn}");
    assert!(cfn.contains("# WatermarkFunction: not analysed"), "{cfn}");
    let (_, tf, _) = run(&["generate", sam, "--format", "terraform"]);
    assert!(!tf.contains("\"WatermarkFunction\""), "{tf}");
    let (_, iam, _) = run(&["generate", sam, "--format", "iam"]);
    let v: serde_json::Value = serde_json::from_str(&iam).unwrap();
    assert!(v.get("WatermarkFunction").is_none(), "{iam}");
    assert!(v.get("ApiFunction").is_some(), "{iam}");
    let sls = fixture_project("serverless-v3-shared-role");
    let (_, yaml, _) = run(&["generate", sls.to_str().unwrap(), "--format", "serverless"]);
    assert!(yaml.contains("# exportReports: not analysed"), "{yaml}");
    assert!(!yaml.contains("  exportReports:"), "{yaml}");
}

/// `--format serverless` writes the keys of the project's `frameworkVersion` unless
/// `--serverless-flavor` says otherwise.
#[test]
fn serverless_flavor_follows_the_framework_version() {
    let v3 = fixture_project("serverless-v3-shared-role");
    let v3 = v3.to_str().unwrap();
    let (_, out, _) = run(&["generate", v3, "--format", "serverless"]);
    assert!(out.contains("    iamRoleStatements:\n"), "{out}");
    assert!(!out.contains("    iam:\n"), "{out}");
    let (_, out, _) = run(&[
        "generate",
        v3,
        "--format",
        "serverless",
        "--serverless-flavor",
        "v4",
    ]);
    assert!(
        out.contains("    iam:\n      role:\n        statements:\n"),
        "{out}"
    );
    let v4 = fixture_project("serverless-v4-per-function");
    let (_, out, _) = run(&["generate", v4.to_str().unwrap(), "--format", "serverless"]);
    assert!(
        out.contains("    iam:\n      role:\n        statements:\n"),
        "{out}"
    );
    assert!(!out.contains("iamRoleStatements"), "{out}");
}

/// `--format cloudformation` roles work as pasted: the function can create its log
/// group (the one its deployed name gives), and a comment says how to attach the role.
#[test]
fn cloudformation_roles_name_the_log_group_and_say_how_to_attach() {
    let sam = fixture_project("sam-app");
    let (_, cfn, _) = run(&[
        "generate",
        sam.to_str().unwrap(),
        "--format",
        "cloudformation",
    ]);
    assert!(
        cfn.contains("# ApiFunction: attach with `Role: !GetAtt ApiFunctionRole.Arn` on the function, and remove the function's `Policies` if it has any."),
        "{cfn}"
    );
    assert!(cfn.contains("- logs:CreateLogGroup\n"), "{cfn}");
    assert!(
        cfn.contains("log-group:/aws/lambda/${AWS::StackName}-ApiFunction-*:*"),
        "{cfn}"
    );
    let sls = fixture_project("serverless-v3-shared-role");
    let (_, cfn, _) = run(&[
        "generate",
        sls.to_str().unwrap(),
        "--format",
        "cloudformation",
    ]);
    assert!(
        cfn.contains("log-group:/aws/lambda/orders-api-dev-createOrder:*"),
        "{cfn}"
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = fixture_project("plain-python");
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("leastrole"))
        .args(["generate", dir.to_str().unwrap(), "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn calls_lists_sdk_calls_with_env_vars_by_name() {
    let dir = fixture_project("plain-python");
    let (code, text, _) = run(&["calls", dir.to_str().unwrap()]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("plain_python_calls", text);
    let (code, json, _) = run(&["calls", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["calls"].as_array().unwrap().len(), 4);
}

/// A parameter without `Default` names a table: plain output has no value for it, says
/// so, and `--strict` fails; SAM output keeps `${TableName}` and has nothing to say.
#[test]
fn reference_without_a_value_warns_only_in_plain_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        "Transform: AWS::Serverless-2016-10-31\nParameters:\n  TableName: {Type: String}\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n      Environment:\n        Variables:\n          TABLE: !Ref TableName\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/app.py"),
        "import os, boto3\nddb = boto3.client(\"dynamodb\")\n\ndef handler(event, context):\n    ddb.get_item(TableName=os.environ[\"TABLE\"], Key={})\n",
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let (code, json, stderr) = run(&["generate", path, "--format", "json", "--strict"]);
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f = &report["functions"][0];
    assert_eq!(
        f["policy"]["Statement"][0]["Resource"][0],
        "arn:*:dynamodb:*:*:table/*"
    );
    let diags = f["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "unresolved-reference");
    assert_eq!(diags[0]["line"], 5);
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("`TableName`")
    );
    let (code, sam, stderr) = run(&["generate", path, "--format", "sam", "--strict"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(sam.contains("table/${TableName}"), "{sam}");
}

/// `--explain` puts each grant's call sites (file:line:column and the call) next to the
/// statement in Terraform and at the top of the YAML formats.
#[test]
fn explain_names_call_sites_in_terraform_and_yaml() {
    let dir = fixture_project("sam-app");
    let dir = dir.to_str().unwrap();
    let (code, tf, _) = run(&["generate", dir, "--format", "terraform", "--explain"]);
    assert_eq!(code, 0);
    assert!(
        tf.contains(
            "    # sqs:SendMessage <- src/api/index.mjs:20:9 sqs.send(new SendMessageCommand({\n  }"
        ),
        "{tf}"
    );
    let (code, sam, _) = run(&["generate", dir, "--format", "sam", "--explain"]);
    assert_eq!(code, 0);
    assert!(
        sam.contains("# ApiFunction: sqs:SendMessage <- src/api/index.mjs:20:9 sqs.send("),
        "{sam}"
    );
}

/// `-o` naming a device or a pipe writes into it: the atomic rename used for files would
/// replace the node with a regular file (seen with `-o /dev/null`, which then made every
/// later reader of /dev/null see leastrole's output).
#[cfg(unix)]
#[test]
fn output_to_a_pipe_keeps_the_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.fifo");
    let made = Std::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // Held open for reading and writing, so leastrole's open does not wait for a reader
    // and a regression fails the assertions below instead of hanging.
    let mut pipe = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    let project = fixture_project("plain-python");
    let (code, _, stderr) = run(&[
        "generate",
        project.to_str().unwrap(),
        "--format",
        "iam",
        "-o",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    let mut buf = vec![0; 1 << 16];
    let n = std::io::Read::read(&mut pipe, &mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.contains("\"Version\": \"2012-10-17\""), "{text}");
}

/// A value built from a template parameter stays built from it in template output
/// (`${Stage}`), so the policy fits whatever stage is deployed; plain output writes the
/// parameter's default.
#[test]
fn a_sub_of_a_parameter_stays_a_reference_in_template_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        "Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: prod}
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      FunctionName: !Sub 'worker-${Stage}'
      Environment:
        Variables:
          TABLE: !Sub 'orders-${Stage}'
          PARAM: !Sub '/app/${Stage}/key'
",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/app.py"),
        "import os, boto3
ddb = boto3.client('dynamodb')
ssm = boto3.client('ssm')
def handler(event, context):
    ddb.get_item(TableName=os.environ['TABLE'], Key={})
    ssm.get_parameter(Name=os.environ['PARAM'])
",
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let (code, cfn, err) = run(&["generate", path, "--format", "cloudformation"]);
    assert_eq!(code, 0, "{err}");
    for want in [
        ":table/orders-${Stage}",
        ":parameter/app/${Stage}/key",
        ":log-group:/aws/lambda/worker-${Stage}:*",
    ] {
        assert!(cfn.contains(want), "{want} in {cfn}");
    }
    assert!(!cfn.contains("prod"), "{cfn}");
    let (_, iam, _) = run(&["generate", path, "--format", "iam"]);
    assert!(
        iam.contains("arn:*:ssm:*:*:parameter/app/prod/key"),
        "{iam}"
    );
    assert!(
        iam.contains("arn:*:dynamodb:*:*:table/orders-prod"),
        "{iam}"
    );
}

/// A queue's `Ref` (its URL) and an SSM parameter's `Ref` (its name) stay references in
/// template output: `${JobsQueue.QueueName}` and `${ConfigParameter}`, not the names the
/// `Stage` parameter's default gives.
#[test]
fn queue_and_parameter_references_stay_references() {
    let dir = fixture_project("sam-app");
    let dir = dir.to_str().unwrap();
    for format in ["cloudformation", "sam"] {
        let (code, out, _) = run(&["generate", dir, "--format", format]);
        assert_eq!(code, 0);
        assert!(
            out.contains(
                "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${JobsQueue.QueueName}"
            ),
            "{out}"
        );
        // The parameter's name starts with `/`, which its ARN leaves out.
        assert!(
            out.contains(
                "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${ConfigParameter}"
            ),
            "{out}"
        );
        assert!(!out.contains("image-jobs-prod"), "{out}");
        assert!(!out.contains("/prod/config"), "{out}");
    }
    let (_, iam, _) = run(&["generate", dir, "--format", "iam"]);
    assert!(iam.contains("arn:*:sqs:*:*:image-jobs-prod"), "{iam}");
    assert!(
        iam.contains("arn:*:ssm:*:*:parameter/image-pipeline/prod/config"),
        "{iam}"
    );
}

/// `--quiet` with the JSON report leaves out the stderr copy of its diagnostics (the
/// report holds them; in-process callers such as the hostile suite share the test run's
/// stderr); with a format that does not carry them they are still printed.
#[test]
fn quiet_drops_the_stderr_copy_only_where_the_output_holds_the_diagnostics() {
    let dir = fixture_project("sam-app");
    let dir = dir.to_str().unwrap();
    let (code, out, err) = run(&["generate", dir, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning[unresolved-resource]"), "{err}");
    assert!(out.contains("\"unresolved-resource\""), "{out}");
    let (code, out, err) = run(&["generate", dir, "--format", "json", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning["), "{err}");
    assert!(out.contains("\"unresolved-resource\""), "{out}");
    let (code, _, err) = run(&["generate", dir, "--format", "iam", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning[unresolved-resource]"), "{err}");
}

/// `--format serverless` writes a value that came from a Serverless variable as the
/// variable (`${self:custom.stockTable}`, `${sls:stage}`), which the framework resolves
/// for the stage it deploys: the output is the same whatever `--stage` says, and holds
/// in every stage. Every other format keeps the name resolved for the stage read.
#[test]
fn serverless_variables_stay_variables_in_serverless_output() {
    let dir = fixture_project("serverless-v4-per-function");
    let dir = dir.to_str().unwrap();
    let (code, out, err) = run(&["generate", dir, "--format", "serverless"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("table/${self:custom.stockTable}"), "{out}");
    assert!(
        out.contains(
            "s3:::${self:custom.reportConfig.reportBucket}/${file(./config/${sls:stage}.yml):prefix, 'reports'}/${sls:stage}/stock.csv"
        ),
        "{out}"
    );
    for resolved in ["inventory-dev-stock", "inventory-reports-dev", "/dev/"] {
        assert!(!out.contains(resolved), "{resolved}: {out}");
    }
    let (_, prod, _) = run(&["generate", dir, "--format", "serverless", "--stage", "prod"]);
    assert_eq!(prod, out);
    let (_, json, _) = run(&["generate", dir, "--format", "json"]);
    assert!(
        json.contains("arn:*:dynamodb:*:*:table/inventory-dev-stock"),
        "{json}"
    );
    assert!(
        json.contains("arn:*:s3:::inventory-reports-dev/nightly/dev/stock.csv"),
        "{json}"
    );
    let (_, json, _) = run(&["generate", dir, "--format", "json", "--stage", "prod"]);
    assert!(
        json.contains("arn:*:dynamodb:*:*:table/inventory-prod-stock"),
        "{json}"
    );
    for format in ["cloudformation", "sam", "iam", "terraform", "text"] {
        let (_, other, _) = run(&["generate", dir, "--format", format]);
        assert!(other.contains("inventory-dev-stock"), "{format}: {other}");
        assert!(!other.contains("${self:"), "{format}: {other}");
        assert!(!other.contains("${sls:"), "{format}: {other}");
    }
    // The v3 service too: its output was already stage-independent (references), and
    // stays so.
    let v3 = fixture_project("serverless-v3-shared-role");
    let v3 = v3.to_str().unwrap();
    let (_, dev, _) = run(&["generate", v3, "--format", "serverless"]);
    let (_, prod, _) = run(&["generate", v3, "--format", "serverless", "--stage", "prod"]);
    assert_eq!(dev, prod);
}

/// The shapes variables come in: nested (`${self:custom.tables.${sls:stage}}`), with a
/// default (`${opt:stage, 'dev'}`), inside literal text and inside `Fn::Sub`, each written
/// as configured (v3 keys, as `frameworkVersion: '3'` asks). A variable naming a whole
/// config object (an intrinsic) is written as that reference, and one the framework
/// resolves from elsewhere (`${ssm:…}`) stays a wildcard, as before.
#[test]
fn serverless_output_writes_each_variable_as_configured() {
    let tmp = tempfile::tempdir().unwrap();
    let files = [
        (
            "serverless.yml",
            "service: shop\nframeworkVersion: '3'\ncustom:\n  tables:\n    dev: shop-dev-carts\n    prod: shop-prod-carts\n  media: ${self:service}-${opt:stage, 'dev'}-media\n  ordersArn: !GetAtt Orders.Arn\nprovider:\n  name: aws\n  runtime: python3.12\n  stage: ${opt:stage, 'dev'}\nfunctions:\n  worker:\n    handler: app.handler\n    environment:\n      CARTS: ${self:custom.tables.${sls:stage}}\n      MEDIA: ${self:custom.media}\n      KEY_PARAM: /shop/${self:provider.stage}/key\n      TOPIC: !Sub 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:shop-${sls:stage}-events'\n      ORDERS: ${self:custom.ordersArn}\n      SECRET: ${ssm:/shop/secret-name}\nresources:\n  Resources:\n    Orders:\n      Type: AWS::DynamoDB::Table\n      Properties:\n        TableName: shop-orders\n",
        ),
        (
            "app.py",
            "import os\n\nimport boto3\n\nddb = boto3.client('dynamodb')\ns3 = boto3.client('s3')\nssm = boto3.client('ssm')\nsns = boto3.client('sns')\nsm = boto3.client('secretsmanager')\n\n\ndef handler(event, context):\n    ddb.get_item(TableName=os.environ['CARTS'], Key={})\n    ddb.put_item(TableName=os.environ['ORDERS'], Item={})\n    s3.get_object(Bucket=os.environ['MEDIA'], Key='k')\n    ssm.get_parameter(Name=os.environ['KEY_PARAM'])\n    sns.publish(TopicArn=os.environ['TOPIC'], Message='m')\n    sm.get_secret_value(SecretId=os.environ['SECRET'])\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    let dir = tmp.path().to_str().unwrap();
    let (code, out, err) = run(&["generate", dir, "--format", "serverless"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("iamRoleStatements:"), "{out}");
    for written in [
        "table/${self:custom.tables.${sls:stage}}",
        "s3:::${self:custom.media}/k",
        "parameter/shop/${self:provider.stage}/key",
        "shop-${sls:stage}-events",
    ] {
        assert!(out.contains(written), "{written}: {out}");
    }
    assert!(
        out.contains("- Fn::GetAtt:\n        - Orders\n        - Arn"),
        "{out}"
    );
    assert!(out.contains("secret:*"), "{out}");
    let (_, prod, _) = run(&["generate", dir, "--format", "serverless", "--stage", "prod"]);
    assert_eq!(prod, out);
    let (_, iam, _) = run(&["generate", dir, "--format", "iam", "--stage", "prod"]);
    for resolved in [
        "table/shop-prod-carts",
        "s3:::shop-prod-media/k",
        "parameter/shop/prod/key",
        "shop-prod-events",
    ] {
        assert!(iam.contains(resolved), "{resolved}: {iam}");
    }
}

/// `--format sam` on a plain CloudFormation project says the functions have no
/// `Policies` to take it and names the format that fits; `cloudformation` says nothing.
#[test]
fn sam_format_on_cloudformation_functions_points_to_the_cloudformation_format() {
    let dir = fixture_project("cloudformation-plain");
    let dir = dir.to_str().unwrap();
    let (code, _, err) = run(&["generate", dir, "--format", "sam"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("OrdersFunction is an AWS::Lambda::Function")
            && err.contains("use --format cloudformation"),
        "{err}"
    );
    let (code, _, err) = run(&["generate", dir, "--format", "cloudformation"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("--format sam"), "{err}");
    let sam_app = fixture_project("sam-app");
    let (_, _, err) = run(&["generate", sam_app.to_str().unwrap(), "--format", "sam"]);
    assert!(!err.contains("AWS::Lambda::Function"), "{err}");
}

/// A CDK app that was never synthesized: its TypeScript is infrastructure code, not Lambda
/// code, and its functions exist only in `cdk.out`. Reading it as one plain unit would
/// give one meaningless policy; leastrole says what to run instead, and stops.
#[test]
fn cdk_app_before_synth_says_to_synthesize_and_stops() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cdk.json"),
        r#"{"app": "npx ts-node bin/app.ts"}"#,
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("lib")).unwrap();
    std::fs::write(
        dir.path().join("lib/stack.ts"),
        "import { Stack } from 'aws-cdk-lib';\nimport { S3Client } from '@aws-sdk/client-s3';\nexport class AppStack extends Stack {}\n",
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = run(&["generate", path, "--format", "json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("cdk-not-synthesized") && stderr.contains("npx cdk synth"),
        "{stderr}"
    );
    // On purpose, the folder is read as before: one plain unit, with the warning.
    let (code, stdout, stderr) = run(&["generate", path, "--format", "json", "--config-fallback"]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["functions"].as_array().map(Vec::len),
        Some(1),
        "{stdout}"
    );
    assert!(stderr.contains("config-fallback"), "{stderr}");
}

/// Stderr that is not a terminal (as here) gets every warning of a `--format json` run,
/// one line each, with or without `--verbose`: more than the ten a terminal shows
/// before it summarises, and the same lines as the report's diagnostics.
#[test]
fn json_warnings_on_stderr_that_is_not_a_terminal_are_all_listed() {
    let dir = tempfile::tempdir().unwrap();
    let calls: String = (0..25)
        .map(|i| format!("    s3.get_object(Bucket=event[\"b{i}\"], Key=\"k\")\n"))
        .collect();
    std::fs::write(
        dir.path().join("app.py"),
        format!("import boto3\ns3 = boto3.client(\"s3\")\n\ndef handler(event, context):\n{calls}"),
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let (code, json, plain) = run(&["generate", path, "--format", "json"]);
    assert_eq!(code, 0, "{plain}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let warnings = report["functions"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["level"] == "warning")
        .count();
    assert!(warnings > 20, "{json}");
    assert_eq!(plain.lines().count(), warnings, "{plain}");
    assert!(plain.lines().all(|l| l.starts_with("warning[")), "{plain}");
    let (code, _, verbose) = run(&["generate", path, "--format", "json", "--verbose"]);
    assert_eq!(code, 0, "{verbose}");
    assert_eq!(verbose, plain);
}

/// `LEASTROLE_PHASES` adds a line per phase on stderr (time, CPU time, memory) and
/// changes nothing else.
#[test]
fn phase_lines_on_request_change_no_output() {
    let dir = std::env::temp_dir().join(format!("leastrole-phases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("app.py"),
        "import boto3\n\ndef handler(event, context):\n    boto3.client('s3').get_object(Bucket='b', Key='k')\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("index.js"),
        "const { SQS } = require('aws-sdk');\nexports.handler = async () => new SQS().sendMessage({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', MessageBody: 'x' }).promise();\n",
    )
    .unwrap();
    let args = ["generate", dir.to_str().unwrap(), "--format", "json"];
    let plain = leastrole().args(args).output().unwrap();
    let phased = leastrole()
        .args(args)
        .env("LEASTROLE_PHASES", "1")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(plain.status.code(), Some(0));
    assert_eq!(phased.status.code(), Some(0));
    assert_eq!(plain.stdout, phased.stdout);
    assert!(String::from_utf8_lossy(&plain.stdout).contains("sqs:SendMessage"));
    let stderr = String::from_utf8(phased.stderr).unwrap();
    let phases: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("phase "))
        .map(|l| l.split("  ").next().unwrap_or(l).trim())
        .collect();
    assert_eq!(
        phases,
        [
            "discovery",
            "python: loading",
            "python: scopes",
            "python: facts",
            "javascript: loading",
            "javascript: modules",
            "javascript: linking",
            "resolution and policies",
            "rendering",
            "diagnostics on stderr",
            "writing"
        ],
        "{stderr}"
    );
    for line in stderr.lines().filter(|l| l.starts_with("phase ")) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        for unit in ["wall", "cpu", "rss", "peak"] {
            assert!(fields.contains(&unit), "{line}");
        }
    }
    assert!(!String::from_utf8_lossy(&plain.stderr).contains("phase "));
}
