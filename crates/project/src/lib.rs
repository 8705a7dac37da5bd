//! leastrole-project: finds a project's Lambda functions.
//!
//! First stage of the pipeline: from a folder (Serverless `serverless.yml`, SAM
//! `template.yaml`, CDK `cdk.out`, or a plain folder / `--handler`) to the list of
//! functions with their handler file and export, runtime, environment values and the
//! policy the project declares for them. References (`!Ref`, `${self:…}`) are kept as
//! values for `leastrole-policy` to resolve into ARNs.

pub mod handler;
