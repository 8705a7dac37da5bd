//! leastrole-render: every output format.
//!
//! Last stage of the pipeline: takes the per-function reports built by
//! `leastrole-policy` and writes them as text, the JSON report, bare IAM documents,
//! CloudFormation, Serverless, SAM or Terraform.
