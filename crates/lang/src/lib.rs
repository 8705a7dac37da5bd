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

mod batch;
mod escape;
mod javascript;
mod python;
mod syntax;

use std::path::Path;
use std::sync::OnceLock;

pub use facts::{
    CallKind, Diagnostic, Level, Location, ResourceStep, Sdk, SdkCall, ServiceRef, Value,
};
pub use program::{FunctionFacts, FunctionId, Language, MODULE_SCOPE, ModuleFacts, Program};
pub use source::{Confine, Sources};

/// Analyse the given entry files (paths relative to `root`, `/`-separated) and every
/// local module they import, transitively. Files of unsupported languages are ignored.
/// Never fails: unreadable or broken files become diagnostics in the result.
pub fn analyze(root: &Path, entries: &[String]) -> Program {
    analyze_with(&Sources::default(), root, entries)
}

/// [`analyze`], loading files through `sources`: with [`Sources::cached`] shared by the
/// analyses of several functions, each file is read and parsed once. The result is the
/// same as [`analyze`]'s.
pub fn analyze_with(sources: &Sources, root: &Path, entries: &[String]) -> Program {
    analyze_with_paths(sources, root, entries, &SearchPaths::default())
}

/// Folders where the runtime looks, in this order, for the modules a function's own code
/// does not have: its Lambda layers' folders under `/opt` (`python`,
/// `python/lib/python3.X/site-packages`; `nodejs/node_modules`,
/// `nodejs/nodeNN/node_modules`). Each is relative to the analysis root, `/`-separated,
/// and may lead out of it (`../layers/shared/python`); files found there are analysed
/// under that path like the function's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchPaths {
    /// Searched for an absolute Python import after the function's own folders.
    pub python: Vec<String>,
    /// Searched for a bare JavaScript specifier (`require('shared')`) that no
    /// `node_modules` folder of the function's own code holds (Node's `NODE_PATH`).
    pub node: Vec<String>,
}

/// [`analyze_with`], following imports the function's code cannot satisfy into `paths`
/// (its layers).
pub fn analyze_with_paths(
    sources: &Sources,
    root: &Path,
    entries: &[String],
    paths: &SearchPaths,
) -> Program {
    let mut program = Program::default();
    each_language(sources, root, entries, paths, |p| program.extend(p));
    program
}

/// What a folder analysed as one unit needs: every call, every diagnostic (both as
/// [`Program::into_calls_and_diagnostics`] gives them) and the files analysed, sorted.
#[derive(Debug, Default)]
pub struct FolderFacts {
    pub calls: Vec<SdkCall>,
    pub diagnostics: Vec<Diagnostic>,
    pub files: Vec<String>,
}

/// [`analyze`] for a folder whose every file is an entry, reduced to its calls and
/// diagnostics one language at a time: a large folder never holds both languages'
/// programs at once.
pub fn analyze_folder(root: &Path, entries: &[String]) -> FolderFacts {
    analyze_folder_within(root, entries, Confine::default())
}

/// [`analyze_folder`], reading only the files `confine` admits.
///
/// A language with more than [`batch::BATCH_FILES`] files is analysed in batches that
/// are unions of its import graph's connected components (see [`batch`]): the result
/// is the same, and only one batch's trees are held at a time, at the cost of parsing
/// each file twice (once to find the components).
pub fn analyze_folder_within(root: &Path, entries: &[String], confine: Confine) -> FolderFacts {
    analyze_folder_batched(root, entries, confine, batch::BATCH_FILES)
}

/// [`analyze_folder_within`] with batches of at most `max` files (the tests use a
/// small bound to check that batching changes nothing).
#[doc(hidden)]
pub fn analyze_folder_batched(
    root: &Path,
    entries: &[String],
    confine: Confine,
    max: usize,
) -> FolderFacts {
    let mut out = FolderFacts::default();
    let mut take = |program: Program| {
        out.files.extend(program.modules.keys().cloned());
        let (calls, diagnostics) = program.into_calls_and_diagnostics();
        out.calls.extend(calls);
        out.diagnostics.extend(diagnostics);
    };
    let (py, js) = by_language(entries);
    on_analysis_threads(|| {
        let sources = folder_sources(&py, max, &confine);
        let unit = python::Unit::new(&sources, root, &py, &[]);
        for batch in python_batches(&sources, &unit, &py, max) {
            take(unit.analyze(&batch));
        }
        let sources = folder_sources(&js, max, &confine);
        for batch in javascript_batches(&sources, root, &js, max) {
            take(javascript::analyze(&sources, root, &batch, &[]));
        }
    });
    out.calls.sort();
    out.diagnostics.sort();
    out.diagnostics.dedup();
    out.files.sort();
    out.files.dedup();
    out
}

/// The batches [`analyze_folder_batched`] analyses, Python's then JavaScript's (for
/// tests: that batching really splits the folders they check).
#[doc(hidden)]
pub fn folder_batches(
    root: &Path,
    entries: &[String],
    confine: Confine,
    max: usize,
) -> Vec<Vec<String>> {
    let (py, js) = by_language(entries);
    on_analysis_threads(|| {
        let sources = folder_sources(&py, max, &confine);
        let unit = python::Unit::new(&sources, root, &py, &[]);
        let mut batches = python_batches(&sources, &unit, &py, max);
        let sources = folder_sources(&js, max, &confine);
        batches.extend(javascript_batches(&sources, root, &js, max));
        batches
    })
}

/// Where one language's files of a folder are loaded from. Not cached: a folder is one
/// unit, and a cache would keep every tree alive; but one analysed in batches loads each
/// file twice, and keeps what it can of the first load for the second.
fn folder_sources(entries: &[String], max: usize, confine: &Confine) -> Sources {
    let sources = if entries.len() > max {
        Sources::parsing_ahead(batch::AHEAD_BYTES)
    } else {
        Sources::default()
    };
    sources.within(confine.clone())
}

fn python_batches(
    sources: &Sources,
    unit: &python::Unit<'_>,
    py: &[String],
    max: usize,
) -> Vec<Vec<String>> {
    if py.is_empty() {
        return Vec::new();
    }
    let batches = batch::plan(py, max, python::normalize, |graph| unit.imports(py, graph));
    sources.stop_keeping();
    batches
}

fn javascript_batches(
    sources: &Sources,
    root: &Path,
    js: &[String],
    max: usize,
) -> Vec<Vec<String>> {
    if js.is_empty() {
        return Vec::new();
    }
    let batches = batch::plan(js, max, javascript::entry_name, |graph| {
        javascript::imports(sources, root, js, &[], graph);
    });
    sources.stop_keeping();
    batches
}

/// The Python entries and the JavaScript/TypeScript ones; files of other languages are
/// left out.
fn by_language(entries: &[String]) -> (Vec<String>, Vec<String>) {
    entries
        .iter()
        .filter(|e| Language::of_path(e).is_some())
        .cloned()
        .partition(|e| Language::of_path(e) == Some(Language::Python))
}

/// Run the Python front-end on the Python entries, then the JavaScript/TypeScript
/// front-end on the others, on the analysis threads (see [`pool`]), handing each
/// language's program to `take` as soon as it is done. Other files are ignored.
fn each_language(
    sources: &Sources,
    root: &Path,
    entries: &[String],
    paths: &SearchPaths,
    mut take: impl FnMut(Program) + Send,
) {
    let (py, js) = by_language(entries);
    let run = move || {
        if !py.is_empty() {
            take(python::analyze(sources, root, &py, &paths.python));
        }
        if !js.is_empty() {
            take(javascript::analyze(sources, root, &js, &paths.node));
        }
    };
    on_analysis_threads(run);
}

/// Run `f` on the analysis threads (see [`pool`]); parallel work it starts (rayon) runs
/// there too. A caller analysing many units in parallel runs its loop here: from
/// another pool's thread, each analysis would be handed over and waited for, and a
/// thread of that pool waiting for one picks up the next unit on top of its stack, so
/// a long list of units could nest deeper than an ordinary thread's stack.
pub fn on_analysis_threads<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match pool() {
        Some(pool) => pool.install(f),
        None => f(),
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
