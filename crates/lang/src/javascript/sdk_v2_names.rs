//! AWS SDK for JavaScript v2 (`aws-sdk`) by name alone: which members of the `AWS`
//! namespace are service classes, what `aws-sdk/clients/<id>` modules hold, and the
//! classes nested in a service class. Pure tables, so that evaluating a member access
//! (`values`) needs nothing from the call mapping in `sdk_v2`.

/// `aws-sdk/clients/<id>` module ids whose class name differs from a plain lookup.
/// Sorted by module id (a test keeps it sorted).
const CLIENT_MODULES: &[(&str, &str)] = &[
    ("apigateway", "APIGateway"),
    ("apigatewaymanagementapi", "ApiGatewayManagementApi"),
    ("appsync", "AppSync"),
    ("athena", "Athena"),
    ("cloudformation", "CloudFormation"),
    ("cloudfront", "CloudFront"),
    ("cloudwatch", "CloudWatch"),
    ("cloudwatchevents", "CloudWatchEvents"),
    ("cloudwatchlogs", "CloudWatchLogs"),
    ("codepipeline", "CodePipeline"),
    ("cognitoidentity", "CognitoIdentity"),
    (
        "cognitoidentityserviceprovider",
        "CognitoIdentityServiceProvider",
    ),
    ("comprehend", "Comprehend"),
    ("dynamodb", "DynamoDB"),
    ("dynamodbstreams", "DynamoDBStreams"),
    ("ec2", "EC2"),
    ("ecr", "ECR"),
    ("ecs", "ECS"),
    ("eventbridge", "EventBridge"),
    ("firehose", "Firehose"),
    ("glue", "Glue"),
    ("iot", "Iot"),
    ("iotdata", "IotData"),
    ("kinesis", "Kinesis"),
    ("kms", "KMS"),
    ("lambda", "Lambda"),
    ("polly", "Polly"),
    ("rds", "RDS"),
    ("rdsdataservice", "RDSDataService"),
    ("rekognition", "Rekognition"),
    ("route53", "Route53"),
    ("s3", "S3"),
    ("sagemakerruntime", "SageMakerRuntime"),
    ("secretsmanager", "SecretsManager"),
    ("ses", "SES"),
    ("sesv2", "SESV2"),
    ("sns", "SNS"),
    ("sqs", "SQS"),
    ("ssm", "SSM"),
    ("stepfunctions", "StepFunctions"),
    ("sts", "STS"),
    ("textract", "Textract"),
    ("translate", "Translate"),
    ("xray", "XRay"),
];

/// Members of the `AWS` namespace that are not services (configuration, credentials,
/// utilities): constructing or calling them grants nothing.
const NOT_SERVICES: &[&str] = &[
    "Config",
    "CredentialProviderChain",
    "Endpoint",
    "EventListeners",
    "HttpClient",
    "HttpRequest",
    "HttpResponse",
    "JSON",
    "MetadataService",
    "Model",
    "NodeHttpClient",
    "ParamValidator",
    "Protocol",
    "Request",
    "ResourceWaiter",
    "Response",
    "SequentialExecutor",
    "Service",
    "Signers",
    "Token",
    "TokenProviderChain",
    "VERSION",
    "XML",
];

/// The v2 class for an `aws-sdk/clients/<id>` module, or the id itself.
pub(crate) fn class_for_module(id: &str) -> String {
    CLIENT_MODULES
        .binary_search_by(|(m, _)| (*m).cmp(id))
        .ok()
        .and_then(|i| CLIENT_MODULES.get(i))
        .map_or_else(|| id.to_string(), |(_, c)| (*c).to_string())
}

/// Whether `AWS.<name>` is a service class (`AWS.S3`), not configuration or a utility.
pub(crate) fn is_service_class(name: &str) -> bool {
    name.chars().next().is_some_and(char::is_uppercase)
        && !name.ends_with("Credentials")
        && NOT_SERVICES.binary_search(&name).is_err()
}

/// A class nested in a service class that makes calls of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NestedClass {
    /// `AWS.DynamoDB.DocumentClient`.
    DocumentClient,
    /// `AWS.S3.ManagedUpload`.
    ManagedUpload,
}

/// `AWS.<class>.<name>`, when it is a class that makes calls.
pub(crate) fn nested_class(class: &str, name: &str) -> Option<NestedClass> {
    match (class, name) {
        ("DynamoDB", "DocumentClient") => Some(NestedClass::DocumentClient),
        ("S3", "ManagedUpload") => Some(NestedClass::ManagedUpload),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted() {
        assert!(CLIENT_MODULES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(NOT_SERVICES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn client_modules_map_to_classes() {
        assert_eq!(class_for_module("s3"), "S3");
        assert_eq!(class_for_module("dynamodb"), "DynamoDB");
        assert_eq!(class_for_module("somethingnew"), "somethingnew");
    }

    #[test]
    fn service_classes() {
        assert!(is_service_class("S3"));
        assert!(!is_service_class("Config"));
        assert!(!is_service_class("SharedIniFileCredentials"));
        assert!(!is_service_class("util"));
        assert_eq!(
            nested_class("DynamoDB", "DocumentClient"),
            Some(NestedClass::DocumentClient)
        );
        assert_eq!(nested_class("S3", "DocumentClient"), None);
    }
}
