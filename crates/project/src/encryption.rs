//! Which template resources are encrypted with a customer-managed KMS key, and with
//! which key: a call on such a resource needs the KMS actions the service maps list under
//! `option: kms`, on that key (`leastrole-policy` adds them; `--kms` does it blindly for
//! every call, for folders without a template).
//!
//! An AWS-managed key (`alias/aws/s3`, `alias/aws/sqs`…) or the default encryption needs
//! no permission of the caller, so it is not recorded.

use crate::ValuePart;
use crate::cfn::{Eval, normalize};
use crate::config::Node;
use crate::returns::semantics;

/// A template resource encrypted with a customer-managed KMS key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Encrypted {
    /// Its logical id: a reference to it (`!Ref Bucket`, `!GetAtt Queue.Arn`) in a
    /// function's environment names it.
    pub logical_id: String,
    /// `AWS::S3::Bucket`, `AWS::SQS::Queue`, `AWS::SNS::Topic`, `AWS::DynamoDB::Table`,
    /// `AWS::Kinesis::Stream`, `AWS::SecretsManager::Secret`.
    pub resource_type: String,
    /// Its name when the template gives it literally (`BucketName: uploads`), so a
    /// literal name in the code names it too.
    pub name: Option<String>,
    /// The key's ARN, as parts (`arn:${AWS::Partition}:kms:…:key/${Key}`, a literal
    /// ARN, or `Fn::GetAtt Key.Arn`).
    pub key: Vec<ValuePart>,
}

/// Where each type keeps its key: the path to the key property (a `[]` step: every
/// element of a list) and, for S3, the algorithm that says the key is KMS.
const KEY_PROPERTIES: &[(&str, &[&str])] = &[
    ("AWS::SQS::Queue", &["KmsMasterKeyId"]),
    ("AWS::SNS::Topic", &["KmsMasterKeyId"]),
    (
        "AWS::DynamoDB::Table",
        &["SSESpecification", "KMSMasterKeyId"],
    ),
    ("AWS::Kinesis::Stream", &["StreamEncryption", "KeyId"]),
    ("AWS::SecretsManager::Secret", &["KmsKeyId"]),
    (
        "AWS::S3::Bucket",
        &[
            "BucketEncryption",
            "ServerSideEncryptionConfiguration",
            "[]",
            "ServerSideEncryptionByDefault",
            "KMSMasterKeyID",
        ],
    ),
];

/// The encrypted resources of a template's `Resources`, in template order.
pub(crate) fn encrypted(eval: &Eval<'_>) -> Vec<Encrypted> {
    let mut out = Vec::new();
    for (id, resource) in &eval.template.resources {
        let Some(type_name) = resource.get("Type").and_then(Node::as_str) else {
            continue;
        };
        let Some((_, path)) = KEY_PROPERTIES.iter().find(|(t, _)| *t == type_name) else {
            continue;
        };
        let Some(props) = resource.get("Properties") else {
            continue;
        };
        for node in find(props, path) {
            let Some(key) = key_arn(eval, node) else {
                continue;
            };
            let name = semantics(type_name)
                .and_then(|s| s.name_property)
                .and_then(|p| props.get(p))
                .and_then(|n| match eval.value(n, 0).as_slice() {
                    [ValuePart::Lit(s)] => Some(s.clone()),
                    _ => None,
                });
            out.push(Encrypted {
                logical_id: id.clone(),
                resource_type: type_name.to_string(),
                name,
                key,
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Every node at `path` (`[]`: each element of a list).
fn find<'a>(node: &'a Node, path: &[&str]) -> Vec<&'a Node> {
    let Some((first, rest)) = path.split_first() else {
        return vec![node];
    };
    match (*first, node) {
        ("[]", Node::Seq(items)) => items.iter().flat_map(|i| find(i, rest)).collect(),
        ("[]", _) => Vec::new(),
        (key, _) => node.get(key).map(|n| find(n, rest)).unwrap_or_default(),
    }
}

/// The key's ARN for a key property's value; `None` for an AWS-managed key (an
/// `alias/aws/…` alias), which the caller needs no permission on.
fn key_arn(eval: &Eval<'_>, node: &Node) -> Option<Vec<ValuePart>> {
    let parts = eval.value(node, 0);
    let key_prefix = || {
        vec![
            ValuePart::Lit("arn:".into()),
            ValuePart::Pseudo("AWS::Partition".into()),
            ValuePart::Lit(":kms:".into()),
            ValuePart::Pseudo("AWS::Region".into()),
            ValuePart::Lit(":".into()),
            ValuePart::Pseudo("AWS::AccountId".into()),
            ValuePart::Lit(":key/".into()),
        ]
    };
    let unknown = |why: &str| {
        let mut arn = key_prefix();
        arn.push(ValuePart::Unknown(why.to_string()));
        Some(normalize(arn))
    };
    match parts.as_slice() {
        [] => None,
        [ValuePart::Lit(s)] if s.starts_with("alias/aws/") || s.contains(":alias/aws/") => None,
        [ValuePart::Lit(s)] if s.starts_with("alias/") || s.contains(":alias/") => {
            unknown("the template names the key by an alias; a policy needs the key's ARN")
        }
        [ValuePart::Lit(s)] if s.starts_with("arn:") => Some(parts.clone()),
        // A key id.
        [ValuePart::Lit(_)] => {
            let mut arn = key_prefix();
            arn.extend(parts);
            Some(normalize(arn))
        }
        // `Fn::GetAtt Key.Arn` of a key in the template: built from the key's id
        // (`Ref Key`), so that output without the template still names a key
        // (`key/*`), not `*`.
        [
            ValuePart::Ref {
                logical_id,
                resource_type: Some(t),
                arn: true,
                ..
            },
        ] if t == "AWS::KMS::Key" => {
            let mut arn = key_prefix();
            arn.push(ValuePart::Ref {
                logical_id: logical_id.clone(),
                attribute: None,
                arn: false,
                physical: None,
                resource_type: Some(t.clone()),
            });
            Some(normalize(arn))
        }
        // Another whole ARN (an imported key's ARN from another stack's resource).
        [ValuePart::Ref { arn: true, .. }] => Some(parts.clone()),
        [
            ValuePart::Ref {
                resource_type: Some(t),
                attribute: None,
                ..
            },
        ] if t == "AWS::KMS::Key" => {
            let mut arn = key_prefix();
            arn.extend(parts);
            Some(normalize(arn))
        }
        [
            ValuePart::Ref {
                resource_type: Some(t),
                ..
            },
        ] if t == "AWS::KMS::Alias" => {
            unknown("the template names the key by an alias; a policy needs the key's ARN")
        }
        // A template parameter: its value is an ARN or a key id (its default says which).
        [
            ValuePart::Ref {
                resource_type: None,
                physical,
                ..
            },
        ] => {
            let is_arn = matches!(physical.as_deref(), Some([ValuePart::Lit(s), ..]) if s.starts_with("arn:"));
            if is_arn {
                Some(parts.clone())
            } else {
                let mut arn = key_prefix();
                arn.extend(parts);
                Some(normalize(arn))
            }
        }
        // Anything else that may be an ARN or an id: whole if it reads as
        // an ARN, else unknown.
        _ if parts
            .first()
            .is_some_and(|p| matches!(p, ValuePart::Lit(s) if s.starts_with("arn:"))) =>
        {
            Some(parts.clone())
        }
        _ => unknown("the template's key value is not known statically"),
    }
}
