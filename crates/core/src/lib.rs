//! leastrole-core: the vocabulary every stage of the pipeline shares.
//!
//! Discovery (`leastrole-project`), the front-ends (`leastrole-lang`), resolution
//! (`leastrole-policy`), review and rendering all report findings about the user's code
//! and configuration the same way: a [`Diagnostic`] with a [`Level`], a stable code and a
//! [`Location`]; and they name source files' [`Language`]s the same way. Keeping these
//! here lets a stage use them without depending on another stage (configuration reading
//! compiles no tree-sitter grammar).

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt;

use serde::{Deserialize, Serialize};

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
    /// Stable kebab-case code (`syntax-error`, `unknown-method`, `dynamic-service`).
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Diagnostic {
    pub fn new(
        level: Level,
        code: impl Into<String>,
        message: impl Into<String>,
        location: Option<Location>,
    ) -> Self {
        Diagnostic {
            level,
            code: code.into(),
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
