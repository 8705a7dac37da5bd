//! Check on hand-built reports and declared roles: the shapes each framework produces.

use std::collections::BTreeSet;

use leastrole_lang::Location;
use leastrole_maps::{AccessLevel, Maps};
use leastrole_policy::{Part, Provenance, Resource, build_policy};
use leastrole_project::declared::{EventSource, Origin};

use leastrole_core::Code;

use super::*;
use crate::Risk;

fn grant(action: &str, resource: Resource, line: u32) -> Grant {
    Grant {
        action: action.into(),
        resource,
        condition: Default::default(),
        sources: BTreeSet::from([Provenance {
            file: "handler.py".into(),
            line,
            column: 5,
            call: format!("call_{line}()"),
        }]),
    }
}

fn report(grants: Vec<Grant>) -> FunctionReport {
    FunctionReport {
        name: "resize".into(),
        project: None,
        handler: Some("handler.main".into()),
        runtime: Some("python3.12".into()),
        files: vec!["handler.py".into()],
        policy: build_policy(&grants),
        grants,
        diagnostics: Vec::new(),
        not_analysed: None,
        log_group: None,
    }
}

fn statement(
    effect: Effect,
    actions: &[&str],
    resources: Vec<Vec<ValuePart>>,
    line: u32,
) -> DeclaredStatement {
    DeclaredStatement {
        effect,
        actions: actions.iter().map(|a| a.to_string()).collect(),
        not_action: false,
        resources,
        not_resource: false,
        condition: None,
        origin: Origin {
            location: Some(Location {
                file: "serverless.yml".into(),
                line,
                column: 9,
            }),
            path: format!("provider.iam.role.statements[{line}]"),
            framework_managed: None,
        },
    }
}

fn lit(s: &str) -> Vec<ValuePart> {
    vec![ValuePart::Lit(s.into())]
}

fn declared(statements: Vec<DeclaredStatement>) -> Declared {
    Declared {
        unknown_grants: Vec::new(),
        terraform_role: None,
        role: DeclaredRole::Checkable {
            description: "provider.iam.role (shared)".into(),
        },
        statements,
        framework: FrameworkFacts::default(),
        diagnostics: Vec::new(),
    }
}

fn run(report: &FunctionReport, declared: &Declared) -> FunctionReview {
    let catalog = Catalog::new(Maps::embedded());
    let ctx = CheckContext {
        catalog: &catalog,
        env: ArnEnv::default(),
    };
    check_function(
        &ctx,
        &CheckInput {
            report,
            declared: Some(declared),
            function: None,
        },
    )
    .unwrap()
}

fn rows(review: &FunctionReview) -> Vec<(&'static str, &str, &str)> {
    review
        .findings
        .iter()
        .map(|f| (f.kind.as_str(), f.action.as_str(), f.resource.as_str()))
        .collect()
}

fn bucket_objects() -> Resource {
    Resource::new([
        Part::Lit {
            text: "arn:".into(),
        },
        Part::Partition,
        Part::Lit {
            text: ":s3:::uploads/".into(),
        },
        Part::Wildcard,
    ])
}

#[test]
fn s3_star_for_one_get_object_is_broad_with_the_excess_flagged() {
    let r = report(vec![grant("s3:GetObject", bucket_objects(), 12)]);
    let d = declared(vec![statement(
        Effect::Allow,
        &["s3:*"],
        vec![lit("*")],
        14,
    )]);
    let review = run(&r, &d);
    assert_eq!(rows(&review), [("broad", "s3:*", "*")]);
    let broad = &review.findings[0];
    assert_eq!(review.unchanged, 1);
    let n = broad.expands_to.unwrap();
    assert_eq!(broad.unneeded, Some(n - 1));
    assert_eq!(broad.access, Some(AccessLevel::PermissionsManagement));
    for risk in [
        Risk::PermissionsManagement,
        Risk::WildcardAction,
        Risk::WildcardResource,
        Risk::DataRead,
    ] {
        assert!(broad.risks.contains(&risk), "{risk}: {:?}", broad.risks);
    }
    assert_eq!(broad.locations[0].line, Some(14));
    assert_eq!(broad.locations[0].file.as_deref(), Some("serverless.yml"));
    assert!(
        broad
            .note
            .as_deref()
            .unwrap()
            .starts_with("used by s3:GetObject; "),
        "{:?}",
        broad.note
    );
}

#[test]
fn a_needed_call_nothing_grants_is_missing_with_its_source_line() {
    let r = report(vec![
        grant(
            "lambda:InvokeFunction",
            Resource::literal("arn:aws:lambda:us-east-1:123456789012:function:thumbs"),
            20,
        ),
        grant("s3:GetObject", bucket_objects(), 12),
    ]);
    let d = declared(vec![statement(
        Effect::Allow,
        &["s3:GetObject"],
        vec![lit("arn:aws:s3:::uploads/*")],
        3,
    )]);
    let review = run(&r, &d);
    assert_eq!(
        rows(&review),
        [(
            "missing",
            "lambda:InvokeFunction",
            "arn:aws:lambda:us-east-1:123456789012:function:thumbs"
        )]
    );
    let missing = &review.findings[0];
    assert_eq!(missing.access, Some(AccessLevel::Write));
    assert_eq!(missing.locations[0].file.as_deref(), Some("handler.py"));
    assert_eq!(missing.locations[0].line, Some(20));
    // The S3 grant matched only by taking `aws` as the deployment's partition.
    assert!(review.notes.iter().any(|n| n.contains("deployment's")));
}

/// A role that also holds a managed policy leastrole does not know: a permission not in
/// the known statements may come from it, so it is unverified (not missing), and the row
/// says where it may come from; without that policy it is missing.
#[test]
fn a_grant_of_unknown_content_makes_a_needed_permission_unverified() {
    let r = report(vec![grant(
        "lambda:InvokeFunction",
        Resource::literal("arn:aws:lambda:us-east-1:123456789012:function:thumbs"),
        20,
    )]);
    let mut d = declared(Vec::new());
    d.unknown_grants = vec!["managed policy ReadOnlyAccess".into()];
    let review = run(&r, &d);
    assert_eq!(rows(&review)[0].0, "unverified");
    assert_eq!(
        review.findings[0].note.as_deref(),
        Some(
            "not in the declared statements; may be granted by managed policy ReadOnlyAccess (content not known to leastrole)"
        )
    );
    d.unknown_grants.clear();
    let review = run(&r, &d);
    assert_eq!(rows(&review)[0].0, "missing");
    assert_eq!(review.findings[0].note, None);
}

/// The bucket of an object read, unresolved (from the event), against a role that
/// grants the read on one real bucket: the needed `arn:*:s3:::*/*` may be that bucket,
/// so the row is unverified with the reason, and the declared statement is not unused.
/// The same read on a bucket the role does not name, and an action the role does not
/// grant at all, stay missing.
#[test]
fn an_unresolved_bucket_the_role_may_grant_is_unverified_not_missing() {
    let unknown_bucket = || {
        Resource::new([
            Part::Lit {
                text: "arn:".into(),
            },
            Part::Partition,
            Part::Lit {
                text: ":s3:::".into(),
            },
            Part::Wildcard,
            Part::Lit { text: "/".into() },
            Part::Wildcard,
        ])
    };
    let mut r = report(vec![
        grant("s3:GetObject", unknown_bucket(), 12),
        grant("s3:DeleteObject", unknown_bucket(), 14),
        grant(
            "s3:PutObject",
            Resource::literal("arn:aws:s3:::archive/done.txt"),
            16,
        ),
    ]);
    r.diagnostics.push(Diagnostic::new(
        leastrole_lang::Level::Warning,
        Code::UnresolvedResource,
        "GetObject: `Bucket` could not be resolved (from the event (`Records[].s3.bucket.name`)); s3:GetObject on object uses `*` in its place",
        Some(Location {
            file: "handler.py".into(),
            line: 12,
            column: 5,
        }),
    ));
    let d = declared(vec![statement(
        Effect::Allow,
        &["s3:GetObject"],
        vec![lit("arn:aws:s3:::receipts-prod/*")],
        3,
    )]);
    let review = run(&r, &d);
    assert_eq!(
        rows(&review),
        [
            ("missing", "s3:DeleteObject", "arn:*:s3:::*/*"),
            ("missing", "s3:PutObject", "arn:aws:s3:::archive/done.txt"),
            ("unverified", "s3:GetObject", "arn:*:s3:::*/*"),
        ]
    );
    let unverified = &review.findings[2];
    assert_eq!(
        unverified.note.as_deref(),
        Some(
            "`Bucket` could not be resolved (from the event (`Records[].s3.bucket.name`)), so the resource is arn:*:s3:::*/*; the role grants s3:GetObject on arn:aws:s3:::receipts-prod/* (provider.iam.role.statements[3]), which may name it"
        )
    );
    assert_eq!(unverified.locations[0].line, Some(12));
    assert_eq!(unverified.severity(), crate::Severity::Warning);
    assert_eq!(review.unchanged, 0);

    // A `*` the action must have (no resource-level permissions) is not an unknown.
    let r = report(vec![grant("sts:GetCallerIdentity", Resource::any(), 5)]);
    let d = declared(vec![statement(
        Effect::Allow,
        &["sts:GetCallerIdentity"],
        vec![lit("arn:aws:iam::123456789012:role/x")],
        3,
    )]);
    assert_eq!(run(&r, &d).findings[0].kind, Kind::Missing);
}

#[test]
fn exact_grants_give_no_row_and_unused_statements_do() {
    let r = report(vec![grant("s3:GetObject", bucket_objects(), 12)]);
    let d = declared(vec![
        statement(
            Effect::Allow,
            &["s3:GetObject"],
            vec![lit("arn:*:s3:::uploads/*")],
            3,
        ),
        statement(
            Effect::Allow,
            &["secretsmanager:GetSecretValue", "dynamodb:PutItem"],
            vec![lit("*")],
            7,
        ),
        statement(Effect::Allow, &["s3:GetObjetc"], vec![lit("*")], 9),
    ]);
    let review = run(&r, &d);
    assert_eq!(
        rows(&review),
        [
            ("unused", "secretsmanager:GetSecretValue", "*"),
            ("unused", "dynamodb:PutItem", "*"),
            ("unused", "s3:GetObjetc", "*"),
        ]
    );
    let secret = &review.findings[0];
    assert_eq!(
        secret.risks,
        BTreeSet::from([Risk::DataRead, Risk::WildcardResource])
    );
    assert_eq!(secret.expands_to, Some(1));
    assert_eq!(
        review.findings[2].note.as_deref(),
        Some("matches no known IAM action")
    );
    assert!(review.notes.is_empty(), "{:?}", review.notes);
}

#[test]
fn unused_elements_of_one_statement_are_grouped_by_access_and_flags() {
    // A DynamoDBCrudPolicy-like statement: reads and writes on the table and its
    // indexes, of which the code needs one PutItem on the table.
    let table = "arn:aws:dynamodb:us-east-1:123456789012:table/signups";
    let r = report(vec![grant("dynamodb:PutItem", Resource::literal(table), 8)]);
    let d = declared(vec![statement(
        Effect::Allow,
        &[
            "dynamodb:UpdateItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:DescribeTable",
            "dynamodb:Query",
            "dynamodb:DeleteItem",
        ],
        vec![lit(table), lit(&format!("{table}/index/*"))],
        22,
    )]);
    let review = run(&r, &d);
    let index = format!("{table}/index/*");
    type Row<'a> = (&'a str, Vec<&'a str>, Vec<&'a str>, Option<AccessLevel>);
    let got: Vec<Row<'_>> = review
        .findings
        .iter()
        .map(|f| {
            (
                f.kind.as_str(),
                f.actions.iter().map(String::as_str).collect(),
                f.resources.iter().map(String::as_str).collect(),
                f.access,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // data reads: both resources, one row
            (
                "unused",
                vec!["dynamodb:GetItem", "dynamodb:Query"],
                vec![table, index.as_str()],
                Some(AccessLevel::Read)
            ),
            // writes: PutItem is needed on the table, so the table's row lacks it
            (
                "unused",
                vec![
                    "dynamodb:DeleteItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem"
                ],
                vec![index.as_str()],
                Some(AccessLevel::Write)
            ),
            (
                "unused",
                vec!["dynamodb:DeleteItem", "dynamodb:UpdateItem"],
                vec![table],
                Some(AccessLevel::Write)
            ),
            // a read without flags
            (
                "unused",
                vec!["dynamodb:DescribeTable"],
                vec![table, index.as_str()],
                Some(AccessLevel::Read)
            ),
        ]
    );
    assert_eq!(review.unchanged, 1);
    let reads = &review.findings[0];
    assert_eq!(reads.risks, BTreeSet::from([Risk::DataRead]));
    assert_eq!(reads.action, "dynamodb:GetItem, dynamodb:Query");
    assert_eq!(reads.resource, format!("{table}, {index}"));
    assert_eq!(reads.expands_to, Some(2));
    assert_eq!(reads.locations.len(), 1);
    assert_eq!(reads.locations[0].line, Some(22));
}

#[test]
fn a_wider_resource_is_broad() {
    let r = report(vec![grant(
        "dynamodb:PutItem",
        Resource::literal("arn:aws:dynamodb:us-east-1:123456789012:table/orders"),
        8,
    )]);
    let d = declared(vec![statement(
        Effect::Allow,
        &["dynamodb:PutItem"],
        vec![lit("arn:aws:dynamodb:us-east-1:123456789012:table/*")],
        4,
    )]);
    let review = run(&r, &d);
    assert_eq!(
        rows(&review),
        [(
            "broad",
            "dynamodb:PutItem",
            "arn:aws:dynamodb:us-east-1:123456789012:table/*"
        )]
    );
    assert_eq!(review.findings[0].unneeded, None);
    assert!(
        review.findings[0]
            .note
            .as_deref()
            .unwrap()
            .contains("resource wider")
    );
}

#[test]
fn deny_subtracts_and_not_action_expands() {
    let r = report(vec![
        grant(
            "s3:GetObject",
            Resource::literal("arn:aws:s3:::uploads/private/*"),
            3,
        ),
        grant(
            "s3:PutObject",
            Resource::literal("arn:aws:s3:::uploads/out/*"),
            4,
        ),
    ]);
    let mut not_action = statement(Effect::Allow, &["iam:*", "sts:*"], vec![lit("*")], 1);
    not_action.not_action = true;
    let d = declared(vec![
        not_action,
        statement(
            Effect::Deny,
            &["s3:Get*"],
            vec![lit("arn:aws:s3:::uploads/private/*")],
            2,
        ),
    ]);
    let review = run(&r, &d);
    assert_eq!(
        rows(&review),
        [
            ("broad", "NotAction iam:*, sts:*", "*"),
            ("missing", "s3:GetObject", "arn:aws:s3:::uploads/private/*"),
        ]
    );
    assert!(
        review.findings[1]
            .note
            .as_deref()
            .unwrap()
            .contains("denied by provider.iam.role.statements[2]")
    );
    // NotAction iam:* leaves out PassRole.
    assert!(!review.findings[0].risks.contains(&Risk::PassRole));
}

#[test]
fn getatt_declarations_cover_reference_grants() {
    // The needed side: `TABLE: !Ref Orders`, a table without a physical name.
    let table = Resource::new([
        Part::Lit {
            text: "arn:".into(),
        },
        Part::Partition,
        Part::Lit {
            text: ":dynamodb:".into(),
        },
        Part::Region,
        Part::Lit { text: ":".into() },
        Part::Account,
        Part::Lit {
            text: ":table/".into(),
        },
        Part::Ref {
            logical_id: "Orders".into(),
            attribute: None,
            arn: false,
            physical: None,
        },
    ]);
    let r = report(vec![grant("dynamodb:PutItem", table, 5)]);
    let d = declared(vec![statement(
        Effect::Allow,
        &["dynamodb:PutItem"],
        vec![vec![ValuePart::Ref {
            logical_id: "Orders".into(),
            attribute: Some("Arn".into()),
            arn: true,
            physical: None,
            resource_type: Some("AWS::DynamoDB::Table".into()),
        }]],
        6,
    )]);
    let review = run(&r, &d);
    assert!(review.findings.is_empty(), "{:?}", review.findings);
    assert_eq!(review.unchanged, 1);
}

#[test]
fn framework_permissions_are_not_unused() {
    let r = report(vec![]);
    let queue = lit("arn:aws:sqs:us-east-1:123456789012:jobs");
    let mut d = declared(vec![
        statement(
            Effect::Allow,
            &["logs:CreateLogStream", "logs:PutLogEvents"],
            vec![lit("arn:aws:logs:*:*:log-group:/aws/lambda/resize:*")],
            1,
        ),
        statement(
            Effect::Allow,
            &[
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
            ],
            vec![queue.clone()],
            2,
        ),
        statement(Effect::Allow, &["xray:PutTraceSegments"], vec![lit("*")], 3),
        statement(Effect::Allow, &["logs:*"], vec![lit("*")], 4),
    ]);
    d.framework.event_sources.push(EventSource {
        kind: "sqs".into(),
        arn: queue,
    });
    d.framework.tracing = true;
    let mut managed = statement(
        Effect::Allow,
        &["ec2:CreateNetworkInterface"],
        vec![lit("*")],
        5,
    );
    managed.origin.framework_managed = Some("AWSLambdaVPCAccessExecutionRole".into());
    d.statements.push(managed);
    let review = run(&r, &d);
    let got = rows(&review);
    assert!(got.contains(&("broad", "logs:*", "*")), "{got:?}");
    let mut framework: Vec<&str> = review
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Framework)
        .flat_map(|f| f.actions.iter().map(String::as_str))
        .collect();
    framework.sort_unstable();
    // The two log actions of one statement, same access and flags: one row.
    assert!(
        got.contains(&(
            "framework",
            "logs:CreateLogStream, logs:PutLogEvents",
            "arn:aws:logs:*:*:log-group:/aws/lambda/resize:*"
        )),
        "{got:?}"
    );
    assert_eq!(
        framework,
        [
            "ec2:CreateNetworkInterface",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ReceiveMessage",
            "xray:PutTraceSegments",
        ],
        "{got:?}"
    );
    assert!(!got.iter().any(|r| r.0 == "unused"), "{got:?}");
}

#[test]
fn a_role_that_cannot_be_checked_guesses_nothing() {
    let r = report(vec![grant("s3:GetObject", bucket_objects(), 12)]);
    let d = Declared {
        unknown_grants: Vec::new(),
        terraform_role: None,
        role: DeclaredRole::NotCheckable {
            reason: "role given by ARN arn:aws:iam::1:role/x".into(),
        },
        statements: Vec::new(),
        framework: FrameworkFacts::default(),
        diagnostics: Vec::new(),
    };
    let review = run(&r, &d);
    assert!(review.findings.is_empty());
    assert_eq!(
        review.status,
        FunctionStatus::NotCheckable {
            reason: "role given by ARN arn:aws:iam::1:role/x".into()
        }
    );
}

#[test]
fn conditional_allows_cover_with_a_note() {
    let r = report(vec![grant(
        "s3:GetObject",
        Resource::literal("arn:aws:s3:::b/k"),
        2,
    )]);
    let mut s = statement(
        Effect::Allow,
        &["s3:GetObject"],
        vec![lit("arn:aws:s3:::b/k")],
        1,
    );
    s.condition = Some(serde_json::json!({"Bool": {"aws:SecureTransport": "true"}}));
    let review = run(&r, &declared(vec![s]));
    assert!(review.findings.is_empty());
    assert!(
        review
            .notes
            .iter()
            .any(|n| n.contains("only under a Condition"))
    );
}

#[test]
fn framework_tables_are_sorted_and_known() {
    let maps = Maps::embedded();
    let mut tables: Vec<&[&str]> = vec![
        FRAMEWORK_LOGS,
        FRAMEWORK_TRACING,
        FRAMEWORK_VPC,
        FRAMEWORK_DEAD_LETTER,
    ];
    tables.extend(FRAMEWORK_EVENT_SOURCES.iter().map(|(_, a)| *a));
    assert!(FRAMEWORK_EVENT_SOURCES.windows(2).all(|w| w[0].0 < w[1].0));
    for table in tables {
        assert!(table.windows(2).all(|w| w[0] < w[1]), "{table:?}");
        for a in table {
            let (name, _) = maps.iam_action(a).unwrap().unwrap_or_else(|| panic!("{a}"));
            assert_eq!(&name, a);
        }
    }
}

#[test]
fn a_function_that_was_not_analysed_is_not_checkable_and_has_no_unused_rows() {
    let mut r = report(Vec::new());
    r.not_analysed = Some("a container image (`image:`) is not analysed".into());
    let d = declared(vec![statement(
        Effect::Allow,
        &["s3:PutObject"],
        vec![lit("arn:aws:s3:::uploads/*")],
        14,
    )]);
    let review = run(&r, &d);
    assert_eq!(
        review.status,
        FunctionStatus::NotCheckable {
            reason: "not analysed: a container image (`image:`) is not analysed".into()
        }
    );
    assert!(review.findings.is_empty(), "{:?}", review.findings);
}

#[test]
fn a_role_two_functions_share_is_judged_against_both() {
    let catalog = Catalog::new(Maps::embedded());
    let ctx = CheckContext {
        catalog: &catalog,
        env: ArnEnv::default(),
    };
    let object = Resource::new([Part::Lit {
        text: "arn:aws:s3:::uploads/a.txt".into(),
    }]);
    let reader = report(vec![grant("s3:GetObject", object, 12)]);
    let mut idle = report(Vec::new());
    idle.name = "idle".into();
    let role = declared(vec![statement(
        Effect::Allow,
        &["s3:GetObject"],
        vec![lit("arn:aws:s3:::uploads/a.txt")],
        14,
    )]);
    let input = |report| CheckInput {
        report,
        declared: Some(&role),
        function: None,
    };
    let review = check(&ctx, &[input(&reader), input(&idle)], Vec::new()).unwrap();
    // Alone, `idle` would call the statement unused; shared, nobody does.
    assert_eq!(
        rows(&run(&idle, &role)),
        [("unused", "s3:GetObject", "arn:aws:s3:::uploads/a.txt")]
    );
    for f in &review.functions {
        assert!(f.findings.is_empty(), "{}: {:?}", f.name, f.findings);
    }
    assert_eq!(review.roles.len(), 1);
    let shared = &review.roles[0];
    assert_eq!(shared.name, "provider.iam.role (shared)");
    assert!(shared.findings.is_empty(), "{:?}", shared.findings);
    assert!(
        shared
            .notes
            .contains("provider.iam.role.statements[14] is used by resize"),
        "{:?}",
        shared.notes
    );
    assert_eq!(review.counts().get(&Kind::Unused), None);
}
