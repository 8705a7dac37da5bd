//! leastrole-maps: the embedded AWS service maps.
//!
//! Third stage of the pipeline: the front-ends report SDK calls in the SDK's own
//! vocabulary (boto3 `s3`/`get_object`, JS v2 `S3`/`getObject`, JS v3
//! `@aws-sdk/client-s3`/`GetObjectCommand`); this crate answers which API operation that
//! is and which IAM actions, resources and ARN templates the operation needs.
//!
//! The tables live in `service-maps/` (generated, one per AWS service, plus the IAM
//! action list per prefix and the SDK helper tables) and are compiled into the binary.
//! A table is parsed and validated the first time it is asked for, so looking up one
//! operation costs one table, not 440. User-supplied tables (`Maps::with_overlay`) go
//! through the same loader.
//!
//! This crate knows nothing about syntax.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod check;
mod error;
mod service;
mod store;

pub mod path;
pub mod schema;
pub mod validate;

pub use error::MapsError;
pub use schema::{
    AccessLevel, ActionRule, Binding, Boto3Resource, Boto3ServiceResources, Condition, Helper,
    HelperCall, HelperTable, IamAction, IamPrefixTable, Index, IndexEntry, NotNeeded, Operation,
    OriginKind, Parser, ResourceRule, ServiceTable, Waiter,
};
pub use service::Service;
pub use store::{Maps, aws_managed_policy, aws_managed_policy_lines, sam_policy_templates};

/// An IAM action split into its prefix and name (`s3:GetObject`).
pub fn split_action(action: &str) -> Option<(&str, &str)> {
    let (prefix, name) = action.split_once(':')?;
    (!prefix.is_empty() && !name.is_empty()).then_some((prefix, name))
}

/// The closest candidate to `name` by edit distance, for "did you mean" hints.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_action_needs_both_parts() {
        assert_eq!(split_action("s3:GetObject"), Some(("s3", "GetObject")));
        assert_eq!(split_action("s3:"), None);
        assert_eq!(split_action("GetObject"), None);
    }

    #[test]
    fn did_you_mean_finds_a_typo_and_rejects_noise() {
        let names = ["get_object", "put_object", "list_objects_v2"];
        assert_eq!(did_you_mean("get_objet", names), Some("get_object"));
        assert_eq!(did_you_mean("frobnicate", names), None);
    }
}
