//! Grants: one IAM action on one resource, with the source lines that need it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::resource::Resource;

/// Where a grant comes from: the call in the user's code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Provenance {
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// The call's source text, one line.
    pub call: String,
}

/// A statement condition block: operator → key → values (`StringLike` →
/// `s3:prefix` → `["uploads/*"]`). Sorted, so equal conditions compare equal.
pub type ConditionBlock = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// One permission the function needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grant {
    /// `prefix:Action`, canonical casing.
    pub action: String,
    pub resource: Resource,
    /// Empty for none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub condition: ConditionBlock,
    pub sources: BTreeSet<Provenance>,
}
