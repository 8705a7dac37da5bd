//! leastrole-lang: the tree-sitter front-ends.
//!
//! Second stage of the pipeline (after `leastrole-project` has found the handler files):
//! parse Python, JavaScript and TypeScript sources, follow local imports, and report per
//! function the AWS SDK calls it makes (with abstract argument [`Value`]s) and the
//! functions it calls, in the SDK's own vocabulary. It knows nothing about IAM.
//!
//! Entry point: [`analyze`]. Output: a linked [`Program`].

// Indexing is left to the arenas of the front-ends (scopes and modules by their own
// ids, never by offsets from the user's text); string slicing by byte offsets is not.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::string_slice
)]

pub mod facts;
pub mod program;
pub mod source;

mod javascript;
mod python;
mod syntax;

use std::path::Path;
use std::sync::OnceLock;

pub use facts::{
    CallKind, Diagnostic, Level, Location, ResourceStep, Sdk, SdkCall, ServiceRef, Value,
};
pub use program::{FunctionFacts, FunctionId, Language, MODULE_SCOPE, ModuleFacts, Program};

/// Analyse the given entry files (paths relative to `root`, `/`-separated) and every
/// local module they import, transitively. Files of unsupported languages are ignored.
/// Never fails: unreadable or broken files become diagnostics in the result.
pub fn analyze(root: &Path, entries: &[String]) -> Program {
    let (py, js): (Vec<String>, Vec<String>) = entries
        .iter()
        .filter(|e| Language::of_path(e).is_some())
        .cloned()
        .partition(|e| Language::of_path(e) == Some(Language::Python));
    let run = || {
        let mut program = Program::default();
        if !py.is_empty() {
            program.extend(python::analyze(root, &py));
        }
        if !js.is_empty() {
            program.extend(javascript::analyze(root, &js));
        }
        program
    };
    match pool() {
        Some(pool) => pool.install(run),
        None => run(),
    }
}

/// Stack for the analysis threads: both front-ends recurse over expressions (bounded by
/// their own depth limits), so they run on threads with room for that bound.
const STACK_BYTES: usize = 128 * 1024 * 1024;

/// The analysis threads, built once per process and shared by both front-ends, so the
/// memory one language's syntax trees used is reused (same allocator arenas) by the
/// next. A project with many functions runs [`analyze`] once per function, possibly
/// from several threads at once: they share these threads.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_BYTES)
            .thread_name(|i| format!("leastrole-lang-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}
