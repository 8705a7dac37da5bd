//! What each project in `fixtures/projects/` declares for its functions' roles
//! (`Function.declared`, for `leastrole check`), as a readable snapshot: the role, every
//! statement with its origin (path, line, framework-managed), references kept, the
//! framework facts and the diagnostics. Assertions beside the snapshots pin the
//! expansions that matter (SAM templates, managed policies, not-checkable reasons).

use std::fmt::Write as _;
use std::path::Path;

use leastrole_project::declared::{Declared, DeclaredRole, DeclaredStatement, Effect};
use leastrole_project::{DiscoverOptions, Function, ValuePart, discover};

mod common;

use common::{parts, project};

fn statement(s: &DeclaredStatement) -> String {
    let effect = match s.effect {
        Effect::Allow => "Allow",
        Effect::Deny => "Deny",
    };
    let action = if s.not_action { "NotAction" } else { "Action" };
    let resource = if s.not_resource {
        "NotResource"
    } else {
        "Resource"
    };
    let resources: Vec<String> = s.resources.iter().map(|r| parts(r)).collect();
    let line = s
        .origin
        .location
        .as_ref()
        .map(|l| format!("{}:{}", l.file, l.line))
        .unwrap_or_default();
    let mut out = format!(
        "    - {effect} {action} [{}] {resource} [{}]\n      from {} at {line}\n",
        s.actions.join(", "),
        resources.join(", "),
        s.origin.path,
    );
    if let Some(by) = &s.origin.framework_managed {
        writeln!(out, "      framework-managed: {by}").unwrap();
    }
    if let Some(c) = &s.condition {
        writeln!(out, "      condition: {c}").unwrap();
    }
    out
}

fn declared(d: &Declared) -> String {
    let mut out = String::new();
    match &d.role {
        DeclaredRole::Checkable { description } => {
            writeln!(out, "  role: {description}").unwrap();
        }
        DeclaredRole::NotCheckable { reason } => {
            writeln!(out, "  not checkable: {reason}").unwrap();
        }
    }
    for s in &d.statements {
        out.push_str(&statement(s));
    }
    let f = &d.framework;
    for e in &f.event_sources {
        writeln!(out, "  event source {}: {}", e.kind, parts(&e.arn)).unwrap();
    }
    if let Some(dl) = &f.dead_letter {
        writeln!(out, "  dead letter: {}", parts(dl)).unwrap();
    }
    if f.vpc {
        writeln!(out, "  vpc").unwrap();
    }
    if f.tracing {
        writeln!(out, "  tracing").unwrap();
    }
    for u in &d.unknown_grants {
        writeln!(out, "  unknown grant: {u}").unwrap();
    }
    for diag in &d.diagnostics {
        writeln!(out, "  diagnostic: {diag:?}").unwrap();
    }
    out
}

fn functions(name: &str) -> Vec<Function> {
    discover(&project(name), &DiscoverOptions::default()).functions
}

fn render(name: &str) -> String {
    let mut out = String::new();
    for f in functions(name) {
        writeln!(out, "{}:", f.name).unwrap();
        match &f.declared {
            Some(d) => out.push_str(&declared(d)),
            None => writeln!(out, "  (none)").unwrap(),
        }
    }
    out
}

fn function(name: &str, function: &str) -> Declared {
    functions(name)
        .into_iter()
        .find(|f| f.name == function)
        .unwrap_or_else(|| panic!("{name} has no function {function}"))
        .declared
        .unwrap_or_else(|| panic!("{function} declares no role"))
}

fn all_actions(d: &Declared, framework_managed: bool) -> Vec<String> {
    d.statements
        .iter()
        .filter(|s| s.origin.framework_managed.is_some() == framework_managed)
        .flat_map(|s| s.actions.clone())
        .collect()
}

macro_rules! snapshot_project {
    ($test:ident, $project:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(render($project));
        }
    };
}

snapshot_project!(serverless_v3_shared_role, "serverless-v3-shared-role");
snapshot_project!(serverless_v4_per_function, "serverless-v4-per-function");
snapshot_project!(sam_app, "sam-app");
snapshot_project!(cdk_app, "cdk-app");
snapshot_project!(plain_python, "plain-python");

#[test]
fn sam_policy_template_parameters_are_substituted_with_the_reference_kept() {
    let d = function("sam-app", "ImageProcessorFunction");
    let crud = d
        .statements
        .iter()
        .find(|s| s.origin.path.contains("(DynamoDBCrudPolicy)"))
        .expect("the DynamoDBCrudPolicy statement");
    assert!(crud.actions.contains(&"dynamodb:PutItem".to_string()));
    // `TableName: !Ref ImagesTable` stays a reference inside SAM's `Fn::Sub`.
    assert!(
        crud.resources[0].iter().any(|p| matches!(p,
            ValuePart::Ref { logical_id, attribute: None, .. } if logical_id == "ImagesTable")),
        "{:?}",
        crud.resources[0]
    );
    assert_eq!(crud.origin.framework_managed, None);
}

#[test]
fn sam_generated_role_has_the_managed_policies_sam_attaches() {
    let d = function("sam-app", "ApiFunction");
    let managed = all_actions(&d, true);
    assert!(
        managed.contains(&"logs:PutLogEvents".to_string()),
        "{managed:?}"
    );
    assert!(
        managed.contains(&"xray:PutTraceSegments".to_string()),
        "{managed:?}"
    );
    assert!(
        !all_actions(&d, false)
            .iter()
            .any(|a| a.starts_with("logs:"))
    );
    assert!(d.framework.tracing);
}

#[test]
fn cdk_grant_lands_in_the_default_policy_and_basic_role_is_framework_managed() {
    let d = function("cdk-app", "OrdersHandler7C9E1A2B");
    assert!(
        matches!(&d.role, DeclaredRole::Checkable { description } if description.contains("OrdersHandlerServiceRole"))
    );
    assert_eq!(all_actions(&d, true).len(), 3);
    assert!(all_actions(&d, false).contains(&"sns:Publish".to_string()));
    // `Ref: AWS::NoValue` in a CDK grant is no resource.
    assert!(
        d.statements
            .iter()
            .all(|s| s.resources.iter().all(|r| !r.is_empty()))
    );
}

snapshot_project!(
    check_serverless_overprivileged,
    "check-serverless-overprivileged"
);
snapshot_project!(check_missing_invoke, "check-missing-invoke");
snapshot_project!(check_sam_policy_templates, "check-sam-policy-templates");
snapshot_project!(check_cdk_grant_read, "check-cdk-grant-read");

#[test]
fn cdk_grant_read_is_the_default_policy_of_the_functions_role() {
    let d = function("check-cdk-grant-read", "ReportFn9D4B6A1E");
    let read = d
        .statements
        .iter()
        .find(|s| {
            s.origin
                .path
                .contains("ReportFnServiceRoleDefaultPolicy8C3E5F7A")
        })
        .expect("the grantRead statement");
    assert_eq!(read.actions, ["s3:GetBucket*", "s3:GetObject*", "s3:List*"]);
    assert_eq!(read.resources.len(), 2);
    assert!(matches!(read.resources[1].last(), Some(ValuePart::Lit(s)) if s == "/*"));
    let basic: Vec<_> = d
        .statements
        .iter()
        .filter(|s| s.origin.framework_managed.is_some())
        .collect();
    assert_eq!(
        basic.len(),
        1,
        "AWSLambdaBasicExecutionRole, from its Fn::Join ARN"
    );
}

#[test]
fn serverless_shared_role_wildcard_is_kept_as_written() {
    let d = function("check-serverless-overprivileged", "fetchInvoice");
    let user: Vec<_> = d
        .statements
        .iter()
        .filter(|s| s.origin.framework_managed.is_none())
        .collect();
    assert_eq!(user.len(), 1);
    assert_eq!(user[0].actions, ["s3:*"]);
    assert_eq!(user[0].resources, [vec![ValuePart::Lit("*".into())]]);
    let at = user[0].origin.location.as_ref().expect("a line");
    assert_eq!((at.file.as_str(), at.line), ("serverless.yml", 13));
}

#[test]
fn nothing_grants_invoke_in_the_missing_invoke_project() {
    let d = function("check-missing-invoke", "placeOrder");
    assert!(
        !all_actions(&d, false)
            .iter()
            .any(|a| a.starts_with("lambda:"))
    );
    assert!(matches!(d.role, DeclaredRole::Checkable { .. }));
}

fn write_project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

fn render_dir(dir: &Path) -> String {
    let mut out = String::new();
    for f in discover(dir, &DiscoverOptions::default()).functions {
        writeln!(out, "{}:", f.name).unwrap();
        out.push_str(&f.declared.as_ref().map(declared).unwrap_or_default());
    }
    out
}

#[test]
fn unknown_grants_and_roles_that_cannot_be_checked() {
    let dir = write_project(&[
        ("a.py", "def handler(e, c):\n    return 1\n"),
        (
            "template.yaml",
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Existing:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.handler\n      Runtime: python3.12\n      Role: arn:aws:iam::123456789012:role/legacy\n  Mixed:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.handler\n      Runtime: python3.12\n      Policies:\n        - AmazonNewServiceReadOnlyAccess\n        - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonSQSFullAccess\n        - NoSuchTemplatePolicy: {X: 1}\n        - arn:aws:iam::123456789012:policy/team-policy\n",
        ),
    ]);
    insta::assert_snapshot!(render_dir(dir.path()));
}

#[test]
fn serverless_per_function_inheritance_and_role_arns() {
    let dir = write_project(&[
        ("a.py", "def handler(e, c):\n    return 1\n"),
        (
            "serverless.yml",
            "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  iamRoleStatements:\n    - Effect: Allow\n      Action: sqs:SendMessage\n      Resource: arn:aws:sqs:us-east-1:123456789012:q\ncustom:\n  serverless-iam-roles-per-function:\n    defaultInherit: true\nfunctions:\n  inherits:\n    handler: a.handler\n    iamRoleStatements:\n      - Effect: Allow\n        Action: sns:Publish\n        Resource: '*'\n    events:\n      - sqs: arn:aws:sqs:us-east-1:123456789012:in\n  optsOut:\n    handler: a.handler\n    iamRoleStatementsInherit: false\n    iamRoleStatements:\n      - Effect: Allow\n        Action: sns:Publish\n        Resource: '*'\n  byArn:\n    handler: a.handler\n    role: arn:aws:iam::123456789012:role/existing\n",
        ),
    ]);
    insta::assert_snapshot!(render_dir(dir.path()));
}
