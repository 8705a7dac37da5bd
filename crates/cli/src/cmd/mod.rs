//! One module per subcommand.

pub mod calls;
pub mod check;
pub mod diff;
pub mod generate;
pub mod manifest;
pub mod maps;
mod review;
