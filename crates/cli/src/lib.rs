//! leastrole: the command-line tool.
//!
//! Parses the command line (`args`), runs one command (`cmd`), writes data to stdout or
//! `-o FILE` and diagnostics to stderr, and maps the outcome to an exit code: 0 success,
//! 1 findings (`--strict`, `--fail-on`), 2 usage, config or I/O error. A closed stdout
//! pipe (`leastrole … | head`) is not an error.

mod args;
mod cmd;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Clean,
    /// Exit 1: findings the user asked to fail on.
    Findings,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Where the time and memory of a run go, phase by phase, for performance work
    // (docs/performance.md); nothing else changes.
    let phases = std::env::var_os("LEASTROLE_PHASES").is_some_and(|v| !v.is_empty());
    if phases {
        leastrole_core::phase::enable();
    }
    let outcome = run(cli);
    if phases {
        output::phases(&leastrole_core::phase::take());
    }
    match outcome {
        Ok(Status::Clean) => ExitCode::SUCCESS,
        Ok(Status::Findings) => ExitCode::from(1),
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprint_error(&e);
            ExitCode::from(2)
        }
    }
}

/// Run one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Status> {
    match cli.command {
        args::Command::Generate(a) => cmd::generate::run(a),
        args::Command::Calls(a) => cmd::calls::run(a),
        args::Command::Maps(a) => cmd::maps::run(a),
        args::Command::Check(a) => cmd::check::run(a),
        args::Command::Diff(a) => cmd::diff::run(a),
    }
}

#[expect(
    clippy::print_stderr,
    reason = "the binary's one place that reports a fatal error"
)]
fn eprint_error(e: &anyhow::Error) {
    eprintln!("leastrole: error: {e:#}");
}
