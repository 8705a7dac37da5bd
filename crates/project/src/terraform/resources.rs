//! What an attribute of a Terraform resource evaluates to, for the resource types Lambda
//! code uses: the name the configuration gives, an ARN built from it, a URL, or an id the
//! service generates.
//!
//! Sources: the "Attribute Reference" section of each resource's page in the AWS
//! provider's documentation (registry.terraform.io/providers/hashicorp/aws/latest/docs).
//! `id` differs by type: a table's, bucket's or parameter's is its name, a topic's,
//! secret's or state machine's is its ARN, a queue's is its URL.

use super::Resource;
use super::eval::{Scope, Value};
use crate::ValuePart;
use crate::cfn::build;
use crate::returns::Returns;

/// The attributes of one resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TfSemantics {
    pub(crate) type_name: &'static str,
    /// The argument that sets the name, if any.
    pub(crate) name_argument: Option<&'static str>,
    /// The argument that sets a prefix Terraform completes with a random suffix.
    pub(crate) prefix_argument: Option<&'static str>,
    /// Attributes, sorted by name.
    pub(crate) attributes: &'static [(&'static str, Returns)],
}

const BUS_ARN: &str = "arn:{partition}:events:{region}:{account}:event-bus/{name}";
const ECR_ARN: &str = "arn:{partition}:ecr:{region}:{account}:repository/{name}";
const KINESIS_ARN: &str = "arn:{partition}:kinesis:{region}:{account}:stream/{name}";
const LAMBDA_ARN: &str = "arn:{partition}:lambda:{region}:{account}:function:{name}";
const LOG_GROUP_ARN: &str = "arn:{partition}:logs:{region}:{account}:log-group:{name}";
const QUEUE_ARN: &str = "arn:{partition}:sqs:{region}:{account}:{name}";
const QUEUE_URL: &str = "https://sqs.{region}.{urlsuffix}/{account}/{name}";
const SECRET_ARN: &str = "arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-{random}";
const STATES_ARN: &str = "arn:{partition}:states:{region}:{account}:stateMachine:{name}";
const TABLE_ARN: &str = "arn:{partition}:dynamodb:{region}:{account}:table/{name}";
/// A table's stream: its label is the time DynamoDB enabled it, known only then.
const TABLE_STREAM_ARN: &str =
    "arn:{partition}:dynamodb:{region}:{account}:table/{name}/stream/{stream-label}";
const TOPIC_ARN: &str = "arn:{partition}:sns:{region}:{account}:{name}";

/// Sorted by type name (a test keeps it so).
pub(crate) const TF_SEMANTICS: &[TfSemantics] = &[
    TfSemantics {
        type_name: "aws_cloudwatch_event_bus",
        name_argument: Some("name"),
        prefix_argument: None,
        attributes: &[
            ("arn", Returns::Arn(Some(BUS_ARN))),
            ("id", Returns::Name),
            ("name", Returns::Name),
        ],
    },
    TfSemantics {
        type_name: "aws_cloudwatch_log_group",
        name_argument: Some("name"),
        prefix_argument: Some("name_prefix"),
        attributes: &[
            ("arn", Returns::Arn(Some(LOG_GROUP_ARN))),
            ("id", Returns::Name),
            ("name", Returns::Name),
        ],
    },
    TfSemantics {
        // Its id is generated (`us-east-1_AbCdEf123`), and its ARN holds it.
        type_name: "aws_cognito_user_pool",
        name_argument: None,
        prefix_argument: None,
        attributes: &[
            ("arn", Returns::Arn(None)),
            ("endpoint", Returns::Opaque),
            ("id", Returns::Opaque),
        ],
    },
    TfSemantics {
        type_name: "aws_dynamodb_table",
        name_argument: Some("name"),
        prefix_argument: None,
        attributes: &[
            ("arn", Returns::Arn(Some(TABLE_ARN))),
            ("id", Returns::Name),
            ("name", Returns::Name),
            ("stream_arn", Returns::Arn(Some(TABLE_STREAM_ARN))),
        ],
    },
    TfSemantics {
        type_name: "aws_ecr_repository",
        name_argument: Some("name"),
        prefix_argument: None,
        attributes: &[
            ("arn", Returns::Arn(Some(ECR_ARN))),
            ("id", Returns::Name),
            ("name", Returns::Name),
            (
                "repository_url",
                Returns::Built("{account}.dkr.ecr.{region}.{urlsuffix}/{name}"),
            ),
        ],
    },
    TfSemantics {
        // Its ARN holds its `path` (`role/service/x`): see `reference`.
        type_name: "aws_iam_role",
        name_argument: Some("name"),
        prefix_argument: Some("name_prefix"),
        attributes: &[
            (
                "arn",
                Returns::Arn(Some("arn:{partition}:iam::{account}:role/{name}")),
            ),
            ("id", Returns::Name),
            ("name", Returns::Name),
            ("unique_id", Returns::Opaque),
        ],
    },
    TfSemantics {
        type_name: "aws_kinesis_stream",
        name_argument: Some("name"),
        prefix_argument: None,
        attributes: &[
            ("arn", Returns::Arn(Some(KINESIS_ARN))),
            ("id", Returns::Arn(Some(KINESIS_ARN))),
            ("name", Returns::Name),
        ],
    },
    TfSemantics {
        // The name is `alias/x`, and the ARN ends with it.
        type_name: "aws_kms_alias",
        name_argument: Some("name"),
        prefix_argument: Some("name_prefix"),
        attributes: &[
            (
                "arn",
                Returns::Arn(Some("arn:{partition}:kms:{region}:{account}:{name}")),
            ),
            ("id", Returns::Name),
            ("name", Returns::Name),
            ("target_key_arn", Returns::Arn(None)),
            ("target_key_id", Returns::Opaque),
        ],
    },
    TfSemantics {
        // The key id is generated.
        type_name: "aws_kms_key",
        name_argument: None,
        prefix_argument: None,
        attributes: &[
            ("arn", Returns::Arn(None)),
            ("id", Returns::Opaque),
            ("key_id", Returns::Opaque),
        ],
    },
    TfSemantics {
        type_name: "aws_lambda_function",
        name_argument: Some("function_name"),
        prefix_argument: None,
        attributes: &[
            ("arn", Returns::Arn(Some(LAMBDA_ARN))),
            ("function_name", Returns::Name),
            ("id", Returns::Name),
            (
                "invoke_arn",
                Returns::Built(
                    "arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/arn:{partition}:lambda:{region}:{account}:function:{name}/invocations",
                ),
            ),
            // The ARN with the version published, known once deployed.
            ("qualified_arn", Returns::Arn(None)),
        ],
    },
    TfSemantics {
        // Each version's ARN ends with its number, known once published.
        type_name: "aws_lambda_layer_version",
        name_argument: Some("layer_name"),
        prefix_argument: None,
        attributes: &[
            ("arn", Returns::Arn(None)),
            ("layer_arn", Returns::Arn(None)),
            ("layer_name", Returns::Name),
        ],
    },
    TfSemantics {
        // A bucket's name is global: its ARN has no region or account.
        type_name: "aws_s3_bucket",
        name_argument: Some("bucket"),
        prefix_argument: Some("bucket_prefix"),
        attributes: &[
            ("arn", Returns::Arn(Some("arn:{partition}:s3:::{name}"))),
            ("bucket", Returns::Name),
            (
                "bucket_domain_name",
                Returns::Built("{name}.s3.amazonaws.com"),
            ),
            ("id", Returns::Name),
        ],
    },
    TfSemantics {
        type_name: "aws_secretsmanager_secret",
        name_argument: Some("name"),
        prefix_argument: Some("name_prefix"),
        attributes: &[
            ("arn", Returns::Arn(Some(SECRET_ARN))),
            ("id", Returns::Arn(Some(SECRET_ARN))),
            ("name", Returns::Name),
        ],
    },
    TfSemantics {
        type_name: "aws_sfn_state_machine",
        name_argument: Some("name"),
        prefix_argument: Some("name_prefix"),
        attributes: &[
            ("arn", Returns::Arn(Some(STATES_ARN))),
            ("id", Returns::Arn(Some(STATES_ARN))),
            ("name", Returns::Name),
        ],
    },
    TfSemantics {
        type_name: "aws_sns_topic",
        name_argument: Some("name"),
        prefix_argument: Some("name_prefix"),
        attributes: &[
            ("arn", Returns::Arn(Some(TOPIC_ARN))),
            ("id", Returns::Arn(Some(TOPIC_ARN))),
            ("name", Returns::Name),
        ],
    },
    TfSemantics {
        type_name: "aws_sqs_queue",
        name_argument: Some("name"),
        prefix_argument: Some("name_prefix"),
        attributes: &[
            ("arn", Returns::Arn(Some(QUEUE_ARN))),
            ("id", Returns::Built(QUEUE_URL)),
            ("name", Returns::Name),
            ("url", Returns::Built(QUEUE_URL)),
        ],
    },
    TfSemantics {
        // `parameter/x` for the names `x` and `/x` alike: the name's leading slash goes.
        type_name: "aws_ssm_parameter",
        name_argument: Some("name"),
        prefix_argument: None,
        attributes: &[
            (
                "arn",
                Returns::Arn(Some(
                    "arn:{partition}:ssm:{region}:{account}:parameter/{name}",
                )),
            ),
            ("id", Returns::Name),
            ("name", Returns::Name),
        ],
    },
];

pub(crate) fn semantics(type_name: &str) -> Option<&'static TfSemantics> {
    TF_SEMANTICS
        .binary_search_by(|s| s.type_name.cmp(type_name))
        .ok()
        .and_then(|i| TF_SEMANTICS.get(i))
}

/// The reference `<address>.<attr>` of a resource, with the value the configuration
/// gives it when its name is set (`physical`).
pub(crate) fn reference(scope: &Scope<'_>, resource: &Resource, attr: &str) -> ValuePart {
    let semantics = semantics(&resource.kind);
    let returns = semantics.and_then(|s| {
        s.attributes
            .iter()
            .find(|(a, _)| *a == attr)
            .map(|(_, r)| *r)
    });
    let name = semantics.and_then(|s| name(scope, resource, s));
    let physical = match (returns, name) {
        (Some(Returns::Name), Some(name)) => Some(name),
        (Some(Returns::Arn(Some(template)) | Returns::Built(template)), Some(name)) => {
            let name = match resource.kind.as_str() {
                "aws_ssm_parameter" => without_leading_slash(name),
                // A role's ARN is `role` + its path (`/` unless set) + its name.
                "aws_iam_role" => match scope.argument(&resource.body, "path") {
                    None | Some(Value::Null) => name,
                    Some(path) => {
                        let mut parts = without_leading_slash(path.text());
                        parts.extend(name);
                        crate::cfn::normalize(parts)
                    }
                },
                _ => name,
            };
            Some(build(template, &name))
        }
        _ => None,
    };
    ValuePart::Ref {
        logical_id: resource.address.clone(),
        attribute: Some(attr.to_string()),
        arn: matches!(returns, Some(Returns::Arn(_)))
            || (returns.is_none() && attr.ends_with("arn")),
        physical,
        resource_type: Some(resource.kind.clone()),
    }
}

/// The resource's name as the configuration sets it, with references inside replaced by
/// their own values (an unknown part where one has none); a prefix gets an unknown
/// suffix. `None` when Terraform or the service picks the name.
fn name(scope: &Scope<'_>, resource: &Resource, s: &TfSemantics) -> Option<Vec<ValuePart>> {
    let configured = configured_name(scope, resource, s);
    if configured
        .as_ref()
        .is_some_and(|parts| !parts.iter().any(|p| matches!(p, ValuePart::Unknown(_))))
    {
        return configured;
    }
    // What the configuration leaves unknown, `--terraform-plan` may give exactly.
    s.name_argument
        .and_then(|arg| scope.config.plan.string(&resource.address, arg))
        .map(|name| vec![ValuePart::Lit(name)])
        .or(configured)
}

/// [`name`] as the configuration alone gives it.
fn configured_name(
    scope: &Scope<'_>,
    resource: &Resource,
    s: &TfSemantics,
) -> Option<Vec<ValuePart>> {
    let set = |arg: Option<&str>| arg.and_then(|a| scope.argument(&resource.body, a));
    if let Some(value) = set(s.name_argument)
        && !matches!(value, Value::Null)
    {
        return Some(flatten(value.text()));
    }
    let prefix = set(s.prefix_argument)?;
    let mut parts = flatten(prefix.text());
    parts.push(ValuePart::Unknown(format!(
        "{}: Terraform ends a `{}` with a random suffix",
        resource.address,
        s.prefix_argument.unwrap_or_default()
    )));
    Some(parts)
}

/// References replaced by what they evaluate to.
fn flatten(parts: Vec<ValuePart>) -> Vec<ValuePart> {
    let mut out = Vec::new();
    for p in parts {
        match p {
            ValuePart::Ref {
                physical: Some(physical),
                ..
            } => out.extend(flatten(physical)),
            ValuePart::Ref {
                logical_id,
                attribute,
                ..
            } => out.push(ValuePart::Unknown(format!(
                "{logical_id}.{} is not set in the configuration",
                attribute.unwrap_or_default()
            ))),
            other => out.push(other),
        }
    }
    crate::cfn::normalize(out)
}

fn without_leading_slash(mut name: Vec<ValuePart>) -> Vec<ValuePart> {
    if let Some(ValuePart::Lit(first)) = name.first_mut()
        && let Some(rest) = first.strip_prefix('/')
    {
        *first = rest.to_string();
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_by_type_and_attribute() {
        assert!(
            TF_SEMANTICS
                .windows(2)
                .all(|w| matches!(w, [a, b] if a.type_name < b.type_name))
        );
        for s in TF_SEMANTICS {
            assert!(
                s.attributes
                    .windows(2)
                    .all(|w| matches!(w, [a, b] if a.0 < b.0)),
                "{}",
                s.type_name
            );
        }
    }
}
