//! Project discovery as a user meets it (issue 17): what was not found is said, plain
//! CloudFormation templates are read, nothing outside the project's repository is read
//! unless `--allow-outside` says so, and every path is relative to the project folder.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use leastrole_testkit::fixture_project;
use leastrole_testkit::report_function as function;
use serde_json::Value;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("leastrole")
        .expect("binary builds")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

/// `generate --format json` of `path` (plus `extra`), exit 0.
fn report(path: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["generate", path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// Every diagnostic of the report (top level and per function) with this code.
fn diagnostics<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    let top = report["diagnostics"].as_array().unwrap().iter();
    let per_function = report["functions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().unwrap().iter());
    top.chain(per_function)
        .filter(|d| d["code"] == code)
        .collect()
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn nothing_found_is_a_warning_that_says_what_was_looked_for() {
    let sam = tempfile::tempdir().unwrap();
    write(
        &sam.path().join("template.yaml"),
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  T:\n    Type: AWS::DynamoDB::Table\n",
    );
    for (path, expected) in [
        (
            fixture_project("empty-project"),
            "no .py/.js/.ts source file",
        ),
        (
            fixture_project("serverless-no-functions"),
            "`functions` is missing",
        ),
        (sam.path().to_path_buf(), "no AWS::Serverless::Function"),
    ] {
        let r = report(&path, &[]);
        assert_eq!(r["functions"], serde_json::json!([]), "{r:#}");
        let found = diagnostics(&r, "no-functions");
        assert_eq!(found.len(), 1, "{r:#}");
        assert_eq!(found[0]["level"], "warning");
        let message = found[0]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message}");
        if path.ends_with("empty-project") {
            // It names every kind of project it looked for.
            for kind in ["serverless.yml", "template.yaml", "cdk.out"] {
                assert!(message.contains(kind), "{message}");
            }
        }
        let (code, _, err) = run(&["generate", path.to_str().unwrap(), "--strict"]);
        assert_eq!(code, 1, "--strict catches it: {err}");
        assert!(err.contains("warning[no-functions]"), "{err}");
    }
}

#[test]
fn a_plain_cloudformation_template_is_read() {
    let dir = fixture_project("cloudformation-plain");
    let r = report(&dir, &[]);
    let orders = function(&r, "OrdersFunction");
    assert_eq!(orders["status"], "analysed");
    let statement = &orders["policy"]["Statement"];
    assert_eq!(
        statement[0]["Action"],
        serde_json::json!(["dynamodb:GetItem", "dynamodb:PutItem"]),
        "{orders:#}"
    );
    assert!(
        statement[0]["Resource"]
            .to_string()
            .contains("table/orders-plain"),
        "{orders:#}"
    );
    // `Code: src/` is the code folder, and paths are relative to the project folder.
    assert_eq!(orders["files"], serde_json::json!(["src/app.py"]));
    for (name, reason) in [
        ("HealthFunction", "Code.ZipFile"),
        ("ArchiveFunction", "S3Bucket"),
    ] {
        let f = function(&r, name);
        assert_eq!(f["status"], "not-analysed", "{f:#}");
        assert!(f["reason"].as_str().unwrap().contains(reason), "{f:#}");
    }

    // `check` reads the role the template declares for it.
    let (_, out, err) = run(&["check", dir.to_str().unwrap(), "--format", "json"]);
    let check: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let text = check.to_string();
    assert!(
        text.contains("AWS::IAM::Role OrdersFunctionRole"),
        "{check:#}"
    );
    assert!(text.contains("dynamodb:DeleteItem"), "{check:#}");
}

/// A repository (a `.git` folder) holding `repo/project`, and a folder `outside` beside
/// it with a handler whose call names a bucket that must never reach the output.
struct Layout {
    _tmp: tempfile::TempDir,
    project: PathBuf,
    outside: PathBuf,
}

const SECRET: &str = "secret-outside-bucket";

fn layout() -> Layout {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    fs::create_dir_all(repo.join(".git")).unwrap();
    let project = repo.join("project");
    fs::create_dir_all(&project).unwrap();
    let outside = tmp.path().join("outside");
    write(
        &outside.join("app.py"),
        &format!(
            "import boto3\n\ns3 = boto3.client('s3')\n\n\ndef handler(event, context):\n    return s3.get_object(Bucket='{SECRET}', Key='k')\n"
        ),
    );
    write(
        &outside.join("helper.js"),
        &format!(
            "const {{ S3Client, GetObjectCommand }} = require('@aws-sdk/client-s3');\nconst s3 = new S3Client({{}});\nexports.go = () => s3.send(new GetObjectCommand({{ Bucket: '{SECRET}', Key: 'k' }}));\n"
        ),
    );
    Layout {
        _tmp: tmp,
        project,
        outside,
    }
}

/// The report of `project` does not hold the secret, and says why with an
/// `outside-project` warning; with `--allow-outside` the secret's grant is back.
fn assert_confined(l: &Layout, extra: &[&str], located_at: Option<&str>) {
    let r = report(&l.project, extra);
    assert!(!r.to_string().contains(SECRET), "{r:#}");
    let refused = diagnostics(&r, "outside-project");
    assert!(!refused.is_empty(), "{r:#}");
    assert_eq!(refused[0]["level"], "warning");
    assert!(
        refused[0]["message"]
            .as_str()
            .unwrap()
            .contains("outside the repository"),
        "{r:#}"
    );
    if let Some(file) = located_at {
        assert_eq!(refused[0]["file"], file, "{r:#}");
    }
    let outside = l.outside.to_str().unwrap();
    let mut allowed = extra.to_vec();
    allowed.extend(["--allow-outside", outside]);
    let r = report(&l.project, &allowed);
    assert!(r.to_string().contains(SECRET), "{r:#}");
    assert!(diagnostics(&r, "outside-project").is_empty(), "{r:#}");
}

#[test]
fn a_sam_code_uri_leaving_the_repository_is_not_read() {
    let l = layout();
    write(
        &l.project.join("template.yaml"),
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Out:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ../../outside/\n      Handler: app.handler\n      Runtime: python3.12\n",
    );
    assert_confined(&l, &[], Some("template.yaml"));
    let r = report(&l.project, &[]);
    assert_eq!(function(&r, "Out")["status"], "not-analysed");
    assert_eq!(diagnostics(&r, "outside-project")[0]["line"], 3);
}

#[test]
fn an_absolute_code_uri_is_not_read() {
    let l = layout();
    write(
        &l.project.join("template.yaml"),
        &format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Out:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: {}\n      Handler: app.handler\n      Runtime: python3.12\n",
            l.outside.display()
        ),
    );
    assert_confined(&l, &[], Some("template.yaml"));
}

#[test]
fn a_serverless_handler_path_leaving_the_repository_is_not_read() {
    let l = layout();
    write(
        &l.project.join("serverless.yml"),
        "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  out:\n    handler: ../../outside/helper.go\n",
    );
    assert_confined(&l, &[], Some("serverless.yml"));
}

#[cfg(unix)]
#[test]
fn a_symlinked_handler_or_import_leaving_the_repository_is_not_read() {
    use std::os::unix::fs::symlink;
    let l = layout();
    // A handler file that is a symlink out of the repository.
    symlink(l.outside.join("app.py"), l.project.join("app.py")).unwrap();
    // Named with `--handler`, a function that cannot be read is an error: exit 2 and
    // nothing written.
    let project = l.project.to_str().unwrap();
    let (code, out, err) = run(&[
        "generate",
        project,
        "--handler",
        "app.handler",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("warning[outside-project]"), "{err}");
    assert!(err.contains("error[function-not-analysed]"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
    let outside = l.outside.to_str().unwrap();
    let r = report(
        &l.project,
        &["--handler", "app.handler", "--allow-outside", outside],
    );
    assert!(r.to_string().contains(SECRET), "{r:#}");
    // Refusing one `--handler` keeps what another one's says.
    let (_, _, err) = run(&[
        "generate",
        l.project.to_str().unwrap(),
        "--handler",
        "app.handler",
        "--handler",
        "nothere.handler",
        "--format",
        "json",
    ]);
    assert!(err.contains("warning[outside-project]"), "{err}");
    assert!(
        err.contains("error[handler-file-not-found] no source file for handler `nothere.handler`"),
        "{err}"
    );

    // An import of a symlinked module, in a plain folder and with `--handler`.
    let l = layout();
    write(
        &l.project.join("index.js"),
        "const helper = require('./helper');\nexports.handler = async () => helper.go();\n",
    );
    symlink(l.outside.join("helper.js"), l.project.join("helper.js")).unwrap();
    assert_confined(&l, &[], Some("helper.js"));
    assert_confined(&l, &["--handler", "index.handler"], Some("helper.js"));

    // A symlinked folder used as the code folder.
    let l = layout();
    symlink(&l.outside, l.project.join("src")).unwrap();
    write(
        &l.project.join("template.yaml"),
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Out:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n",
    );
    assert_confined(&l, &[], Some("template.yaml"));

    // `calls` is confined too.
    let l = layout();
    write(&l.project.join("index.js"), "require('./helper');\n");
    symlink(l.outside.join("helper.js"), l.project.join("helper.js")).unwrap();
    let project = l.project.to_str().unwrap();
    let (code, out, _) = run(&["calls", project, "--format", "json"]);
    assert_eq!(code, 0);
    assert!(!out.contains(SECRET), "{out}");
    assert!(out.contains("outside-project"), "{out}");
    let outside = l.outside.to_str().unwrap();
    let (_, out, _) = run(&[
        "calls",
        project,
        "--allow-outside",
        outside,
        "--format",
        "json",
    ]);
    assert!(out.contains(SECRET), "{out}");
}

/// A handler in the project that reads the bucket named by its `BUCKET` variable.
const READS_BUCKET: &str = "import os\n\nimport boto3\n\ns3 = boto3.client('s3')\n\n\ndef handler(event, context):\n    return s3.get_object(Bucket=os.environ['BUCKET'], Key='k')\n";

#[test]
fn a_serverless_file_variable_leaving_the_repository_is_not_read() {
    let l = layout();
    write(&l.project.join("app.py"), READS_BUCKET);
    write(
        &l.outside.join("values.yml"),
        &format!("bucket: {SECRET}\n"),
    );
    write(
        &l.project.join("serverless.yml"),
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  reader:\n    handler: app.handler\n    environment:\n      BUCKET: ${file(../../outside/values.yml):bucket}\n",
    );
    assert_confined(&l, &[], Some("serverless.yml"));
    let r = report(&l.project, &[]);
    // At the line that names the file; the variable is then unknown, with that reason.
    assert_eq!(diagnostics(&r, "outside-project")[0]["line"], 9, "{r:#}");
    let unresolved = diagnostics(&r, "unresolved-resource");
    assert!(
        unresolved.iter().any(|d| d["message"]
            .as_str()
            .unwrap()
            .contains("(the file is outside the repository")),
        "{r:#}"
    );
}

#[cfg(unix)]
#[test]
fn a_configuration_file_that_is_a_symlink_leaving_the_repository_is_not_read() {
    use std::os::unix::fs::symlink;
    let l = layout();
    write(&l.project.join("app.py"), READS_BUCKET);
    write(
        &l.outside.join("serverless.yml"),
        &format!(
            "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  reader:\n    handler: app.handler\n    environment:\n      BUCKET: {SECRET}\n"
        ),
    );
    symlink(
        l.outside.join("serverless.yml"),
        l.project.join("serverless.yml"),
    )
    .unwrap();
    assert_confined(&l, &[], Some("serverless.yml"));

    // A SAM template too.
    let l = layout();
    write(&l.project.join("app.py"), READS_BUCKET);
    write(
        &l.outside.join("template.yaml"),
        &format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Reader:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n      Environment:\n        Variables:\n          BUCKET: {SECRET}\n"
        ),
    );
    symlink(
        l.outside.join("template.yaml"),
        l.project.join("template.yaml"),
    )
    .unwrap();
    assert_confined(&l, &[], Some("template.yaml"));
}

#[test]
fn the_outside_path_fixture_reads_nothing_under_etc() {
    let r = report(&fixture_project("outside-path"), &[]);
    let f = function(&r, "SystemFunction");
    assert_eq!(f["status"], "not-analysed");
    let refused = diagnostics(&r, "outside-project");
    assert_eq!(refused[0]["file"], "template.yaml", "{r:#}");
    assert!(
        refused[0]["message"].as_str().unwrap().contains("`/etc`"),
        "{r:#}"
    );
}

#[test]
fn a_missing_handler_is_located_at_its_configuration_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("serverless.yml"),
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  gone:\n    handler: nothere.handler\n",
    );
    let (_, out, err) = run(&["generate", dir.path().to_str().unwrap(), "--format", "json"]);
    let located: Vec<String> = err
        .lines()
        .filter(|l| l.contains("handler-file-not-found"))
        .map(str::to_string)
        .collect();
    assert!(!located.is_empty(), "{err}");
    assert!(
        located.iter().all(|l| l.contains("serverless.yml:6:1")),
        "{err}"
    );
    assert!(!out.contains("nothere.handler:1:1") && !err.contains("nothere.handler:1"));
    // Named relative to the project: the report does not depend on where it is.
    assert!(
        err.contains("in the project folder (tried nothere.py"),
        "{err}"
    );
    assert!(!err.contains(dir.path().to_str().unwrap()), "{err}");

    // A `--handler` flag has no configuration line: no location, not a fake file.
    let (code, _, err) = run(&[
        "generate",
        fixture_project("plain-python").to_str().unwrap(),
        "--handler",
        "nothere.handler",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error[handler-file-not-found] no source file"),
        "{err}"
    );
    assert!(!err.contains("nothere.handler:1:1"), "{err}");
}

#[test]
fn paths_are_relative_to_the_project_folder() {
    let r = report(&fixture_project("sam-app"), &[]);
    let f = function(&r, "ImageProcessorFunction");
    assert_eq!(
        f["files"],
        serde_json::json!(["src/image_processor/app.py"])
    );
    let sources: Vec<&Value> = f["grants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["sources"].as_array().unwrap())
        .collect();
    assert!(!sources.is_empty());
    assert!(
        sources
            .iter()
            .all(|s| s["file"] == "src/image_processor/app.py"),
        "{f:#}"
    );
    assert!(
        f["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "unresolved-resource")
            .all(|d| d["file"] == "src/image_processor/app.py"),
        "{f:#}"
    );

    // A CDK asset copied from the app's source: the source file.
    let r = report(&fixture_project("cdk-app"), &[]);
    let f = function(&r, "OrdersHandler7C9E1A2B");
    assert_eq!(
        f["files"],
        serde_json::json!([
            "src/orders/index.py",
            "src/orders/orders_lib/__init__.py",
            "src/orders/orders_lib/db.py"
        ])
    );
    // A bundled asset: kept, and said.
    let f = function(&r, "NotifierD2E3F4A5");
    let files = f["files"].as_array().unwrap();
    assert!(
        files
            .iter()
            .all(|x| x.as_str().unwrap().starts_with("cdk.out/asset.")),
        "{f:#}"
    );
    assert_eq!(diagnostics(&r, "cdk-asset-not-mapped").len(), 1, "{r:#}");
}

#[test]
fn a_missing_or_file_path_says_what_to_do() {
    let (code, out, err) = run(&["generate", "does/not/exist"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("does/not/exist does not exist"), "{err}");

    let file = fixture_project("plain-python").join("app.py");
    let (code, _, err) = run(&["generate", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("is a file"), "{err}");
    assert!(err.contains("--handler app."), "{err}");
    let folder = fixture_project("plain-python");
    assert!(
        err.contains(&format!("generate {}", folder.display())),
        "{err}"
    );

    let (code, _, err) = run(&["check", "does/not/exist"]);
    assert_eq!(code, 2);
    assert!(err.contains("does not exist"), "{err}");
}

// Lambda layers (issue 19): what a function imports from a layer of the project is
// analysed where the runtime finds it; a layer leastrole cannot read is named.

/// Each (path below `root`, text) written.
fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        write(&root.join(path), text);
    }
}

/// The actions of `report`'s function `name`, sorted.
fn actions(report: &Value, name: &str) -> Vec<String> {
    let mut out: Vec<String> = function(report, name)["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["action"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

const PY_LAYER_MODULE: &str = "import boto3\n\ns3 = boto3.client('s3')\n\n\ndef fetch(key):\n    return s3.get_object(Bucket='reports', Key=key)\n";

#[test]
fn a_layer_folder_leaving_the_repository_is_not_read() {
    let l = layout();
    write(
        &l.outside.join("python/outside_helper.py"),
        &format!(
            "import boto3\n\ns3 = boto3.client('s3')\n\n\ndef fetch():\n    return s3.get_object(Bucket='{SECRET}', Key='k')\n"
        ),
    );
    write(
        &l.project.join("src/app.py"),
        "from outside_helper import fetch\n\n\ndef handler(event, context):\n    return fetch()\n",
    );
    write(
        &l.project.join("template.yaml"),
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Out:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: ../../outside/\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n      Layers: [!Ref Out]\n",
    );
    assert_confined(&l, &[], Some("template.yaml"));
    let r = report(&l.project, &[]);
    assert_eq!(diagnostics(&r, "outside-project")[0]["line"], 7, "{r:#}");
}

#[test]
fn sam_layers_follow_globals_get_att_build_method_and_plain_cloudformation_content() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    // Globals' layer (laid out as /opt), the function's own (built into `nodejs/`), a
    // plain `AWS::Lambda::LayerVersion` by `!GetAtt`, and three that cannot be read.
    write_files(
        p,
        &[
            ("layers/base/nodejs/node_modules/base/index.js", "const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');\nconst sqs = new SQSClient({});\nexports.send = () => sqs.send(new SendMessageCommand({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs', MessageBody: 'x' }));\n"),
            ("layers/built/node_modules/built/index.js", "const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');\nconst sns = new SNSClient({});\nexports.publish = () => sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:news', Message: 'x' }));\n"),
            ("layers/plain/nodejs/node20/node_modules/plain/index.js", "const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');\nconst s3 = new S3Client({});\nexports.get = () => s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'k' }));\n"),
            ("src/app.js", "const base = require('base');\nconst built = require('built');\nconst { get } = require('plain');\nexports.handler = async () => { await base.send(); await built.publish(); await get(); };\n"),
            ("template.yaml", "Transform: AWS::Serverless-2016-10-31
Parameters:
  Insights:
    Type: String
Globals:
  Function:
    Layers:
      - !Ref Base
Resources:
  Base:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/base/
  Built:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/built/
    Metadata:
      BuildMethod: nodejs20.x
  Plain:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: layers/plain
  InS3:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: {S3Bucket: artifacts, S3Key: layer.zip}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs20.x
      Layers:
        - !Ref Built
        - !GetAtt Plain.LayerVersionArn
        - !Ref InS3
        - !Ref Insights
        - !Sub arn:${AWS::Partition}:lambda:${AWS::Region}:580247275435:layer:LambdaInsightsExtension:52
"),
        ],
    );
    let r = report(p, &[]);
    assert_eq!(
        actions(&r, "Fn"),
        ["s3:GetObject", "sns:Publish", "sqs:SendMessage"],
        "{r:#}"
    );
    let files = function(&r, "Fn")["files"].to_string();
    for file in [
        "layers/base/nodejs/node_modules/base/index.js",
        "layers/built/node_modules/built/index.js",
        "layers/plain/nodejs/node20/node_modules/plain/index.js",
    ] {
        assert!(files.contains(file), "{file} in {files}");
    }
    let not_followed: Vec<String> = diagnostics(&r, "layer-not-followed")
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(not_followed.len(), 3, "{not_followed:#?}");
    assert!(not_followed[0].contains("`InS3`") && not_followed[0].contains("S3"));
    assert!(not_followed[1].contains("`Insights`"));
    assert!(not_followed.iter().any(|m| m.contains("given by ARN")));
}

#[test]
fn the_functions_own_node_modules_and_the_sdk_are_not_taken_from_a_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    // The function ships its own `shared` (Node takes it first: a dependency, never
    // analysed); the layer's `shared` makes a call that must not be in the policy. The
    // layer also bundles an `@aws-sdk/client-s3` that is not the SDK's code.
    write_files(
        p,
        &[
            (
                "src/node_modules/shared/index.js",
                "exports.go = () => 1;\n",
            ),
            (
                "layer/nodejs/node_modules/shared/index.js",
                "const { SQSClient, DeleteQueueCommand } = require('@aws-sdk/client-sqs');\nexports.go = () => new SQSClient({}).send(new DeleteQueueCommand({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q' }));\n",
            ),
            (
                "layer/nodejs/node_modules/@aws-sdk/client-s3/index.js",
                "exports.S3Client = class {};\n",
            ),
            (
                "src/app.js",
                "const shared = require('shared');\nconst { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');\nconst s3 = new S3Client({});\nexports.handler = async () => { shared.go(); await s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'k' })); };\n",
            ),
            (
                "template.yaml",
                "Transform: AWS::Serverless-2016-10-31\nResources:\n  Layer:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: layer/\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: nodejs20.x\n      Layers: [!Ref Layer]\n",
            ),
        ],
    );
    let r = report(p, &[]);
    assert_eq!(actions(&r, "Fn"), ["s3:GetObject"], "{r:#}");
}

#[test]
fn python_layers_search_site_packages_first_and_keep_boto3_the_sdk() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    // `helper` is both in the layer's site-packages and in `python/`: the runtime takes
    // site-packages first. The layer also bundles a boto3, which stays the SDK.
    write_files(
        p,
        &[
            (
                "layer/python/lib/python3.12/site-packages/helper.py",
                PY_LAYER_MODULE,
            ),
            (
                "layer/python/helper.py",
                "import boto3\n\n\ndef fetch(key):\n    return boto3.client('sqs').purge_queue(QueueUrl=key)\n",
            ),
            (
                "layer/python/boto3/__init__.py",
                "def client(name):\n    pass\n",
            ),
            (
                "src/app.py",
                "from helper import fetch\n\n\ndef handler(event, context):\n    return fetch('k')\n",
            ),
            (
                "serverless.yml",
                "service: svc\nprovider:\n  name: aws\n  runtime: python3.12\n  layers:\n    - {Ref: SharedDashcodeLambdaLayer}\nlayers:\n  shared-code:\n    path: layer\nfunctions:\n  fromProvider:\n    handler: src/app.handler\n  own:\n    handler: src/app.handler\n    layers:\n      - arn:aws:lambda:us-east-1:123456789012:layer:other:1\n",
            ),
        ],
    );
    let r = report(p, &[]);
    assert_eq!(actions(&r, "fromProvider"), ["s3:GetObject"], "{r:#}");
    // A function's own `layers` replaces the provider's.
    assert!(actions(&r, "own").is_empty(), "{r:#}");
    let not_followed = diagnostics(&r, "layer-not-followed");
    assert_eq!(not_followed.len(), 1, "{r:#}");
    assert!(
        not_followed[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("own: layer `arn:aws:lambda:us-east-1:123456789012:layer:other:1`"),
        "{r:#}"
    );
}

#[test]
fn a_cdk_layer_is_read_from_the_app_folder_its_asset_copies() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    let handler =
        "from shared_cdk import fetch\n\n\ndef handler(event, context):\n    return fetch('k')\n";
    write_files(
        p,
        &[
            ("cdk.json", "{\"app\": \"python3 app.py\"}\n"),
            ("src/index.py", handler),
            ("cdk.out/asset.fn/index.py", handler),
            ("layers/shared/python/shared_cdk.py", PY_LAYER_MODULE),
            ("cdk.out/asset.layer/python/shared_cdk.py", PY_LAYER_MODULE),
            (
                "cdk.out/Stack.template.json",
                r#"{"Resources": {
  "SharedLayer": {"Type": "AWS::Lambda::LayerVersion",
    "Properties": {"Content": {"S3Bucket": "assets", "S3Key": "layer.zip"}},
    "Metadata": {"aws:asset:path": "asset.layer"}},
  "Fn": {"Type": "AWS::Lambda::Function",
    "Properties": {"Handler": "index.handler", "Runtime": "python3.12",
      "Code": {"S3Bucket": "assets", "S3Key": "fn.zip"},
      "Layers": [{"Ref": "SharedLayer"}]},
    "Metadata": {"aws:asset:path": "asset.fn"}}
}}"#,
            ),
        ],
    );
    let r = report(p, &[]);
    assert_eq!(actions(&r, "Fn"), ["s3:GetObject"], "{r:#}");
    let files = function(&r, "Fn")["files"].to_string();
    assert!(
        files.contains("\"layers/shared/python/shared_cdk.py\""),
        "{files}"
    );
}

#[test]
fn layer_packages_resolve_by_exports_and_scoped_subpaths() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    let sqs = "const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');\nexports.send = () => new SQSClient({}).send(new SendMessageCommand({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs', MessageBody: 'x' }));\n";
    let sns = "const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');\nexports.publish = () => new SNSClient({}).send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:news', Message: 'x' }));\n";
    write_files(
        p,
        &[
            // `exports` wins over `main`, and `require` is the condition Node takes.
            (
                "layer/nodejs/node_modules/jobs/package.json",
                r#"{"main": "wrong.js", "exports": {".": {"import": "./esm/wrong.mjs", "require": "./cjs/index.js"}}}"#,
            ),
            ("layer/nodejs/node_modules/jobs/cjs/index.js", sqs),
            (
                "layer/nodejs/node_modules/jobs/wrong.js",
                "exports.send = () => 1;\n",
            ),
            ("layer/nodejs/node_modules/@org/util/db.js", sns),
            (
                "src/app.ts",
                "import { send } from 'jobs';\nimport { publish } from '@org/util/db';\nexport const handler = async () => { await send(); await publish(); };\n",
            ),
            (
                "template.yaml",
                "Transform: AWS::Serverless-2016-10-31\nResources:\n  Layer:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: layer/\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: nodejs22.x\n      Layers: [!Ref Layer]\n",
            ),
        ],
    );
    let r = report(p, &[]);
    assert_eq!(
        actions(&r, "Fn"),
        ["sns:Publish", "sqs:SendMessage"],
        "{r:#}"
    );
}
