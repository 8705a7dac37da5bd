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

/// `v` in an allocation of its length, for what an analysis holds until it ends (syntax
/// trees, a module's IR). `shrink_to_fit` asks the allocator to shrink the block in
/// place, and mimalloc, the binary's allocator, keeps the whole block whenever that
/// would give back at most half of it: only a copy frees the rest.
pub(crate) fn fitted<T>(mut v: Vec<T>) -> Vec<T> {
    if v.capacity() == v.len() {
        return v;
    }
    let mut out = Vec::with_capacity(v.len());
    out.append(&mut v);
    out
}

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
/// is the same, and only one batch's trees are held at a time, at the cost of reading
/// each file twice (once, without parsing it, to find the components). A JavaScript
/// component too large for one batch is analysed without holding every tree either:
/// its modules are parsed in their waves (see `javascript::analyze_folder`).
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
    let (py, js) = by_language(entries);
    let sources = Sources::default().within(confine);
    let mut out = on_analysis_threads(|| {
        let unit = python::Unit::new(&sources, root, &py, &[]);
        let batches = python_batches(&unit, &py, max);
        let mut out = in_batches(&batches, &py, |batch| unit.analyze_folder(batch));
        let batches = javascript_batches(&sources, root, &js, max);
        // A batch above `max` files is one import component too large to split: its
        // modules are parsed in their waves rather than all before them.
        let analyze =
            |batch: &[String]| javascript::analyze_folder(&sources, root, batch, batch.len() > max);
        out.extend(in_batches(&batches, &js, analyze));
        out
    });
    out.calls.sort();
    out.diagnostics.sort();
    out.diagnostics.dedup();
    out.files.sort();
    out.files.dedup();
    out
}

impl From<Program> for FolderFacts {
    fn from(program: Program) -> FolderFacts {
        let mut out = FolderFacts {
            diagnostics: program.diagnostics,
            ..FolderFacts::default()
        };
        for module in program.modules.into_values() {
            out.add(module);
        }
        out
    }
}

impl FolderFacts {
    /// `module`'s file, calls and diagnostics added, unsorted (a folder's are sorted
    /// once, at the end).
    pub(crate) fn add(&mut self, module: ModuleFacts) {
        self.add_parts(
            module.file,
            module.diagnostics,
            module.functions.into_values(),
        );
    }

    /// [`FolderFacts::add`] for a module held as its parts: no map of its functions is
    /// built to be taken apart.
    pub(crate) fn add_parts(
        &mut self,
        file: String,
        diagnostics: Vec<Diagnostic>,
        functions: impl IntoIterator<Item = FunctionFacts>,
    ) {
        self.files.push(file);
        program::move_calls_and_diagnostics(
            diagnostics,
            functions,
            &mut self.calls,
            &mut self.diagnostics,
        );
    }

    pub(crate) fn extend(&mut self, other: FolderFacts) {
        self.files.extend(other.files);
        self.calls.extend(other.calls);
        self.diagnostics.extend(other.diagnostics);
    }
}

/// Each batch analysed with `analyze`, one after the other. Should a batch reach a
/// module its first pass put elsewhere (an import the text scan missed), `entries` are
/// analysed again as one unit: the result never depends on the scan.
fn in_batches(
    batches: &batch::Batches,
    entries: &[String],
    analyze: impl Fn(&[String]) -> FolderFacts,
) -> FolderFacts {
    let mut out = FolderFacts::default();
    for (i, batch) in batches.list.iter().enumerate() {
        let facts = analyze(batch);
        if !batches.holds(i, &facts.files) {
            drop(facts);
            return analyze(entries);
        }
        out.extend(facts);
    }
    out
}

/// The batches [`analyze_folder_batched`] plans, Python's then JavaScript's (for tests:
/// that batching really splits the folders they check).
#[doc(hidden)]
pub fn folder_batches(
    root: &Path,
    entries: &[String],
    confine: Confine,
    max: usize,
) -> Vec<Vec<String>> {
    let (py, js) = by_language(entries);
    let sources = Sources::default().within(confine);
    on_analysis_threads(|| {
        let unit = python::Unit::new(&sources, root, &py, &[]);
        let mut batches = python_batches(&unit, &py, max).list;
        batches.extend(javascript_batches(&sources, root, &js, max).list);
        batches
    })
}

fn python_batches(unit: &python::Unit<'_>, py: &[String], max: usize) -> batch::Batches {
    batch::plan(py, max, python::normalize, |graph| unit.imports(py, graph))
}

fn javascript_batches(sources: &Sources, root: &Path, js: &[String], max: usize) -> batch::Batches {
    batch::plan(js, max, javascript::entry_name, |graph| {
        javascript::imports(sources, root, js, &[], graph);
    })
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    /// A program of empty modules.
    fn program(files: &[String]) -> Program {
        let mut p = Program::default();
        for file in files {
            let module = ModuleFacts {
                file: file.clone(),
                language: Language::Python,
                functions: Default::default(),
                exports: Default::default(),
                diagnostics: Vec::new(),
            };
            p.modules.insert(file.clone(), module);
        }
        p
    }

    #[test]
    fn a_batch_that_reaches_past_its_components_makes_its_language_one_unit_again() {
        let entries = names(&["a.py", "b.py", "c.py"]);
        // The first pass saw no import: three components, a batch each.
        let batches = batch::plan(&entries, 1, str::to_string, |graph| {
            for entry in &entries {
                graph.record(entry, &[]);
            }
        });
        assert_eq!(batches.list.len(), 3);
        let asked: Mutex<Vec<Vec<String>>> = Mutex::default();
        let run = |b_imports_c: bool| {
            asked.lock().unwrap().clear();
            let analyze = |batch: &[String]| {
                asked.lock().unwrap().push(batch.to_vec());
                let mut reached = batch.to_vec();
                if b_imports_c && batch.contains(&"b.py".to_string()) {
                    reached.push("c.py".to_string());
                }
                reached.sort();
                reached.dedup();
                FolderFacts::from(program(&reached))
            };
            let facts = in_batches(&batches, &entries, analyze);
            assert_eq!(facts.files, entries);
            asked.lock().unwrap().clone()
        };
        // Each batch stays in its own: each is analysed once.
        assert_eq!(
            run(false),
            vec![names(&["a.py"]), names(&["b.py"]), names(&["c.py"])]
        );
        // The analysis of b.py reaches c.py (an import the first pass missed): the
        // batches are given up and the entries analysed as one unit.
        assert_eq!(
            run(true),
            vec![names(&["a.py"]), names(&["b.py"]), entries.clone()]
        );
    }
}
