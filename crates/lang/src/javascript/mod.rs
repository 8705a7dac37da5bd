//! The JavaScript/TypeScript front-end: AWS SDK v2 (`aws-sdk`) and v3 (`@aws-sdk/*`)
//! calls in `.js/.mjs/.cjs/.jsx` (tree-sitter-javascript) and `.ts/.mts/.cts/.tsx`
//! (tree-sitter-typescript) sources.
//!
//! Stages, in order:
//! 1. **Discovery** (`resolve.rs`, `parse.rs`): parse the entry files in parallel, find
//!    their local imports (`import`, `export … from`, `require`, `import()`), resolve
//!    them to files, and repeat for the newly found files.
//! 2. **Analysis** (`scope.rs`, `functions.rs`, `eval.rs`, `calls.rs`, `imports.rs`,
//!    `exports.rs`, `sdk_v2.rs`, `sdk_v3.rs`): modules are analysed after the modules
//!    they import (in parallel; import cycles are broken arbitrarily but
//!    deterministically; see `waves.rs`), so imported clients, constants, classes and
//!    factory return values are known. Each module publishes its exports for its
//!    importers.
//! 3. **Linking** (`link.rs`): method calls on function parameters are resolved with
//!    the values passed at call sites anywhere in the program.

mod calls;
mod eval;
mod exports;
mod functions;
mod imports;
mod link;
mod parse;
mod resolve;
mod scope;
mod sdk_v2;
mod sdk_v2_names;
mod sdk_v3;
mod values;
mod waves;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::syntax::Grammar;
use rayon::prelude::*;

use leastrole_core::phase;

use crate::facts::{Code, Diagnostic, Level, Location};
use crate::program::{FunctionFacts, FunctionId, Language, MODULE_SCOPE, ModuleFacts, Program};
use crate::source::{ParsedSource, Sources};

use resolve::{Resolved, Resolver, is_local};
use scope::{Analyzer, Binding, Pending, Published};
use waves::{Deps, Order, Publications, Ran, imports_of, run_waves, schedule};

/// One parsed file.
struct Parsed {
    /// Text and tree, possibly shared with other analyses (see [`Sources`]).
    source: Arc<ParsedSource>,
    language: Language,
    specs: BTreeMap<String, Resolved>,
    diags: Vec<Diagnostic>,
}

/// What analysing one module produces, besides what it publishes for its importers.
#[derive(Debug)]
struct ModuleOut {
    facts: Held,
    pendings: Vec<Pending>,
    bindings: Vec<Binding>,
    escaped: BTreeSet<FunctionId>,
    /// The functions an entry file exports: the Lambda runtime calls them with the event.
    handlers: BTreeSet<FunctionId>,
}

/// A module's [`ModuleFacts`] while the unit waits for linking, its maps as sorted
/// lists: a map's first node has room for eleven entries, and a module has a few
/// functions, so thousands of modules' maps were most of what a large unit held.
#[derive(Debug)]
struct Held {
    file: String,
    language: Language,
    functions: Vec<(String, FunctionFacts)>,
    exports: Vec<(String, String)>,
    diagnostics: Vec<Diagnostic>,
}

impl From<Held> for ModuleFacts {
    fn from(held: Held) -> ModuleFacts {
        ModuleFacts {
            file: held.file,
            language: held.language,
            functions: held.functions.into_iter().collect(),
            exports: held.exports.into_iter().collect(),
            diagnostics: held.diagnostics,
        }
    }
}

/// An entry as the analysis names its file: without a leading `./`.
pub(crate) fn entry_name(entry: &str) -> String {
    entry.trim_start_matches("./").to_string()
}

/// Runs on the analysis threads of `crate::analyze`, whose deep stacks the analyser
/// needs: it recurses along the syntax tree (up to `scope::MAX_DEPTH` levels).
pub(crate) fn analyze(
    sources: &Sources,
    root: &Path,
    entries: &[String],
    node_path: &[String],
) -> Program {
    let (outs, diagnostics) = parsed_first(sources, root, entries, node_path);
    let (modules, diagnostics) = link(outs, diagnostics, |module| {
        (module.file.clone(), ModuleFacts::from(module))
    });
    Program {
        modules: modules.into_iter().collect(),
        diagnostics,
    }
}

/// [`analyze`] reduced to what a folder needs, each module's facts folded in as soon as
/// they are linked. With `lean`, for a unit too large to hold every module's tree at
/// once (a folder that is one import component of thousands of files), nothing is
/// parsed before the analysis where [`analyze_planned`] applies.
pub(crate) fn analyze_folder(
    sources: &Sources,
    root: &Path,
    entries: &[String],
    lean: bool,
) -> crate::FolderFacts {
    let planned = lean.then(|| analyze_planned(sources, root, entries, &[]));
    let (outs, diagnostics) = match planned.flatten() {
        Some(planned) => planned,
        None => parsed_first(sources, root, entries, &[]),
    };
    let (modules, unloaded) = link(outs, diagnostics, |module| {
        let mut one = crate::FolderFacts::default();
        let functions = module.functions.into_iter().map(|(_, f)| f);
        one.add_parts(module.file, module.diagnostics, functions);
        one
    });
    let mut out = crate::FolderFacts::default();
    for one in modules {
        out.extend(one);
    }
    out.diagnostics.extend(unloaded);
    out
}

/// Each module analysed, every file parsed first: the modules' results by file, and
/// the files that could not be loaded.
fn parsed_first(
    sources: &Sources,
    root: &Path,
    entries: &[String],
    node_path: &[String],
) -> (BTreeMap<String, ModuleOut>, Vec<Diagnostic>) {
    let (parsed, diagnostics) = load(sources, root, entries, node_path);
    phase::mark("javascript: loading");
    let ran = analyze_parsed(parsed, &entry_set(entries), Order::Rounds);
    phase::mark("javascript: modules");
    (ran.outs, diagnostics)
}

/// `entries` and, transitively, every local file they import, parsed; and the files
/// that could not be loaded.
fn load(
    sources: &Sources,
    root: &Path,
    entries: &[String],
    node_path: &[String],
) -> (BTreeMap<String, Parsed>, Vec<Diagnostic>) {
    let parse = |resolver: &Resolver<'_>, rel: &str| parse_file(sources, root, rel, resolver);
    discover(
        sources,
        root,
        entries,
        node_path,
        parse,
        |p| resolved_files(&p.specs),
        || true,
    )
}

fn entry_set(entries: &[String]) -> BTreeSet<String> {
    entries.iter().map(|e| entry_name(e)).collect()
}

/// The parsed modules analysed, dependencies first (see [`waves`]). Modules in an
/// import cycle are analysed twice: the second time they see what the first pass
/// published for each other. Without a cycle each tree is dropped as soon as its module
/// is analysed, and what a module publishes is kept only if another module imports it.
fn analyze_parsed(
    mut parsed: BTreeMap<String, Parsed>,
    entry_set: &BTreeSet<String>,
    order: Order,
) -> Ran {
    let plan = schedule(
        &imports_of(&parsed, |p| resolved_files(&p.specs)),
        entry_set,
    );
    let first = run_waves(
        Modules::Parsed(&mut parsed),
        &plan,
        entry_set,
        &Publications::new(),
        plan.cyclic,
        order,
    );
    if !plan.cyclic {
        return first;
    }
    let second = run_waves(
        Modules::Parsed(&mut parsed),
        &plan,
        entry_set,
        &first.published,
        false,
        order,
    );
    Ran {
        reruns: first.reruns + second.reruns,
        ..second
    }
}

/// The modules of a unit analysed without holding every module's tree (see
/// [`analyze_folder`]): nothing is parsed before the analysis. The import graph is read
/// from the text ([`resolve::scan_specifiers`], a superset of the imports the parser
/// finds), the waves are planned from it, and each module is parsed in its wave and its
/// tree dropped there. The result is [`parsed_first`]'s: the plan is used only when the
/// text's graph has no cycle and reaches no file but the entries (so every module is
/// analysed once, after every module it really imports, and the same modules are
/// analysed), and each module's real imports are checked to be among those the text
/// gave; `None` otherwise. Costs one more read of each file, not one more parse.
fn analyze_planned(
    sources: &Sources,
    root: &Path,
    entries: &[String],
    node_path: &[String],
) -> Option<(BTreeMap<String, ModuleOut>, Vec<Diagnostic>)> {
    let (graph, diagnostics) = scanned(sources, root, entries, node_path, || true, |_, _| {});
    let entry_set = entry_set(entries);
    if !graph.values().flatten().all(|dep| entry_set.contains(dep)) {
        return None;
    }
    let plan = schedule(
        &imports_of(&graph, |files| files.iter().collect()),
        &entry_set,
    );
    if plan.cyclic {
        return None;
    }
    let lean = Lean {
        sources,
        root,
        resolver: Resolver::new(sources, root, node_path),
        graph: &graph,
        missed: AtomicBool::new(false),
        failed: Mutex::new(Vec::new()),
    };
    let outs = run_waves(
        Modules::Load(&lean),
        &plan,
        &entry_set,
        &Publications::new(),
        false,
        Order::Rounds,
    )
    .outs;
    phase::mark("javascript: lean waves");
    if lean.missed.load(Ordering::Relaxed) {
        return None;
    }
    let mut diagnostics = diagnostics;
    diagnostics.extend(lean.failed.into_inner().unwrap_or_else(|e| e.into_inner()));
    Some((outs, diagnostics))
}

/// The modules of a unit analysed by [`run_waves`]: parsed already, or loaded in their
/// wave ([`analyze_planned`]).
enum Modules<'m, 'a> {
    Parsed(&'m mut BTreeMap<String, Parsed>),
    Load(&'m Lean<'a>),
}

/// What [`analyze_planned`] needs to load a module in its wave and check its imports.
struct Lean<'a> {
    sources: &'a Sources,
    root: &'a Path,
    resolver: Resolver<'a>,
    /// The files each module imports, read from its text.
    graph: &'a BTreeMap<String, Vec<String>>,
    /// Whether a module really imports a file the text did not give.
    missed: AtomicBool,
    /// The files that could be read but not parsed.
    failed: Mutex<Vec<Diagnostic>>,
}

impl Lean<'_> {
    /// `file` parsed, or `None` (its diagnostic noted) when it cannot be.
    fn load(&self, file: &str) -> Option<Parsed> {
        match parse_file(self.sources, self.root, file, &self.resolver) {
            Ok(p) => {
                let scanned = self.graph.get(file);
                let seen = |dep: &&String| scanned.is_some_and(|deps| deps.contains(*dep));
                if !resolved_files(&p.specs).iter().all(seen) {
                    self.missed.store(true, Ordering::Relaxed);
                }
                Some(p)
            }
            Err(d) => {
                self.failed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(d);
                None
            }
        }
    }
}

/// Each module's facts, linked across modules (method calls on parameters resolved
/// with the values passed at call sites anywhere in the unit) and reduced by `reduce`
/// on the thread that linked it, in file order; and `diagnostics` (of the files that
/// could not be loaded), sorted.
fn link<T: Send>(
    mut outs: BTreeMap<String, ModuleOut>,
    mut diagnostics: Vec<Diagnostic>,
    reduce: impl Fn(Held) -> T + Sync,
) -> (Vec<T>, Vec<Diagnostic>) {
    // Sized once, and each module's lists taken (`append` would leave their buffers
    // allocated until the module's facts are read below).
    let mut pendings = Vec::with_capacity(outs.values().map(|o| o.pendings.len()).sum());
    let mut bindings = Vec::with_capacity(outs.values().map(|o| o.bindings.len()).sum());
    let mut escaped = BTreeSet::new();
    let mut handlers = BTreeSet::new();
    for out in outs.values_mut() {
        handlers.extend(std::mem::take(&mut out.handlers));
        pendings.extend(std::mem::take(&mut out.pendings));
        bindings.extend(std::mem::take(&mut out.bindings));
        // Not `BTreeSet::append`: it rebuilds the whole set each time, quadratic over
        // thousands of modules.
        escaped.extend(std::mem::take(&mut out.escaped));
    }
    let linker = link::Linker::new(bindings, escaped, handlers);
    let linked = linker.link(pendings);
    // Each module finished and reduced on its own (the linker is only read): what the
    // reduction drops is freed in parallel too.
    let held: Vec<Held> = outs.into_values().map(|out| out.facts).collect();
    let reduced = held
        .into_par_iter()
        .with_max_len(1)
        .map(|mut facts| {
            finish_linked(&mut facts, &linker, &linked);
            reduce(facts)
        })
        .collect();
    diagnostics.sort();
    diagnostics.dedup();
    phase::mark("javascript: linking");
    (reduced, diagnostics)
}

/// A module's facts with what linking found added to its functions, its values'
/// parameter references resolved, and the marks taken out of its messages.
fn finish_linked(facts: &mut Held, linker: &link::Linker, linked: &link::Linked) {
    for (_, f) in &mut facts.functions {
        if let Some(calls) = linked.calls.get(&f.id) {
            for c in calls {
                if !f.calls.contains(c) {
                    f.calls.push(c.clone());
                }
            }
        }
        if let Some(diags) = linked.diags.get(&f.id) {
            f.diagnostics.extend(diags.iter().cloned());
        }
        for c in &mut f.calls {
            linker.finalize(&mut c.params);
            if let crate::facts::ServiceRef::Dynamic { reason } = &mut c.service {
                *reason = link::strip_marks(reason);
            }
            for p in &mut c.positional {
                linker.finalize(p);
            }
        }
        for d in &mut f.diagnostics {
            d.message = link::strip_marks(&d.message);
        }
        f.calls.sort();
        f.calls.dedup();
        f.diagnostics.sort();
        f.diagnostics.dedup();
    }
    for d in &mut facts.diagnostics {
        d.message = link::strip_marks(&d.message);
    }
}

/// Record in `graph` each module reached from `entries` (imported transitively) with the
/// files it may import, until the graph says to stop. Files are read, not parsed: their
/// specifiers are found in the text (see [`resolve::scan_specifiers`]), a superset of
/// what the analysis reads. Files that cannot be read are left out.
pub(crate) fn imports(
    sources: &Sources,
    root: &Path,
    entries: &[String],
    node_path: &[String],
    graph: &crate::batch::Graph,
) {
    scanned(
        sources,
        root,
        entries,
        node_path,
        || !graph.stopped(),
        |rel, files| graph.record(rel, files),
    );
}

/// Each module reached from `entries` (imported transitively, while `go_on` says so)
/// with the files it may import, read from its text without parsing it (see
/// [`resolve::scan_specifiers`]): every file its imports resolve to, and maybe more.
/// `record` is told each module's as it is read. Also returns the files that could not
/// be read.
fn scanned(
    sources: &Sources,
    root: &Path,
    entries: &[String],
    node_path: &[String],
    go_on: impl Fn() -> bool + Sync,
    record: impl Fn(&str, &[String]) + Sync,
) -> (BTreeMap<String, Vec<String>>, Vec<Diagnostic>) {
    let scan = |resolver: &Resolver<'_>, rel: &str| {
        language_of(rel)?;
        let source = sources.read(root, rel)?;
        let candidates = resolve::scan_specifiers(&source.text);
        let specs = resolve_all(resolver, rel, followed(candidates, resolver));
        let files: Vec<String> = resolved_files(&specs).into_iter().cloned().collect();
        record(rel, &files);
        Ok(files)
    };
    discover(
        sources,
        root,
        entries,
        node_path,
        scan,
        |files| files.iter().collect(),
        go_on,
    )
}

/// Load `entries` and, breadth-first, every file they import, each wave in parallel;
/// `load` reads a file into what the caller keeps of it (on the loading thread, so what
/// is not kept is dropped there), with its specifiers resolved by the resolver it is
/// given, and `files` gives the files it imports; files are loaded while `go_on` says
/// so. Returns what was kept, by file, and the files that could not be loaded.
fn discover<T: Send>(
    sources: &Sources,
    root: &Path,
    entries: &[String],
    node_path: &[String],
    load: impl Fn(&Resolver<'_>, &str) -> Result<T, Diagnostic> + Sync,
    files: impl Fn(&T) -> Vec<&String>,
    go_on: impl Fn() -> bool + Sync,
) -> (BTreeMap<String, T>, Vec<Diagnostic>) {
    let mut parsed: BTreeMap<String, T> = BTreeMap::new();
    let mut diags = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut frontier: Vec<String> = Vec::new();
    for e in entries {
        let e = entry_name(e);
        if seen.insert(e.clone()) {
            frontier.push(e);
        }
    }
    let resolver = Resolver::new(sources, root, node_path);
    while !frontier.is_empty() {
        // One file at a time, written in place (see Python's `discover`).
        let results: Vec<Option<(String, Result<T, Diagnostic>)>> = frontier
            .par_iter()
            .with_max_len(1)
            .map(|rel| go_on().then(|| (rel.clone(), load(&resolver, rel))))
            .collect();
        let mut next = Vec::new();
        for (rel, result) in results.into_iter().flatten() {
            match result {
                Ok(kept) => {
                    for dep in files(&kept) {
                        if seen.insert(dep.clone()) {
                            next.push(dep.clone());
                        }
                    }
                    parsed.insert(rel, kept);
                }
                Err(d) => diags.push(d),
            }
        }
        next.sort();
        frontier = next;
    }
    (parsed, diags)
}

/// The specifiers of `candidates` the analysis follows: local ones, and packages when
/// they may be found in a layer (never the SDK's).
fn followed(
    candidates: impl IntoIterator<Item = String>,
    resolver: &Resolver<'_>,
) -> impl Iterator<Item = String> {
    let packages = resolver.follows_packages();
    candidates
        .into_iter()
        .filter(move |spec| is_local(spec) || (packages && !resolve::is_sdk(spec)))
}

/// Each specifier resolved from `rel`; a package is followed only into a layer that has
/// it, and dropped otherwise.
fn resolve_all(
    resolver: &Resolver<'_>,
    rel: &str,
    specs: impl Iterator<Item = String>,
) -> BTreeMap<String, Resolved> {
    let mut out = BTreeMap::new();
    for spec in specs {
        let r = if is_local(&spec) {
            resolver.resolve(rel, &spec)
        } else {
            match resolver.resolve_package(rel, &spec) {
                Some(file) => Resolved::File(file),
                None => continue,
            }
        };
        out.insert(spec, r);
    }
    out
}

/// The files `specs` resolve to.
fn resolved_files(specs: &BTreeMap<String, Resolved>) -> Vec<&String> {
    specs
        .values()
        .filter_map(|r| match r {
            Resolved::File(dep) => Some(dep),
            _ => None,
        })
        .collect()
}

/// `rel` parsed, with the specifiers the analysis follows (see [`followed`]) resolved.
fn parse_file(
    sources: &Sources,
    root: &Path,
    rel: &str,
    resolver: &Resolver<'_>,
) -> Result<Parsed, Diagnostic> {
    let language = language_of(rel)?;
    let source = sources.load(root, rel)?;
    let mut diags = source.diagnostics.clone();
    let root_node = source.tree.root_node();
    diags.extend(parse::syntax_errors(root_node, rel, &source.text));
    let specifiers = resolve::specifiers(root_node, &source.text);
    let specs = resolve_all(resolver, rel, followed(specifiers, resolver));
    Ok(Parsed {
        source,
        language,
        specs,
        diags,
    })
}

/// The language of a file by its extension; a file of neither is a diagnostic.
fn language_of(rel: &str) -> Result<Language, Diagnostic> {
    match Grammar::of_path(rel) {
        Some(Grammar::JavaScript) => Ok(Language::JavaScript),
        Some(Grammar::TypeScript | Grammar::Tsx) => Ok(Language::TypeScript),
        Some(Grammar::Python) | None => Err(Diagnostic::new(
            Level::Warning,
            Code::UnsupportedFile,
            format!("{rel} is not a JavaScript or TypeScript file"),
            None,
        )),
    }
}

fn analyze_module(
    file: &str,
    parsed: &Parsed,
    deps: &Deps<'_>,
    is_entry: bool,
) -> (ModuleOut, Published) {
    let mut a = Analyzer::new(file, &parsed.source.text, deps, &parsed.specs);
    let root = parsed.source.tree.root_node();
    a.is_entry = is_entry;
    if is_entry {
        // Only the entry file's exports are Lambda handlers: their first parameter
        // is the event.
        a.prescan_exports(root);
        a.handler_like.insert("handler".to_string());
    }
    a.hoist(root);
    a.walk(root);
    a.resolve_local_exports();
    // Functions and classes not reached yet, in a fixed order.
    let classes: Vec<String> = a.class_defs.keys().cloned().collect();
    for c in classes {
        a.ensure_class(&c);
    }
    let defs: Vec<String> = a.defs.keys().cloned().collect();
    for d in defs {
        a.ensure_fn(&d);
    }
    finish(a, parsed)
}

fn finish(mut a: Analyzer<'_>, parsed: &Parsed) -> (ModuleOut, Published) {
    // Uploads whose `.done()` is not visible are reported where they are built.
    let undone: Vec<_> = a
        .uploads
        .drain(..)
        .filter(|u| !a.uploads_done.contains(&u.id))
        .collect();
    // The module context stays on the stack (the analyser relies on it); its facts
    // are moved out.
    let mut module_facts = a.ctx.first_mut().map(|ctx| FunctionFacts {
        id: ctx.id.clone(),
        location: ctx.location.clone(),
        calls: std::mem::take(&mut ctx.calls),
        callees: std::mem::take(&mut ctx.callees),
        diagnostics: std::mem::take(&mut ctx.diags),
    });
    for u in undone {
        let call = sdk_v3::upload_call(&u.site, &u.params);
        if u.owner == MODULE_SCOPE {
            if let Some(m) = module_facts.as_mut() {
                m.calls.push(call);
            }
        } else if let Some(f) = a.facts.get_mut(&u.owner) {
            f.calls.push(call);
        }
    }
    let exports = a.export_table();
    let mut handlers = BTreeSet::new();
    if a.is_entry {
        // The Lambda runtime calls the entry's exports.
        let entry_funcs: Vec<FunctionId> = exports
            .values()
            .map(|q| FunctionId::new(&a.file, q))
            .chain(a.exports.values().filter_map(|v| match v {
                values::Abs::Func(id) => Some(id.clone()),
                _ => None,
            }))
            .collect();
        handlers.extend(entry_funcs.iter().cloned());
        a.escaped.extend(entry_funcs);
    }
    let mut functions = std::mem::take(&mut a.facts);
    let module_facts = module_facts.unwrap_or_else(|| FunctionFacts {
        id: FunctionId::module_scope(&a.file),
        location: Location {
            file: a.file.clone(),
            line: 1,
            column: 1,
        },
        calls: Vec::new(),
        callees: BTreeSet::new(),
        diagnostics: Vec::new(),
    });
    functions.insert(MODULE_SCOPE.to_string(), module_facts);
    let mut diagnostics = parsed.diags.clone();
    diagnostics.append(&mut a.diags);
    diagnostics.sort();
    diagnostics.dedup();
    let published = Published {
        exports: std::mem::take(&mut a.exports),
        cjs: a.cjs.take(),
        returns: std::mem::take(&mut a.returns),
        classes: std::mem::take(&mut a.classes),
        functions: functions.keys().cloned().collect(),
        star_packages: std::mem::take(&mut a.star_packages),
    };
    let out = ModuleOut {
        facts: Held {
            file: a.file.clone(),
            language: parsed.language,
            functions: functions.into_iter().collect(),
            exports: exports.into_iter().collect(),
            diagnostics,
        },
        pendings: std::mem::take(&mut a.pendings),
        bindings: std::mem::take(&mut a.bindings),
        escaped: std::mem::take(&mut a.escaped),
        handlers,
    };
    (out, published)
}

#[cfg(test)]
mod tests;
