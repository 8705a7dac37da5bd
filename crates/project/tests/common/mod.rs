//! What the project-fixture tests share: where a fixture project is, and how configured
//! values are shown in their snapshots.

use std::path::{Path, PathBuf};

use leastrole_project::{ValuePart, ValueParts};

/// `fixtures/projects/<name>`.
pub fn project(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/projects")
        .join(name)
}

/// A configured value in the detailed form: references with their physical value,
/// variables with their text.
pub fn parts(ps: &[ValuePart]) -> String {
    format!("{:#}", ValueParts(ps))
}
