//! What `Ref` and `Fn::GetAtt` return for the resource types Lambda code uses: the
//! physical name, an ARN (and how to build it from the name), a URL, or a generated id.
//!
//! Sources: the "Return values" section of each resource type's page in the CloudFormation
//! resource reference (docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-*.html).

/// What a `Ref` or an attribute evaluates to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Returns {
    /// The physical name (`orders`).
    Name,
    /// An ARN; the template builds it from the physical name (`{name}`, `{partition}`,
    /// `{region}`, `{account}`, `{urlsuffix}`, `{random}` placeholders) when it can be
    /// built, `None` when it holds a part CloudFormation generates (a stream label).
    Arn(Option<&'static str>),
    /// Another string built from the name (a queue URL).
    Built(&'static str),
    /// A generated identifier (a KMS key id) or anything else the name does not give.
    Opaque,
}

/// `Ref` and `Fn::GetAtt` semantics of one resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RefSemantics {
    pub(crate) type_name: &'static str,
    /// The property that sets the physical name, if any.
    pub(crate) name_property: Option<&'static str>,
    pub(crate) reference: Returns,
    /// Attributes, sorted by name.
    pub(crate) attributes: &'static [(&'static str, Returns)],
}

const DYNAMODB_TABLE_ARN: &str = "arn:{partition}:dynamodb:{region}:{account}:table/{name}";
const LAMBDA_ARN: &str = "arn:{partition}:lambda:{region}:{account}:function:{name}";
const STATES_ARN: &str = "arn:{partition}:states:{region}:{account}:stateMachine:{name}";

/// Sorted by type name (a test keeps it so).
pub(crate) const REF_SEMANTICS: &[RefSemantics] = &[
    RefSemantics {
        type_name: "AWS::Cognito::UserPool",
        name_property: None,
        reference: Returns::Opaque,
        attributes: &[
            ("Arn", Returns::Arn(None)),
            ("ProviderName", Returns::Opaque),
            ("ProviderURL", Returns::Opaque),
            ("UserPoolId", Returns::Opaque),
        ],
    },
    RefSemantics {
        type_name: "AWS::DynamoDB::GlobalTable",
        name_property: Some("TableName"),
        reference: Returns::Name,
        attributes: &[
            ("Arn", Returns::Arn(Some(DYNAMODB_TABLE_ARN))),
            ("StreamArn", Returns::Arn(None)),
            ("TableId", Returns::Opaque),
        ],
    },
    RefSemantics {
        type_name: "AWS::DynamoDB::Table",
        name_property: Some("TableName"),
        reference: Returns::Name,
        attributes: &[
            ("Arn", Returns::Arn(Some(DYNAMODB_TABLE_ARN))),
            ("StreamArn", Returns::Arn(None)),
        ],
    },
    RefSemantics {
        type_name: "AWS::Events::EventBus",
        name_property: Some("Name"),
        reference: Returns::Name,
        attributes: &[
            (
                "Arn",
                Returns::Arn(Some(
                    "arn:{partition}:events:{region}:{account}:event-bus/{name}",
                )),
            ),
            ("Name", Returns::Name),
        ],
    },
    RefSemantics {
        type_name: "AWS::IAM::Role",
        name_property: Some("RoleName"),
        reference: Returns::Name,
        attributes: &[
            (
                "Arn",
                Returns::Arn(Some("arn:{partition}:iam::{account}:role/{name}")),
            ),
            ("RoleId", Returns::Opaque),
        ],
    },
    RefSemantics {
        type_name: "AWS::KMS::Alias",
        name_property: Some("AliasName"),
        reference: Returns::Name,
        attributes: &[],
    },
    RefSemantics {
        type_name: "AWS::KMS::Key",
        name_property: None,
        reference: Returns::Opaque,
        attributes: &[("Arn", Returns::Arn(None)), ("KeyId", Returns::Opaque)],
    },
    RefSemantics {
        type_name: "AWS::Kinesis::Stream",
        name_property: Some("Name"),
        reference: Returns::Name,
        attributes: &[(
            "Arn",
            Returns::Arn(Some(
                "arn:{partition}:kinesis:{region}:{account}:stream/{name}",
            )),
        )],
    },
    RefSemantics {
        type_name: "AWS::KinesisFirehose::DeliveryStream",
        name_property: Some("DeliveryStreamName"),
        reference: Returns::Name,
        attributes: &[(
            "Arn",
            Returns::Arn(Some(
                "arn:{partition}:firehose:{region}:{account}:deliverystream/{name}",
            )),
        )],
    },
    RefSemantics {
        type_name: "AWS::Lambda::Function",
        name_property: Some("FunctionName"),
        reference: Returns::Name,
        attributes: &[("Arn", Returns::Arn(Some(LAMBDA_ARN)))],
    },
    RefSemantics {
        type_name: "AWS::Logs::LogGroup",
        name_property: Some("LogGroupName"),
        reference: Returns::Name,
        attributes: &[(
            "Arn",
            Returns::Arn(Some(
                "arn:{partition}:logs:{region}:{account}:log-group:{name}:*",
            )),
        )],
    },
    RefSemantics {
        type_name: "AWS::S3::Bucket",
        name_property: Some("BucketName"),
        reference: Returns::Name,
        attributes: &[
            ("Arn", Returns::Arn(Some("arn:{partition}:s3:::{name}"))),
            ("DomainName", Returns::Built("{name}.s3.{urlsuffix}")),
            (
                "RegionalDomainName",
                Returns::Built("{name}.s3.{region}.{urlsuffix}"),
            ),
            ("WebsiteURL", Returns::Opaque),
        ],
    },
    RefSemantics {
        type_name: "AWS::SNS::Topic",
        name_property: Some("TopicName"),
        reference: Returns::Arn(Some("arn:{partition}:sns:{region}:{account}:{name}")),
        attributes: &[
            (
                "TopicArn",
                Returns::Arn(Some("arn:{partition}:sns:{region}:{account}:{name}")),
            ),
            ("TopicName", Returns::Name),
        ],
    },
    RefSemantics {
        type_name: "AWS::SQS::Queue",
        name_property: Some("QueueName"),
        reference: Returns::Built("https://sqs.{region}.{urlsuffix}/{account}/{name}"),
        attributes: &[
            (
                "Arn",
                Returns::Arn(Some("arn:{partition}:sqs:{region}:{account}:{name}")),
            ),
            ("QueueName", Returns::Name),
            (
                "QueueUrl",
                Returns::Built("https://sqs.{region}.{urlsuffix}/{account}/{name}"),
            ),
        ],
    },
    RefSemantics {
        type_name: "AWS::SSM::Parameter",
        name_property: Some("Name"),
        reference: Returns::Name,
        attributes: &[("Type", Returns::Opaque), ("Value", Returns::Opaque)],
    },
    RefSemantics {
        // The ARN ends in a hyphen and six random characters Secrets Manager adds.
        type_name: "AWS::SecretsManager::Secret",
        name_property: Some("Name"),
        reference: Returns::Arn(Some(
            "arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-{random}",
        )),
        attributes: &[(
            "Id",
            Returns::Arn(Some(
                "arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-{random}",
            )),
        )],
    },
    RefSemantics {
        // SAM: Ref gives the function name, `.Arn` the function ARN (as AWS::Lambda::Function).
        type_name: "AWS::Serverless::Function",
        name_property: Some("FunctionName"),
        reference: Returns::Name,
        attributes: &[("Arn", Returns::Arn(Some(LAMBDA_ARN)))],
    },
    RefSemantics {
        // SAM turns it into an AWS::DynamoDB::Table of the same logical id.
        type_name: "AWS::Serverless::SimpleTable",
        name_property: Some("TableName"),
        reference: Returns::Name,
        attributes: &[
            ("Arn", Returns::Arn(Some(DYNAMODB_TABLE_ARN))),
            ("StreamArn", Returns::Arn(None)),
        ],
    },
    RefSemantics {
        type_name: "AWS::Serverless::StateMachine",
        name_property: Some("Name"),
        reference: Returns::Arn(Some(STATES_ARN)),
        attributes: &[
            ("Arn", Returns::Arn(Some(STATES_ARN))),
            ("Name", Returns::Name),
        ],
    },
    RefSemantics {
        type_name: "AWS::StepFunctions::StateMachine",
        name_property: Some("StateMachineName"),
        reference: Returns::Arn(Some(STATES_ARN)),
        attributes: &[
            ("Arn", Returns::Arn(Some(STATES_ARN))),
            ("Name", Returns::Name),
            ("StateMachineRevisionId", Returns::Opaque),
        ],
    },
];

/// The semantics of a resource type, if leastrole knows it.
pub(crate) fn semantics(type_name: &str) -> Option<&'static RefSemantics> {
    REF_SEMANTICS
        .binary_search_by(|s| s.type_name.cmp(type_name))
        .ok()
        .and_then(|i| REF_SEMANTICS.get(i))
}

/// What `Ref` (attribute `None`) or `GetAtt` of a resource of `type_name` returns. Unknown
/// types and attributes: an attribute named `Arn` or ending in `Arn` is an ARN that cannot
/// be built; anything else is opaque.
pub(crate) fn returns(type_name: &str, attribute: Option<&str>) -> Returns {
    let known = semantics(type_name).and_then(|s| match attribute {
        None => Some(s.reference),
        Some(a) => s
            .attributes
            .binary_search_by(|(name, _)| (*name).cmp(a))
            .ok()
            .and_then(|i| s.attributes.get(i))
            .map(|(_, r)| *r),
    });
    known.unwrap_or(match attribute {
        Some(a) if a.ends_with("Arn") => Returns::Arn(None),
        _ => Returns::Opaque,
    })
}

/// What a reference evaluates to, for consumers outside this crate (`leastrole check`
/// compares declared and needed resources structurally).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceValue {
    /// The resource's physical name.
    Name,
    /// An ARN; the template (`{partition}`, `{region}`, `{account}`, `{name}`,
    /// `{random}` placeholders) when it can be built from the name.
    Arn(Option<&'static str>),
    /// Anything else (a URL, a generated id).
    Other,
}

/// What `Ref` (attribute `None`) or `Fn::GetAtt` of a resource of `type_name` returns.
pub fn reference_value(type_name: &str, attribute: Option<&str>) -> ReferenceValue {
    match returns(type_name, attribute) {
        Returns::Name => ReferenceValue::Name,
        Returns::Arn(template) => ReferenceValue::Arn(template),
        Returns::Built(_) | Returns::Opaque => ReferenceValue::Other,
    }
}
