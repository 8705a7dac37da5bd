//! Terraform discovery: the fixture projects, variable files, local modules, layers, and
//! configurations that are broken or hostile.

use std::path::Path;

use leastrole_project::{
    DiscoverOptions, Discovery, Entry, EnvValue, Framework, discover, is_config_error,
};

mod common;

use common::{parts, project};

fn env<'d>(d: &'d Discovery, function: &str, variable: &str) -> &'d EnvValue {
    let f = d
        .functions
        .iter()
        .find(|f| f.name == function)
        .unwrap_or_else(|| panic!("no function {function}: {:?}", names(d)));
    f.environment
        .as_ref()
        .and_then(|e| e.get(variable))
        .unwrap_or_else(|| panic!("{function}: no {variable}"))
}

fn shown(v: &EnvValue) -> String {
    match v {
        EnvValue::Literal(s) => s.clone(),
        EnvValue::Template(ps) => parts(ps),
        EnvValue::Unknown(why) => format!("<unknown: {why}>"),
    }
}

fn names(d: &Discovery) -> Vec<&str> {
    d.functions.iter().map(|f| f.name.as_str()).collect()
}

fn codes(d: &Discovery) -> Vec<(String, String)> {
    d.diagnostics
        .iter()
        .map(|x| {
            let at = x
                .location
                .as_ref()
                .map(|l| format!("{}:{}", l.file, l.line))
                .unwrap_or_default();
            (x.code.clone(), at)
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &[u8]) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// A root module with one Python function packed by `archive_file`.
const ONE_FUNCTION: &str = r#"
data "archive_file" "fn" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/fn.zip"
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = data.archive_file.fn.output_path
}
"#;

fn one_function(dir: &Path) {
    write(dir, "main.tf", ONE_FUNCTION.as_bytes());
    write(
        dir,
        "src/app.py",
        b"def handler(event, context):\n    return 1\n",
    );
}

/// [`ONE_FUNCTION`] with `extra` (arguments of the function resource) after its runtime.
fn one_function_with(dir: &Path, extra: &str) {
    one_function(dir);
    let text = ONE_FUNCTION.replace(
        "runtime       = \"python3.12\"",
        &format!("runtime       = \"python3.12\"\n  {extra}"),
    );
    write(dir, "main.tf", text.as_bytes());
}

#[test]
fn archive_file_functions_with_tfvars_and_references() {
    let root = project("terraform-archive-file");
    let d = discover(&root, &DiscoverOptions::default());
    assert_eq!(
        names(&d),
        ["create_order", "store_receipt"],
        "{:?}",
        d.diagnostics
    );
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    let create = &d.functions[0];
    assert_eq!(create.framework, Framework::Terraform);
    assert_eq!(create.code_root, root.join("src/create_order"));
    assert_eq!(
        create.entry,
        Entry::Handler {
            file: "handler.py".into(),
            export: "main".into()
        }
    );
    let source = create.source.as_ref().expect("a source");
    assert_eq!((source.file.as_str(), source.line), ("main.tf", 61));
    // `source_file`: the file's folder, the handler's module that file.
    let store = &d.functions[1];
    assert_eq!(store.code_root, root.join("src/store_receipt"));
    assert!(matches!(&store.entry, Entry::Handler { file, .. } if file == "app.js"));
    // terraform.tfvars sets stage = "prod" (the variable has no default).
    assert_eq!(
        shown(env(&d, "create_order", "TABLE_NAME")),
        "{!GetAtt aws_dynamodb_table.orders.name = shop-prod-orders}"
    );
    assert_eq!(
        shown(env(&d, "create_order", "RECEIPTS_BUCKET")),
        "{!GetAtt aws_s3_bucket.receipts.bucket = shop-prod-receipts}"
    );
    assert_eq!(shown(env(&d, "create_order", "STAGE")), "PROD");
    assert_eq!(
        shown(env(&d, "store_receipt", "TABLE_ARN")),
        "{!GetAtt aws_dynamodb_table.orders.arn (arn) = arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/shop-prod-orders}"
    );
    // The configured function name reaches the runtime's own variables.
    assert_eq!(
        shown(env(&d, "create_order", "AWS_LAMBDA_FUNCTION_NAME")),
        "shop-prod-create-order"
    );
}

#[test]
fn var_files_are_read_after_tfvars_and_the_last_wins() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.tfvars", b"stage = \"qa\"\n");
    write(
        dir.path(),
        "b.tfvars",
        b"stage = \"load\"\nservice = \"mall\"\n",
    );
    let options = DiscoverOptions {
        var_files: vec![dir.path().join("a.tfvars"), dir.path().join("b.tfvars")],
        ..DiscoverOptions::default()
    };
    let d = discover(&project("terraform-archive-file"), &options);
    assert_eq!(
        shown(env(&d, "create_order", "TABLE_NAME")),
        "{!GetAtt aws_dynamodb_table.orders.name = mall-load-orders}"
    );
}

#[test]
fn a_variable_nothing_sets_is_unknown_and_named() {
    let dir = tempfile::tempdir().unwrap();
    one_function(dir.path());
    write(
        dir.path(),
        "env.tf",
        br#"
variable "stage" {}
resource "aws_sqs_queue" "q" { name = "jobs-${var.stage}" }
"#,
    );
    let text = std::fs::read_to_string(dir.path().join("main.tf")).unwrap();
    let text = text.replace(
        "filename      = data.archive_file.fn.output_path",
        "filename      = data.archive_file.fn.output_path\n  environment {\n    variables = { QUEUE = aws_sqs_queue.q.arn }\n  }",
    );
    write(dir.path(), "main.tf", text.as_bytes());
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(
        shown(env(&d, "fn", "QUEUE")),
        "{!GetAtt aws_sqs_queue.q.arn (arn) = arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs-<unknown: var.stage has no default and no tfvars sets it>}"
    );
}

#[test]
fn the_lambda_module_and_a_local_module_with_values_passed_in() {
    let root = project("terraform-lambda-module");
    let d = discover(&root, &DiscoverOptions::default());
    assert_eq!(names(&d), ["api", "worker.this"]);
    let api = &d.functions[0];
    assert_eq!(api.code_root, root.join("src/api"));
    assert_eq!(
        shown(env(&d, "api", "QUEUE_URL")),
        "{!GetAtt aws_sqs_queue.jobs.url = https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/inventory-staging-jobs}"
    );
    let worker = &d.functions[1];
    assert_eq!(worker.code_root, root.join("src/worker"));
    let source = worker.source.as_ref().expect("a source");
    assert_eq!(source.file, "modules/queue-worker/main.tf");
    // A resource of the child module is addressed through it; a value passed in keeps
    // the reference of the calling module.
    assert_eq!(
        shown(env(&d, "worker.this", "STATE_TABLE")),
        "{!GetAtt module.worker.aws_dynamodb_table.state.name = inventory-staging-worker-state}"
    );
    assert_eq!(
        shown(env(&d, "worker.this", "TOPIC_ARN")),
        "{!GetAtt aws_sns_topic.alerts.arn (arn) = arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:inventory-staging-alerts}"
    );
    // The Powertools layer is given by ARN only.
    assert_eq!(
        codes(&d),
        [("layer-not-followed".into(), "main.tf:34".into())]
    );
    assert!(
        d.diagnostics[0]
            .message
            .contains("AWSLambdaPowertoolsPythonV2")
    );
}

#[test]
fn a_layer_version_packed_from_a_folder_is_followed() {
    let dir = tempfile::tempdir().unwrap();
    one_function_with(dir.path(), "layers = [aws_lambda_layer_version.deps.arn]");
    write(
        dir.path(),
        "layer.tf",
        br#"
data "archive_file" "deps" {
  type        = "zip"
  source_dir  = "layers/deps"
  output_path = "build/deps.zip"
}
resource "aws_lambda_layer_version" "deps" {
  layer_name = "deps"
  filename   = data.archive_file.deps.output_path
}
"#,
    );
    write(dir.path(), "layers/deps/python/shared.py", b"X = 1\n");
    let d = discover(dir.path(), &DiscoverOptions::default());
    let layers = &d.functions[0].layers;
    assert_eq!(layers.len(), 1, "{:?}", d.diagnostics);
    assert_eq!(layers[0].name, "aws_lambda_layer_version.deps");
    assert_eq!(layers[0].dir, dir.path().join("layers/deps"));
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
}

#[test]
fn a_container_image_is_listed_not_analysed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        br#"
resource "aws_lambda_function" "img" {
  function_name = "img"
  package_type  = "Image"
  image_uri     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/img:latest"
}
"#,
    );
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(names(&d), ["img"]);
    assert!(
        matches!(&d.functions[0].entry, Entry::Unsupported { reason } if reason.contains("container image")),
        "{:?}",
        d.functions[0].entry
    );
}

#[test]
fn broken_files_are_errors_with_their_line_and_the_others_are_read() {
    let dir = tempfile::tempdir().unwrap();
    one_function(dir.path());
    write(
        dir.path(),
        "broken.tf",
        b"resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n",
    );
    write(dir.path(), "latin1.tf", b"# caf\xe9\nlocals {}\n");
    let deep = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    write(dir.path(), "deep.tf", deep.as_bytes());
    // Over the size limit: not parsed at all.
    let huge = format!("locals {{\n{}}}\n", "  # padding\n".repeat(900_000));
    write(dir.path(), "huge.tf", huge.as_bytes());
    // A long operator chain: the parser refuses it (128 operators at most) rather than
    // recursing through it.
    let chain = format!("locals {{\n  x = {}\n}}\n", vec!["1"; 20_000].join(" + "));
    write(dir.path(), "chain.tf", chain.as_bytes());
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(names(&d), ["fn"]);
    assert_eq!(
        codes(&d),
        [
            ("config-file-not-read".into(), "broken.tf:2".into()),
            ("config-file-not-read".into(), "chain.tf:2".into()),
            ("config-file-not-read".into(), "deep.tf:1".into()),
            ("config-file-not-read".into(), "huge.tf:1".into()),
            ("config-file-not-read".into(), "latin1.tf:1".into()),
        ]
    );
    assert!(d.diagnostics.iter().all(|x| !is_config_error(x)));
}

#[test]
fn a_var_file_that_cannot_be_read_is_a_config_error_naming_it() {
    let options = DiscoverOptions {
        var_files: vec!["/nonexistent/prod.tfvars".into()],
        ..DiscoverOptions::default()
    };
    let d = discover(&project("terraform-archive-file"), &options);
    let errors: Vec<_> = d.config_errors().collect();
    assert_eq!(errors.len(), 1, "{:?}", d.diagnostics);
    assert!(
        errors[0]
            .message
            .starts_with("/nonexistent/prod.tfvars: cannot be read"),
        "{}",
        errors[0].message
    );
}

#[test]
fn no_readable_file_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        b"resource \"aws_lambda_function\" {{{\n",
    );
    write(dir.path(), "app.py", b"import boto3\n");
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert!(d.functions.is_empty(), "{:?}", names(&d));
    assert_eq!(d.config_errors().count(), 1, "{:?}", d.diagnostics);
}

#[test]
fn terraform_without_functions_is_a_plain_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        b"resource \"aws_s3_bucket\" \"b\" { bucket = \"b\" }\n",
    );
    write(dir.path(), "app.py", b"import boto3\n");
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(d.functions.len(), 1);
    assert_eq!(d.functions[0].framework, Framework::Plain);
}

#[test]
fn references_in_a_layer_list_that_are_not_layers_are_named() {
    let dir = tempfile::tempdir().unwrap();
    one_function_with(dir.path(), "layers = [var.shared_layer]");
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(
        codes(&d),
        [("layer-not-followed".into(), "main.tf:8".into())]
    );
    assert!(
        d.diagnostics[0]
            .message
            .contains("var.shared_layer is not declared"),
        "{}",
        d.diagnostics[0].message
    );
}

#[test]
fn a_terraform_root_module_below_a_folder_is_a_project_of_the_monorepo() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tools/report.py", b"import boto3\n");
    one_function(&dir.path().join("orders"));
    // A child module is read through its caller, not as a project of its own, inside
    // a project or beside it.
    one_function(&dir.path().join("orders/modules/extra"));
    one_function(&dir.path().join("modules/shared"));
    // Terraform without functions is no Lambda project.
    write(
        dir.path(),
        "network/main.tf",
        b"resource \"aws_vpc\" \"v\" {}\n",
    );
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(names(&d), ["orders:fn"], "{:?}", d.diagnostics);
    let projects: Vec<&str> = d.projects.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(projects, ["orders"]);
    assert_eq!(
        d.functions[0].source.as_ref().map(|l| l.file.as_str()),
        Some("orders/main.tf")
    );
    assert!(
        !d.diagnostics.iter().any(|x| x.code == "nested-projects"),
        "{:?}",
        d.diagnostics
    );
}

#[test]
fn configuration_outside_the_repository_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    one_function_with(&repo, "layers = [aws_lambda_layer_version.deps.arn]");
    // A pull request pointing a module, and a layer, out of the repository.
    one_function(&dir.path().join("elsewhere"));
    write(
        &repo,
        "more.tf",
        br#"
module "stolen" {
  source = "../elsewhere"
}
data "archive_file" "deps" {
  type        = "zip"
  source_dir  = "../secrets"
  output_path = "deps.zip"
}
resource "aws_lambda_layer_version" "deps" {
  layer_name = "deps"
  filename   = data.archive_file.deps.output_path
}
"#,
    );
    write(dir.path(), "secrets/python/keys.py", b"KEY = 'x'\n");
    let d = discover(&repo, &DiscoverOptions::default());
    assert_eq!(names(&d), ["fn"]);
    assert!(d.functions[0].layers.is_empty());
    assert_eq!(
        codes(&d),
        [
            ("outside-project".into(), "../elsewhere/main.tf:1".into()),
            ("outside-project".into(), "main.tf:8".into()),
        ],
        "{:?}",
        d.diagnostics
    );
}

#[test]
fn a_resource_and_a_module_call_of_one_name_are_named_by_address() {
    let dir = tempfile::tempdir().unwrap();
    one_function(dir.path());
    write(
        dir.path(),
        "module.tf",
        br#"
module "fn" {
  source      = "terraform-aws-modules/lambda/aws"
  handler     = "app.handler"
  runtime     = "python3.12"
  source_path = "src"
}
"#,
    );
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(names(&d), ["aws_lambda_function.fn", "module.fn"]);
}

#[test]
fn a_handler_that_is_not_known_says_why() {
    let dir = tempfile::tempdir().unwrap();
    one_function(dir.path());
    let text = ONE_FUNCTION.replace("\"app.handler\"", "var.handler");
    write(dir.path(), "main.tf", text.as_bytes());
    write(dir.path(), "variables.tf", b"variable \"handler\" {}\n");
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert!(
        matches!(&d.functions[0].entry, Entry::Unsupported { reason } if reason == "its handler is not known (<unknown: var.handler has no default and no tfvars sets it>)"),
        "{:?}",
        d.functions[0].entry
    );
    assert_eq!(
        codes(&d),
        [("unsupported-function".into(), "main.tf:8".into())]
    );
}

#[test]
fn module_outputs_and_source_path_objects_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/app.py",
        b"def handler(event, context):\n    return 1\n",
    );
    write(
        dir.path(),
        "main.tf",
        br#"
module "store" {
  source = "./modules/store"
  prefix = "acme"
}
module "api" {
  source      = "registry.terraform.io/terraform-aws-modules/lambda/aws"
  handler     = "app.handler"
  runtime     = "python3.12"
  source_path = [{ path = "${path.root}/src", pip_requirements = false }]
  environment_variables = {
    TABLE = module.store.table_arn
  }
}
"#,
    );
    write(
        dir.path(),
        "modules/store/main.tf",
        br#"
variable "prefix" {}
resource "aws_dynamodb_table" "t" { name = "${var.prefix}-items" }
output "table_arn" { value = aws_dynamodb_table.t.arn }
"#,
    );
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(names(&d), ["api"], "{:?}", d.diagnostics);
    assert_eq!(d.functions[0].code_root, dir.path().join("src"));
    assert_eq!(
        shown(env(&d, "api", "TABLE")),
        "{!GetAtt module.store.aws_dynamodb_table.t.arn (arn) = arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/acme-items}"
    );
}

#[test]
fn for_each_and_count_give_one_function_per_instance_with_its_own_values() {
    let root = project("terraform-for-each-count");
    let d = discover(&root, &DiscoverOptions::default());
    assert_eq!(
        names(&d),
        [
            "archiver[0]",
            "jobs[nightly].job",
            "jobs[weekly].job",
            "orders[eu]",
            "orders[us]",
            "tenant"
        ],
        "{:?}",
        d.diagnostics
    );
    // `each.key` in the function and in the index of the table it references.
    assert_eq!(
        shown(env(&d, "orders[eu]", "TABLE_NAME")),
        "{!GetAtt aws_dynamodb_table.orders[\"eu\"].name = orders-eu}"
    );
    assert_eq!(
        shown(env(&d, "orders[us]", "AWS_LAMBDA_FUNCTION_NAME")),
        "orders-us"
    );
    // `count.index` in the bucket the function references by index.
    assert_eq!(
        shown(env(&d, "archiver[0]", "BUCKET")),
        "{!GetAtt aws_s3_bucket.archive[1].bucket = archive-1}"
    );
    assert_eq!(
        shown(env(&d, "archiver[0]", "AWS_LAMBDA_FUNCTION_NAME")),
        "archiver-0"
    );
    // A local module called with a map: `each.value` passed in per instance.
    assert_eq!(
        shown(env(&d, "jobs[weekly].job", "BUCKET")),
        "reports-weekly"
    );
    assert_eq!(
        shown(env(&d, "jobs[nightly].job", "AWS_LAMBDA_FUNCTION_NAME")),
        "job-nightly"
    );
    // A collection nothing sets: listed once, not analysed, saying why.
    let tenant = d.functions.iter().find(|f| f.name == "tenant").unwrap();
    assert!(
        matches!(&tenant.entry, Entry::Unsupported { reason }
            if reason.contains("for_each") && reason.contains("var.tenants")),
        "{:?}",
        tenant.entry
    );
}

#[test]
fn a_module_call_or_lambda_module_with_an_unknown_count_is_not_analysed() {
    let dir = tempfile::tempdir().unwrap();
    one_function(dir.path());
    write(
        dir.path(),
        "main.tf",
        br#"
variable "n" {}

module "many" {
  source = "./modules/fn"
  count  = var.n
}

module "api" {
  source        = "terraform-aws-modules/lambda/aws"
  for_each      = var.n
  function_name = "api-${each.key}"
  handler       = "app.handler"
  runtime       = "python3.12"
  source_path   = "${path.module}/src"
}

module "two" {
  source      = "terraform-aws-modules/lambda/aws"
  count       = 2
  function_name = "two-${count.index}"
  handler     = "app.handler"
  runtime     = "python3.12"
  source_path = "${path.module}/src"
}
"#,
    );
    // A module below the one with an unknown count has as many instances: not known.
    let with_inner = format!(
        "{}\nmodule \"inner\" {{\n  source = \"../inner\"\n}}\n",
        ONE_FUNCTION.replace("${path.module}", "${path.root}")
    );
    write(dir.path(), "modules/fn/main.tf", with_inner.as_bytes());
    write(
        dir.path(),
        "modules/inner/main.tf",
        ONE_FUNCTION
            .replace("${path.module}", "${path.root}")
            .as_bytes(),
    );
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(
        names(&d),
        ["api", "many.fn", "many.inner.fn", "two[0]", "two[1]"],
        "{:?}",
        d.diagnostics
    );
    for name in ["api", "many.fn", "many.inner.fn"] {
        let f = d.functions.iter().find(|f| f.name == name).unwrap();
        assert!(
            matches!(&f.entry, Entry::Unsupported { reason } if reason.contains("var.n")),
            "{name}: {:?}",
            f.entry
        );
    }
    let two = d.functions.iter().find(|f| f.name == "two[1]").unwrap();
    assert!(
        matches!(&two.entry, Entry::Handler { .. }),
        "{:?}",
        two.entry
    );
    assert_eq!(
        shown(env(&d, "two[1]", "AWS_LAMBDA_FUNCTION_NAME")),
        "two-1"
    );
}

#[test]
fn outputs_of_a_module_instance_and_missing_instances_resolve_or_say_why() {
    let dir = tempfile::tempdir().unwrap();
    one_function(dir.path());
    write(
        dir.path(),
        "main.tf",
        br#"
module "store" {
  source   = "./modules/store"
  for_each = toset(["a", "b"])
  name     = "store-${each.key}"
}

resource "aws_sqs_queue" "q" {
  count = 2
  name  = "q-${count.index}"
}

data "archive_file" "fn" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/fn.zip"
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = data.archive_file.fn.output_path
  environment {
    variables = {
      BUCKET  = module.store["b"].bucket
      QUEUE   = aws_sqs_queue.q[1].name
      MISSING = aws_sqs_queue.q[5].name
    }
  }
}
"#,
    );
    write(
        dir.path(),
        "modules/store/main.tf",
        br#"
variable "name" {}
output "bucket" { value = var.name }
"#,
    );
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(names(&d), ["fn"], "{:?}", d.diagnostics);
    assert_eq!(shown(env(&d, "fn", "BUCKET")), "store-b");
    assert_eq!(
        shown(env(&d, "fn", "QUEUE")),
        "{!GetAtt aws_sqs_queue.q[1].name = q-1}"
    );
    assert!(
        shown(env(&d, "fn", "MISSING")).contains("aws_sqs_queue.q[5] is not an instance"),
        "{}",
        shown(env(&d, "fn", "MISSING"))
    );
}

#[test]
fn tf_json_files_are_read_like_tf_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/app.py",
        b"def handler(event, context):\n    return 1\n",
    );
    // Native and JSON syntax side by side: the table is in the .tf file.
    write(
        dir.path(),
        "tables.tf",
        br#"
resource "aws_dynamodb_table" "orders" {
  name = "${var.stage}-orders"
}
"#,
    );
    write(
        dir.path(),
        "main.tf.json",
        br#"{
  "variable": { "stage": { "default": "prod" } },
  "locals": { "prefix": "shop-${var.stage}" },
  "data": {
    "archive_file": {
      "fn": {
        "type": "zip",
        "source_dir": "${path.module}/src",
        "output_path": "${path.module}/build/fn.zip"
      }
    }
  },
  "resource": {
    "aws_lambda_function": {
      "fn": {
        "//": "comments are ignored",
        "function_name": "${local.prefix}-fn",
        "handler": "app.handler",
        "runtime": "python3.12",
        "filename": "${data.archive_file.fn.output_path}",
        "environment": {
          "variables": {
            "TABLE": "${aws_dynamodb_table.orders.name}",
            "COUNT": 3
          }
        }
      }
    }
  }
}"#,
    );
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(names(&d), ["fn"], "{:?}", d.diagnostics);
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    let f = &d.functions[0];
    assert_eq!(f.code_root, dir.path().join("src"));
    let source = f.source.as_ref().unwrap();
    assert_eq!((source.file.as_str(), source.line), ("main.tf.json", 15));
    assert_eq!(
        shown(env(&d, "fn", "TABLE")),
        "{!GetAtt aws_dynamodb_table.orders.name = prod-orders}"
    );
    assert_eq!(shown(env(&d, "fn", "COUNT")), "3");
    assert_eq!(
        shown(env(&d, "fn", "AWS_LAMBDA_FUNCTION_NAME")),
        "shop-prod-fn"
    );
}

#[test]
fn a_tf_json_file_that_does_not_parse_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    one_function(dir.path());
    write(dir.path(), "extra.tf.json", b"{\n  \"resource\": [\n}");
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(names(&d), ["fn"]);
    assert_eq!(
        codes(&d),
        [(
            "config-file-not-read".to_string(),
            "extra.tf.json:3".to_string()
        )]
    );
}

#[test]
fn a_plan_gives_an_instance_s_name_by_its_indexed_address() {
    let dir = tempfile::tempdir().unwrap();
    one_function_with(
        dir.path(),
        "environment {\n    variables = { BUCKET = aws_s3_bucket.b[1].bucket }\n  }",
    );
    write(
        dir.path(),
        "buckets.tf",
        br#"
variable "suffix" {}

resource "aws_s3_bucket" "b" {
  count  = 2
  bucket = "b-${count.index}-${var.suffix}"
}
"#,
    );
    let plan = dir.path().join("plan.json");
    std::fs::write(
        &plan,
        r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
            {"address": "aws_s3_bucket.b[0]", "index": 0, "values": {"bucket": "b-0-xyz"}},
            {"address": "aws_s3_bucket.b[1]", "index": 1, "values": {"bucket": "b-1-xyz"}}
        ]}}}"#,
    )
    .unwrap();
    let without = discover(dir.path(), &DiscoverOptions::default());
    assert!(
        shown(env(&without, "fn", "BUCKET")).contains("var.suffix"),
        "{}",
        shown(env(&without, "fn", "BUCKET"))
    );
    let options = DiscoverOptions {
        terraform_plan: Some(plan),
        ..DiscoverOptions::default()
    };
    let d = discover(dir.path(), &options);
    assert_eq!(
        shown(env(&d, "fn", "BUCKET")),
        "{!GetAtt aws_s3_bucket.b[1].bucket = b-1-xyz}"
    );
}

#[test]
fn roles_of_many_functions_with_costly_attachments_are_all_read() {
    // Each attachment names its role through a local that takes ~65k evaluation steps;
    // read once per function (80 functions), as before, this took over a minute in a
    // debug build; read once for the configuration it takes about a second.
    let dir = tempfile::tempdir().unwrap();
    one_function(dir.path());
    let mut tf = String::from("locals {\n  l0 = \"x\"\n");
    for i in 1..=16 {
        tf.push_str(&format!(
            "  l{i} = \"${{local.l{}}}${{local.l{}}}\"\n",
            i - 1,
            i - 1
        ));
    }
    tf.push_str("}\n");
    for i in 0..4 {
        tf.push_str(&format!(
            "resource \"aws_iam_role_policy_attachment\" \"a{i}\" {{\n  role       = \"r-${{local.l16}}-{i}\"\n  policy_arn = \"arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole\"\n}}\n"
        ));
    }
    for i in 0..80 {
        tf.push_str(&format!(
            "resource \"aws_iam_role\" \"r{i}\" {{\n  name = \"r-{i}\"\n}}\nresource \"aws_lambda_function\" \"f{i}\" {{\n  function_name = \"f{i}\"\n  role          = aws_iam_role.r{i}.arn\n  handler       = \"app.handler\"\n  runtime       = \"python3.12\"\n  filename      = data.archive_file.fn.output_path\n}}\n"
        ));
    }
    write(dir.path(), "roles.tf", tf.as_bytes());
    // No timing here (speed is for benchmarks): every function is read with its role,
    // and a regression to per-function reading shows as a suite that takes minutes.
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(d.functions.len(), 81, "{:?}", d.diagnostics);
    assert!(
        d.functions
            .iter()
            .filter(|f| f.name != "fn")
            .all(|f| f.declared.is_some()),
        "every function's role is read"
    );
}

#[test]
fn counts_too_large_to_expand_are_not_analysed_not_expanded() {
    let dir = tempfile::tempdir().unwrap();
    one_function(dir.path());
    // A count of a billion, and modules of 200 instances each calling one of 200: each
    // would take memory and time without bound.
    write(
        dir.path(),
        "main.tf",
        ONE_FUNCTION
            .replace(
                "function_name = \"fn\"",
                "count         = 1000000000\n  function_name = \"fn\"",
            )
            .as_bytes(),
    );
    write(
        dir.path(),
        "modules.tf",
        br#"
module "outer" {
  source = "./modules/outer"
  count  = 200
}
"#,
    );
    write(
        dir.path(),
        "modules/outer/main.tf",
        br#"
module "inner" {
  source = "../inner"
  count  = 200
}
"#,
    );
    write(
        dir.path(),
        "modules/inner/main.tf",
        ONE_FUNCTION
            .replace("${path.module}", "${path.root}")
            .as_bytes(),
    );
    let d = discover(dir.path(), &DiscoverOptions::default());
    let fns = d.functions.iter().find(|f| f.name == "fn").unwrap();
    assert!(
        matches!(&fns.entry, Entry::Unsupported { reason } if reason.contains("more instances than leastrole expands")),
        "{:?}",
        fns.entry
    );
    // 200 outer instances are read; their inner calls share what is left of the
    // module budget: those beyond it are listed once each, not analysed.
    let not_analysed: Vec<&str> = d
        .functions
        .iter()
        .filter(|f| f.name.starts_with("outer["))
        .filter(|f| {
            matches!(&f.entry, Entry::Unsupported { reason } if reason.contains("more module instances"))
        })
        .map(|f| f.name.as_str())
        .collect();
    assert!(!not_analysed.is_empty());
    assert!(d.functions.len() < 1000, "{}", d.functions.len());
}

#[test]
fn a_trigger_naming_one_instance_of_a_lambda_module_call_is_that_instance_s() {
    let dir = tempfile::tempdir().unwrap();
    one_function(dir.path());
    write(
        dir.path(),
        "main.tf",
        br#"
module "api" {
  source        = "terraform-aws-modules/lambda/aws"
  for_each      = toset(["eu", "us"])
  function_name = "api-${each.key}"
  handler       = "app.handler"
  runtime       = "python3.12"
  source_path   = "${path.module}/src"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "uploads"
}

resource "aws_s3_bucket_notification" "n" {
  bucket = aws_s3_bucket.uploads.id
  lambda_function {
    lambda_function_arn = module.api["eu"].lambda_function_arn
    events              = ["s3:ObjectCreated:*"]
  }
}
"#,
    );
    let d = discover(dir.path(), &DiscoverOptions::default());
    assert_eq!(names(&d), ["api[eu]", "api[us]"], "{:?}", d.diagnostics);
    let triggers = |name: &str| {
        d.functions
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.triggers.as_ref())
            .map_or(0, Vec::len)
    };
    assert_eq!((triggers("api[eu]"), triggers("api[us]")), (1, 0));
}
