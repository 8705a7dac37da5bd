use thiserror::Error;

/// A table that cannot be used. Built-in tables are checked by the test suite, so at run
/// time these come from user-supplied tables (`--maps DIR`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MapsError {
    #[error("service map `{table}` does not match its schema: {message}")]
    Parse { table: String, message: String },
    #[error(
        "service map `{table}` has schema version {found}, this leastrole reads version {expected}; regenerate it with service-maps/generator"
    )]
    SchemaVersion {
        table: String,
        found: u32,
        expected: u32,
    },
    #[error("service map `{table}`: {message}")]
    Invalid { table: String, message: String },
    #[error("cannot read service maps from {path}: {message}")]
    Io { path: String, message: String },
}

impl MapsError {
    /// A table that parsed but says something impossible (`message`).
    pub(crate) fn invalid(table: &str, message: String) -> Self {
        Self::Invalid {
            table: table.to_string(),
            message,
        }
    }
}
