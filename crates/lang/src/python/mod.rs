//! The Python front-end: boto3 calls in a Lambda's Python sources.
//!
//! 1. Parse the entry files and, transitively, every local module they import
//!    (tree-sitter-python, one parser per thread, files in parallel) — [`imports`].
//! 2. Build each module's scopes and bindings — [`scope`].
//! 3. Evaluate: which SDK objects (clients, resources, paginators…) and values each
//!    expression may denote, across functions and modules — [`eval`], [`objects`],
//!    [`values`]. A call-site index lets parameters take what callers pass.
//! 4. Report per function the SDK calls, call edges and diagnostics — [`calls`].

mod calls;
mod eval;
mod imports;
mod objects;
mod scope;
mod values;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::syntax::Node;
use rayon::prelude::*;

use self::eval::{Eval, HotParams, IndexReads, Site, Sites};
use self::imports::{Resolver, parse_import, scan_imports};
use self::objects::Obj;
use self::scope::ModuleIr;
use leastrole_core::phase;

use crate::facts::{Code, Diagnostic, Level, Location};
use crate::program::{Language, ModuleFacts, Program};
use crate::source::{ParsedSource, Sources};

/// A parsed file, before analysis.
struct Parsed {
    rel: String,
    /// Text and tree, possibly shared with other analyses (see [`Sources`]).
    source: Arc<ParsedSource>,
    /// The modules it loads, until discovery takes them.
    loads: Vec<String>,
    diagnostics: Vec<Diagnostic>,
}

fn at(file: &str, line: u32) -> Option<Location> {
    Some(Location {
        file: file.to_string(),
        line,
        column: 1,
    })
}

/// Normalise an entry path: `/` separators, no `./`.
pub(crate) fn normalize(rel: &str) -> String {
    rel.replace('\\', "/")
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

fn parse_file(
    sources: &Sources,
    root: &Path,
    rel: &str,
    resolver: &Resolver<'_>,
) -> Result<Parsed, Diagnostic> {
    let source = sources.load(root, rel)?;
    let tree = &source.tree;
    let mut loads = Vec::new();
    let mut diagnostics = source.diagnostics.clone();
    let mut cursor = tree.walk();
    // Pre-order walk without recursion: imports anywhere, and broken regions.
    loop {
        let node = cursor.node();
        let mut descend = true;
        match node.kind() {
            "import_statement" | "import_from_statement" => {
                for stmt in parse_import(&source.text, node) {
                    loads.extend(resolver.bind(rel, &stmt).1);
                }
                descend = false;
            }
            _ if node.is_error() || node.is_missing() => {
                diagnostics.push(syntax_error(rel, &source.text, node));
                descend = false;
            }
            "print_statement" | "exec_statement" => {
                diagnostics.push(python2(
                    rel,
                    node,
                    node.kind().trim_end_matches("_statement"),
                ));
            }
            "except_clause" if has_comma(node) => {
                diagnostics.push(python2(rel, node, "except E, e"));
            }
            _ => {}
        }
        // Statements (and so imports) only nest in compound statements; expressions
        // are entered only to find broken regions.
        if descend
            && (node.has_error() || holds_statements(node.kind()))
            && cursor.goto_first_child()
        {
            continue;
        }
        let mut done = false;
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                done = true;
                break;
            }
        }
        if done {
            break;
        }
    }
    Ok(Parsed {
        rel: rel.to_string(),
        source,
        loads,
        diagnostics,
    })
}

fn holds_statements(kind: &str) -> bool {
    matches!(
        kind,
        "module"
            | "block"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "for_statement"
            | "while_statement"
            | "try_statement"
            | "except_clause"
            | "except_group_clause"
            | "finally_clause"
            | "with_statement"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "match_statement"
            | "case_clause"
    )
}

/// `except E, e:` (Python 2) instead of `except E as e:`.
fn has_comma(node: Node<'_>) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor).any(|c| c.kind() == ",")
}

/// tree-sitter-python accepts some Python 2 statements that Python 3 (every Lambda
/// runtime) rejects: report them as the syntax errors they are at import time.
fn python2(rel: &str, node: Node<'_>, what: &str) -> Diagnostic {
    let line = u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX);
    Diagnostic::new(
        Level::Warning,
        Code::SyntaxError,
        format!(
            "syntax error at {rel}:{line}: Python 2 `{what}` is not valid Python 3 (the module fails to import on Lambda); calls elsewhere are still analysed"
        ),
        at(rel, line),
    )
}

fn syntax_error(rel: &str, src: &str, node: Node<'_>) -> Diagnostic {
    let line = u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX);
    let message = if node.is_missing() {
        format!(
            "syntax error at {rel}:{line}: missing `{}`; calls outside this spot are still analysed",
            node.kind()
        )
    } else {
        let snippet = eval::short(src.get(node.byte_range()).unwrap_or(""));
        format!(
            "syntax error at {rel}:{line}: cannot parse `{snippet}`; calls outside this region are still analysed"
        )
    };
    Diagnostic::new(Level::Warning, Code::SyntaxError, message, at(rel, line))
}

pub(crate) fn analyze(
    sources: &Sources,
    root: &Path,
    entries: &[String],
    layers: &[String],
) -> Program {
    Unit::new(sources, root, entries, layers).analyze(entries)
}

/// A unit's Python entries as the import resolver sees them (they decide where absolute
/// imports are looked for), shared by every analysis of part of the unit: a folder
/// analysed in batches resolves each import once, for the first pass and its batch.
pub(crate) struct Unit<'a> {
    sources: &'a Sources,
    root: &'a Path,
    resolver: Resolver<'a>,
    /// Whether results computed under frames that read nothing of them are shared
    /// across frame stacks (see `Eval::memo`); off only to test that sharing changes
    /// nothing.
    share: bool,
    /// Expressions the facts rounds of this unit's analyses have evaluated.
    evaluated: AtomicU64,
}

impl<'a> Unit<'a> {
    pub(crate) fn new(
        sources: &'a Sources,
        root: &'a Path,
        entries: &[String],
        layers: &[String],
    ) -> Unit<'a> {
        let entries: Vec<String> = entries.iter().map(|e| normalize(e)).collect();
        Unit {
            sources,
            root,
            resolver: Resolver::new(sources, root, &entries, layers),
            share: true,
            evaluated: AtomicU64::new(0),
        }
    }

    /// This unit, its evaluators sharing no result across frame stacks.
    #[cfg(test)]
    pub(crate) fn without_sharing(self) -> Self {
        Unit {
            share: false,
            ..self
        }
    }

    /// Expressions the facts rounds of this unit's analyses have evaluated so far.
    #[cfg(test)]
    pub(crate) fn evaluated(&self) -> u64 {
        self.evaluated.load(Ordering::Relaxed)
    }

    /// Record in `graph` each module reached from `entries` (loaded transitively) with
    /// the modules it may load, until the graph says to stop. Files are read, not
    /// parsed: their imports are found in the text (see [`scan_imports`]), a superset of
    /// what the analysis reads. Files that cannot be read are left out (their importers
    /// name them).
    pub(crate) fn imports(&self, entries: &[String], graph: &crate::batch::Graph) {
        let entries: Vec<String> = entries.iter().map(|e| normalize(e)).collect();
        let scan = |rel: &str| {
            let source = self.sources.read(self.root, rel)?;
            let mut loads = Vec::new();
            for stmt in scan_imports(&source.text) {
                loads.extend(self.resolver.bind(rel, &stmt).1);
            }
            graph.record(rel, &loads);
            Ok(loads)
        };
        discover(&entries, scan, std::mem::take, || !graph.stopped());
    }

    /// The modules `batch` reaches, analysed. When `batch` is closed under imports
    /// (every module it reaches is reached from it alone, as a union of the connected
    /// components [`Unit::imports`] finds is), each module's facts are those the whole
    /// unit's analysis gives it: evaluation only crosses into modules a module loads,
    /// and call sites are only in modules that load the callee's.
    pub(crate) fn analyze(&self, batch: &[String]) -> Program {
        let (modules, diagnostics) = self.analyze_each(batch, |module| module);
        let mut program = Program {
            diagnostics,
            ..Program::default()
        };
        for module in modules {
            program.modules.insert(module.file.clone(), module);
        }
        sort_diagnostics(&mut program.diagnostics);
        program
    }

    /// [`Unit::analyze`], reduced to what a folder needs: the files, calls and
    /// diagnostics. Each module's facts are reduced as soon as they are found, while the
    /// other modules are still being evaluated (their trees and scopes are held until
    /// the last one is done), rather than held whole until then.
    pub(crate) fn analyze_folder(&self, batch: &[String]) -> crate::FolderFacts {
        let reduce = |module: ModuleFacts| {
            let mut one = crate::FolderFacts::default();
            one.add(module);
            one
        };
        let (modules, diagnostics) = self.analyze_each(batch, reduce);
        let mut out = crate::FolderFacts {
            diagnostics,
            ..crate::FolderFacts::default()
        };
        for module in modules {
            out.extend(module);
        }
        out
    }

    /// The modules `batch` reaches, each module's facts handed to `reduce` as soon as
    /// they are found, in file order; and the diagnostics of the files that could not
    /// be loaded.
    fn analyze_each<T: Send>(
        &self,
        batch: &[String],
        reduce: impl Fn(ModuleFacts) -> T + Sync,
    ) -> (Vec<T>, Vec<Diagnostic>) {
        let (sources, root, resolver) = (self.sources, self.root, &self.resolver);
        let batch: Vec<String> = batch.iter().map(|e| normalize(e)).collect();

        // 1. Discover and parse.
        let parse = |rel: &str| parse_file(sources, root, rel, resolver);
        let take = |p: &mut Parsed| std::mem::take(&mut p.loads);
        let (mut parsed, diagnostics) = discover(&batch, parse, take, || true);
        parsed.sort_by(|a, b| a.rel.cmp(&b.rel));
        let by_file: BTreeMap<String, usize> = parsed
            .iter()
            .enumerate()
            .map(|(i, p)| (p.rel.clone(), i))
            .collect();
        phase::mark("python: loading");

        // 2. Scopes and bindings, in parallel.
        let irs: Vec<ModuleIr<'_>> = parsed
            .par_iter()
            .with_max_len(1)
            .map(|p| scope::build(&p.rel, &p.source.text, p.source.tree.root_node(), resolver))
            .collect();
        phase::mark("python: scopes");

        // 3–4. Evaluate and collect facts, on threads with deep stacks.
        // Runs on the analysis threads of `crate::analyze` (deep stacks).
        let evals = Evals {
            irs: &irs,
            by_file: &by_file,
            resolver,
            share: self.share,
            evaluated: &self.evaluated,
        };
        let modules = facts(&evals, &parsed, reduce);
        phase::mark("python: facts");
        (modules, diagnostics)
    }
}

/// Load `entries` and, breadth-first, every module they load, each wave in parallel;
/// `load` reads a file into what the caller keeps of it (on the loading thread, so what
/// is not kept is dropped there), `loads` takes from it the modules it loads; files are
/// loaded while `go_on` says so. Returns what was kept and the files that could not be
/// loaded.
fn discover<T: Send>(
    entries: &[String],
    load: impl Fn(&str) -> Result<T, Diagnostic> + Sync,
    loads: impl Fn(&mut T) -> Vec<String>,
    go_on: impl Fn() -> bool + Sync,
) -> (Vec<T>, Vec<Diagnostic>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut frontier: Vec<String> = entries
        .iter()
        .filter(|e| seen.insert((*e).clone()))
        .cloned()
        .collect();
    let mut kept = Vec::new();
    let mut diagnostics = Vec::new();
    while !frontier.is_empty() {
        // One file at a time: files differ in size a hundredfold (see `facts`). Kept
        // indexed (no `filter`), so the results are written in place, not gathered in
        // per-piece lists and copied together.
        let wave: Vec<Option<Result<T, Diagnostic>>> = frontier
            .par_iter()
            .with_max_len(1)
            .map(|rel| go_on().then(|| load(rel)))
            .collect();
        frontier = Vec::new();
        for result in wave.into_iter().flatten() {
            match result {
                Ok(mut p) => {
                    for load in loads(&mut p) {
                        if seen.insert(load.clone()) {
                            frontier.push(load);
                        }
                    }
                    kept.push(p);
                }
                Err(d) => diagnostics.push(d),
            }
        }
    }
    (kept, diagnostics)
}

/// The local functions called at each call site of module `m`, with the implicit
/// leading arguments of bound methods and constructors.
fn module_sites<'t>(eval: &Eval<'_, 't>, m: usize) -> Vec<((usize, usize), Site<'t>)> {
    let mut out = Vec::new();
    let Some(ir) = eval.mods.get(m) else {
        return out;
    };
    for (scope, call) in ir.calls() {
        let Some(func) = call.child_by_field_name("function") else {
            continue;
        };
        let mut push = |target, offset, skip, elements| {
            out.push((
                target,
                Site {
                    module: m,
                    scope,
                    call,
                    offset,
                    skip,
                    elements,
                },
            ));
        };
        for callee in eval.eval(m, scope, func) {
            match callee {
                Obj::Func(fm, fs) => push((fm, fs), 0, 0, false),
                Obj::BoundMethod(fm, fs) => push((fm, fs), 1, 0, false),
                Obj::Class(cm, cc) => {
                    if let Some(init) = eval.method(cm, cc, "__init__") {
                        push(init, 1, 0, false);
                    }
                }
                _ => {}
            }
        }
        // `partial(f, x)`, `executor.submit(f, x)`: the arguments after the function
        // are its first arguments; `map(f, xs)`, `executor.map(f, xs)`: their elements.
        let name = match func.kind() {
            "identifier" => eval.text(m, func),
            "attribute" => func
                .child_by_field_name("attribute")
                .map_or("", |a| eval.text(m, a)),
            _ => "",
        };
        let forwards = matches!(name, "partial" | "submit" | "apply_async" | "spawn" | "map");
        let elements = name == "map";
        if forwards
            && let Some(first) = call
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0))
        {
            for target in eval.eval(m, scope, first) {
                match target {
                    Obj::Func(fm, fs) => push((fm, fs), 0, 1, elements),
                    Obj::BoundMethod(fm, fs) => push((fm, fs), 1, 1, elements),
                    _ => {}
                }
            }
        }
    }
    out
}

/// What the evaluators of one analysis are made from.
struct Evals<'a, 't> {
    irs: &'a [ModuleIr<'t>],
    by_file: &'a BTreeMap<String, usize>,
    resolver: &'a Resolver<'a>,
    share: bool,
    evaluated: &'a AtomicU64,
}

impl<'a, 't> Evals<'a, 't> {
    /// Every module is evaluated with its own evaluator (its own caches), so the
    /// result does not depend on how modules are spread over threads.
    fn fresh(&self, sites: Option<&Arc<Sites<'t>>>) -> Eval<'a, 't> {
        let mut eval = Eval::new(self.irs, self.by_file, self.resolver);
        eval.share = self.share;
        if let Some(sites) = sites {
            eval.set_sites(Arc::clone(sites));
        }
        eval
    }
}

/// The call sites of every module, each module's from its own evaluator.
type ModuleSites<'t> = Vec<Vec<((usize, usize), Site<'t>)>>;

/// The call-site index from each module's sites, in module order.
fn index_sites<'t>(per_module: &ModuleSites<'t>) -> Arc<Sites<'t>> {
    let mut sites: Sites<'t> = Sites::default();
    for (target, site) in per_module.iter().flatten() {
        sites.entry(*target).or_default().push(*site);
    }
    Arc::new(sites)
}

fn facts<T: Send>(
    evals: &Evals<'_, '_>,
    parsed: &[Parsed],
    reduce: impl Fn(ModuleFacts) -> T + Sync,
) -> Vec<T> {
    let irs = evals.irs;
    // Modules are handed out one at a time: one module's evaluation can take a
    // thousand times another's (moto's exception modules), and rayon's adaptive
    // splitting otherwise leaves a long run of modules to one thread while the other
    // waits (on moto's 1,352 modules, one thread was idle for half the facts round).
    // Two rounds: the second resolves calls through parameters the first could not.
    // The first runs in index mode and notes what it read in place of call sites.
    let (first, reads): (ModuleSites<'_>, Vec<IndexReads>) = (0..irs.len())
        .into_par_iter()
        .with_max_len(1)
        .map(|m| {
            let eval = evals.fresh(None);
            let sites = module_sites(&eval, m);
            (sites, eval.index_reads.into_inner())
        })
        .unzip();
    let sites = index_sites(&first);
    // A module whose first round read nothing the index answers differently would
    // evaluate the same way again: its first-round sites are its second-round ones.
    let second: ModuleSites<'_> = first
        .into_par_iter()
        .zip(reads)
        .enumerate()
        .with_max_len(1)
        .map(|(m, (module, reads))| {
            if reads.same_with(irs, &sites) {
                module
            } else {
                module_sites(&evals.fresh(Some(&sites)), m)
            }
        })
        .collect();
    // The first round's index is not needed past this point (shadowing would keep it).
    drop(sites);
    let sites = index_sites(&second);
    drop(second);
    // The unions of much-called functions' parameters, computed once for all modules.
    let hot = HotParams::default();
    let out = (0..irs.len())
        .into_par_iter()
        .with_max_len(1)
        .map(|m| {
            let mut eval = evals.fresh(Some(&sites));
            eval.hot = Some(&hot);
            let facts = module_facts(&eval, m, parsed);
            evals.evaluated.fetch_add(eval.steps(), Ordering::Relaxed);
            reduce(facts)
        })
        .collect();
    evals.evaluated.fetch_add(hot.steps(), Ordering::Relaxed);
    out
}

fn module_facts(eval: &Eval<'_, '_>, m: usize, parsed: &[Parsed]) -> ModuleFacts {
    let ir = &eval.mods[m];
    let collected = calls::collect(eval, m);
    let mut functions = calls::functions(eval, m, collected);
    let exports = calls::exports(eval, m, &mut functions);
    let mut diagnostics: Vec<Diagnostic> = parsed
        .get(m)
        .map(|p| p.diagnostics.clone())
        .unwrap_or_default();
    for (line, module) in &ir.missing_imports {
        diagnostics.push(Diagnostic::new(
            Level::Warning,
            Code::UnresolvedImport,
            format!(
                "`{module}` imported in {} is not a file of the project; calls it makes are not analysed",
                ir.rel
            ),
            at(&ir.rel, *line),
        ));
    }
    if eval.too_deep.borrow().contains(&m) {
        diagnostics.push(Diagnostic::new(
            Level::Warning,
            Code::NestingTooDeep,
            format!(
                "{} nests expressions too deeply to analyse fully; the deepest parts are treated as unknown",
                ir.rel
            ),
            at(&ir.rel, 1),
        ));
    }
    if eval.exhausted.get() {
        diagnostics.push(Diagnostic::new(
            Level::Warning,
            Code::AnalysisBudget,
            format!(
                "{} is too intricate to analyse fully within the time budget; some values are treated as unknown and some calls may be missing",
                ir.rel
            ),
            at(&ir.rel, 1),
        ));
    }
    sort_diagnostics(&mut diagnostics);
    ModuleFacts {
        file: ir.rel.clone(),
        language: Language::Python,
        functions,
        exports,
        diagnostics,
    }
}

/// Diagnostics in source order (then by code and message), without duplicates.
pub(crate) fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (&a.location, &a.code, &a.message, a.level).cmp(&(
            &b.location,
            &b.code,
            &b.message,
            b.level,
        ))
    });
    diagnostics.dedup();
}
