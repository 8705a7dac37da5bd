//! One module per subcommand.

use leastrole_policy::Options;

use crate::args::AnalysisArgs;

pub mod calls;
pub mod check;
pub mod diff;
pub mod generate;
pub mod manifest;
pub mod maps;
mod review;

/// The analysis options of `generate`, `check` and `diff --git`.
pub(crate) fn analysis_options(a: AnalysisArgs) -> Options {
    Options {
        kms: a.kms,
        pass_role: a.pass_role,
        s3_not_found: a.s3_not_found,
    }
}
