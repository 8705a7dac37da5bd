//! Triggers: what invokes each function and what its events carry, from every
//! configuration form (SAM `Events`, plain CloudFormation resources, Serverless `events`),
//! on the trigger fixture projects and on small templates written here.

use std::fmt::Write as _;
use std::path::Path;

use leastrole_project::{DiscoverOptions, Discovery, Function, discover};

mod common;

use common::{parts, project};

/// Every function's triggers: kind, what it is, where it is declared, and each event
/// path with the value (references shown with their physical value).
fn render(d: &Discovery) -> String {
    let mut out = String::new();
    for f in &d.functions {
        let _ = writeln!(out, "{}:", f.name);
        for t in f.triggers.iter().flatten() {
            let at = t
                .source
                .as_ref()
                .map(|l| format!(" ({}:{})", l.file, l.line))
                .unwrap_or_default();
            let _ = writeln!(out, "- {}: {}{at}", t.kind, t.describe);
            for (path, value) in &t.fields {
                let _ = writeln!(out, "    {path} = {}", parts(value));
            }
        }
    }
    out
}

fn discovered(root: &Path) -> Discovery {
    discover(root, &DiscoverOptions::default())
}

fn function<'a>(d: &'a Discovery, name: &str) -> &'a Function {
    d.functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"))
}

/// The values (plain rendering: `${Logical}` for a reference) every trigger of a
/// function puts at `path`.
fn values(f: &Function, path: &str) -> Vec<String> {
    f.triggers
        .iter()
        .flatten()
        .filter_map(|t| t.fields.get(path))
        .map(|v| leastrole_project::ValueParts(v).to_string())
        .collect()
}

fn write(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn sam_s3_event_gives_the_bucket_and_the_key_between_prefix_and_suffix() {
    let d = discovered(&project("sam-s3-trigger-prefix-suffix"));
    let f = function(&d, "ThumbnailFunction");
    assert_eq!(values(f, "Records[].s3.bucket.name"), ["${UploadBucket}"]);
    let key = values(f, "Records[].s3.object.key");
    assert_eq!(key.len(), 1);
    assert!(key[0].starts_with("uploads/<unknown: "), "{key:?}");
    assert!(key[0].ends_with(">.jpg"), "{key:?}");
    insta::assert_snapshot!(render(&d));
}

#[test]
fn serverless_s3_events_name_existing_and_created_buckets() {
    let d = discovered(&project("serverless-s3-event-existing-bucket"));
    let f = function(&d, "ingest");
    assert_eq!(
        values(f, "Records[].s3.bucket.name"),
        ["acme-invoices-inbox", "invoice-ingest-prod-scans"]
    );
    let keys = values(f, "Records[].s3.object.key");
    assert!(keys[0].starts_with("incoming/<unknown:") && keys[0].ends_with(">.pdf"));
    assert!(keys[1].starts_with("<unknown: any object key"), "{keys:?}");
    insta::assert_snapshot!(render(&d));
}

#[test]
fn cloudformation_bucket_notification_names_the_function_it_invokes() {
    let d = discovered(&project("cloudformation-s3-notification"));
    let f = function(&d, "IndexFunction");
    assert_eq!(values(f, "Records[].s3.bucket.name"), ["${ReportsBucket}"]);
    assert_eq!(
        values(f, "Records[].s3.bucket.arn"),
        ["arn:${AWS::Partition}:s3:::${ReportsBucket}"]
    );
    insta::assert_snapshot!(render(&d));
}

#[test]
fn eventbridge_rule_on_s3_events_fixes_the_bucket_and_key_prefix() {
    let d = discovered(&project("sam-eventbridge-s3"));
    let f = function(&d, "ScanFunction");
    assert_eq!(values(f, "detail.bucket.name"), ["acme-media-ingest"]);
    let key = values(f, "detail.object.key");
    assert!(key[0].starts_with("videos/<unknown:"), "{key:?}");
    // What the pattern leaves open stays open.
    assert!(values(f, "detail")[0].starts_with("<unknown:"));
    insta::assert_snapshot!(render(&d));
}

#[test]
fn pollers_give_the_queue_or_stream_arn() {
    let d = discovered(&project("sam-sqs-kinesis-dynamodb-sources"));
    assert_eq!(
        values(function(&d, "OrdersFunction"), "Records[].eventSourceARN"),
        ["${OrdersQueue.Arn}"]
    );
    assert_eq!(
        values(function(&d, "ClicksFunction"), "Records[].eventSourceARN"),
        ["${ClickStream.Arn}"]
    );
    assert_eq!(
        values(function(&d, "AccountsFunction"), "Records[].eventSourceARN"),
        ["${AccountsTable.StreamArn}"]
    );
    insta::assert_snapshot!(render(&d));
}

#[test]
fn serverless_websocket_routes_are_the_services_api_and_stage() {
    let d = discovered(&project("serverless-websocket"));
    let f = function(&d, "message");
    assert_eq!(values(f, "requestContext.apiId"), ["${WebsocketsApi}"; 2]);
    assert_eq!(values(f, "requestContext.stage"), ["prod"; 2]);
    insta::assert_snapshot!(render(&d));
}

#[test]
fn custom_resource_properties_are_its_event_resource_properties() {
    let d = discovered(&project("sam-custom-resource"));
    let f = function(&d, "SeedFunction");
    assert_eq!(
        values(f, "ResourceProperties.TableName"),
        ["${SettingsTable}"]
    );
    assert_eq!(
        values(f, "ResourceProperties.SeedBucket"),
        ["acme-config-seeds"]
    );
    insta::assert_snapshot!(render(&d));
}

#[test]
fn cognito_trigger_gives_the_user_pool_id() {
    let d = discovered(&project("sam-cognito-trigger"));
    assert_eq!(
        values(function(&d, "ConfirmFunction"), "userPoolId"),
        ["${MembersPool}"]
    );
    insta::assert_snapshot!(render(&d));
}

/// The plain CloudFormation forms of the other kinds: an event source mapping, an SNS
/// subscription and a topic's inline one, an EventBridge rule's target, a WebSocket
/// API's integration and stage, a user pool's `LambdaConfig`, a custom resource; and
/// resources that name another function give it nothing.
#[test]
fn cloudformation_forms_of_every_kind() {
    let template = r#"
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: alerts
      Subscription:
        - Protocol: lambda
          Endpoint: !GetAtt Worker.Arn
  Audit:
    Type: AWS::SNS::Topic
  AuditSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      Protocol: lambda
      TopicArn: !Ref Audit
      Endpoint: !GetAtt Worker.Arn
  JobsMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Jobs.Arn
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source: [acme.billing]
        detail:
          tableName: [invoices, receipts]
      Targets:
        - Id: worker
          Arn: !GetAtt Worker.Arn
  ChatApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: chat
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  ChatIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref ChatApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Worker.Arn}/invocations
  ChatStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref ChatApi
      StageName: live
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      LambdaConfig:
        PreSignUp: !GetAtt Worker.Arn
  Setup:
    Type: AWS::CloudFormation::CustomResource
    Properties:
      ServiceToken: !GetAtt Worker.Arn
      QueueUrl: !Ref Jobs
  Other:
    Type: Custom::Other
    Properties:
      ServiceToken: !GetAtt Bystander.Arn
      Name: not-for-worker
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: src/
  Bystander:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: src/
"#;
    let dir = write(&[
        ("template.yaml", template),
        ("src/app.py", "def handler(event, context):\n    pass\n"),
    ]);
    let d = discovered(dir.path());
    let worker = function(&d, "Worker");
    assert_eq!(values(worker, "Records[].eventSourceARN"), ["${Jobs.Arn}"]);
    assert_eq!(
        values(worker, "Records[].Sns.TopicArn"),
        ["${Alerts}", "${Audit}"]
    );
    assert_eq!(values(worker, "detail.tableName"), ["invoices", "receipts"]);
    assert_eq!(values(worker, "requestContext.apiId"), ["${ChatApi}"]);
    assert_eq!(values(worker, "requestContext.stage"), ["live"]);
    assert_eq!(values(worker, "userPoolId"), ["${Pool}"]);
    assert_eq!(values(worker, "ResourceProperties.QueueUrl"), ["${Jobs}"]);
    assert!(values(worker, "ResourceProperties.Name").is_empty());
    let bystander = function(&d, "Bystander");
    assert_eq!(
        values(bystander, "ResourceProperties.Name"),
        ["not-for-worker"]
    );
    assert_eq!(bystander.triggers.as_ref().map(Vec::len), Some(1));
    insta::assert_snapshot!(render(&d));
}

/// The Serverless forms of the pollers, SNS, EventBridge and Cognito, and resources of
/// its `resources:` section that invoke a function.
#[test]
fn serverless_forms_of_every_kind() {
    let config = r#"
service: forms
provider:
  name: aws
  runtime: python3.12
functions:
  worker:
    handler: app.handler
    events:
      - sqs:
          arn: !GetAtt Jobs.Arn
      - stream:
          type: dynamodb
          arn: arn:aws:dynamodb:us-east-1:111122223333:table/ledger/stream/2024-01-01T00:00:00.000
      - sns: alerts
      - sns:
          arn: arn:aws:sns:us-east-1:111122223333:audit
      - eventBridge:
          pattern:
            source: [aws.s3]
            detail:
              bucket:
                name: [forms-drop]
      - cognitoUserPool:
          pool: members
          trigger: PreSignUp
      - schedule: rate(1 hour)
resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: forms-jobs
    Drop:
      Type: AWS::S3::Bucket
      Properties:
        BucketName: forms-uploads
        NotificationConfiguration:
          LambdaConfigurations:
            - Event: s3:ObjectCreated:*
              Function: !GetAtt WorkerLambdaFunction.Arn
"#;
    let dir = write(&[
        ("serverless.yml", config),
        ("app.py", "def handler(event, context):\n    pass\n"),
    ]);
    let d = discovered(dir.path());
    let worker = function(&d, "worker");
    assert_eq!(
        values(worker, "Records[].eventSourceARN"),
        [
            "${Jobs.Arn}",
            "arn:aws:dynamodb:us-east-1:111122223333:table/ledger/stream/2024-01-01T00:00:00.000"
        ]
    );
    assert_eq!(
        values(worker, "Records[].Sns.TopicArn"),
        [
            "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:alerts",
            "arn:aws:sns:us-east-1:111122223333:audit"
        ]
    );
    assert_eq!(values(worker, "detail.bucket.name"), ["forms-drop"]);
    assert_eq!(values(worker, "userPoolId"), ["${CognitoUserPoolMembers}"]);
    assert_eq!(values(worker, "Records[].s3.bucket.name"), ["${Drop}"]);
    insta::assert_snapshot!(render(&d));
}

/// A folder without configuration: nothing is known about what invokes it.
#[test]
fn plain_folders_have_no_known_triggers() {
    let d = discovered(&project("plain-python"));
    assert!(d.functions.iter().all(|f| f.triggers.is_none()));
}
