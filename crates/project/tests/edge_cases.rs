//! Discovery on small generated projects: config shapes the fixtures do not cover, and
//! hostile or broken configs (never a panic or a hang; a diagnostic naming the file).

use std::path::Path;
use std::time::{Duration, Instant};

use leastrole_core::Level;
use leastrole_project::{
    DiscoverOptions, Discovery, Entry, EnvValue, Framework, ValuePart, ValueParts, discover,
};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Discovery as `--config-fallback` runs it: a config that cannot be read leaves the
/// folder read as one unit, so each case also shows what the rest still gets.
fn run(files: &[(&str, &str)]) -> Discovery {
    run_with(
        files,
        &DiscoverOptions {
            config_fallback: true,
            ..DiscoverOptions::default()
        },
    )
}

fn run_with(files: &[(&str, &str)], options: &DiscoverOptions) -> Discovery {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    discover(dir.path(), options)
}

fn names(d: &Discovery) -> Vec<&str> {
    d.functions.iter().map(|f| f.name.as_str()).collect()
}

fn codes(d: &Discovery) -> Vec<(Level, &str)> {
    d.diagnostics
        .iter()
        .map(|x| (x.level, x.code.as_str()))
        .collect()
}

fn env<'a>(d: &'a Discovery, function: &str, var: &str) -> &'a EnvValue {
    d.functions
        .iter()
        .find(|f| f.name == function)
        .and_then(|f| f.environment.as_ref())
        .and_then(|e| e.get(var))
        .unwrap_or_else(|| panic!("{function}.{var} not found in {d:#?}"))
}

const PY: &str = "def handler(event, context):\n    return event\n";

#[test]
fn serverless_functions_as_a_list_and_resources_as_a_list() {
    let d = run(&[
        (
            "serverless.yml",
            "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  - a: {handler: a.handler}\n  - b: {handler: b.handler}\nresources:\n  - Resources:\n      T: {Type: AWS::DynamoDB::Table, Properties: {TableName: t1}}\n  - ${file(./more.yml)}\n",
        ),
        (
            "more.yml",
            "Resources:\n  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: q1}}\n",
        ),
        ("a.py", PY),
        ("b.py", PY),
    ]);
    assert_eq!(names(&d), ["a", "b"]);
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
}

#[test]
fn serverless_environment_from_a_variable_and_merge_keys() {
    let d = run(&[
        (
            "serverless.yml",
            "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  environment: ${self:custom.env}\ncustom:\n  env: {A: '1', B: '2'}\n  common: &common {C: '3'}\nfunctions:\n  f:\n    handler: f.handler\n    environment:\n      <<: *common\n      B: override\n",
        ),
        ("f.js", "exports.handler = async () => {};\n"),
    ]);
    assert_eq!(env(&d, "f", "A"), &EnvValue::Literal("1".into()));
    assert_eq!(env(&d, "f", "B"), &EnvValue::Literal("override".into()));
    assert_eq!(env(&d, "f", "C"), &EnvValue::Literal("3".into()));
}

#[test]
fn serverless_compiled_function_resources_resolve() {
    let d = run(&[
        (
            "serverless.yml",
            "service: svc\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  a:\n    handler: a.handler\n    environment:\n      WORKER: !GetAtt WorkerDashjobLambdaFunction.Arn\n      NAMED: !Ref NamedLambdaFunction\n      LOGS: !GetAtt ALogGroup.Arn\n  worker-job: {handler: a.handler}\n  named: {handler: a.handler, name: custom-name}\n",
        ),
        ("a.py", PY),
    ]);
    let EnvValue::Template(parts) = env(&d, "a", "WORKER") else {
        panic!("{d:#?}")
    };
    let [
        ValuePart::Ref {
            physical: Some(p),
            arn: true,
            ..
        },
    ] = parts.as_slice()
    else {
        panic!("{parts:?}")
    };
    assert_eq!(
        p.last(),
        Some(&ValuePart::Lit(":function:svc-dev-worker-job".into()))
    );
    let EnvValue::Template(parts) = env(&d, "a", "NAMED") else {
        panic!("{d:#?}")
    };
    assert!(
        matches!(parts.as_slice(), [ValuePart::Ref { physical: Some(p), .. }] if p == &[ValuePart::Lit("custom-name".into())]),
        "{parts:?}"
    );
}

#[test]
fn serverless_compiled_log_group_resolves() {
    let d = run(&[
        (
            "serverless.yml",
            "service: svc\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  a:\n    handler: a.handler\n    environment:\n      LOGS: !GetAtt ALogGroup.Arn\n",
        ),
        ("a.py", PY),
    ]);
    let EnvValue::Template(parts) = env(&d, "a", "LOGS") else {
        panic!("{d:#?}")
    };
    let [
        ValuePart::Ref {
            physical: Some(p), ..
        },
    ] = parts.as_slice()
    else {
        panic!("{parts:?}")
    };
    assert_eq!(
        p.last(),
        Some(&ValuePart::Lit(":log-group:/aws/lambda/svc-dev-a:*".into()))
    );
}

#[test]
fn serverless_missing_handler_file_is_listed_with_an_error() {
    let d = run(&[(
        "serverless.yml",
        "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  gone: {handler: src/gone.handler}\n  ruby: {handler: h.handler, runtime: ruby3.3}\n",
    )]);
    assert_eq!(names(&d), ["gone", "ruby"]);
    assert!(matches!(d.functions[0].entry, Entry::Unsupported { .. }));
    assert!(matches!(d.functions[1].entry, Entry::Unsupported { .. }));
    assert_eq!(
        codes(&d),
        [
            (Level::Error, "handler-file-not-found"),
            (Level::Warning, "unsupported-function")
        ]
    );
    let loc = d.diagnostics[0].location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("serverless.yml", 4));
}

#[test]
fn serverless_ts_config_is_not_run() {
    let d = run(&[
        ("serverless.ts", "export default { service: 's' };\n"),
        ("app.py", PY),
    ]);
    assert_eq!(d.functions.len(), 1);
    assert_eq!(d.functions[0].framework, Framework::Plain);
    assert_eq!(codes(&d), [(Level::Warning, "config-not-read")]);
}

#[test]
fn non_aws_provider_reads_no_functions() {
    let d = run(&[(
        "serverless.yml",
        "service: s\nprovider: {name: azure}\nfunctions:\n  a: {handler: a.handler}\n",
    )]);
    assert!(d.functions.is_empty());
    assert_eq!(codes(&d), [(Level::Warning, "not-aws")]);
}

#[test]
fn yaml_alias_bomb_is_a_diagnostic_and_discovery_goes_on() {
    let mut bomb =
        String::from("service: s\nprovider: {name: aws}\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n");
    for i in 1..15 {
        let p = i - 1;
        bomb.push_str(&format!(
            "x{i}: &x{i} [*x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}]\n"
        ));
    }
    let start = Instant::now();
    let d = run(&[("serverless.yml", &bomb), ("app.py", PY)]);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(d.functions.len(), 1);
    assert_eq!(d.functions[0].framework, Framework::Plain);
    assert_eq!(
        codes(&d),
        [
            (Level::Error, "config-parse-error"),
            (Level::Warning, "config-fallback")
        ]
    );
}

#[test]
fn deeply_nested_config_is_a_diagnostic() {
    let deep = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources: {}1{}\n",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let d = run(&[("template.yaml", &deep), ("app.py", PY)]);
    assert_eq!(d.functions[0].framework, Framework::Plain);
    assert_eq!(d.diagnostics[0].code, "config-parse-error");
    assert_eq!(
        d.diagnostics[0].location.as_ref().unwrap().file,
        "template.yaml"
    );
}

#[test]
fn a_broken_included_file_is_a_diagnostic_and_the_value_unknown() {
    let d = run(&[
        (
            "serverless.yml",
            "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  a:\n    handler: a.handler\n    environment:\n      T: ${file(./env.yml):table}\n",
        ),
        ("env.yml", "table: [unclosed\n"),
        ("a.py", PY),
    ]);
    assert!(matches!(env(&d, "a", "T"), EnvValue::Unknown(r) if r.contains("file(./env.yml)")));
    assert_eq!(codes(&d), [(Level::Error, "config-parse-error")]);
    assert_eq!(d.diagnostics[0].location.as_ref().unwrap().file, "env.yml");
}

#[test]
fn stage_and_use_env_options() {
    let files: &[(&str, &str)] = &[
        (
            "serverless.yml",
            "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  a:\n    handler: a.handler\n    environment:\n      T: t-${sls:stage}\n      H: ${env:LEASTROLE_TEST_HOME_VAR_UNSET, 'fallback'}\n",
        ),
        ("a.py", PY),
    ];
    let d = run(files);
    // The variable is kept, with its value for the stage read.
    let stage = |value: &str| {
        EnvValue::Template(vec![
            ValuePart::Lit("t-".into()),
            ValuePart::Var {
                text: "${sls:stage}".into(),
                resolved: vec![ValuePart::Lit(value.into())],
            },
        ])
    };
    assert_eq!(env(&d, "a", "T"), &stage("dev"));
    assert!(matches!(env(&d, "a", "H"), EnvValue::Unknown(_)));
    let d = run_with(
        files,
        &DiscoverOptions {
            stage: Some("qa".into()),
            use_env: true,
            ..DiscoverOptions::default()
        },
    );
    assert_eq!(env(&d, "a", "T"), &stage("qa"));
    let EnvValue::Template(h) = env(&d, "a", "H") else {
        panic!("{d:#?}")
    };
    assert_eq!(ValueParts(h).to_string(), "fallback");
    assert!(
        matches!(h.as_slice(), [ValuePart::Var { text, .. }] if text == "${env:LEASTROLE_TEST_HOME_VAR_UNSET, 'fallback'}"),
        "{h:?}"
    );
}

#[test]
fn sam_transform_list_s3_code_inline_code_and_plain_lambda() {
    let d = run(&[
        (
            "template.yml",
            "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\nResources:\n  InS3:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: {Bucket: b, Key: k}, Handler: a.handler, Runtime: python3.12}\n  Inline:\n    Type: AWS::Serverless::Function\n    Properties: {InlineCode: 'def handler(e, c): pass', Handler: index.handler, Runtime: python3.12}\n  Packaged:\n    Type: AWS::Lambda::Function\n    Properties: {Code: ./fn, Handler: app.handler, Runtime: python3.12}\n",
        ),
        ("fn/app.py", PY),
    ]);
    assert_eq!(names(&d), ["InS3", "Inline", "Packaged"]);
    assert!(matches!(d.functions[0].entry, Entry::Unsupported { .. }));
    assert!(matches!(d.functions[1].entry, Entry::Unsupported { .. }));
    assert_eq!(
        d.functions[2].entry,
        Entry::Handler {
            file: "app.py".into(),
            export: "handler".into()
        }
    );
    assert!(d.functions[2].code_root.ends_with("fn"));
}

#[test]
fn template_without_the_sam_transform_is_not_sam() {
    let d = run(&[
        (
            "template.yaml",
            "Resources:\n  F: {Type: AWS::Serverless::Function, Properties: {Handler: app.handler}}\n",
        ),
        ("app.py", PY),
    ]);
    assert_eq!(d.functions[0].framework, Framework::Plain);
}

const STACK: &str = r#"{"Resources": {"Fn": {"Type": "AWS::Lambda::Function",
  "Properties": {"Handler": "index.handler", "Runtime": "python3.12"},
  "Metadata": {"aws:asset:path": "asset.1"}}}}"#;

#[test]
fn cdk_same_logical_id_in_two_stacks_and_nested_assemblies() {
    let d = run(&[
        ("cdk.out/manifest.json", "{}"),
        ("cdk.out/A.template.json", STACK),
        ("cdk.out/asset.1/index.py", PY),
        ("cdk.out/assembly-Prod/B.template.json", STACK),
        ("cdk.out/assembly-Prod/asset.1/index.py", PY),
    ]);
    assert_eq!(names(&d), ["A/Fn", "B/Fn"]);
    // Nothing but the note that each is read from its asset (no source folder copies it).
    assert_eq!(
        codes(&d),
        [
            (Level::Info, "cdk-asset-not-mapped"),
            (Level::Info, "cdk-asset-not-mapped")
        ],
        "{:?}",
        d.diagnostics
    );
}

#[test]
fn cdk_asset_copied_twice_in_the_project_stays_the_asset() {
    let d = run(&[
        ("cdk.out/A.template.json", STACK),
        ("cdk.out/asset.1/index.py", PY),
        ("lambda/one/index.py", PY),
        ("lambda/two/index.py", PY),
    ]);
    assert!(d.functions[0].code_root.ends_with("cdk.out/asset.1"));
    let d = run(&[
        ("cdk.out/A.template.json", STACK),
        ("cdk.out/asset.1/index.py", PY),
        ("lambda/one/index.py", PY),
        ("lambda/two/index.py", "def handler(e, c):\n    return 2\n"),
    ]);
    assert!(d.functions[0].code_root.ends_with("lambda/one"));
}

#[test]
fn cdk_missing_asset_folder_is_listed() {
    let d = run(&[("cdk.out/A.template.json", STACK)]);
    assert_eq!(names(&d), ["Fn"]);
    assert!(matches!(d.functions[0].entry, Entry::Unsupported { .. }));
    assert_eq!(codes(&d), [(Level::Warning, "unsupported-function")]);
}

#[test]
fn unknown_function_name_is_an_error() {
    let d = run_with(
        &[
            (
                "serverless.yml",
                "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  a: {handler: a.handler}\n",
            ),
            ("a.py", PY),
        ],
        &DiscoverOptions {
            functions: vec!["b".into()],
            ..DiscoverOptions::default()
        },
    );
    assert!(d.functions.is_empty());
    assert_eq!(codes(&d), [(Level::Error, "unknown-function")]);
}

#[test]
fn sam_esbuild_entry_point_is_the_source_of_a_bundle_handler() {
    let d = run(&[
        (
            "template.yaml",
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: hello/, Handler: app.lambdaHandler, Runtime: nodejs20.x}\n    Metadata:\n      BuildMethod: esbuild\n      BuildProperties: {EntryPoints: [src/app.ts], Minify: true}\n",
        ),
        (
            "hello/src/app.ts",
            "export const lambdaHandler = async () => ({});\n",
        ),
    ]);
    assert_eq!(
        d.functions[0].entry,
        Entry::Handler {
            file: "src/app.ts".into(),
            export: "lambdaHandler".into()
        },
        "{:?}",
        d.diagnostics
    );
}

#[test]
fn serverless_variable_naming_an_intrinsic_evaluates_it() {
    let d = run(&[
        (
            "serverless.yml",
            "service: s\nprovider: {name: aws, runtime: python3.12}\ncustom:\n  tableArn: !GetAtt Orders.Arn\n  bucket: ${self:service}-files\nfunctions:\n  a:\n    handler: a.handler\n    environment:\n      TABLE_ARN: ${self:custom.tableArn}\n      PREFIX: !Sub 'arn:${AWS::Partition}:s3:::${self:custom.bucket}/in/*'\nresources:\n  Resources:\n    Orders: {Type: AWS::DynamoDB::Table, Properties: {TableName: orders}}\n",
        ),
        ("a.py", PY),
    ]);
    let EnvValue::Template(parts) = env(&d, "a", "TABLE_ARN") else {
        panic!("{d:#?}")
    };
    assert!(
        matches!(parts.as_slice(), [ValuePart::Ref { logical_id, arn: true, physical: Some(_), .. }] if logical_id == "Orders"),
        "{parts:?}"
    );
    // A variable inside `Fn::Sub` text stays the variable, nested ones too.
    let EnvValue::Template(prefix) = env(&d, "a", "PREFIX") else {
        panic!("{d:#?}")
    };
    assert_eq!(
        ValuePart::without_vars(prefix),
        [
            ValuePart::Lit("arn:".into()),
            ValuePart::Pseudo("AWS::Partition".into()),
            ValuePart::Lit(":s3:::s-files/in/*".into()),
        ]
    );
    assert_eq!(
        format!("{:#}", ValueParts(prefix)),
        "arn:${AWS::Partition}:s3:::{${self:custom.bucket} = {${self:service} = s}-files}/in/*"
    );
}

#[test]
fn serverless_without_a_runtime_is_node() {
    let d = run(&[
        (
            "serverless.yml",
            "service: s\nprovider: {name: aws}\nfunctions:\n  a: {handler: app.handler}\n",
        ),
        ("app.py", PY),
        ("app.js", "exports.handler = async () => {};\n"),
    ]);
    assert_eq!(
        d.functions[0].entry,
        Entry::Handler {
            file: "app.js".into(),
            export: "handler".into()
        }
    );
    assert_eq!(d.functions[0].runtime, None);
}

#[test]
fn sam_code_uri_archive_is_listed() {
    let d = run(&[(
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: dist/f.zip, Handler: app.handler, Runtime: python3.12}\n",
    )]);
    assert!(
        matches!(&d.functions[0].entry, Entry::Unsupported { reason } if reason.contains("archive"))
    );
}

#[test]
fn sam_code_uri_naming_one_file_is_that_file_at_the_package_root() {
    let template = |handler: &str| {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {{CodeUri: src/app.py, Handler: {handler}, Runtime: python3.12}}\n"
        )
    };
    let ok = template("app.handler");
    let d = run(&[
        ("template.yaml", &ok),
        ("src/app.py", PY),
        ("src/other.py", PY),
    ]);
    let f = &d.functions[0];
    assert_eq!(
        f.entry,
        Entry::Handler {
            file: "app.py".into(),
            export: "handler".into()
        },
        "{d:#?}"
    );
    assert!(f.code_root.ends_with("src"), "{:?}", f.code_root);
    // The package holds only that file: a handler naming its sibling is not found.
    let wrong = template("other.handler");
    let d = run(&[
        ("template.yaml", &wrong),
        ("src/app.py", PY),
        ("src/other.py", PY),
    ]);
    assert!(
        matches!(&d.functions[0].entry, Entry::Unsupported { reason }
            if reason.contains("single file `app.py`") && reason.contains("`other.py`")),
        "{d:#?}"
    );
}

#[test]
fn handler_folder_differing_in_letter_case_gets_a_hint() {
    let d = run(&[
        (
            "template.yaml",
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: ., Handler: src/handlers/app.handler, Runtime: python3.12}\n",
        ),
        ("Src/Handlers/app.py", PY),
    ]);
    assert!(
        matches!(&d.functions[0].entry, Entry::Unsupported { reason }
            if reason.contains("`Src/Handlers/app.py` differs only in letter case")),
        "{d:#?}"
    );
}

#[test]
fn cdk_asset_path_out_of_the_assembly_is_not_read() {
    let stack = STACK.replace("asset.1", "../src");
    let d = run(&[("cdk.out/A.template.json", &stack), ("src/index.py", PY)]);
    assert!(matches!(d.functions[0].entry, Entry::Unsupported { .. }));
}

#[test]
fn thousands_of_functions_stay_fast() {
    let mut yml = String::from(
        "service: big\nprovider:\n  name: aws\n  runtime: python3.12\n  environment:\n    T: ${self:service}-${sls:stage}\nfunctions:\n",
    );
    for i in 0..5_000 {
        yml.push_str(&format!(
            "  fn{i}:\n    handler: a.handler\n    environment:\n      N: !Ref Table\n"
        ));
    }
    yml.push_str("resources:\n  Resources:\n    Table: {Type: AWS::DynamoDB::Table, Properties: {TableName: t}}\n");
    let start = Instant::now();
    let d = run(&[("serverless.yml", &yml), ("a.py", PY)]);
    assert_eq!(d.functions.len(), 5_000);
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics.first());
    let last = d.functions.iter().find(|f| f.name == "fn4999").unwrap();
    assert_eq!(last.source.as_ref().unwrap().line, 8 + 4 * 4999);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

const SLS: &str = "service: s\nprovider: {name: aws}\n";

const SLS_FN: &str = "service: s\nframeworkVersion: '3'\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  api: {handler: app.handler}\n  createOrder: {handler: app.handler}\n";
const SAM_FN: &str = "Transform: AWS::Serverless-2016-10-31\nResources:\n  api:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}\n";

fn location(d: &Discovery, code: &str) -> Option<String> {
    d.diagnostics
        .iter()
        .find(|x| x.code.as_str() == code)
        .and_then(|x| x.location.as_ref())
        .map(|l| l.file.clone())
}

#[test]
fn a_folder_holding_projects_reads_each_by_its_path() {
    let d = run_with(
        &[
            // Code outside every project is not read: no plain unit for the root.
            ("scripts/seed.py", PY),
            ("services/orders/serverless.yml", SLS_FN),
            ("services/orders/app.py", PY),
            ("services/billing/template.yaml", SAM_FN),
            ("services/billing/src/app.py", PY),
            // Two configs in one folder: one project, read as PATH would be.
            ("services/billing/serverless.json", "{not json"),
            // A CDK app without `cdk.out` is a project that cannot be read.
            ("cdk/unsynthesized/cdk.json", "{}"),
            // A template of other resources (no function) is no project, a template
            // that does not load is one that cannot be read.
            ("infra/template.yaml", "Resources: {}\n"),
            ("broken/template.yaml", "Transform: [\n"),
            // Dependencies and build output are never projects of the user's.
            ("node_modules/dep/serverless.yml", SLS_FN),
            ("services/billing/.aws-sam/build/template.yaml", SAM_FN),
        ],
        &DiscoverOptions::default(),
    );
    assert_eq!(
        names(&d),
        [
            "services/billing:api",
            "services/orders:api",
            "services/orders:createOrder"
        ]
    );
    let projects: Vec<&str> = d.projects.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        projects,
        [
            "broken",
            "cdk/unsynthesized",
            "services/billing",
            "services/orders"
        ]
    );
    let billing = &d.functions[0];
    assert_eq!(billing.project.as_deref(), Some("services/billing"));
    assert_eq!(
        billing.source.as_ref().map(|l| l.file.as_str()),
        Some("services/billing/template.yaml")
    );
    assert!(billing.code_root.ends_with("services/billing/src"));
    assert_eq!(
        d.functions[1].source.as_ref().map(|l| l.file.as_str()),
        Some("services/orders/serverless.yml")
    );
    // Each project's configuration error stays its own, located in it; the other
    // projects are read.
    assert_eq!(
        location(&d, "cdk-not-synthesized").as_deref(),
        Some("cdk/unsynthesized/cdk.json")
    );
    let parse_errors: Vec<&str> = d
        .diagnostics
        .iter()
        .filter(|x| x.code.as_str() == "config-parse-error")
        .filter_map(|x| x.location.as_ref().map(|l| l.file.as_str()))
        .collect();
    assert_eq!(
        parse_errors,
        ["broken/template.yaml", "services/billing/serverless.json"]
    );
    assert!(!codes(&d).contains(&(Level::Warning, "nested-projects")));
    // The Serverless version is the one project's once --function picks it, and none
    // for the whole monorepo.
    assert_eq!(d.framework_version, None);
    assert_eq!(d.projects[3].framework_version, Some(3));
}

#[test]
fn a_project_inside_another_projects_folder_is_part_of_the_outer_one() {
    let d = run_with(
        &[
            ("svc/serverless.yml", SLS_FN),
            ("svc/app.py", PY),
            ("svc/nested/template.yaml", SAM_FN),
            ("svc/nested/src/app.py", PY),
        ],
        &DiscoverOptions::default(),
    );
    assert_eq!(names(&d), ["svc:api", "svc:createOrder"]);
}

#[test]
fn a_monorepo_function_is_named_in_full_or_by_its_own_name_when_unique() {
    let files = [
        ("a/serverless.yml", SLS_FN),
        ("a/app.py", PY),
        ("b/template.yaml", SAM_FN),
        ("b/src/app.py", PY),
    ];
    let pick = |names: &[&str]| {
        run_with(
            &files,
            &DiscoverOptions {
                functions: names.iter().map(|n| (*n).to_string()).collect(),
                ..DiscoverOptions::default()
            },
        )
    };
    let d = pick(&["createOrder", "b:api"]);
    assert_eq!(names(&d), ["a:createOrder", "b:api"]);
    assert_eq!(codes(&d), []);
    // The one project picked gives its framework version.
    assert_eq!(pick(&["createOrder"]).framework_version, Some(3));
    let d = pick(&["api"]);
    assert_eq!(names(&d), Vec::<&str>::new());
    assert_eq!(codes(&d), [(Level::Error, "ambiguous-function")]);
    assert_eq!(
        d.diagnostics[0].message,
        "`api` names a function in several projects (a:api, b:api): pass the full name"
    );
    let d = pick(&["nope"]);
    assert_eq!(codes(&d), [(Level::Error, "unknown-function")]);
    let mut d = run_with(&files, &DiscoverOptions::default());
    assert_eq!(d.select(&["api".into()]), Vec::<String>::new());
    let mut d = run_with(&files, &DiscoverOptions::default());
    assert_eq!(
        d.select(&["createOrder".into(), "a:createOrder".into()]),
        ["a:createOrder"]
    );
}

#[test]
fn a_project_root_whose_config_fails_names_the_projects_below_when_read_as_a_folder() {
    let many: Vec<(String, &str)> = (0..5)
        .map(|i| (format!("svc{i}/serverless.yml"), SLS))
        .collect();
    let mut files: Vec<(&str, &str)> = many.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    files.push(("serverless.yml", "service: [\n"));
    files.push(("app.py", PY));
    let d = run(&files);
    assert_eq!(d.functions.len(), 1);
    assert_eq!(d.functions[0].framework, Framework::Plain);
    let nested = d
        .diagnostics
        .iter()
        .find(|x| x.code.as_str() == "nested-projects")
        .expect("a nested-projects warning");
    assert_eq!(
        nested.message,
        "5 folders below this one are projects of their own (svc0, svc1, svc2 and 2 more); \
         this run reads the whole folder as one unit, without their configuration: fix this \
         folder's configuration, or run leastrole on each project folder"
    );
    assert!(d.projects.is_empty());
    // Without --config-fallback: the root's error, and no guess.
    let d = run_with(&files, &DiscoverOptions::default());
    assert_eq!(names(&d), Vec::<&str>::new());
    assert_eq!(codes(&d), [(Level::Error, "config-parse-error")]);
}

#[test]
fn nested_projects_are_not_mentioned_when_the_root_is_a_project_or_handlers_are_given() {
    let root_config = "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  a: {handler: app.handler}\n";
    let d = run(&[
        ("serverless.yml", root_config),
        ("app.py", PY),
        ("other/serverless.yml", SLS),
    ]);
    assert_eq!(names(&d), ["a"]);
    assert!(!codes(&d).contains(&(Level::Warning, "nested-projects")));
    let d = run_with(
        &[("app.py", PY), ("other/serverless.yml", SLS)],
        &DiscoverOptions {
            handlers: vec!["app.handler".to_string()],
            ..DiscoverOptions::default()
        },
    );
    assert_eq!(codes(&d), []);
}

/// A template without the SAM transform is read as CloudFormation when it declares an
/// `AWS::Lambda::Function` (every `Code` shape listed, each with what it is), and left
/// alone otherwise: a template of other resources beside the code keeps the folder a
/// plain folder, as before.
#[test]
fn plain_cloudformation_templates_are_read_when_they_declare_lambda_functions() {
    let template = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Local:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: src/\n      Handler: app.handler\n      Runtime: python3.12\n  Inline:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: 'def handler(e, c): pass'\n      Handler: index.handler\n      Runtime: python3.12\n  Image:\n    Type: AWS::Lambda::Function\n    Properties:\n      PackageType: Image\n      Code:\n        ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1\n  Sam:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n";
    let d = run(&[("template.yaml", template), ("src/app.py", PY)]);
    // `AWS::Serverless::Function` means nothing without the transform.
    assert_eq!(names(&d), ["Image", "Inline", "Local"]);
    assert!(
        d.functions
            .iter()
            .all(|f| f.framework == Framework::CloudFormation)
    );
    let local = &d.functions[2];
    assert_eq!(
        local.entry,
        Entry::Handler {
            file: "app.py".into(),
            export: "handler".into()
        }
    );
    assert!(local.code_root.ends_with("src"));
    let reasons: Vec<String> = d.functions[..2]
        .iter()
        .map(|f| match &f.entry {
            Entry::Unsupported { reason } => reason.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(reasons[0].contains("container image"), "{reasons:?}");
    assert!(reasons[1].contains("Code.ZipFile"), "{reasons:?}");

    let d = run(&[
        (
            "template.yaml",
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n",
        ),
        ("app.py", PY),
    ]);
    assert_eq!(d.functions.len(), 1);
    assert_eq!(d.functions[0].framework, Framework::Plain);
}

/// A folder with nothing to analyse lists no function and says what was looked for.
#[test]
fn an_empty_folder_gives_no_function_and_a_warning() {
    let d = run(&[("README.md", "# nothing here\n")]);
    assert!(d.functions.is_empty());
    assert_eq!(codes(&d), [(Level::Warning, "no-functions")]);
    let message = &d.diagnostics[0].message;
    for looked_for in ["serverless.yml", "template.yaml", "cdk.out", ".py/.js/.ts"] {
        assert!(message.contains(looked_for), "{message}");
    }
}
