//! What `Ref` and `Fn::GetAtt` return for the resource types Lambda code uses: the
//! physical name, an ARN (and how to build it from the name), a URL, or a generated id.
//!
//! Sources: the "Return values" section of each resource type's page in the CloudFormation
//! resource reference (docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-*.html).
//! Where a `Ref` is not the name (a queue's URL; a topic's, secret's, state machine's,
//! AppSync API's ARN; a key's, user pool's or REST API's generated id), the table says so:
//! an ARN built around such a reference names nothing at deploy time.

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
/// A table's stream: its label is the time DynamoDB enabled it, known only then.
const DYNAMODB_STREAM_ARN: &str =
    "arn:{partition}:dynamodb:{region}:{account}:table/{name}/stream/{stream-label}";
const QUEUE_URL: &str = "https://sqs.{region}.{urlsuffix}/{account}/{name}";

/// Sorted by type name (a test keeps it so).
pub(crate) const REF_SEMANTICS: &[RefSemantics] = &[
    RefSemantics {
        // `Ref` is the generated API id, not the `Name`.
        type_name: "AWS::ApiGateway::RestApi",
        name_property: None,
        reference: Returns::Opaque,
        attributes: &[
            ("RestApiId", Returns::Opaque),
            ("RootResourceId", Returns::Opaque),
        ],
    },
    RefSemantics {
        // `Ref` is the generated API id.
        type_name: "AWS::ApiGatewayV2::Api",
        name_property: None,
        reference: Returns::Opaque,
        attributes: &[("ApiEndpoint", Returns::Opaque), ("ApiId", Returns::Opaque)],
    },
    RefSemantics {
        // `Ref` is the API's ARN, which holds its generated id.
        type_name: "AWS::AppSync::GraphQLApi",
        name_property: None,
        reference: Returns::Arn(None),
        attributes: &[
            ("ApiId", Returns::Opaque),
            ("Arn", Returns::Arn(None)),
            ("GraphQLDns", Returns::Opaque),
            ("GraphQLEndpointArn", Returns::Arn(None)),
            ("GraphQLUrl", Returns::Opaque),
            ("RealtimeDns", Returns::Opaque),
            ("RealtimeUrl", Returns::Opaque),
        ],
    },
    RefSemantics {
        type_name: "AWS::Athena::WorkGroup",
        name_property: Some("Name"),
        reference: Returns::Name,
        attributes: &[],
    },
    RefSemantics {
        type_name: "AWS::CloudWatch::Alarm",
        name_property: Some("AlarmName"),
        reference: Returns::Name,
        attributes: &[(
            "Arn",
            Returns::Arn(Some(
                "arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}",
            )),
        )],
    },
    RefSemantics {
        // `Ref` is the generated identity pool id.
        type_name: "AWS::Cognito::IdentityPool",
        name_property: None,
        reference: Returns::Opaque,
        attributes: &[("Id", Returns::Opaque), ("Name", Returns::Opaque)],
    },
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
        // `Ref` is the generated client id.
        type_name: "AWS::Cognito::UserPoolClient",
        name_property: None,
        reference: Returns::Opaque,
        attributes: &[
            ("ClientId", Returns::Opaque),
            ("ClientSecret", Returns::Opaque),
            ("Name", Returns::Opaque),
        ],
    },
    RefSemantics {
        type_name: "AWS::DynamoDB::GlobalTable",
        name_property: Some("TableName"),
        reference: Returns::Name,
        attributes: &[
            ("Arn", Returns::Arn(Some(DYNAMODB_TABLE_ARN))),
            ("StreamArn", Returns::Arn(Some(DYNAMODB_STREAM_ARN))),
            ("TableId", Returns::Opaque),
        ],
    },
    RefSemantics {
        type_name: "AWS::DynamoDB::Table",
        name_property: Some("TableName"),
        reference: Returns::Name,
        attributes: &[
            ("Arn", Returns::Arn(Some(DYNAMODB_TABLE_ARN))),
            ("StreamArn", Returns::Arn(Some(DYNAMODB_STREAM_ARN))),
        ],
    },
    RefSemantics {
        type_name: "AWS::ECR::Repository",
        name_property: Some("RepositoryName"),
        reference: Returns::Name,
        attributes: &[
            (
                "Arn",
                Returns::Arn(Some(
                    "arn:{partition}:ecr:{region}:{account}:repository/{name}",
                )),
            ),
            (
                "RepositoryUri",
                Returns::Built("{account}.dkr.ecr.{region}.{urlsuffix}/{name}"),
            ),
        ],
    },
    RefSemantics {
        type_name: "AWS::ECS::Cluster",
        name_property: Some("ClusterName"),
        reference: Returns::Name,
        attributes: &[(
            "Arn",
            Returns::Arn(Some(
                "arn:{partition}:ecs:{region}:{account}:cluster/{name}",
            )),
        )],
    },
    RefSemantics {
        // `Ref` is the service's ARN, which holds its cluster's name.
        type_name: "AWS::ECS::Service",
        name_property: Some("ServiceName"),
        reference: Returns::Arn(None),
        attributes: &[("Name", Returns::Name), ("ServiceArn", Returns::Arn(None))],
    },
    RefSemantics {
        // `Ref` is the ARN of one revision (`task-definition/family:3`).
        type_name: "AWS::ECS::TaskDefinition",
        name_property: None,
        reference: Returns::Arn(None),
        attributes: &[("TaskDefinitionArn", Returns::Arn(None))],
    },
    RefSemantics {
        // `Ref` is the generated file system id.
        type_name: "AWS::EFS::FileSystem",
        name_property: None,
        reference: Returns::Opaque,
        attributes: &[
            ("Arn", Returns::Arn(None)),
            ("FileSystemId", Returns::Opaque),
        ],
    },
    RefSemantics {
        type_name: "AWS::ElastiCache::CacheCluster",
        name_property: Some("ClusterName"),
        reference: Returns::Name,
        attributes: &[],
    },
    RefSemantics {
        type_name: "AWS::ElastiCache::ReplicationGroup",
        name_property: Some("ReplicationGroupId"),
        reference: Returns::Name,
        attributes: &[],
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
        // `Ref` is `bus|name` for a rule on a custom bus, the name on the default one.
        type_name: "AWS::Events::Rule",
        name_property: None,
        reference: Returns::Opaque,
        attributes: &[("Arn", Returns::Arn(None))],
    },
    RefSemantics {
        // `Ref` is the policy's ARN, which holds its path.
        type_name: "AWS::IAM::ManagedPolicy",
        name_property: None,
        reference: Returns::Arn(None),
        attributes: &[("PolicyArn", Returns::Arn(None))],
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
        // `Ref` is the consumer's ARN, which holds a creation timestamp.
        type_name: "AWS::Kinesis::StreamConsumer",
        name_property: None,
        reference: Returns::Arn(None),
        attributes: &[
            ("ConsumerARN", Returns::Arn(None)),
            ("ConsumerName", Returns::Opaque),
        ],
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
        // `Ref` is the alias's ARN (`function:name:alias`).
        type_name: "AWS::Lambda::Alias",
        name_property: None,
        reference: Returns::Arn(None),
        attributes: &[("AliasArn", Returns::Arn(None))],
    },
    RefSemantics {
        type_name: "AWS::Lambda::Function",
        name_property: Some("FunctionName"),
        reference: Returns::Name,
        attributes: &[("Arn", Returns::Arn(Some(LAMBDA_ARN)))],
    },
    RefSemantics {
        // `Ref` is the ARN of the layer's version.
        type_name: "AWS::Lambda::LayerVersion",
        name_property: None,
        reference: Returns::Arn(None),
        attributes: &[("LayerVersionArn", Returns::Arn(None))],
    },
    RefSemantics {
        // `Ref` is the version's ARN (`function:name:3`).
        type_name: "AWS::Lambda::Version",
        name_property: None,
        reference: Returns::Arn(None),
        attributes: &[
            ("FunctionArn", Returns::Arn(None)),
            ("Version", Returns::Opaque),
        ],
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
        type_name: "AWS::Logs::LogStream",
        name_property: Some("LogStreamName"),
        reference: Returns::Name,
        attributes: &[],
    },
    RefSemantics {
        type_name: "AWS::OpenSearchService::Domain",
        name_property: Some("DomainName"),
        reference: Returns::Name,
        attributes: &[
            (
                "Arn",
                Returns::Arn(Some("arn:{partition}:es:{region}:{account}:domain/{name}")),
            ),
            (
                "DomainArn",
                Returns::Arn(Some("arn:{partition}:es:{region}:{account}:domain/{name}")),
            ),
            ("DomainEndpoint", Returns::Opaque),
        ],
    },
    RefSemantics {
        // RDS stores the identifier in lower case: the ARN is not built from the name as written.
        type_name: "AWS::RDS::DBCluster",
        name_property: Some("DBClusterIdentifier"),
        reference: Returns::Name,
        attributes: &[
            ("DBClusterArn", Returns::Arn(None)),
            ("DBClusterResourceId", Returns::Opaque),
        ],
    },
    RefSemantics {
        // As a cluster: stored in lower case.
        type_name: "AWS::RDS::DBInstance",
        name_property: Some("DBInstanceIdentifier"),
        reference: Returns::Name,
        attributes: &[
            ("DBInstanceArn", Returns::Arn(None)),
            ("DbiResourceId", Returns::Opaque),
        ],
    },
    RefSemantics {
        type_name: "AWS::RDS::DBProxy",
        name_property: Some("DBProxyName"),
        reference: Returns::Name,
        attributes: &[
            ("DBProxyArn", Returns::Arn(None)),
            ("Endpoint", Returns::Opaque),
        ],
    },
    RefSemantics {
        type_name: "AWS::S3::Bucket",
        name_property: Some("BucketName"),
        reference: Returns::Name,
        attributes: &[
            ("Arn", Returns::Arn(Some("arn:{partition}:s3:::{name}"))),
            ("DomainName", Returns::Built("{name}.s3.{urlsuffix}")),
            (
                "DualStackDomainName",
                Returns::Built("{name}.s3.dualstack.{region}.{urlsuffix}"),
            ),
            (
                "RegionalDomainName",
                Returns::Built("{name}.s3.{region}.{urlsuffix}"),
            ),
            ("WebsiteURL", Returns::Opaque),
        ],
    },
    RefSemantics {
        // `Ref` is the subscription's ARN (the topic's and a generated id).
        type_name: "AWS::SNS::Subscription",
        name_property: None,
        reference: Returns::Arn(None),
        attributes: &[],
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
        reference: Returns::Built(QUEUE_URL),
        attributes: &[
            (
                "Arn",
                Returns::Arn(Some("arn:{partition}:sqs:{region}:{account}:{name}")),
            ),
            ("QueueName", Returns::Name),
            ("QueueUrl", Returns::Built(QUEUE_URL)),
        ],
    },
    RefSemantics {
        type_name: "AWS::SSM::Parameter",
        name_property: Some("Name"),
        reference: Returns::Name,
        attributes: &[("Type", Returns::Opaque), ("Value", Returns::Opaque)],
    },
    RefSemantics {
        type_name: "AWS::Scheduler::ScheduleGroup",
        name_property: Some("Name"),
        reference: Returns::Name,
        attributes: &[(
            "Arn",
            Returns::Arn(Some(
                "arn:{partition}:scheduler:{region}:{account}:schedule-group/{name}",
            )),
        )],
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
        // SAM: `Ref` is the REST API id.
        type_name: "AWS::Serverless::Api",
        name_property: None,
        reference: Returns::Opaque,
        attributes: &[("RootResourceId", Returns::Opaque)],
    },
    RefSemantics {
        // SAM: Ref gives the function name, `.Arn` the function ARN (as AWS::Lambda::Function).
        type_name: "AWS::Serverless::Function",
        name_property: Some("FunctionName"),
        reference: Returns::Name,
        attributes: &[("Arn", Returns::Arn(Some(LAMBDA_ARN)))],
    },
    RefSemantics {
        // SAM: `Ref` is the HTTP API id.
        type_name: "AWS::Serverless::HttpApi",
        name_property: None,
        reference: Returns::Opaque,
        attributes: &[],
    },
    RefSemantics {
        // SAM: `Ref` is the ARN of the layer's version.
        type_name: "AWS::Serverless::LayerVersion",
        name_property: None,
        reference: Returns::Arn(None),
        attributes: &[],
    },
    RefSemantics {
        // SAM turns it into an AWS::DynamoDB::Table of the same logical id.
        type_name: "AWS::Serverless::SimpleTable",
        name_property: Some("TableName"),
        reference: Returns::Name,
        attributes: &[
            ("Arn", Returns::Arn(Some(DYNAMODB_TABLE_ARN))),
            ("StreamArn", Returns::Arn(Some(DYNAMODB_STREAM_ARN))),
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
        type_name: "AWS::StepFunctions::Activity",
        name_property: Some("Name"),
        reference: Returns::Arn(Some(
            "arn:{partition}:states:{region}:{account}:activity:{name}",
        )),
        attributes: &[("Name", Returns::Name)],
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

/// The reference of a resource of `type_name` that returns its name: `Ref` (`Some(None)`)
/// or an attribute (`Some(Some("QueueName"))`); `None` when no reference does.
fn name_reference(type_name: &str) -> Option<Option<&'static str>> {
    let s = semantics(type_name)?;
    if s.reference == Returns::Name {
        return Some(None);
    }
    s.attributes
        .iter()
        .find(|(_, r)| *r == Returns::Name)
        .map(|(a, _)| Some(*a))
}

/// What `Ref` (attribute `None`) or `Fn::GetAtt` of `logical_id`, a resource of
/// `type_name` whose name the template does not give, evaluates to, when that is text
/// built around the name (a queue's URL, a repository's URI): the text's parts, with the
/// name as the reference that returns it (`Fn::GetAtt Queue.QueueName`). A consumer that
/// takes the name out of the text (a queue URL's last segment) then gets that reference,
/// which CloudFormation resolves, and not the URL the whole reference is. `None` for every
/// other reference.
pub fn value_around_name(
    logical_id: &str,
    type_name: &str,
    attribute: Option<&str>,
) -> Option<Vec<crate::ValuePart>> {
    let Returns::Built(template) = returns(type_name, attribute) else {
        return None;
    };
    let name_attribute = name_reference(type_name)?;
    let name = crate::ValuePart::Ref {
        logical_id: logical_id.to_string(),
        attribute: name_attribute.map(str::to_string),
        arn: false,
        physical: None,
        resource_type: Some(type_name.to_string()),
    };
    Some(crate::cfn::build(template, &[name]))
}

/// Why a configured value that builds an ARN (`arn:…` literal first) puts a reference that
/// is not a name inside it: a queue's URL (`…:sqs:…:${MainQueue}`), a whole ARN
/// (`…:sns:…:${Topic}`), a generated id. Such an ARN names nothing once deployed. One
/// message per misplaced reference, naming the reference to use where the table has one.
pub(crate) fn misplaced_references(parts: &[crate::ValuePart]) -> Vec<String> {
    use crate::ValuePart;
    fn flat(parts: &[ValuePart], out: &mut Vec<ValuePart>) {
        for p in parts {
            match p {
                ValuePart::Var { resolved, .. } => flat(resolved, out),
                other => out.push(other.clone()),
            }
        }
    }
    let mut all = Vec::new();
    flat(parts, &mut all);
    let builds_arn = matches!(all.first(), Some(ValuePart::Lit(t)) if t.starts_with("arn:"));
    if !builds_arn {
        return Vec::new();
    }
    let mut out = Vec::new();
    for p in all.iter().skip(1) {
        let ValuePart::Ref {
            logical_id,
            attribute,
            resource_type: Some(type_name),
            ..
        } = p
        else {
            continue;
        };
        let what = match returns(type_name, attribute.as_deref()) {
            Returns::Name => continue,
            Returns::Built(_) => "a URL or address built around the name",
            Returns::Arn(_) => "a whole ARN",
            // Ids a service generates have their place in ARNs (a key's `key/${Key}`, a
            // user pool's `userpool/${Pool}`).
            Returns::Opaque => continue,
        };
        let written = match attribute {
            Some(a) => format!("${{{logical_id}.{a}}}"),
            None => format!("${{{logical_id}}}"),
        };
        let kind = match attribute {
            Some(a) => format!("`Fn::GetAtt {logical_id}.{a}` of an {type_name}"),
            None => format!("`Ref` of an {type_name}"),
        };
        let mut use_instead = Vec::new();
        if let Some(name) = name_reference(type_name) {
            use_instead.push(match name {
                Some(a) => format!("`${{{logical_id}.{a}}}` for its name"),
                None => format!("`${{{logical_id}}}` for its name"),
            });
        }
        let arn_attribute = semantics(type_name).and_then(|s| {
            s.attributes
                .iter()
                .find(|(a, r)| a.ends_with("Arn") && matches!(r, Returns::Arn(_)))
                .map(|(a, _)| *a)
        });
        match (arn_attribute, semantics(type_name).map(|s| s.reference)) {
            (_, Some(Returns::Arn(_))) => {
                use_instead.push(format!("`!Ref {logical_id}` alone for its ARN"));
            }
            (Some(a), _) => use_instead.push(format!("`!GetAtt {logical_id}.{a}` for its ARN")),
            _ => {}
        }
        let hint = if use_instead.is_empty() {
            String::new()
        } else {
            format!("; use {}", use_instead.join(", or "))
        };
        out.push(format!(
            "`{written}` ({kind}) is not a name but {what}: the ARN built around it names nothing once deployed{hint}"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ValuePart;

    fn reference(id: &str, attribute: Option<&str>, type_name: &str) -> ValuePart {
        ValuePart::Ref {
            logical_id: id.into(),
            attribute: attribute.map(str::to_string),
            arn: false,
            physical: None,
            resource_type: Some(type_name.into()),
        }
    }

    #[test]
    fn a_queue_url_without_a_name_is_built_around_its_queue_name() {
        let parts = value_around_name("MainQueue", "AWS::SQS::Queue", None).expect("a URL");
        let text = format!("{}", crate::ValueParts(&parts));
        assert_eq!(
            text,
            "https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/${MainQueue.QueueName}"
        );
        // Names and whole ARNs are not text around a name.
        assert_eq!(value_around_name("T", "AWS::DynamoDB::Table", None), None);
        assert_eq!(value_around_name("T", "AWS::SNS::Topic", None), None);
        assert_eq!(value_around_name("Q", "AWS::SQS::Queue", Some("Arn")), None);
    }

    #[test]
    fn an_arn_built_around_a_url_or_an_arn_is_reported() {
        let arn_of = |r: ValuePart| {
            vec![
                ValuePart::Lit("arn:".into()),
                ValuePart::Pseudo("AWS::Partition".into()),
                ValuePart::Lit(":sqs:us-east-1:123456789012:".into()),
                r,
            ]
        };
        let queue = misplaced_references(&arn_of(reference("MainQueue", None, "AWS::SQS::Queue")));
        assert_eq!(queue.len(), 1, "{queue:?}");
        assert!(queue[0].contains("`${MainQueue.QueueName}`"), "{queue:?}");
        assert!(queue[0].contains("`!GetAtt MainQueue.Arn`"), "{queue:?}");
        let topic = misplaced_references(&arn_of(reference("Topic", None, "AWS::SNS::Topic")));
        assert!(topic[0].contains("`!Ref Topic` alone"), "{topic:?}");
        // A name, a generated id where an id goes, and a URL that is not in an ARN are fine.
        for fine in [
            arn_of(reference("MainQueue", Some("QueueName"), "AWS::SQS::Queue")),
            arn_of(reference("Key", None, "AWS::KMS::Key")),
            vec![reference("MainQueue", None, "AWS::SQS::Queue")],
        ] {
            assert!(misplaced_references(&fine).is_empty(), "{fine:?}");
        }
    }
}
