//! leastrole-core: the vocabulary every stage of the pipeline shares.
//!
//! Discovery (`leastrole-project`), the front-ends (`leastrole-lang`), resolution
//! (`leastrole-policy`), review and rendering all report findings about the user's code
//! and configuration the same way: a [`Diagnostic`] with a [`Level`], a stable code and a
//! [`Location`]; they name source files' [`Language`]s the same way; and discovery and
//! the front-ends refuse reads outside the project by one rule ([`Confine`]). Keeping these
//! here lets a stage use them without depending on another stage (configuration reading
//! compiles no tree-sitter grammar).

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod code;
pub mod phase;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use code::Code;

/// A position in a source file. Lines and columns are 1-based; columns count chars.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Path relative to the project root, with `/` separators.
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Severity of a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// A finding about the user's code or config. Never an `Err`: the scan goes on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    pub level: Level,
    /// A [`Code`]'s stable kebab-case name (`syntax-error`, `unknown-method`).
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Diagnostic {
    pub fn new(
        level: Level,
        code: Code,
        message: impl Into<String>,
        location: Option<Location>,
    ) -> Self {
        Diagnostic {
            level,
            code: code.as_str().to_string(),
            message: message.into(),
            location,
        }
    }
}

/// Source language of a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    JavaScript,
    TypeScript,
}

impl Language {
    /// The language of a file, by extension.
    pub fn of_path(path: &str) -> Option<Language> {
        let ext = path.rsplit_once('.')?.1;
        match ext {
            "py" => Some(Language::Python),
            "js" | "mjs" | "cjs" | "jsx" => Some(Language::JavaScript),
            "ts" | "mts" | "cts" | "tsx" => Some(Language::TypeScript),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
        }
    }
}

/// The folders source files may be read from: a file whose real path (symlinks
/// followed) is outside all of them is refused with an `outside-project` diagnostic, so
/// that a symlink or an import in an untrusted checkout cannot make leastrole read (and
/// quote in its output) files elsewhere on the machine. No folders: no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confine {
    /// Canonical folders.
    folders: Vec<PathBuf>,
    /// How messages name the confining folder (never an absolute path, so that reports
    /// do not depend on where the project is checked out).
    label: String,
}

impl Confine {
    /// Reads limited to `folders` (made canonical; one that does not exist admits
    /// nothing); `label` names them in messages.
    pub fn new(folders: &[PathBuf], label: impl Into<String>) -> Confine {
        let mut folders: Vec<PathBuf> = folders
            .iter()
            .filter_map(|f| f.canonicalize().ok())
            .collect();
        folders.sort();
        folders.dedup();
        Confine {
            folders,
            label: label.into(),
        }
    }

    /// Whether nothing is limited.
    pub fn is_unconfined(&self) -> bool {
        self.folders.is_empty() && self.label.is_empty()
    }

    /// Whether `path` may be read: its real path is under one of the folders. A path
    /// that does not exist is admitted (reading it fails on its own).
    pub fn admits(&self, path: &Path) -> bool {
        if self.is_unconfined() {
            return true;
        }
        match path.canonicalize() {
            Ok(real) => self.folders.iter().any(|f| real.starts_with(f)),
            Err(_) => true,
        }
    }

    /// How messages name the confining folder.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The refusal of `shown` (how the path is named to the user), located at `at`.
    pub fn refusal(&self, shown: &str, at: Option<Location>) -> Diagnostic {
        Diagnostic::new(
            Level::Warning,
            Code::OutsideProject,
            format!(
                "{shown} is outside {}: it is not read (a symlink counts where it leads); pass --allow-outside DIR to read it on purpose",
                self.label
            ),
            at,
        )
    }
}
