//! What a project's configuration grants a function: the statements of its role, read
//! from Serverless (`provider.iam.role.statements`, per-function `iam.role.statements`,
//! `iamRoleStatements`), SAM (`Policies`: inline documents, policy templates, managed
//! policies) and CloudFormation/CDK (`AWS::IAM::Role` inline policies, `AWS::IAM::Policy`
//! and `AWS::IAM::ManagedPolicy` attached to the function's role).
//!
//! `leastrole check` compares these with what the code needs. Values keep their
//! references ([`ValuePart::Ref`]) so `!GetAtt T.Arn` compares structurally with the
//! generated `Fn::GetAtt [T, Arn]`.

use leastrole_core::{Diagnostic, Location};

use crate::ValuePart;

/// The role a function runs with, as the project declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// Whether the statements below are everything the function gets.
    pub role: DeclaredRole,
    /// In declaration order.
    pub statements: Vec<DeclaredStatement>,
    /// What the framework adds to the role by itself, so `check` can tell
    /// framework-managed permissions from the user's.
    pub framework: FrameworkFacts,
    /// What was seen in the role's declaration but not understood (an unknown SAM policy
    /// template, a managed policy not in the embedded set, a statement that is not a map).
    pub diagnostics: Vec<Diagnostic>,
    /// Grants the role has whose content is not known: a managed policy not in the
    /// embedded set (`managed policy ReadOnlyAccess`), a customer managed policy of
    /// another stack, an unknown SAM policy template. Each also has a diagnostic. When
    /// this is not empty, `statements` are a lower bound: what they grant is granted (so
    /// "unused" findings stand), but a needed permission missing from them may still be
    /// granted by one of these, so `check` must not call it missing without saying so.
    pub unknown_grants: Vec<String>,
    /// For a Terraform function, the address the root module names its role by: the
    /// `aws_iam_role` (`aws_iam_role.worker`), or the `terraform-aws-modules/lambda/aws`
    /// call that creates it (`module.api`). `--format terraform` says how to attach the
    /// generated document with it. `None` elsewhere, and for a role inside a module.
    pub terraform_role: Option<String>,
}

/// Where the role comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclaredRole {
    /// The statements are the role's whole grant. `description` names the role for the
    /// report: `provider.iam.role (shared)`, `functions.resize.iam.role`, `SAM Policies`,
    /// `AWS::IAM::Role ResizeRole`.
    Checkable { description: String },
    /// The role cannot be compared: an existing role given by ARN, a role from another
    /// stack, a managed policy whose content is not known. The reason says which.
    NotCheckable { reason: String },
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement as declared, with wildcards and references kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredStatement {
    pub effect: Effect,
    /// `Action` (or `NotAction` when `not_action`), as written: `s3:Get*`, `*`.
    pub actions: Vec<String>,
    pub not_action: bool,
    /// `Resource` (or `NotResource` when `not_resource`). Each resource is its parts:
    /// literal text (IAM wildcards `*`/`?` inside `Lit`), pseudo parameters, references.
    pub resources: Vec<Vec<ValuePart>>,
    pub not_resource: bool,
    /// The `Condition` block, when there is one (`check` treats a conditional grant as
    /// covering what it names, and says so).
    pub condition: Option<serde_json::Value>,
    pub origin: Origin,
}

/// Where a declared statement comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The config file (relative to the project folder) and the statement's line.
    pub location: Option<Location>,
    /// Its path in the config: `provider.iam.role.statements[2]`,
    /// `Resources.ImageFn.Properties.Policies[1] (DynamoDBCrudPolicy)`,
    /// `managed policy AWSLambdaBasicExecutionRole`.
    pub path: String,
    /// Set when the framework, not the user, put the statement on the role (a managed
    /// policy SAM or CDK attaches by default, the logs statement of a CloudFormation
    /// role the framework compiled).
    pub framework_managed: Option<String>,
}

/// What the framework grants a function on its own, besides the declared statements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameworkFacts {
    /// Event sources the framework wires to the function and grants reads for
    /// (SQS queues, Kinesis and DynamoDB streams, Kafka/MQ): each is the source's ARN.
    pub event_sources: Vec<EventSource>,
    /// The dead-letter target (SNS topic or SQS queue ARN), if any.
    pub dead_letter: Option<Vec<ValuePart>>,
    /// The function runs in a VPC (the framework attaches ENI permissions).
    pub vpc: bool,
    /// X-Ray tracing is on (the framework grants `xray:PutTraceSegments` etc.).
    pub tracing: bool,
}

/// An event source the framework polls for the function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSource {
    /// `sqs`, `kinesis`, `dynamodb-stream`, `kafka`, `mq`.
    pub kind: String,
    /// The source's ARN.
    pub arn: Vec<ValuePart>,
}
