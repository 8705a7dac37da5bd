//! leastrole-policy: from SDK calls to the minimal policy.
//!
//! Fourth stage of the pipeline: takes the linked program from `leastrole-lang` and the
//! service maps from `leastrole-maps`, computes which calls a handler can reach, turns
//! each call into grants (IAM action, resource ARN, provenance) by filling the maps' ARN
//! templates with the call's argument values, and builds the smallest set of policy
//! statements that allows exactly those grants.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

pub mod grant;
pub mod reach;
pub mod report;
pub mod resolve;
pub mod resource;
pub mod statement;

pub use grant::{ConditionBlock, Grant, Provenance};
pub use reach::{Missing, Reach, reachable, reachable_calls, reachable_diagnostics};
pub use report::{FunctionReport, Report};
pub use resolve::{
    EnvContext, EventField, Options, Resolved, TemplateKey, TriggerFields, resolve_call,
    resolve_calls,
};
pub use resource::{ArnEnv, Part, Resource, VarStyle, is_terraform_address};
pub use statement::{
    INLINE_LIMIT, MANAGED_LIMIT, POLICY_VERSION, Policy, SizeReport, Statement, build_policy,
};
