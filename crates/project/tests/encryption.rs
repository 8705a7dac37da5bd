//! Project discovery records which template resources are encrypted with a
//! customer-managed KMS key, and the key's ARN; AWS-managed keys and unencrypted
//! resources are not recorded.

use std::path::Path;

use leastrole_project::{DiscoverOptions, Encrypted, ValueParts, discover};

fn encrypted(files: &[(&str, &str)]) -> Vec<(String, String, Option<String>, String)> {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap_or(Path::new("."))).unwrap();
        std::fs::write(p, text).unwrap();
    }
    discover(dir.path(), &DiscoverOptions::default())
        .encrypted
        .into_iter()
        .map(
            |Encrypted {
                 logical_id,
                 resource_type,
                 name,
                 key,
             }| {
                (
                    logical_id,
                    resource_type,
                    name,
                    ValueParts(&key).to_string(),
                )
            },
        )
        .collect()
}

const SAM: &str = r#"
Transform: AWS::Serverless-2016-10-31
Parameters:
  ImportedKey: {Type: String, Default: 'arn:aws:kms:us-east-1:111122223333:key/imported'}
Resources:
  Key: {Type: AWS::KMS::Key, Properties: {KeyPolicy: {}}}
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: uploads
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms', KMSMasterKeyID: !GetAtt Key.Arn}
  Managed:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms', KMSMasterKeyID: alias/aws/s3}
  Plain: {Type: AWS::S3::Bucket}
  Jobs: {Type: AWS::SQS::Queue, Properties: {KmsMasterKeyId: !Ref Key}}
  ManagedQueue: {Type: AWS::SQS::Queue, Properties: {KmsMasterKeyId: alias/aws/sqs}}
  Alerts: {Type: AWS::SNS::Topic, Properties: {TopicName: alerts, KmsMasterKeyId: !Ref ImportedKey}}
  Orders:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: orders, SSESpecification: {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: 1234abcd-12ab}}
  Clicks: {Type: AWS::Kinesis::Stream, Properties: {StreamEncryption: {EncryptionType: KMS, KeyId: alias/custom}}}
  Token: {Type: AWS::SecretsManager::Secret, Properties: {Name: app/token, KmsKeyId: 'arn:aws:kms:eu-west-1:444455556666:key/other'}}
  Fn: {Type: AWS::Serverless::Function, Properties: {Handler: app.handler, Runtime: python3.12}}
"#;

#[test]
fn customer_managed_keys_are_recorded_with_the_key_arn() {
    let got = encrypted(&[
        ("template.yaml", SAM),
        ("app.py", "def handler(e, c):\n    pass\n"),
    ]);
    let key = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/";
    let row = |id: &str, t: &str, name: Option<&str>, key: String| {
        (id.to_string(), t.to_string(), name.map(str::to_string), key)
    };
    assert_eq!(
        got,
        vec![
            row(
                "Alerts",
                "AWS::SNS::Topic",
                Some("alerts"),
                "${ImportedKey}".into()
            ),
            row(
                "Clicks",
                "AWS::Kinesis::Stream",
                None,
                format!(
                    "{key}<unknown: the template names the key by an alias; a policy needs the key's ARN>"
                )
            ),
            row("Jobs", "AWS::SQS::Queue", None, format!("{key}${{Key}}")),
            row(
                "Orders",
                "AWS::DynamoDB::Table",
                Some("orders"),
                format!("{key}1234abcd-12ab")
            ),
            row(
                "Token",
                "AWS::SecretsManager::Secret",
                Some("app/token"),
                "arn:aws:kms:eu-west-1:444455556666:key/other".into()
            ),
            row(
                "Uploads",
                "AWS::S3::Bucket",
                Some("uploads"),
                format!("{key}${{Key}}")
            ),
        ]
    );
}

#[test]
fn a_folder_without_a_template_records_nothing() {
    assert!(encrypted(&[("app.py", "def handler(e, c):\n    pass\n")]).is_empty());
}
