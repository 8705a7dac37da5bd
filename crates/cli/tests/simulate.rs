//! Proof by simulation (issue 8): every example project's generated policies are
//! evaluated by a real IAM policy evaluator, `@cloud-copilot/iam-simulate` (pinned in
//! `tests/simulate/package.json` and its lock file), run by `tests/simulate/simulate.mjs`.
//!
//! Two sets of requests are asked, per function:
//! - the oracle, written by hand from the handler code and independent of the generator
//!   (`tests/simulate/expected/<project>.json`): each call the code makes, with the
//!   project's real resource names, must be **allowed**; each near miss (another bucket,
//!   another table, another action of the same service, a write where the code only
//!   reads) must be **denied**;
//! - every grant of the report, made concrete (each `*` replaced by a sample value),
//!   must be allowed by the policy built from those grants.
//!
//! Needs node and npm: outside CI the test skips with a note when they are missing; in
//! CI (`CI` set) it fails. `npm ci` runs when `node_modules` is missing.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as Std, Stdio};

use assert_cmd::Command;
use leastrole_testkit::fixture_projects;
use serde::Deserialize;
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";

fn simulate_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/simulate")
}

/// Not being able to run the evaluator: a failure in CI, a note elsewhere.
fn unavailable(why: &str) {
    leastrole_testkit::tool_missing("the policy simulation", why);
}

/// Node with the pinned package installed, or why not.
fn prepare() -> Result<(), String> {
    let node = Std::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Err("`node` is not on PATH".into());
    }
    let dir = simulate_dir();
    if dir
        .join("node_modules/@cloud-copilot/iam-simulate/package.json")
        .is_file()
    {
        return Ok(());
    }
    let npm = Std::new("npm")
        .args(["ci", "--prefer-offline", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("cannot run `npm`: {e}"))?;
    if npm.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`npm ci` in {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&npm.stderr)
        ))
    }
}

#[path = "simulate/deploy.rs"]
mod deploy;

/// An oracle file. A request's resource may name template resources as `${Logical}` and
/// `${Logical.Attr}` (a name CloudFormation generates, a queue's URL): both tests expand
/// them with the deploy simulation's physical values.
#[derive(Debug, Deserialize)]
struct Expected {
    functions: BTreeMap<String, Requests>,
    /// How the project is deployed (stack, region, parameters, Serverless variables).
    #[serde(default)]
    deploy: deploy::Settings,
}

#[derive(Debug, Deserialize)]
struct Requests {
    allow: Vec<Request>,
    deny: Vec<Request>,
}

#[derive(Debug, Clone, Deserialize)]
struct Request {
    action: String,
    resource: String,
    why: String,
    /// Asked only of the deployed policies: a near miss on a resource whose name
    /// CloudFormation generates, which plain (`json`) output can only show as `*`.
    #[serde(default)]
    deployed_only: bool,
}

/// One question for the simulator and the answer the test wants.
struct Case {
    what: String,
    policy: Value,
    action: String,
    resource: String,
    allowed: bool,
}

/// Every fixture project, sorted.
fn project_names() -> Vec<String> {
    let mut projects: Vec<String> = std::fs::read_dir(fixture_projects())
        .expect("fixtures/projects")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    projects.sort();
    projects
}

/// A project's oracle; every example project needs one.
fn oracle(project: &str) -> Expected {
    let oracle = simulate_dir().join(format!("expected/{project}.json"));
    let text = std::fs::read_to_string(&oracle).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: every example project needs an oracle",
            oracle.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", oracle.display()))
}

fn generate(project: &Path) -> Value {
    let out = Command::cargo_bin("leastrole")
        .expect("binary builds")
        .args(["generate", project.to_str().expect("utf-8 path")])
        .args(["--format", "json", "--partition", "aws"])
        .args(["--region", "us-east-1", "--account", ACCOUNT])
        // The deliberately broken projects (a config that does not parse) are read as
        // plain folders: their oracles describe that reading.
        .arg("--config-fallback")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}: {}",
        project.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

/// A grant's resource with each wildcard replaced by a sample value: the request a
/// call with an unknowable name could send. `*` alone stays `*` (actions without a
/// resource type are asked about `*`).
fn concrete(resource: &str) -> String {
    if resource == "*" {
        return resource.to_string();
    }
    resource.replace('*', "sample-value").replace('?', "x")
}

fn cases_for(project: &str, report: &Value, expected: &Expected, cases: &mut Vec<Case>) {
    let functions: BTreeMap<&str, &Value> = report["functions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| Some((f["name"].as_str()?, f)))
        .collect();
    // Placeholders (`${OrdersTable}`) take the deployed values.
    let uses_placeholders = expected
        .functions
        .values()
        .flat_map(|r| r.allow.iter().chain(&r.deny))
        .any(|r| r.resource.contains("${"));
    let table = if uses_placeholders {
        deploy::placeholder_table(project, &expected.deploy)
    } else {
        deploy::Table::new()
    };
    for (name, requests) in &expected.functions {
        let function = functions.get(name.as_str()).unwrap_or_else(|| {
            panic!(
                "{project}: the oracle names function {name}, the report has {:?}",
                functions.keys()
            )
        });
        let policy = &function["policy"];
        for (list, allowed) in [(&requests.allow, true), (&requests.deny, false)] {
            for r in list.iter().filter(|r| !r.deployed_only) {
                let resource = deploy::expand_placeholders(&r.resource, &table, project);
                cases.push(Case {
                    what: format!("{project}/{name}: {} {resource} ({})", r.action, r.why),
                    policy: policy.clone(),
                    action: r.action.clone(),
                    resource,
                    allowed,
                });
            }
        }
    }
    for (name, function) in &functions {
        assert!(
            expected.functions.contains_key(*name)
                || function["grants"].as_array().is_none_or(Vec::is_empty),
            "{project}: function {name} has grants but no oracle in expected/{project}.json"
        );
        for grant in function["grants"].as_array().into_iter().flatten() {
            let action = grant["action"].as_str().expect("grant action");
            let resource = grant["resource"].as_str().expect("grant resource");
            cases.push(Case {
                what: format!("{project}/{name}: grant {action} {resource}"),
                policy: function["policy"].clone(),
                action: action.to_string(),
                resource: concrete(resource),
                allowed: true,
            });
        }
    }
}

fn simulate(cases: &[Case]) -> Vec<Value> {
    let input = json!({
        "cases": cases.iter().enumerate().map(|(i, c)| json!({
            "id": i,
            "policy": c.policy,
            "action": c.action,
            "resource": c.resource,
            "account": ACCOUNT,
        })).collect::<Vec<_>>()
    });
    let mut child = Std::new("node")
        .arg("simulate.mjs")
        .current_dir(simulate_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let text = serde_json::to_vec(&input).expect("cases serialise");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&text)
        .expect("write the cases");
    let out = child.wait_with_output().expect("node finishes");
    assert!(
        out.status.success(),
        "simulate.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Value = serde_json::from_slice(&out.stdout).expect("results are JSON");
    results["results"].as_array().cloned().unwrap_or_default()
}

/// IAM's wildcard match on one string: `*` any run of characters (`/` and `:` too),
/// `?` one character, everything else exact.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || Some(&c) == text.get(t) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// iam-simulate 0.1.173 requires a policy ARN's resource id to start with a literal
/// resource-type prefix up to its first `/` or `:` (its `getResourceSegments`), so it
/// denies `arn:aws:execute-api:us-east-1:123456789012:*/*/*/*` for any request. AWS has
/// no such rule: API Gateway's own examples grant
/// `arn:aws:execute-api:us-east-1:*:*/*/POST/@connections/*`, where the unknowable API id
/// comes first. For statements of that shape only, the test matches the ARN itself with
/// IAM's wildcard rules; every other decision is the simulator's.
fn allowed_by_leading_wildcard(policy: &Value, action: &str, resource: &str) -> bool {
    let leading_wildcard = |arn: &str| {
        arn.splitn(6, ':')
            .nth(5)
            .is_some_and(|id| id.starts_with(['*', '?']))
    };
    policy["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| {
            let listed = |key: &str, want: &str| match &s[key] {
                Value::String(v) => v == want,
                Value::Array(vs) => vs.iter().any(|v| v == want),
                _ => false,
            };
            s["Effect"] == "Allow"
                && listed("Action", action)
                && s["Resource"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .any(|r| leading_wildcard(r) && glob(r.as_bytes(), resource.as_bytes()))
        })
}

#[test]
fn glob_matches_like_iam() {
    assert!(glob(
        b"arn:aws:execute-api:r:a:*/*/*/*",
        b"arn:aws:execute-api:r:a:id/prod/POST/@connections/x="
    ));
    assert!(!glob(
        b"arn:aws:execute-api:r:a:*/*/*/*",
        b"arn:aws:execute-api:r:a:id/prod"
    ));
    assert!(glob(b"a?c*", b"abcdef"));
    assert!(!glob(b"a?c", b"ac"));
    assert!(!glob(b"abc", b"ABC"));
}

#[test]
fn generated_policies_allow_the_code_and_deny_near_misses() {
    if let Err(why) = prepare() {
        unavailable(&why);
        return;
    }
    let projects = project_names();
    let mut cases = Vec::new();
    for project in &projects {
        let expected = oracle(project);
        let report = generate(&fixture_projects().join(project));
        cases_for(project, &report, &expected, &mut cases);
    }
    let results = simulate(&cases);
    assert_eq!(results.len(), cases.len(), "one result per case");
    let mut failures = Vec::new();
    let (mut allows, mut denies, mut by_glob) = (0, 0, 0);
    for (case, result) in cases.iter().zip(&results) {
        let decision = result["decision"].as_str().unwrap_or("?");
        let ok = if case.allowed {
            allows += 1;
            let glob_ok = decision == "ImplicitlyDenied"
                && allowed_by_leading_wildcard(&case.policy, &case.action, &case.resource);
            by_glob += usize::from(glob_ok);
            decision == "Allowed" || glob_ok
        } else {
            denies += 1;
            decision == "ImplicitlyDenied"
        };
        if !ok {
            failures.push(format!(
                "{}: want {}, got {decision} {}",
                case.what,
                if case.allowed { "Allowed" } else { "Denied" },
                if result["errors"].is_null() {
                    String::new()
                } else {
                    result["errors"].to_string()
                }
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} simulated requests failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // Not vacuous: the projects ask real questions both ways, and the simulator decides
    // nearly all of them.
    assert!(
        allows > 50 && denies > 30,
        "{allows} allowed, {denies} denied"
    );
    // The workaround above stays the exception: an API id or pool id left `*` in plain
    // output, never a way around the simulator for most requests.
    assert!(
        by_glob * 20 <= allows,
        "{by_glob} of {allows} allowed requests matched outside the simulator"
    );
    #[expect(clippy::print_stderr, reason = "the figures a run reports")]
    {
        eprintln!(
            "simulated {} requests over {} projects: {allows} allowed as expected ({by_glob} of them by the leading-wildcard rule the simulator lacks), {denies} near misses denied",
            cases.len(),
            projects.len()
        );
    }
}

/// sam-app deployed with `Stage=staging`, not the parameter's `Default` (`prod`): what
/// CloudFormation gives each reference and pseudo parameter the generated templates use.
/// A reference this list does not know fails the test: the output grew one to check.
fn staging_value(name: &str) -> String {
    let value = match name {
        "AWS::Partition" => "aws",
        "AWS::Region" => "us-east-1",
        "AWS::AccountId" => ACCOUNT,
        "AWS::StackName" => "image-pipeline",
        "Stage" => "staging",
        "ImagesTable" => "images-staging",
        "JobsQueue" => "https://sqs.us-east-1.amazonaws.com/123456789012/image-jobs-staging",
        "JobsQueue.QueueName" => "image-jobs-staging",
        "JobsQueue.Arn" => "arn:aws:sqs:us-east-1:123456789012:image-jobs-staging",
        "ConfigParameter" => "/image-pipeline/staging/config",
        "ImageWorkflow" => {
            "arn:aws:states:us-east-1:123456789012:stateMachine:image-workflow-staging"
        }
        other => panic!("sam-app staging: no value for the reference `{other}`"),
    };
    value.to_string()
}

/// A CloudFormation value with `Ref`, `Fn::GetAtt` and `Fn::Sub` evaluated as
/// CloudFormation would (`values` gives each reference's value).
fn evaluate(value: &Value, values: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| evaluate(v, values)).collect()),
        Value::Object(m) if m.len() == 1 => {
            let (key, arg) = m.iter().next().expect("one key");
            match (key.as_str(), arg) {
                ("Ref", Value::String(name)) => json!(values(name)),
                ("Fn::GetAtt", Value::Array(pair)) => {
                    let names: Vec<&str> = pair.iter().filter_map(Value::as_str).collect();
                    json!(values(&names.join(".")))
                }
                ("Fn::Sub", Value::String(template)) => {
                    let mut out = String::new();
                    let mut rest = template.as_str();
                    while let Some((before, after)) = rest.split_once("${") {
                        out.push_str(before);
                        if let Some(literal) = after.strip_prefix('!') {
                            out.push_str("${");
                            rest = literal;
                            continue;
                        }
                        let (name, tail) = after.split_once('}').expect("closed ${…}");
                        out.push_str(&values(name));
                        rest = tail;
                    }
                    out.push_str(rest);
                    json!(out)
                }
                _ => Value::Object(
                    m.iter()
                        .map(|(k, v)| (k.clone(), evaluate(v, values)))
                        .collect(),
                ),
            }
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), evaluate(v, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The paste-ready templates hold in another stage: sam-app's `--format cloudformation`
/// roles and `--format sam` policies, deployed with `Stage=staging`, allow what the
/// handlers ask of the staging resources (and the function its own logs) and deny the
/// same request on the prod resources a policy computed from the parameter's default
/// would name.
#[test]
fn template_output_holds_in_another_stage() {
    if let Err(why) = prepare() {
        unavailable(&why);
        return;
    }
    let project = fixture_projects().join("sam-app");
    let template = |format: &str| -> Value {
        let out = Command::cargo_bin("leastrole")
            .expect("binary builds")
            .args(["generate", project.to_str().expect("utf-8 path")])
            .args(["--format", format])
            .output()
            .expect("runs");
        assert!(out.status.success(), "{format}: exit {}", out.status);
        let yaml: serde_yaml_ng::Value =
            serde_yaml_ng::from_slice(&out.stdout).expect("the output is YAML");
        serde_json::to_value(yaml).expect("YAML maps to JSON")
    };
    let cfn = template("cloudformation");
    let sam = template("sam");
    let mut documents: Vec<(String, Value)> = Vec::new();
    for function in ["ApiFunction", "ImageProcessorFunction"] {
        let role = &cfn[format!("{function}Role")]["Properties"]["Policies"][0]["PolicyDocument"];
        assert!(role.is_object(), "no role for {function} in {cfn}");
        documents.push((
            format!("cloudformation {function}"),
            evaluate(role, &staging_value),
        ));
        let policy = &sam["Resources"][function]["Properties"]["Policies"][0];
        assert!(policy.is_object(), "no policy for {function} in {sam}");
        documents.push((format!("sam {function}"), evaluate(policy, &staging_value)));
    }
    let arn = |service: &str, rest: &str| format!("arn:aws:{service}:us-east-1:{ACCOUNT}:{rest}");
    // (function, action, resource in staging, the same resource in prod)
    let requests = [
        (
            "ApiFunction",
            "sqs:SendMessage",
            arn("sqs", "image-jobs-staging"),
            arn("sqs", "image-jobs-prod"),
        ),
        (
            "ApiFunction",
            "states:StartExecution",
            arn("states", "stateMachine:image-workflow-staging"),
            arn("states", "stateMachine:image-workflow-prod"),
        ),
        (
            "ImageProcessorFunction",
            "ssm:GetParameter",
            arn("ssm", "parameter/image-pipeline/staging/config"),
            arn("ssm", "parameter/image-pipeline/prod/config"),
        ),
        (
            "ImageProcessorFunction",
            "dynamodb:PutItem",
            arn("dynamodb", "table/images-staging"),
            arn("dynamodb", "table/images-prod"),
        ),
    ];
    let mut cases = Vec::new();
    for (what, document) in &documents {
        let function = what.rsplit(' ').next().expect("a function name");
        for (f, action, staging, prod) in &requests {
            if f != &function {
                continue;
            }
            for (resource, allowed) in [(staging, true), (prod, false)] {
                cases.push(Case {
                    what: format!("{what}: {action} {resource}"),
                    policy: document.clone(),
                    action: (*action).to_string(),
                    resource: resource.clone(),
                    allowed,
                });
            }
        }
        if what.starts_with("cloudformation") {
            // The function's own log group, as CloudFormation names the function.
            let group = format!("/aws/lambda/image-pipeline-{function}-A1B2C3D4E5F6");
            for (action, resource) in [
                (
                    "logs:CreateLogGroup",
                    arn("logs", &format!("log-group:{group}")),
                ),
                (
                    "logs:CreateLogStream",
                    arn(
                        "logs",
                        &format!("log-group:{group}:log-stream:2026/01/01/[$LATEST]abc"),
                    ),
                ),
                (
                    "logs:PutLogEvents",
                    arn(
                        "logs",
                        &format!("log-group:{group}:log-stream:2026/01/01/[$LATEST]abc"),
                    ),
                ),
            ] {
                cases.push(Case {
                    what: format!("{what}: {action} {resource}"),
                    policy: document.clone(),
                    action: action.to_string(),
                    resource,
                    allowed: true,
                });
            }
        }
    }
    assert!(cases.len() >= 20, "{} cases", cases.len());
    assert_decisions(&cases);
}

/// Each case decided as it wants: allowed, or implicitly denied.
fn assert_decisions(cases: &[Case]) {
    let results = simulate(cases);
    assert_eq!(results.len(), cases.len(), "one result per case");
    let failures: Vec<String> = cases
        .iter()
        .zip(&results)
        .filter_map(|(case, result)| {
            let decision = result["decision"].as_str().unwrap_or("?");
            let want = if case.allowed {
                "Allowed"
            } else {
                "ImplicitlyDenied"
            };
            (decision != want).then(|| format!("{}: want {want}, got {decision}", case.what))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The values serverless-v4-per-function's references take deployed as stage `prod`.
fn inventory_prod_value(name: &str) -> String {
    let arn = |service: &str, rest: &str| format!("arn:aws:{service}:us-east-2:{ACCOUNT}:{rest}");
    match name {
        "AWS::Partition" => "aws".to_string(),
        "AWS::Region" => "us-east-2".to_string(),
        "AWS::AccountId" => ACCOUNT.to_string(),
        // `params.prod.busName`.
        "InventoryBus" => "inventory-events".to_string(),
        "AlertTopic" => arn("sns", "inventory-prod-low-stock"),
        "SlackWebhookSecret" => arn(
            "secretsmanager",
            "secret:inventory/prod/slack-webhook-AbCdEf",
        ),
        other => panic!("serverless-v4-per-function prod: no value for the reference `{other}`"),
    }
}

/// Serverless variables in `text` replaced by what the framework gives them when it
/// deploys `values`' stage; CloudFormation's `${…}` (no `source:`) is left for
/// [`evaluate`]. A Serverless variable `values` does not know fails the test.
fn resolve_serverless(text: &str, values: &dyn Fn(&str) -> Option<&'static str>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = variable_end(rest, start).expect("closed ${…}");
        let variable = &rest[start..end];
        let inner = &variable[2..variable.len() - 1];
        let source = inner.split([':', '(']).next().unwrap_or("");
        let serverless = inner.starts_with("file(")
            || (!source.is_empty()
                && source.chars().all(|c| c.is_ascii_lowercase())
                && !inner.contains("::"));
        match values(variable) {
            Some(value) => out.push_str(value),
            None if serverless => panic!("no stage value for the variable `{variable}`"),
            None => out.push_str(variable),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Where the Serverless variable starting at `start` (`${`) of `text` ends (after its
/// `}`), variables nested in it included.
fn variable_end(text: &str, start: usize) -> Option<usize> {
    let mut level = 0;
    text[start..].char_indices().find_map(|(i, c)| {
        match c {
            '{' => level += 1,
            '}' => {
                level -= 1;
                if level == 0 {
                    return Some(start + i + 1);
                }
            }
            _ => {}
        }
        None
    })
}

/// A JSON value with every string's Serverless variables resolved.
fn resolve_serverless_value(value: &Value, values: &dyn Fn(&str) -> Option<&'static str>) -> Value {
    match value {
        Value::String(s) => json!(resolve_serverless(s, values)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve_serverless_value(v, values))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), resolve_serverless_value(v, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The paste-ready Serverless statements hold in another stage (issue 17):
/// serverless-v4-per-function's `--format serverless` output, generated for the default
/// stage (`dev`) and deployed as `prod` (the framework resolves its variables for
/// `prod`, then CloudFormation its references), allows what the handlers ask of the prod
/// resources and denies the same request on the dev ones.
#[test]
fn serverless_output_holds_in_another_stage() {
    if let Err(why) = prepare() {
        unavailable(&why);
        return;
    }
    let project = fixture_projects().join("serverless-v4-per-function");
    let out = Command::cargo_bin("leastrole")
        .expect("binary builds")
        .args(["generate", project.to_str().expect("utf-8 path")])
        .args(["--format", "serverless"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "exit {}", out.status);
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_slice(&out.stdout).expect("the output is YAML");
    let config = serde_json::to_value(yaml).expect("YAML maps to JSON");
    // What the framework gives each variable for `prod` (`config/prod.yml` holds the
    // report bucket and prefix).
    let prod = |variable: &str| match variable {
        "${sls:stage}" => Some("prod"),
        "${self:custom.stockTable}" => Some("inventory-prod-stock"),
        "${self:custom.reportConfig.reportBucket}" => Some("inventory-reports-prod"),
        "${file(./config/${sls:stage}.yml):prefix, 'reports'}" => Some("nightly"),
        _ => None,
    };
    let config = resolve_serverless_value(&config, &prod);
    let arn = |service: &str, rest: &str| format!("arn:aws:{service}:us-east-2:{ACCOUNT}:{rest}");
    // (function, action, resource in prod, the same resource in dev)
    let requests = [
        (
            "updateStock",
            "dynamodb:UpdateItem",
            arn("dynamodb", "table/inventory-prod-stock"),
            arn("dynamodb", "table/inventory-dev-stock"),
        ),
        (
            "updateStock",
            "events:PutEvents",
            arn("events", "event-bus/inventory-events"),
            arn("events", "event-bus/inventory-dev-events"),
        ),
        (
            "nightlyReport",
            "dynamodb:Scan",
            arn("dynamodb", "table/inventory-prod-stock"),
            arn("dynamodb", "table/inventory-dev-stock"),
        ),
        (
            "nightlyReport",
            "s3:PutObject",
            "arn:aws:s3:::inventory-reports-prod/nightly/prod/stock.csv".to_string(),
            "arn:aws:s3:::inventory-reports-dev/nightly/dev/stock.csv".to_string(),
        ),
    ];
    let mut cases = Vec::new();
    for (function, action, prod_resource, dev_resource) in &requests {
        let statements = &config["functions"][function]["iam"]["role"]["statements"];
        assert!(
            statements.is_array(),
            "no statements for {function} in {config}"
        );
        let policy = evaluate(
            &json!({ "Version": "2012-10-17", "Statement": statements }),
            &inventory_prod_value,
        );
        for (resource, allowed) in [(prod_resource, true), (dev_resource, false)] {
            cases.push(Case {
                what: format!("serverless {function}: {action} {resource}"),
                policy: policy.clone(),
                action: (*action).to_string(),
                resource: resource.clone(),
                allowed,
            });
        }
    }
    assert_decisions(&cases);
}
