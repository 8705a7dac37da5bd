//! One module per subcommand.

pub mod calls;
pub mod generate;
pub mod manifest;
pub mod maps;
