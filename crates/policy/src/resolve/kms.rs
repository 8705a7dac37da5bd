//! KMS keys from the template: a call on a resource the project's template encrypts with
//! a customer-managed key gets the KMS actions its operation lists under `option: kms`,
//! on that key, without `--kms` (which adds them for every call, on any key).

use crate::resource::{ArnEnv, Part, Resource};

/// A resource the project's template encrypts with a customer-managed KMS key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TemplateKey {
    /// The resource's logical id: a reference to it in a grant's resource names it.
    pub logical_id: String,
    /// Its CloudFormation type (`AWS::S3::Bucket`).
    pub resource_type: String,
    /// Its literal name, when the template gives one: a literal name in the code names it.
    pub name: Option<String>,
    /// The key's ARN.
    pub key: Resource,
}

/// Types whose operations the service maps list no `option: kms` action for, though a
/// caller may need the key (DynamoDB's documented key policy lets the principals that use
/// the table use the key through DynamoDB): a call on one gets a warning instead of
/// silence.
pub(crate) const NOT_COVERED: &[&str] = &["AWS::DynamoDB::Table"];

/// Whether a grant's resource is (or is inside) the encrypted resource.
pub(crate) fn names(resource: &Resource, key: &TemplateKey) -> bool {
    fn refers(parts: &[Part], id: &str) -> bool {
        parts.iter().any(|p| match p {
            Part::Ref { logical_id, .. } => logical_id == id,
            Part::Var { resolved, .. } => refers(resolved, id),
            _ => false,
        })
    }
    if refers(resource.parts(), &key.logical_id) {
        return true;
    }
    let Some(name) = key.name.as_deref() else {
        return false;
    };
    let text = resource.render(&ArnEnv::default());
    let segment = |after: &str| {
        text.split_once(after)
            .map(|(_, rest)| rest.split('/').next().unwrap_or(rest).to_string())
    };
    let last = || text.rsplit(':').next().map(str::to_string);
    let found = match key.resource_type.as_str() {
        "AWS::S3::Bucket" => segment(":s3:::"),
        "AWS::SQS::Queue" if text.contains(":sqs:") => last(),
        "AWS::SNS::Topic" if text.contains(":sns:") => last(),
        "AWS::DynamoDB::Table" if text.contains(":dynamodb:") => segment(":table/"),
        "AWS::Kinesis::Stream" if text.contains(":kinesis:") => segment(":stream/"),
        // A secret's ARN ends in `-` and six random characters.
        "AWS::SecretsManager::Secret" => {
            return text
                .split_once(":secretsmanager:")
                .and_then(|(_, rest)| rest.split_once(":secret:"))
                .is_some_and(|(_, s)| {
                    s.strip_prefix(name)
                        .is_some_and(|suffix| suffix.starts_with('-') && suffix.len() == 7)
                });
        }
        _ => None,
    };
    found.as_deref() == Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(resource_type: &str, name: Option<&str>) -> TemplateKey {
        TemplateKey {
            logical_id: "Store".into(),
            resource_type: resource_type.into(),
            name: name.map(str::to_string),
            key: Resource::literal("arn:aws:kms:us-east-1:111122223333:key/k"),
        }
    }

    #[test]
    fn a_reference_or_the_literal_name_names_the_encrypted_resource() {
        let by_ref = Resource::new([
            Part::Lit {
                text: "arn:aws:s3:::".into(),
            },
            Part::Ref {
                logical_id: "Store".into(),
                attribute: None,
                arn: false,
                physical: None,
            },
            Part::Lit { text: "/*".into() },
        ]);
        assert!(names(&by_ref, &key("AWS::S3::Bucket", None)));
        let bucket = key("AWS::S3::Bucket", Some("uploads"));
        assert!(names(
            &Resource::literal("arn:aws:s3:::uploads/a/b.jpg"),
            &bucket
        ));
        assert!(names(&Resource::literal("arn:aws:s3:::uploads"), &bucket));
        assert!(!names(
            &Resource::literal("arn:aws:s3:::uploads-archive/a"),
            &bucket
        ));
        let queue = key("AWS::SQS::Queue", Some("jobs"));
        assert!(names(
            &Resource::literal("arn:aws:sqs:us-east-1:111122223333:jobs"),
            &queue
        ));
        assert!(!names(
            &Resource::literal("arn:aws:sqs:us-east-1:111122223333:jobs-dlq"),
            &queue
        ));
        let table = key("AWS::DynamoDB::Table", Some("orders"));
        assert!(names(
            &Resource::literal("arn:aws:dynamodb:us-east-1:111122223333:table/orders/index/byDate"),
            &table
        ));
        let secret = key("AWS::SecretsManager::Secret", Some("db/password"));
        assert!(names(
            &Resource::literal(
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db/password-??????"
            ),
            &secret
        ));
        assert!(!names(
            &Resource::literal(
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db/password-old-??????"
            ),
            &secret
        ));
    }
}
