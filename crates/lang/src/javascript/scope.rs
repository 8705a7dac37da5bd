//! The per-module analyser state: lexical scopes, the function being analysed, the
//! registry of functions and classes (analysed lazily, so a factory's return value is
//! known when a caller needs it), and what the module publishes to its importers.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;

use crate::syntax::Node;

use crate::facts::{Code, Diagnostic, Level, Location, SdkCall, Value};
use crate::program::{FunctionFacts, FunctionId, MODULE_SCOPE};

use super::resolve::Resolved;
use super::values::{Abs, ClassRef, Site, one_line};
use super::waves::Deps;

/// Past this nesting depth of syntax, the analyser stops descending (with a diagnostic).
pub(crate) const MAX_DEPTH: usize = 1500;

/// What a finished module offers its importers.
#[derive(Debug, Default)]
pub(crate) struct Published {
    pub exports: BTreeMap<String, Abs>,
    /// `module.exports = <value>` when the value is not an object literal.
    pub cjs: Option<Abs>,
    pub returns: FxHashMap<String, Abs>,
    pub classes: FxHashMap<String, ClassInfo>,
    pub functions: BTreeSet<String>,
    /// `export * from '<package>'`: names not exported otherwise come from there.
    pub star_packages: Vec<Abs>,
}

/// What is known about a class: fields set in its constructor (or field initialisers),
/// its methods, and its base class.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClassInfo {
    pub fields: BTreeMap<String, Abs>,
    pub methods: BTreeSet<String>,
    /// `get name() {…}`: reading the member calls it.
    pub getters: BTreeSet<String>,
    pub base: Option<Abs>,
}

/// A method call on a function parameter, resolved once call sites are known.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub owner: FunctionId,
    pub site: Site,
    pub recv: Abs,
    pub method: String,
    pub args: Vec<Abs>,
}

/// A call site passing SDK objects (or parameters) to a local function.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    pub callee: FunctionId,
    pub args: Vec<Abs>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    NotStarted,
    InProgress,
    Done,
}

/// A function found but not analysed yet.
#[derive(Debug)]
pub(crate) struct FnDef<'t> {
    pub node: Node<'t>,
    pub class: Option<String>,
    pub state: State,
}

#[derive(Debug)]
pub(crate) struct ClassDef<'t> {
    pub node: Node<'t>,
    pub state: State,
}

/// The function whose body is being analysed.
#[derive(Debug)]
pub(crate) struct FnCtx {
    pub qual: String,
    pub id: FunctionId,
    pub location: Location,
    pub calls: Vec<SdkCall>,
    pub callees: BTreeSet<FunctionId>,
    pub diags: Vec<Diagnostic>,
    pub returns: Vec<Abs>,
    pub class: Option<String>,
}

/// An `Upload` constructed: reported at `.done()`, or at construction if never done.
#[derive(Debug)]
pub(crate) struct UploadSite {
    pub owner: String,
    pub id: usize,
    pub site: Site,
    pub params: Value,
}

#[derive(Debug)]
pub(crate) struct Analyzer<'t> {
    pub file: String,
    pub text: &'t str,
    pub deps: &'t Deps<'t>,
    pub specs: &'t BTreeMap<String, Resolved>,
    pub frames: Vec<FxHashMap<String, Abs>>,
    pub ctx: Vec<FnCtx>,
    pub defs: BTreeMap<String, FnDef<'t>>,
    pub class_defs: BTreeMap<String, ClassDef<'t>>,
    pub facts: BTreeMap<String, FunctionFacts>,
    pub returns: FxHashMap<String, Abs>,
    pub classes: FxHashMap<String, ClassInfo>,
    pub exports: BTreeMap<String, Abs>,
    pub cjs: Option<Abs>,
    pub star_packages: Vec<Abs>,
    /// `export { a as b }` without a source, resolved after the module body.
    pub local_exports: Vec<(String, String)>,
    /// Local names that are exported: their first parameter is the Lambda event.
    pub handler_like: BTreeSet<String>,
    pub pendings: Vec<Pending>,
    pub bindings: Vec<Binding>,
    /// Functions called from places this analysis cannot see (callbacks, handlers):
    /// their parameters are not bound from the visible call sites alone.
    pub escaped: BTreeSet<FunctionId>,
    pub uploads: Vec<UploadSite>,
    pub uploads_done: BTreeSet<usize>,
    pub next_upload: usize,
    pub diags: Vec<Diagnostic>,
    pub depth: usize,
    pub too_deep: bool,
    /// How many on-demand function analyses are in progress.
    pub lazy: usize,
    /// An entry file: its exports are Lambda handlers.
    pub is_entry: bool,
    /// What the next inline callback's first parameter holds: an item of the array it
    /// iterates (`event.Records.map(r => …)`).
    pub callback_item: Option<Abs>,
}

impl<'t> Analyzer<'t> {
    pub fn new(
        file: &str,
        text: &'t str,
        deps: &'t Deps<'t>,
        specs: &'t BTreeMap<String, Resolved>,
    ) -> Self {
        let module = FnCtx {
            qual: MODULE_SCOPE.to_string(),
            id: FunctionId::module_scope(file),
            location: Location {
                file: file.to_string(),
                line: 1,
                column: 1,
            },
            calls: Vec::new(),
            callees: BTreeSet::new(),
            diags: Vec::new(),
            returns: Vec::new(),
            class: None,
        };
        Analyzer {
            file: file.to_string(),
            text,
            deps,
            specs,
            frames: vec![FxHashMap::default()],
            ctx: vec![module],
            defs: BTreeMap::new(),
            class_defs: BTreeMap::new(),
            facts: BTreeMap::new(),
            returns: FxHashMap::default(),
            classes: FxHashMap::default(),
            exports: BTreeMap::new(),
            cjs: None,
            star_packages: Vec::new(),
            local_exports: Vec::new(),
            handler_like: BTreeSet::new(),
            pendings: Vec::new(),
            bindings: Vec::new(),
            escaped: BTreeSet::new(),
            uploads: Vec::new(),
            uploads_done: BTreeSet::new(),
            next_upload: 0,
            diags: Vec::new(),
            depth: 0,
            too_deep: false,
            is_entry: false,
            lazy: 0,
            callback_item: None,
        }
    }

    // --- small helpers -------------------------------------------------------------

    pub fn text_of(&self, node: Node<'_>) -> &'t str {
        self.text
            .get(node.start_byte()..node.end_byte())
            .unwrap_or("")
    }

    pub fn loc(&self, node: Node<'_>) -> Location {
        node.location(&self.file, self.text)
    }

    pub fn site(
        &self,
        node: Node<'_>,
        receiver: Option<Node<'_>>,
        first_arg: Option<Node<'_>>,
    ) -> Site {
        Site {
            location: self.loc(node),
            text: one_line(self.text_of(node), 120),
            receiver: receiver
                .map(|r| one_line(self.text_of(r), 60))
                .unwrap_or_default(),
            first_arg: first_arg
                .map(|a| one_line(self.text_of(a), 60))
                .unwrap_or_default(),
        }
    }

    pub fn cur(&mut self) -> &mut FnCtx {
        // The module context is pushed in `new` and never popped.
        let last = self.ctx.len().saturating_sub(1);
        &mut self.ctx[last]
    }

    pub fn cur_ref(&self) -> &FnCtx {
        let last = self.ctx.len().saturating_sub(1);
        &self.ctx[last]
    }

    pub fn at_module_level(&self) -> bool {
        self.ctx.len() == 1 && self.frames.len() == 1
    }

    pub fn add_callee(&mut self, id: FunctionId) {
        if id != self.cur_ref().id {
            self.cur().callees.insert(id);
        }
    }

    pub fn warn(&mut self, code: Code, message: String, node: Node<'_>) {
        let location = Some(self.loc(node));
        self.cur()
            .diags
            .push(Diagnostic::new(Level::Warning, code, message, location));
    }

    /// Enter one level of syntax; `false` (and a diagnostic, once) when too deep.
    pub fn enter(&mut self, node: Node<'_>) -> bool {
        if self.depth >= MAX_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                let location = Some(self.loc(node));
                self.diags.push(Diagnostic::new(
                    Level::Warning,
                    Code::TooDeep,
                    format!(
                        "code nested more than {MAX_DEPTH} levels deep is not analysed; calls in it may be missed"
                    ),
                    location,
                ));
            }
            return false;
        }
        self.depth += 1;
        true
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // --- scopes ----------------------------------------------------------------------

    pub fn bind(&mut self, name: &str, value: Abs) {
        if let Some(frame) = self.frames.last_mut() {
            frame.insert(name.to_string(), value);
        }
    }

    /// Assignment to an existing variable: an SDK object is not forgotten because some
    /// branch assigns something unknown (`let c = null; if (!c) c = new S3Client()`).
    pub fn assign_var(&mut self, name: &str, value: Abs) {
        let frame = self.frames.iter_mut().rev().find(|f| f.contains_key(name));
        match frame {
            Some(frame) => {
                let merged = match frame.remove(name) {
                    Some(old) if old.is_tracked() => super::values::join(old, value),
                    _ => value,
                };
                frame.insert(name.to_string(), merged);
            }
            None => self.bind(name, value),
        }
    }

    pub fn lookup(&self, name: &str) -> Abs {
        for frame in self.frames.iter().rev() {
            if let Some(v) = frame.get(name) {
                return v.clone();
            }
        }
        match name {
            "undefined" => Abs::Val(Value::Scalar {
                text: "undefined".to_string(),
            }),
            "process" => Abs::Process,
            // CommonJS: reading back what this module exported so far.
            "exports" => Abs::Obj(self.exports.clone(), None),
            "module" => {
                let exports = self
                    .cjs
                    .clone()
                    .unwrap_or_else(|| Abs::Obj(self.exports.clone(), None));
                Abs::Obj(
                    std::iter::once(("exports".to_string(), exports)).collect(),
                    Some("a property of `module`".to_string()),
                )
            }
            _ => Abs::unknown(format!("`{name}` is not defined in this module")),
        }
    }

    pub fn is_bound(&self, name: &str) -> bool {
        self.frames.iter().any(|f| f.contains_key(name))
    }

    // --- function naming ---------------------------------------------------------------

    /// The qualified name of a function named `name` defined here, unique in the module.
    pub fn child_qual(&self, name: &str, node: Node<'_>) -> String {
        let parent = &self.cur_ref().qual;
        let base = if parent == MODULE_SCOPE {
            name.to_string()
        } else {
            format!("{parent}.{name}")
        };
        if !self.name_taken(&base) {
            return base;
        }
        let line = node.start_position().row + 1;
        let mut candidate = format!("{base}@{line}");
        let mut n = 2;
        while self.name_taken(&candidate) {
            candidate = format!("{base}@{line}-{n}");
            n += 1;
        }
        candidate
    }

    fn name_taken(&self, qual: &str) -> bool {
        self.defs.contains_key(qual)
            || self.facts.contains_key(qual)
            || self.ctx.iter().any(|c| c.qual == qual)
    }

    pub fn fid(&self, qual: &str) -> FunctionId {
        FunctionId::new(&self.file, qual)
    }

    pub fn class_ref(&self, qual: &str) -> ClassRef {
        ClassRef {
            file: self.file.clone(),
            qual: qual.to_string(),
        }
    }
}
