//! Listing a folder's source files: gitignore-aware, never following symlinks (no
//! loops), skipping dependency and build folders.

use std::path::{Path, PathBuf};

use leastrole_core::{Code, Diagnostic, Language, Level};

/// Folders that hold dependencies or build output, never the user's handlers.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".serverless",
    ".aws-sam",
    "cdk.out",
    "__pycache__",
    ".venv",
    "venv",
    ".git",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
];

/// Every Python/JavaScript/TypeScript file under `root`, relative, `/`-separated, sorted.
/// Unreadable entries become diagnostics.
pub fn source_files(root: &Path) -> (Vec<String>, Vec<Diagnostic>) {
    let walked = walk(root);
    (walked.files, walked.diagnostics)
}

/// What one walk of a folder found.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// Source files, as [`source_files`] lists them.
    pub files: Vec<String>,
    /// Files below the root named like a project config ([`crate::discover::is_project_file`]:
    /// `serverless.yml`, `template.yaml`, `cdk.json`…), relative, sorted: their folders
    /// are the candidates of a monorepo's projects (`discover::find_projects`).
    pub configs: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

pub(crate) fn walk(root: &Path) -> Walked {
    let mut out = Walked::default();
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(false)
        .hidden(true)
        .require_git(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && SKIPPED_DIRS.iter().any(|s| e.file_name() == *s))
        })
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(e) => {
                if !e.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                let Ok(rel) = e.path().strip_prefix(root) else {
                    continue;
                };
                let rel = rel.to_string_lossy().replace('\\', "/");
                if Language::of_path(&rel).is_some() && !rel.ends_with(".d.ts") {
                    out.files.push(rel);
                } else if rel.contains('/')
                    && e.file_name()
                        .to_str()
                        .is_some_and(crate::discover::is_project_file)
                {
                    out.configs.push(rel);
                }
            }
            Err(e) => out.diagnostics.push(Diagnostic::new(
                Level::Warning,
                Code::UnreadablePath,
                format!("skipped part of {}: {e}", root.display()),
                None,
            )),
        }
    }
    out.files.sort();
    out.configs.sort();
    out
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub(crate) fn clean_path(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.file_name().is_some() {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
