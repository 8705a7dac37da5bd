//! `--terraform-plan`: a plan as `terraform show -json` writes it. Its
//! `planned_values.root_module` (and each `child_modules` entry, recursively) lists every
//! resource with the `values` Terraform will create it with, so a name the
//! configuration leaves unknown (a variable without default, set only in CI) is known
//! from it exactly. A value known only after apply is absent from `values`.
//! Format: Terraform's "JSON Output Format" (internals/json-format), `format_version` 1.x.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

/// A plan file larger than this is refused: no plan of a configuration is that large.
const MAX_PLAN_BYTES: u64 = 256 * 1024 * 1024;

/// Child modules nested deeper than this are not read.
const MAX_MODULE_DEPTH: usize = 32;

/// Why a plan file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is larger than {MAX_PLAN_BYTES} bytes", path.display())]
    TooLarge { path: PathBuf },
    #[error("{} is not JSON", path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "{} is not a plan as `terraform show -json PLANFILE` writes it (no `planned_values.root_module`)",
        path.display()
    )]
    NotAPlan { path: PathBuf },
}

/// The planned values of each resource, by address (`aws_s3_bucket.b`,
/// `module.store.aws_s3_bucket.b`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    resources: Arc<BTreeMap<String, Map<String, Value>>>,
}

impl Plan {
    /// The planned string value of `key` of the resource at `address`.
    pub(crate) fn string(&self, address: &str, key: &str) -> Option<String> {
        match self.resources.get(address)?.get(key)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        }
    }
}

/// Read the plan at `path`.
pub(crate) fn read(path: &Path) -> Result<Plan, PlanError> {
    let size = std::fs::metadata(path)
        .map_err(|source| PlanError::Read {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    if size > MAX_PLAN_BYTES {
        return Err(PlanError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let text = std::fs::read(path).map_err(|source| PlanError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let json: Value = serde_json::from_slice(&text).map_err(|source| PlanError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    let Some(root) = json
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    else {
        return Err(PlanError::NotAPlan {
            path: path.to_path_buf(),
        });
    };
    let mut resources = BTreeMap::new();
    collect(root, 0, &mut resources);
    Ok(Plan {
        resources: Arc::new(resources),
    })
}

/// Check that `path` is a readable plan (`--terraform-plan`), before discovery uses it.
pub fn check_terraform_plan(path: &Path) -> Result<(), PlanError> {
    read(path).map(|_| ())
}

fn collect(module: &Value, depth: usize, out: &mut BTreeMap<String, Map<String, Value>>) {
    if depth > MAX_MODULE_DEPTH {
        return;
    }
    for r in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        // A resource with `count`/`for_each` has an address per instance (`t["eu"]`,
        // `b[0]`), as references to an instance are resolved.
        if let (Some(address), Some(Value::Object(values))) =
            (r.get("address").and_then(Value::as_str), r.get("values"))
        {
            out.insert(address.to_string(), values.clone());
        }
    }
    for child in module
        .get("child_modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect(child, depth + 1, out);
    }
}
