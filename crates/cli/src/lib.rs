//! leastrole: the command-line tool. Orchestrates the pipeline and maps outcomes to
//! exit codes (0 success, 1 findings, 2 usage/config/I/O error).

use std::process::ExitCode;

pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
