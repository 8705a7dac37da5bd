//! The evaluator: what an expression may denote, across scopes and local modules.
//!
//! Flow-insensitive and mostly context-insensitive: a name denotes the union of
//! everything assigned to it in its scope; a parameter denotes the union of what its
//! call sites pass. Call-site context is kept where it matters: a call's result is
//! evaluated with the callee's parameters bound to that call's arguments (two levels
//! deep, so `make_client('s3')` is an S3 client), and a helper with a few call sites
//! reports its calls once per site. Results are cached per context; cycles return
//! what is known so far; recursion, value sizes and total work are bounded.

mod apply;
mod classes;
mod literals;
mod params;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use crate::syntax::Node;

use super::imports::{ImportBind, ModRef, Resolver};
use super::objects::{
    ExtCall, Obj, annotated, collection_step, ext_call, is_collection_path, item_path,
    resource_action_result, sdk_attr, service_refs,
};
use super::scope::{Bind, BindKind, MethodKind, ModuleIr, Param, ParamKind, ScopeKind, text};
use super::values::{self, MAX_ALTERNATIVES};
use crate::facts::{ResourceStep, ServiceRef, Value};

/// Expression nesting beyond this is not analysed (a diagnostic says so).
const MAX_DEPTH: usize = 1500;
/// Expressions evaluated per module before giving up (a diagnostic says so).
const MAX_STEPS: u64 = 2_000_000;
/// Values (dicts, lists) nested beyond this become unknown.
const MAX_VALUE_DEPTH: usize = 48;
/// Call-site contexts kept when evaluating a call's result.
const MAX_FRAMES: usize = 2;
/// Alternatives kept for one expression.
const MAX_OBJS: usize = 16;
/// Functions with at most this many call sites have their calls reported per site.
const MAX_CONTEXTS: usize = 8;
/// Base-class chains followed.
const MAX_BASES: usize = 16;
/// Functions with at least this many call sites have their parameters' unions computed
/// once for every module of the unit (see [`HotParams`]).
const HOT_SITES: usize = 32;

/// A call of a local function: where, and how many implicit leading arguments
/// (`self` for a bound method or a constructor).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site<'t> {
    pub module: usize,
    pub scope: usize,
    pub call: Node<'t>,
    pub offset: usize,
    /// Leading positional arguments that are not the function's (the function itself
    /// in `partial(f, x)` or `executor.submit(f, x)`).
    pub skip: usize,
    /// `map(f, xs)`: each argument is an iterable whose elements are passed.
    pub elements: bool,
}

/// Call sites of each local function, keyed by (module, scope).
pub(crate) type Sites<'t> = FxHashMap<(usize, usize), Vec<Site<'t>>>;

/// What an index-mode evaluation read in place of call sites: everything through
/// which the call-site index can change its result. Evaluation is deterministic, so
/// an evaluation with an index that answers each of these reads as index mode did
/// (the parameter has no call sites and no annotation, no call's result was to be
/// bound to its arguments) repeats the index-mode one step for step.
#[derive(Debug, Default)]
pub(crate) struct IndexReads {
    /// Parameters (module, scope, index) taken as unbound.
    pub params: Vec<(usize, usize, usize)>,
    /// A call's result was taken without binding the callee's parameters to its
    /// arguments, which evaluation with an index does.
    pub unbound_call: bool,
}

impl IndexReads {
    /// Whether evaluation with `sites` would read everything as index mode did.
    pub(crate) fn same_with(&self, mods: &[ModuleIr<'_>], sites: &Sites<'_>) -> bool {
        !self.unbound_call
            && self.params.iter().all(|&(m, s, index)| {
                let sc = &mods[m].scopes[s];
                // Without call sites a parameter is unbound; with no annotation (or no
                // scope to evaluate it in) unbound is what index mode answers.
                !sites.contains_key(&(m, s))
                    && (sc.parent.is_none()
                        || sc.params.get(index).is_none_or(|p| p.annotation.is_none()))
            })
    }
}

/// A cached result: names are borrowed from the scope that binds them (no copy per
/// lookup).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key<'a> {
    Name(usize, usize, &'a str),
    Param(usize, usize, usize),
    Return(usize, usize),
    Attr(usize, usize, String),
}

/// Cached results by key.
type Cache<'a> = FxHashMap<Key<'a>, Cached>;

/// A cached result, and whether it holds in other calling contexts.
#[derive(Debug)]
struct Cached {
    objs: Vec<Obj>,
    reuse: Reuse,
    /// The lowest frame open before it was computed that bound a parameter it read
    /// ([`NONE_BELOW`] if none): it holds only under that frame.
    bound_in: usize,
    /// It cut a cycle through a result in progress before it, hit a limit, or read a
    /// result that did: it holds only where it was made.
    partial: bool,
}

impl Cached {
    /// How it may be reused elsewhere, if it read nothing of its context.
    fn independent(&self) -> Option<Reuse> {
        (self.bound_in == NONE_BELOW && !self.partial).then_some(self.reuse)
    }
}

/// How a result that read nothing of its calling context may be reused elsewhere: its
/// evaluation nests `span` levels deeper than where it started (the value limits
/// depend on the depth); if it bound a call's result to the call's arguments (which
/// depends on how many frames are open), only at the frame depth it ran at; and only
/// under frames of none of the functions whose parameters it found unbound.
#[derive(Debug, Clone, Copy)]
struct Reuse {
    span: usize,
    level: Option<usize>,
    unbound: Unbound,
}

/// The functions whose parameters a computation looked up where no open frame bound
/// them (so it took their call sites' union), as a set of bits, one per hashed
/// (module, scope). Its result holds under any frames but theirs: a frame of one of
/// them would have answered the lookup. Two functions may share a bit; that only
/// loses a reuse.
///
/// 1,024 bits: a union's computation can find a hundred functions unbound (moto's
/// `BaseBackend.__init__` is called by every backend's), which fill 64 bits; on the
/// real folder of `docs/performance.md` the facts round evaluated 3.38 M expressions
/// with 64 bits and 3.04 M with 1,024. Exact sets, interned per evaluator, saved a
/// little more (2.94 M) but cost more than they saved (building a set of a thousand
/// functions one lookup at a time).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Unbound([u64; UNBOUND_WORDS]);

const UNBOUND_WORDS: usize = 16;

impl Unbound {
    /// The word and bit of function (m, s).
    fn bit(m: usize, s: usize) -> (usize, u64) {
        let mut h = FxHasher::default();
        (m, s).hash(&mut h);
        let h = h.finish() >> 32;
        ((h as usize / 64) % UNBOUND_WORDS, 1 << (h % 64))
    }

    fn with(mut self, m: usize, s: usize) -> Unbound {
        let (w, b) = Unbound::bit(m, s);
        if let Some(word) = self.0.get_mut(w) {
            *word |= b;
        }
        self
    }

    fn union(mut self, other: Unbound) -> Unbound {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
        self
    }

    /// Whether one of `frames` may be of a function in the set.
    fn meets(self, frames: &[Frame]) -> bool {
        self.0 != [0; UNBOUND_WORDS]
            && frames.iter().any(|f| {
                let (w, b) = Unbound::bit(f.module, f.scope);
                self.0.get(w).is_some_and(|word| word & b != 0)
            })
    }
}

/// A result computed under frames that holds under any frames of its level.
#[derive(Debug)]
struct Shared {
    reuse: Reuse,
    objs: Vec<Obj>,
}

/// What the computation of a result read of the context it ran in (see [`Eval::memo`]).
#[derive(Debug, Clone, Copy)]
struct Reads {
    /// The deepest nesting its checks saw.
    peak: usize,
    /// A call's result was or was not bound to its arguments by how many frames were open.
    counted_frames: bool,
    /// The lowest open frame (by its place in the stack) that bound a parameter it
    /// looked up, where it did not open that frame itself; [`NONE_BELOW`] if none.
    bound_in: usize,
    /// The functions whose parameters it looked up where no frame bound them.
    unbound: Unbound,
    /// The lowest place in the stack of results in progress ([`Eval::active`]) of one
    /// whose cycle it cut; [`NO_CYCLE`] if none.
    cycle: usize,
    /// A limit was hit, or a result read that holds only where it was made.
    cut: bool,
}

/// [`Reads::bound_in`] of a computation that read no frame it did not open.
const NONE_BELOW: usize = usize::MAX;

/// [`Reads::cycle`] of a computation that cut no cycle.
const NO_CYCLE: usize = usize::MAX;

impl Default for Reads {
    fn default() -> Reads {
        Reads {
            peak: 0,
            counted_frames: false,
            bound_in: NONE_BELOW,
            unbound: Unbound::default(),
            cycle: NO_CYCLE,
            cut: false,
        }
    }
}

impl Reads {
    /// What a computation that started at place `start` of the stack of results in
    /// progress, with `level` frames open, read of what was there before it. A cycle it
    /// cut through a result it started itself (at `start` or above) is cut the same
    /// way wherever it is computed, and a frame it opened itself (at `level` or above)
    /// binds the same wherever it is computed: only a cycle through a result in
    /// progress before it, or a parameter bound in a frame open before it, ties it to
    /// where it was made.
    fn closed(self, start: usize, level: usize) -> Reads {
        Reads {
            cycle: if self.cycle >= start {
                NO_CYCLE
            } else {
                self.cycle
            },
            bound_in: if self.bound_in >= level {
                NONE_BELOW
            } else {
                self.bound_in
            },
            ..self
        }
    }

    /// What a computation read, with what one it made read added.
    fn and(self, inner: Reads) -> Reads {
        Reads {
            peak: self.peak.max(inner.peak),
            counted_frames: self.counted_frames || inner.counted_frames,
            bound_in: self.bound_in.min(inner.bound_in),
            unbound: self.unbound.union(inner.unbound),
            cycle: self.cycle.min(inner.cycle),
            cut: self.cut || inner.cut,
        }
    }
}

/// The union over its call sites of a parameter of a much-called function, computed
/// once for a whole unit, by a fresh evaluator, and read by every module's evaluator
/// that needs it.
///
/// Every module's evaluator has its own caches, so that what a module gets does not
/// depend on which thread analysed what first; moto's base exception class has about a
/// thousand constructor calls, and each of its exception modules computed the union of
/// what they pass (115,000 expressions each). A parameter's union here is computed
/// in an evaluator of its own, with nothing else in progress, so it is the same
/// whichever module asks first and whichever thread computes it; a module
/// takes it as it would a result it computed at that moment (into its cache, with its
/// reads, see [`Eval::memo`]), but for the expressions counted against its budget. The
/// value is the one the module would compute, unless the module's own computation
/// would have met a cycle through what the module was in the middle of evaluating, or
/// a result it cached partial from such a cycle earlier: it cut the cycle there, and
/// now gets the whole union instead (the same on every run either way). A union is
/// computed again for each nesting depth (the value limits depend on it) and frame
/// level (whether a call's result is bound to its arguments does) it is asked at;
/// under frames, with as many frames of no function open, and taken only where no
/// open frame is a function whose parameters it looked up (moto's `get_partition`,
/// called everywhere, had its union computed again under each frame stack). One whose
/// computation ran out of budget or nested too deeply is not shared: each module
/// computes its own, with its diagnostic, as before.
#[derive(Debug, Default)]
pub(crate) struct HotParams {
    /// By (module, scope, parameter index, nesting depth and frame level it is asked at).
    cells: Mutex<FxHashMap<HotKey, Arc<SeedCell>>>,
    /// Expressions the shared computations evaluated.
    steps: AtomicU64,
}

/// A parameter's union asked at a nesting depth and frame level: (module, scope, index,
/// depth, level).
type HotKey = (usize, usize, usize, usize, usize);

/// A shared union, once computed; `None` when it is not shared.
type SeedCell = OnceLock<Option<Seed>>;

/// A shared union and what its computation read.
#[derive(Debug)]
struct Seed {
    objs: Vec<Obj>,
    reads: Reads,
    /// The functions whose parameters its computation looked up, exactly: a union can
    /// read those of a thousand functions, which would fill [`Unbound`]'s bits.
    looked_up: FxHashSet<(usize, usize)>,
}

impl HotParams {
    /// Expressions the shared computations evaluated.
    pub(crate) fn steps(&self) -> u64 {
        self.steps.load(Ordering::Relaxed)
    }

    /// The cell of one parameter's union, empty until some module needs it.
    fn cell(&self, key: HotKey) -> Arc<SeedCell> {
        let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(cells.entry(key).or_default())
    }
}

#[derive(Debug)]
struct Frame {
    module: usize,
    scope: usize,
    params: FxHashMap<String, Vec<Obj>>,
}

/// A call's arguments, by kind.
#[derive(Debug, Default)]
pub(crate) struct Args<'t> {
    pub positional: Vec<Node<'t>>,
    pub keywords: Vec<(&'t str, Node<'t>)>,
    pub star: bool,
    pub double_star: Vec<Node<'t>>,
}

impl<'t> Args<'t> {
    pub(crate) fn keyword(&self, name: &str) -> Option<Node<'t>> {
        self.keywords
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }

    /// Positional argument `i`, or the keyword argument `name`.
    pub(crate) fn arg(&self, i: usize, name: &str) -> Option<Node<'t>> {
        self.keyword(name)
            .or_else(|| self.positional.get(i).copied())
    }
}

#[derive(Debug)]
pub(crate) struct Eval<'a, 't> {
    pub mods: &'a [ModuleIr<'t>],
    pub by_file: &'a BTreeMap<String, usize>,
    pub resolver: &'a Resolver<'a>,
    /// Call sites of each local function, keyed by (module, scope).
    pub sites: Arc<Sites<'t>>,
    /// While building the call-site index, parameters are not resolved.
    pub index_mode: bool,
    /// In index mode, what evaluation answered without call sites that evaluation with
    /// them may answer differently (see [`IndexReads`]).
    pub index_reads: RefCell<IndexReads>,
    cache: RefCell<Cache<'a>>,
    /// The results in progress, each with its place in their stack (how many were in
    /// progress when it started).
    active: RefCell<FxHashMap<Key<'a>, usize>>,
    frames: RefCell<Vec<Frame>>,
    /// An id per frame of `frames`, bottom first, unique per push: results cached under
    /// a frame stack are keyed by its ids.
    frame_ids: RefCell<Vec<u64>>,
    next_frame: Cell<u64>,
    /// Results computed under a frame stack, by its frame ids (looked up by slice,
    /// so a hit copies no key).
    framed: RefCell<FxHashMap<Vec<u64>, Cache<'a>>>,
    /// Results computed under frames that read nothing of them: one evaluation serves
    /// every frame stack of its level (a module-level name looked up under each call
    /// whose result is evaluated).
    shared: RefCell<FxHashMap<Key<'a>, Vec<Shared>>>,
    /// Whether results computed under frames that read nothing of them serve every
    /// frame stack of their level (`memo`), and the unions of [`HotParams`] every
    /// module; off only to test that this changes nothing.
    pub share: bool,
    /// The unit's shared parameter unions: set only for the facts round's module
    /// evaluators (not in the call-site rounds, whose indexes differ, nor in the
    /// evaluators that compute the unions).
    pub hot: Option<&'a HotParams>,
    /// What the result being computed has read of its context so far.
    reads: Cell<Reads>,
    /// How many frames were open when the result being computed started.
    level: Cell<usize>,
    /// Expressions evaluated so far; past [`MAX_STEPS`] evaluation gives up.
    steps: Cell<u64>,
    /// In an evaluator computing a union of [`HotParams`]: the functions whose
    /// parameters it looked up.
    looked_up: Option<RefCell<FxHashSet<(usize, usize)>>>,
    /// Whether the step budget ran out.
    pub exhausted: Cell<bool>,
    depth: Cell<usize>,
    /// Modules where the nesting limit was hit.
    pub too_deep: RefCell<BTreeSet<usize>>,
    /// The arguments of call sites read for their parameters, by (module, call slot):
    /// each parameter of a function asks every site of it again.
    site_args: RefCell<FxHashMap<(usize, u32), Rc<Args<'t>>>>,
}

/// Sort, dedup and cap a set of alternatives.
pub(crate) fn normalize(mut objs: Vec<Obj>) -> Vec<Obj> {
    // Most sets arrive normalized already (made of normalized parts): one pass of
    // comparisons tells, where sorting and removing duplicates take two.
    if !objs.is_sorted_by(|a, b| a < b) {
        objs.sort();
        objs.dedup();
    }
    if objs.len() > MAX_OBJS {
        let n = objs.len();
        let mut kept: Vec<Obj> = objs
            .into_iter()
            .filter(|o| !matches!(o, Obj::Val(_)))
            .collect();
        kept.truncate(MAX_OBJS - 1);
        kept.push(Obj::unknown(format!("one of {n} possible values")));
        objs = kept;
    }
    objs
}

/// The value of a parameter no call site binds. A handler's first parameter is the
/// event (named `event`/`evt`, or followed by a `context` parameter): its values are
/// paths into it ([`Value::Event`]).
fn param_value(params: &[Param<'_>], index: usize) -> Value {
    let name = params.get(index).map_or("", |p| p.name.as_str());
    let next = params.get(index + 1).map_or("", |p| p.name.as_str());
    let is_event = matches!(name, "event" | "evt" | "_event" | "lambda_event")
        || (index == 0 && (next.contains("context") || matches!(next, "ctx" | "_ctx")));
    if is_event {
        Value::event()
    } else {
        Value::unknown(format!("function parameter `{name}`"))
    }
}

/// Builtins that may be called or referenced without an import.
const BUILTINS: &[&str] = &[
    "__import__",
    "all",
    "any",
    "bool",
    "bytes",
    "dict",
    "enumerate",
    "filter",
    "float",
    "getattr",
    "int",
    "isinstance",
    "len",
    "list",
    "map",
    "max",
    "min",
    "open",
    "print",
    "range",
    "repr",
    "set",
    "sorted",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "zip",
];

impl<'a, 't> Eval<'a, 't> {
    pub(crate) fn new(
        mods: &'a [ModuleIr<'t>],
        by_file: &'a BTreeMap<String, usize>,
        resolver: &'a Resolver<'a>,
    ) -> Self {
        Eval {
            mods,
            by_file,
            resolver,
            sites: Arc::new(FxHashMap::default()),
            index_mode: true,
            index_reads: RefCell::new(IndexReads::default()),
            cache: RefCell::new(FxHashMap::default()),
            active: RefCell::default(),
            frames: RefCell::new(Vec::new()),
            frame_ids: RefCell::new(Vec::new()),
            next_frame: Cell::new(0),
            framed: RefCell::new(FxHashMap::default()),
            shared: RefCell::new(FxHashMap::default()),
            share: true,
            hot: None,
            reads: Cell::new(Reads::default()),
            level: Cell::new(0),
            steps: Cell::new(0),
            looked_up: None,
            exhausted: Cell::new(false),
            depth: Cell::new(0),
            too_deep: RefCell::new(BTreeSet::new()),
            site_args: RefCell::default(),
        }
    }

    /// Switch to full evaluation with a call-site index; drops cached results.
    pub(crate) fn set_sites(&mut self, sites: Arc<Sites<'t>>) {
        self.sites = sites;
        self.index_mode = false;
        self.cache.borrow_mut().clear();
        self.shared.borrow_mut().clear();
    }

    /// Expressions evaluated so far.
    pub(crate) fn steps(&self) -> u64 {
        self.steps.get()
    }

    pub(crate) fn src(&self, m: usize) -> &'t str {
        self.mods.get(m).map_or("", |ir| ir.src)
    }

    pub(crate) fn text(&self, m: usize, node: Node<'_>) -> &'t str {
        text(self.src(m), node)
    }

    /// The result for `key`, computed by `f` unless cached. Without frames, results are
    /// cached as they are computed. Under frames (a call's result evaluated with the
    /// callee's parameters bound to the call's arguments), a result is cached for its
    /// frame stack, unless it read nothing of what was there before it started (see
    /// [`Reads::closed`]: no parameter bound in a frame it did not open, no cycle cut
    /// through a result it did not start, no limit hit): then it holds under any frames
    /// of its level but those of the functions whose parameters it found unbound
    /// ([`Unbound`]), and is computed once for all of them. moto's `_get_param` reads
    /// `self.querystring`, which `setup_class` builds from its `request` parameter (no
    /// frame binds it there) with a helper that calls itself: computed again under each
    /// of a thousand frames of `_get_param` until those reads were told apart.
    fn memo(&self, key: Key<'a>, f: impl FnOnce() -> Vec<Obj>) -> Vec<Obj> {
        let level = self.frames.borrow().len();
        let depth = self.depth.get();
        if let Some(hit) = self.cached(&key, level, depth) {
            return hit;
        }
        if self.in_progress(&key) {
            // A cycle: `key = key + '/' + part` in a loop, or recursion.
            return match key {
                Key::Name(..) => vec![Obj::unknown("built up from its own earlier value")],
                _ => Vec::new(),
            };
        }
        let start = self.begin(key.clone());
        let outer = self.reads.replace(Reads {
            peak: depth,
            ..Reads::default()
        });
        let outer_level = self.level.replace(level);
        let out = normalize(f());
        let reads = self.reads.get().closed(start, level);
        self.level.set(outer_level);
        self.reads.set(outer.and(reads));
        self.end(&key);
        self.remember(key, level, depth, reads, &out);
        out
    }

    /// Whether the result for `key` is in progress: a cycle, whose cut the result being
    /// computed notes.
    fn in_progress(&self, key: &Key<'a>) -> bool {
        let Some(&at) = self.active.borrow().get(key) else {
            return false;
        };
        self.note(|r| r.cycle = r.cycle.min(at));
        true
    }

    /// Mark the result for `key` in progress, until [`Eval::end`]; its place in the
    /// stack of results in progress.
    fn begin(&self, key: Key<'a>) -> usize {
        let mut active = self.active.borrow_mut();
        let start = active.len();
        active.insert(key, start);
        start
    }

    /// The result for `key`, begun by [`Eval::begin`], is no longer in progress.
    fn end(&self, key: &Key<'a>) {
        self.active.borrow_mut().remove(key);
    }

    /// Cache `out`, the result for `key` computed at frame level `level` and nesting
    /// `depth` with `reads`, as [`Eval::memo`] says.
    fn remember(&self, key: Key<'a>, level: usize, depth: usize, reads: Reads, out: &[Obj]) {
        let cached = Cached {
            objs: out.to_vec(),
            reuse: Reuse {
                span: reads.peak.saturating_sub(depth),
                level: reads.counted_frames.then_some(level),
                unbound: reads.unbound,
            },
            bound_in: reads.bound_in,
            partial: reads.cut || reads.cycle != NO_CYCLE,
        };
        let reuse = cached.independent();
        if level == 0 {
            self.cache.borrow_mut().insert(key, cached);
            return;
        }
        if let Some(reuse) = reuse.filter(|_| self.share) {
            // One per level: a later one replaces an earlier one that was too deep here.
            let mut shared = self.shared.borrow_mut();
            let entries = shared.entry(key.clone()).or_default();
            let entry = Shared {
                reuse,
                objs: out.to_vec(),
            };
            match entries.iter_mut().find(|s| s.reuse.level == reuse.level) {
                Some(old) => *old = entry,
                None => entries.push(entry),
            }
        }
        // Also for its frame stack, where it holds at any depth (as every result does).
        // `f` pushes and pops frames in pairs: the stack is the one looked up under.
        let ids = self.frame_ids.borrow();
        let mut framed = self.framed.borrow_mut();
        match framed.get_mut(ids.as_slice()) {
            Some(entries) => {
                entries.insert(key, cached);
            }
            None => {
                framed.insert(ids.clone(), FxHashMap::from_iter([(key, cached)]));
            }
        }
    }

    /// The union of parameter `index` of function (m, s), which has `sites` call sites,
    /// from [`HotParams`] when it is shared: for a union not cached here nor being
    /// computed (a cycle is cut here as before), and, under frames, where no open frame
    /// is a function whose parameters the union's computation looked up (a frame's
    /// binding would have answered there). It goes into this evaluator's caches, and
    /// its reads into those of the result being computed, as a result computed here.
    fn hot_param(&self, m: usize, s: usize, index: usize, sites: usize) -> Option<Vec<Obj>> {
        let hot = self.hot.filter(|_| self.share && sites >= HOT_SITES)?;
        let key = Key::Param(m, s, index);
        let level = self.frames.borrow().len();
        if self.active.borrow().contains_key(&key) || self.cache.borrow().contains_key(&key) {
            return None;
        }
        if level > 0
            && (self.shared.borrow().contains_key(&key)
                || self
                    .framed
                    .borrow()
                    .get(self.frame_ids.borrow().as_slice())
                    .is_some_and(|entries| entries.contains_key(&key)))
        {
            return None;
        }
        // Computed at the depth and frame level it is asked at: the value limits depend
        // on the one, whether a call's result is bound to its arguments on the other.
        let depth = self.depth.get();
        let cell = hot.cell((m, s, index, depth, level));
        let seed = cell
            .get_or_init(|| {
                let fresh = Eval {
                    sites: Arc::clone(&self.sites),
                    index_mode: false,
                    share: self.share,
                    depth: Cell::new(depth),
                    looked_up: Some(RefCell::default()),
                    ..Eval::new(self.mods, self.by_file, self.resolver)
                };
                // Frames of no function: as many open as here, binding nothing.
                for _ in 0..level {
                    fresh.push_frame(usize::MAX, usize::MAX, FxHashMap::default());
                }
                let sites = fresh.sites.get(&(m, s)).map_or(&[][..], Vec::as_slice);
                let objs = fresh.param_union(m, s, index, sites);
                hot.steps.fetch_add(fresh.steps(), Ordering::Relaxed);
                // Out of budget or too deep, a module gets its own (and its diagnostic).
                let whole = !fresh.exhausted.get() && fresh.too_deep.borrow().is_empty();
                let looked_up = fresh.looked_up.map(RefCell::into_inner);
                whole.then(|| Seed {
                    objs,
                    reads: fresh.reads.get().closed(0, 0),
                    looked_up: looked_up.unwrap_or_default(),
                })
            })
            .as_ref()?;
        if self
            .frames
            .borrow()
            .iter()
            .any(|f| seed.looked_up.contains(&(f.module, f.scope)))
        {
            return None;
        }
        self.note(|r| *r = r.and(seed.reads));
        self.remember(key, level, depth, seed.reads, &seed.objs);
        Some(seed.objs.clone())
    }

    /// A cached result for `key` that holds at frame level `level` and nesting `depth`.
    fn cached(&self, key: &Key<'a>, level: usize, depth: usize) -> Option<Vec<Obj>> {
        let usable = |r: &Reuse| {
            depth + r.span <= MAX_VALUE_DEPTH
                && r.level.is_none_or(|l| l == level)
                && !r.unbound.meets(&self.frames.borrow())
        };
        let share = |r: &Reuse| self.share && usable(r);
        // A result made here (at level 0, or under this very frame stack) holds here
        // whatever frames it read, unless it is partial; what it read, its reader reads.
        let here = |c: &Cached| (c.objs.clone(), (!c.partial).then_some(c.reuse), c.bound_in);
        let own = if level == 0 {
            self.cache.borrow().get(key).map(here)
        } else {
            self.framed
                .borrow()
                .get(self.frame_ids.borrow().as_slice())
                .and_then(|entries| entries.get(key))
                .map(here)
                .or_else(|| {
                    let cache = self.cache.borrow();
                    let c = cache.get(key)?;
                    let r = c.independent().filter(share)?;
                    Some((c.objs.clone(), Some(r), NONE_BELOW))
                })
        };
        let (objs, reuse, bound_in) = match own {
            Some(hit) => hit,
            None => {
                let shared = self.shared.borrow();
                let s = shared.get(key)?.iter().find(|s| share(&s.reuse))?;
                (s.objs.clone(), Some(s.reuse), NONE_BELOW)
            }
        };
        match reuse.filter(usable) {
            Some(r) => self.note(|reads| {
                reads.peak = reads.peak.max(depth + r.span);
                reads.counted_frames |= r.level.is_some();
                reads.unbound = reads.unbound.union(r.unbound);
                reads.bound_in = reads.bound_in.min(bound_in);
            }),
            // Partial, or too deep to hold here: what it read is unknown.
            None => self.note(|reads| reads.cut = true),
        }
        Some(objs)
    }

    /// Record what the result being computed read of its context.
    fn note(&self, f: impl FnOnce(&mut Reads)) {
        let mut reads = self.reads.get();
        f(&mut reads);
        self.reads.set(reads);
    }

    fn push_frame(&self, module: usize, scope: usize, params: FxHashMap<String, Vec<Obj>>) {
        let id = self.next_frame.get();
        self.next_frame.set(id + 1);
        self.frame_ids.borrow_mut().push(id);
        self.frames.borrow_mut().push(Frame {
            module,
            scope,
            params,
        });
    }

    fn pop_frame(&self) {
        let mut frames = self.frames.borrow_mut();
        frames.pop();
        self.frame_ids.borrow_mut().pop();
        if frames.is_empty() {
            // Frame ids are never reused: what was cached under them is dead.
            self.framed.borrow_mut().clear();
        }
    }

    /// Every plain value an expression may have (non-values become unknown).
    pub(crate) fn values(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Value> {
        to_values(self.eval(m, s, node), || {
            format!("`{}` is not a plain value", short(self.text(m, node)))
        })
    }

    pub(crate) fn eval(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if steps > MAX_STEPS {
            self.note(|r| r.cut = true);
            self.exhausted.set(true);
            return vec![Obj::unknown("analysis budget exhausted")];
        }
        let depth = self.depth.get();
        self.note(|r| r.peak = r.peak.max(depth + 1));
        if depth > MAX_DEPTH {
            self.note(|r| r.cut = true);
            self.too_deep.borrow_mut().insert(m);
            return vec![Obj::unknown("expression nested too deeply to analyse")];
        }
        self.depth.set(depth + 1);
        let mut out = self.eval_inner(m, s, node);
        self.depth.set(depth);
        // A choice is carried as alternatives while evaluating (each goes its own way
        // through subscripts, methods and concatenation); it is folded back into one
        // `OneOf` only where a single value is needed (`single`).
        if out
            .iter()
            .any(|o| matches!(o, Obj::Val(Value::OneOf { .. })))
        {
            out = out
                .into_iter()
                .flat_map(|o| match o {
                    Obj::Val(Value::OneOf { items }) => items.into_iter().map(Obj::Val).collect(),
                    other => vec![other],
                })
                .collect();
        }
        if depth > MAX_VALUE_DEPTH {
            // Values built this deep would nest deeper than anything worth reporting
            // (and than a small stack can drop or serialise): keep only flat ones.
            for o in &mut out {
                if let Obj::Val(v) = o
                    && !matches!(
                        v,
                        Value::Str { .. }
                            | Value::Scalar { .. }
                            | Value::Unknown { .. }
                            | Value::Env { default: None, .. }
                    )
                {
                    *o = Obj::unknown("value nested too deeply");
                }
            }
        }
        normalize(out)
    }

    fn eval_inner(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let src = self.src(m);
        match node.kind() {
            "identifier" => self.lookup(m, s, text(src, node)),
            "attribute" => {
                let (Some(obj), Some(attr)) = (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("attribute"),
                ) else {
                    return vec![Obj::unknown("incomplete attribute")];
                };
                let name = text(src, attr);
                self.eval(m, s, obj)
                    .into_iter()
                    .flat_map(|o| self.get_attr(o, name))
                    .collect()
            }
            "call" => self.eval_call(m, s, node),
            "string" | "concatenated_string" => self.string(m, s, node),
            "integer" | "float" | "true" | "false" | "none" => vec![Obj::Val(Value::Scalar {
                text: text(src, node).to_string(),
            })],
            "unary_operator" => match node.child_by_field_name("argument").map(|a| a.kind()) {
                Some("integer" | "float") => vec![Obj::Val(Value::Scalar {
                    text: text(src, node).to_string(),
                })],
                _ => vec![Obj::unknown("arithmetic")],
            },
            "list" | "tuple" | "set" | "expression_list" => self.sequence(m, s, node),
            "dictionary" => self.dictionary(m, s, node),
            "subscript" => self.subscript(m, s, node),
            "parenthesized_expression" | "await" => match node.named_child(0) {
                Some(inner) => self.eval(m, s, inner),
                None => vec![Obj::Val(Value::List { items: Vec::new() })],
            },
            "conditional_expression" => {
                let mut out = Vec::new();
                for i in [0, 2] {
                    if let Some(branch) = node.named_child(i) {
                        out.extend(self.eval(m, s, branch));
                    }
                }
                out
            }
            "boolean_operator" => self.boolean(m, s, node),
            "binary_operator" => self.binary(m, s, node),
            "named_expression" => match node.child_by_field_name("value") {
                Some(v) => self.eval(m, s, v),
                None => Vec::new(),
            },
            "lambda" => self.mods[m]
                .scopes
                .iter()
                .position(|sc| sc.kind == ScopeKind::Lambda && sc.node.id() == node.id())
                .map_or_else(Vec::new, |idx| vec![Obj::Func(m, idx)]),
            "list_comprehension" | "generator_expression" | "set_comprehension" => {
                self.comprehension(m, s, node)
            }
            "dictionary_comprehension" => vec![Obj::Val(Value::Object {
                entries: BTreeMap::new(),
                rest: Some("built by a comprehension".into()),
            })],
            kind => vec![Obj::unknown(format!("`{kind}` expression"))],
        }
    }

    // ---- names ----

    /// Resolve a name as Python does: local, enclosing functions, module, builtins.
    pub(crate) fn lookup(&self, m: usize, scope: usize, name: &str) -> Vec<Obj> {
        let mods: &'a [ModuleIr<'t>] = self.mods;
        let Some(ir) = mods.get(m) else {
            return Vec::new();
        };
        let mut s = scope;
        let mut first = true;
        while let Some(sc) = ir.scopes.get(s) {
            if first || sc.kind != ScopeKind::Class {
                if sc.kind != ScopeKind::Module && sc.is_global(name) {
                    s = 0;
                    first = false;
                    continue;
                }
                if let Some((name, binds)) = sc.bindings.get_key_value(name) {
                    return self.bound(m, s, name, binds);
                }
                if let Some(p) = sc.params.iter().position(|p| p.name == name) {
                    return self.param(m, s, p);
                }
            }
            match sc.parent {
                Some(p) => {
                    s = p;
                    first = false;
                }
                None => break,
            }
        }
        for star in &ir.stars {
            if let Some(f) = star.file()
                && let Some(&sm) = self.by_file.get(f)
                && sm != m
                && self.mods[sm].scopes[0].bindings.contains_key(name)
            {
                return self.binding(sm, 0, name);
            }
        }
        if BUILTINS.contains(&name) {
            return vec![Obj::Ext(name.to_string())];
        }
        match name {
            "self" | "cls" => vec![Obj::unknown(format!("`{name}` outside a method"))],
            _ => vec![Obj::unknown(format!("undefined name `{name}`"))],
        }
    }

    /// Everything `name` is bound to in scope `s`.
    fn binding(&self, m: usize, s: usize, name: &str) -> Vec<Obj> {
        let mods: &'a [ModuleIr<'t>] = self.mods;
        match mods
            .get(m)
            .and_then(|ir| ir.scopes.get(s))
            .and_then(|sc| sc.bindings.get_key_value(name))
        {
            Some((name, binds)) => self.bound(m, s, name, binds),
            None => Vec::new(),
        }
    }

    /// Everything `name` is bound to in scope `s`, given its bindings there.
    fn bound(&self, m: usize, s: usize, name: &'a str, binds: &'a [Bind<'t>]) -> Vec<Obj> {
        self.memo(Key::Name(m, s, name), || {
            let mut out = Vec::new();
            for b in binds {
                out.extend(self.bind_kind(m, b.scope, name, &b.kind));
            }
            self.apply_item_sets(m, name, out)
        })
    }

    fn bind_kind(&self, m: usize, s: usize, name: &str, kind: &BindKind<'t>) -> Vec<Obj> {
        match kind {
            BindKind::Expr(rhs) => self.eval(m, s, *rhs),
            BindKind::Unpack(rhs, i) => self
                .eval(m, s, *rhs)
                .into_iter()
                .flat_map(|o| unpack(o, *i, name))
                .collect(),
            BindKind::IterUnpack(iter, i) => self
                .eval(m, s, *iter)
                .into_iter()
                .flat_map(|o| self.element(o, name))
                .flat_map(|o| unpack(o, *i, name))
                .collect(),
            BindKind::Iter(iter) => self
                .eval(m, s, *iter)
                .into_iter()
                .flat_map(|o| self.element(o, name))
                .collect(),
            BindKind::With(ctx) => self.eval(m, s, *ctx),
            BindKind::Def(idx) => match self.mods[m].scopes.get(*idx).map(|sc| sc.kind) {
                Some(ScopeKind::Class) => vec![Obj::Class(m, *idx)],
                Some(_) => vec![Obj::Func(m, *idx)],
                None => Vec::new(),
            },
            BindKind::Import(bind) => self.import(bind),
            BindKind::Opaque(reason) => vec![Obj::unknown(*reason)],
        }
    }

    /// `params['Key'] = k` after `params = {...}`: add the entries.
    fn apply_item_sets(&self, m: usize, name: &str, objs: Vec<Obj>) -> Vec<Obj> {
        let mods: &'a [ModuleIr<'t>] = self.mods;
        let sets = mods.get(m).map_or(&[][..], |ir| ir.item_sets(name));
        if sets.is_empty() {
            return objs;
        }
        objs.into_iter()
            .map(|o| match o {
                Obj::Val(Value::Object { mut entries, rest }) => {
                    for (k, v, s) in sets {
                        if let [Value::Str { value: key }] = self.values(m, *s, *k).as_slice() {
                            let vals = self.values(m, *s, *v);
                            entries.insert(key.clone(), single(vals));
                        }
                    }
                    Obj::Val(Value::Object { entries, rest })
                }
                other => other,
            })
            .collect()
    }

    /// An element of an iterated value.
    fn element(&self, o: Obj, name: &str) -> Vec<Obj> {
        match o {
            Obj::Val(Value::List { items }) => items.into_iter().map(Obj::Val).collect(),
            Obj::Seq(items) => items.into_iter().flatten().collect(),
            Obj::Res { service, path } if is_collection_path(&path) => {
                vec![Obj::Res {
                    service,
                    path: item_path(path),
                }]
            }
            Obj::ResAttr {
                service,
                mut path,
                name: coll,
            } => {
                path.push(collection_step(&coll));
                vec![Obj::Res {
                    service,
                    path: item_path(path),
                }]
            }
            // `for record in event['Records']`: any record.
            Obj::Val(v @ Value::Event { .. }) => v.event_item().map(Obj::Val).into_iter().collect(),
            Obj::Val(Value::Unknown { reason }) if values::from_event(&reason) => {
                vec![Obj::unknown(reason)]
            }
            _ => vec![Obj::unknown(format!("loop variable `{name}`"))],
        }
    }

    fn import(&self, bind: &ImportBind) -> Vec<Obj> {
        match bind {
            ImportBind::Module(m) => vec![self.module_obj(m)],
            ImportBind::Attr(m, name) => match m.file().and_then(|f| self.by_file.get(f)) {
                Some(&mi) => self.module_attr(mi, name),
                None => vec![Obj::unknown(format!("`{name}` from an unparsed module"))],
            },
            ImportBind::External(path) => vec![Obj::Ext(path.clone())],
            ImportBind::Missing(module) => {
                vec![Obj::unknown(format!(
                    "imported from `{module}`, which is not in the project"
                ))]
            }
        }
    }

    fn module_obj(&self, m: &ModRef) -> Obj {
        match m.file().and_then(|f| self.by_file.get(f)) {
            Some(&mi) => Obj::Module(mi),
            None => Obj::Package(m.package_dir().unwrap_or_default()),
        }
    }

    /// `module.name`: a global of the module, or a submodule of a package.
    pub(crate) fn module_attr(&self, mi: usize, name: &str) -> Vec<Obj> {
        let Some(ir) = self.mods.get(mi) else {
            return Vec::new();
        };
        if ir.scopes[0].bindings.contains_key(name) {
            return self.binding(mi, 0, name);
        }
        let module = ModRef::File(ir.rel.clone());
        if let Some(sub) = self.resolver.submodule(&module, name) {
            return vec![self.module_obj(&sub)];
        }
        let star = self.lookup(mi, 0, name);
        if star
            .iter()
            .any(|o| !matches!(o, Obj::Val(Value::Unknown { .. })))
        {
            return star;
        }
        vec![Obj::unknown(format!(
            "`{name}` is not defined in {}",
            ir.rel
        ))]
    }
}

/// Item `i` of an unpacked value (`a, b = value`).
fn unpack(o: Obj, i: usize, name: &str) -> Vec<Obj> {
    match o {
        Obj::Val(Value::List { items }) => {
            items.get(i).cloned().map(Obj::Val).into_iter().collect()
        }
        Obj::Seq(items) => items.get(i).cloned().unwrap_or_default(),
        // `first, *rest = event['Records']`: items of a list read from the event.
        Obj::Val(v @ Value::Event { .. }) => v.event_item().map(Obj::Val).into_iter().collect(),
        Obj::Val(Value::Unknown { reason }) => vec![Obj::unknown(reason)],
        _ => vec![Obj::unknown(format!("unpacked into `{name}`"))],
    }
}

/// Python index text (`0`, `-1`) into a position.
fn index(text: &str, len: usize) -> Option<usize> {
    let i: i64 = text.trim().parse().ok()?;
    if i < 0 {
        len.checked_sub(usize::try_from(-i).ok()?)
    } else {
        usize::try_from(i).ok()
    }
}

/// The plain values among `objs` (others become one unknown with `reason`).
pub(crate) fn to_values(objs: Vec<Obj>, reason: impl FnOnce() -> String) -> Vec<Value> {
    let mut out = Vec::new();
    let mut other = false;
    for o in objs {
        match o {
            Obj::Val(v) => out.push(v),
            _ => other = true,
        }
    }
    if other || out.is_empty() {
        out.push(Value::unknown(reason()));
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_ALTERNATIVES {
        // Too many to report one call each: one value holding the choice.
        return vec![values::one_of(out)];
    }
    out
}

/// One value from alternatives: the value itself, or a [`Value::OneOf`] of them when
/// they differ (unknown past [`values::MAX_ONE_OF`]).
pub(crate) fn single(vals: Vec<Value>) -> Value {
    values::one_of(vals)
}

/// Source text trimmed to one short line, for messages.
pub(crate) fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > 60 {
        let cut: String = line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{Frame, Unbound};
    use proptest::prelude::*;
    use rustc_hash::FxHashMap;

    fn frame(module: usize, scope: usize) -> Frame {
        Frame {
            module,
            scope,
            params: FxHashMap::default(),
        }
    }

    proptest! {
        /// A set of functions found unbound meets a frame of every function put in it,
        /// by either of its two ways of growing: a frame that binds what a result read
        /// unbound always stops its reuse (two functions sharing a bit may stop more).
        #[test]
        fn an_unbound_set_meets_a_frame_of_each_of_its_functions(
            added in proptest::collection::vec((0..5_000usize, 0..400usize), 0..300),
            split in 0..300usize,
        ) {
            let (left, right) = added.split_at(split.min(added.len()));
            let grow = |fns: &[(usize, usize)]| {
                fns.iter().fold(Unbound::default(), |u, &(m, s)| u.with(m, s))
            };
            let set = grow(left).union(grow(right));
            for &(m, s) in &added {
                prop_assert!(set.meets(&[frame(7, 7), frame(m, s)]), "({m}, {s})");
            }
            prop_assert!(!Unbound::default().meets(&[frame(1, 2), frame(3, 4)]));
            prop_assert!(!set.meets(&[]));
        }
    }
}
