//! `--manifest FILE|-`: the project as the Serverless plugin describes it, read from a
//! file or stdin (leastrole-project validates it).

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use leastrole_project::{DiscoverOptions, ManifestProject, discover_manifest};

/// Discover the functions of the manifest at `path` (`-`: stdin).
pub fn discover(path: &Path, options: &DiscoverOptions) -> anyhow::Result<ManifestProject> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .read_to_string(&mut text)
            .context("cannot read the manifest from stdin")?;
        text
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the manifest {}", path.display()))?
    };
    Ok(discover_manifest(&text, options)?)
}
