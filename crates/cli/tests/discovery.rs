//! Project discovery as a user meets it (issue 17): what was not found is said, plain
//! CloudFormation templates are read, nothing outside the project's repository is read
//! unless `--allow-outside` says so, and every path is relative to the project folder.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn project(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/projects")
        .join(name)
}

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

fn function<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no function {name} in {report:#}"))
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
        (project("empty-project"), "no .py/.js/.ts source file"),
        (project("serverless-no-functions"), "`functions` is missing"),
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
    let dir = project("cloudformation-plain");
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
    let r = report(&project("outside-path"), &[]);
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
        project("plain-python").to_str().unwrap(),
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
    let r = report(&project("sam-app"), &[]);
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
    let r = report(&project("cdk-app"), &[]);
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

    let file = project("plain-python").join("app.py");
    let (code, _, err) = run(&["generate", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("is a file"), "{err}");
    assert!(err.contains("--handler app."), "{err}");
    let folder = project("plain-python");
    assert!(
        err.contains(&format!("generate {}", folder.display())),
        "{err}"
    );

    let (code, _, err) = run(&["check", "does/not/exist"]);
    assert_eq!(code, 2);
    assert!(err.contains("does not exist"), "{err}");
}
