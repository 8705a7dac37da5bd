//! Functions and classes: registering them (hoisted or deferred), analysing their
//! bodies statement by statement, binding parameters, and class fields/methods.

use std::collections::BTreeSet;

use crate::syntax::Node;

use crate::facts::Value;
use crate::program::{FunctionFacts, FunctionId};

use super::scope::{Analyzer, ClassDef, ClassInfo, FnCtx, FnDef, State};
use super::values::{Abs, ParamRef};

pub(crate) fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "function"
            | "generator_function"
            | "arrow_function"
            | "method_definition"
    )
}

pub(crate) fn is_class(kind: &str) -> bool {
    matches!(
        kind,
        "class_declaration" | "abstract_class_declaration" | "class"
    )
}

/// How deep on-demand function analyses may nest.
const MAX_LAZY: usize = 64;

/// Parameter names that mean "the Lambda event" wherever they appear.
fn is_event_name(name: &str) -> bool {
    matches!(name, "event" | "evt" | "lambdaEvent")
}

impl<'t> Analyzer<'t> {
    /// Register a function for analysis after the module body (module-level functions:
    /// they may use bindings declared later in the file).
    pub fn defer_function(&mut self, qual: &str, node: Node<'t>, class: Option<String>) -> Abs {
        self.defs.insert(
            qual.to_string(),
            FnDef {
                node,
                class,
                state: State::NotStarted,
            },
        );
        Abs::Func(self.fid(qual))
    }

    /// Analyse a registered function now, unless it is done or in progress.
    pub fn ensure_fn(&mut self, qual: &str) {
        let Some(def) = self.defs.get_mut(qual) else {
            return;
        };
        // Analysing a function on demand (for its return value) from inside another
        // one nests; past a limit it waits for its own turn at module level instead.
        if def.state != State::NotStarted || (self.ctx.len() > 1 && self.lazy >= MAX_LAZY) {
            return;
        }
        def.state = State::InProgress;
        let node = def.node;
        let class = def.class.clone();
        if let Some(class) = &class {
            // Fields are set up before any method runs.
            if !qual.ends_with(".constructor") {
                self.ensure_class(class);
            }
        }
        // Module-level functions see only module bindings, not the caller's locals.
        let saved: Vec<_> = self.frames.drain(1..).collect();
        let saved_depth = std::mem::take(&mut self.depth);
        self.lazy += 1;
        self.run_function(qual, node, class, false);
        self.lazy -= 1;
        self.depth = saved_depth;
        self.frames.extend(saved);
        if let Some(def) = self.defs.get_mut(qual) {
            def.state = State::Done;
        }
    }

    /// Analyse a function body in the current lexical scope, as function `qual`.
    pub fn run_function(
        &mut self,
        qual: &str,
        node: Node<'t>,
        class: Option<String>,
        closure: bool,
    ) {
        let _ = closure;
        let id = self.fid(qual);
        let class = class.or_else(|| self.cur_ref().class.clone());
        self.ctx.push(FnCtx {
            qual: qual.to_string(),
            id: id.clone(),
            location: self.loc(node),
            calls: Vec::new(),
            callees: BTreeSet::new(),
            diags: Vec::new(),
            returns: Vec::new(),
            class: class.clone(),
        });
        self.frames.push(Default::default());
        let event_first = self.handler_like.contains(qual);
        self.bind_params(node, Some(&id), event_first, None);
        if qual.ends_with(".constructor")
            && let Some(class) = &class
        {
            self.init_fields(class);
        }
        self.run_body(node);
        self.frames.pop();
        if let Some(ctx) = self.ctx.pop() {
            let ret = merge_returns(&ctx.returns);
            self.returns.insert(qual.to_string(), ret);
            self.facts.insert(
                qual.to_string(),
                FunctionFacts {
                    id: ctx.id,
                    location: ctx.location,
                    calls: ctx.calls,
                    callees: ctx.callees,
                    diagnostics: ctx.diags,
                },
            );
        }
    }

    /// An anonymous function (callback, IIFE): its body is part of the enclosing one.
    pub fn run_inline(&mut self, node: Node<'t>) {
        let item = self.callback_item.take();
        let saved_returns = std::mem::take(&mut self.cur().returns);
        self.frames.push(Default::default());
        self.bind_params(node, None, false, item);
        self.run_body(node);
        self.frames.pop();
        self.cur().returns = saved_returns;
    }

    fn run_body(&mut self, node: Node<'t>) {
        let Some(body) = node.child_by_field_name("body") else {
            return;
        };
        if body.kind() == "statement_block" {
            self.hoist(body);
            self.walk(body);
        } else {
            let v = self.eval_returned(body);
            self.cur().returns.push(v);
        }
    }

    /// A returned value. A returned anonymous function (`(deps) => async (event) => …`,
    /// the handler-factory pattern) becomes a function of its own, `<factory>.<returned>`,
    /// so it can be exported and called; the factory keeps an edge to it.
    fn eval_returned(&mut self, value: Node<'t>) -> Abs {
        let mut inner = value;
        while inner.kind() == "parenthesized_expression" {
            match inner.named_child(0) {
                Some(n) => inner = n,
                None => break,
            }
        }
        if !is_function(inner.kind()) || inner.kind() == "method_definition" {
            return self.eval(value);
        }
        let named = inner.child_by_field_name("name").is_some();
        let v = self.eval_named(inner, if named { None } else { Some("<returned>") });
        if let Abs::Func(id) = &v {
            self.add_callee(id.clone());
        }
        v
    }

    /// Function and class declarations are visible in the whole block.
    pub fn hoist(&mut self, block: Node<'t>) {
        let module_level = self.at_module_level();
        let mut cursor = block.walk();
        let children: Vec<Node<'t>> = block.named_children(&mut cursor).collect();
        for child in children {
            let decl = if child.kind() == "export_statement" {
                match child.child_by_field_name("declaration") {
                    Some(d) => d,
                    None => continue,
                }
            } else {
                child
            };
            let Some(name_node) = decl.child_by_field_name("name") else {
                continue;
            };
            let name = self.text_of(name_node).to_string();
            if matches!(
                decl.kind(),
                "function_declaration" | "generator_function_declaration"
            ) {
                let qual = self.child_qual(&name, decl);
                let value = if module_level {
                    self.defer_function(&qual, decl, None)
                } else {
                    Abs::Func(self.fid(&qual))
                };
                self.bind(&name, value);
            } else if is_class(decl.kind()) && module_level {
                let qual = self.child_qual(&name, decl);
                self.register_class(&qual, decl);
                let class = self.class_ref(&qual);
                self.bind(&name, Abs::Class(class));
            }
        }
    }

    /// Bind a function's parameters: the handler's event is the event itself (a path
    /// into it as members are read); a named function's parameters are bound at call
    /// sites (see `link.rs`); an inline callback's first parameter is `item` when the
    /// array it iterates is known.
    fn bind_params(
        &mut self,
        node: Node<'t>,
        func: Option<&FunctionId>,
        event_first: bool,
        item: Option<Abs>,
    ) {
        let mut item = item;
        let params: Vec<Node<'t>> = if let Some(p) = node.child_by_field_name("parameter") {
            vec![p]
        } else if let Some(list) = node.child_by_field_name("parameters") {
            let mut cursor = list.walk();
            list.named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .collect()
        } else {
            Vec::new()
        };
        let mut index = 0;
        for param in params {
            let (pattern, default) = match param.kind() {
                "required_parameter" | "optional_parameter" => (
                    param.child_by_field_name("pattern"),
                    param.child_by_field_name("value"),
                ),
                "assignment_pattern" => (
                    param.child_by_field_name("left"),
                    param.child_by_field_name("right"),
                ),
                _ => (Some(param), None),
            };
            let Some(pattern) = pattern else { continue };
            if pattern.kind() == "this" {
                continue;
            }
            let name = self.text_of(pattern).to_string();
            let value = match func {
                Some(_) if event_first && index == 0 => Abs::Val(Value::event()),
                Some(func) => Abs::Param(ParamRef {
                    func: func.clone(),
                    index,
                    path: Vec::new(),
                    name: super::values::one_line(&name, 40),
                    event: (event_first && index == 0) || is_event_name(&name),
                }),
                None if index == 0 && item.is_some() => item
                    .take()
                    .unwrap_or_else(|| Abs::unknown("callback parameter")),
                // Not the handler: `emitter.on('x', (event) => …)` is not the Lambda event.
                None if is_event_name(&name) => Abs::unknown("from the event"),
                None => Abs::unknown(format!(
                    "callback parameter `{}`",
                    super::values::one_line(&name, 40)
                )),
            };
            let value = match default {
                // The runtime always passes the handler an event.
                Some(_) if matches!(value, Abs::Val(Value::Event { .. })) => value,
                Some(d) => {
                    let d = self.eval(d);
                    if d.is_tracked() { d } else { value }
                }
                None => value,
            };
            // TypeScript parameter properties: `constructor(private readonly s3: S3Client)`.
            let is_property = {
                let mut c = param.walk();
                param.children(&mut c).any(|m| {
                    matches!(
                        m.kind(),
                        "accessibility_modifier" | "readonly" | "override_modifier"
                    )
                })
            };
            if is_property
                && pattern.kind() == "identifier"
                && let Some(class) = self.cur_ref().class.clone()
            {
                let name = self.text_of(pattern).to_string();
                self.set_field(&class, &name, value.clone());
            }
            self.bind_pattern(pattern, value);
            index += 1;
        }
    }

    // --- statements ----------------------------------------------------------------------

    pub fn walk(&mut self, node: Node<'t>) {
        if !self.enter(node) {
            return;
        }
        self.walk_inner(node);
        self.leave();
    }

    fn walk_inner(&mut self, node: Node<'t>) {
        match node.kind() {
            "comment" | "empty_statement" | "debugger_statement" => {}
            "lexical_declaration" | "variable_declaration" => self.declare(node),
            "function_declaration" | "generator_function_declaration" => {
                if self.at_module_level() {
                    return; // hoisted and deferred
                }
                let Some(name_node) = node.child_by_field_name("name") else {
                    return;
                };
                let name = self.text_of(name_node).to_string();
                // Hoisting bound the name; reuse its id.
                let qual = match self.lookup(&name) {
                    Abs::Func(id)
                        if id.file() == self.file && !self.facts.contains_key(id.qualname()) =>
                    {
                        id.qualname().to_string()
                    }
                    _ => self.child_qual(&name, node),
                };
                self.run_function(&qual, node, None, true);
                let id = self.fid(&qual);
                self.bind(&name, Abs::Func(id));
            }
            "class_declaration" | "abstract_class_declaration" => {
                if self.at_module_level() {
                    return;
                }
                let Some(name_node) = node.child_by_field_name("name") else {
                    return;
                };
                let name = self.text_of(name_node).to_string();
                let qual = self.child_qual(&name, node);
                self.register_class(&qual, node);
                let class = self.class_ref(&qual);
                self.bind(&name, Abs::Class(class));
                self.ensure_class(&qual);
            }
            "return_statement" => {
                if let Some(value) = node.named_child(0) {
                    let v = self.eval_returned(value);
                    self.cur().returns.push(v);
                }
            }
            "expression_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.eval(child);
                }
            }
            "import_statement" => self.import_statement(node),
            "export_statement" => self.export_statement(node),
            "for_in_statement" => {
                let over = node.child_by_field_name("right").map(|r| self.eval(r));
                let of = node
                    .child_by_field_name("operator")
                    .is_some_and(|o| self.text_of(o) == "of");
                if let Some(left) = node.child_by_field_name("left")
                    && (left.kind() == "identifier" || left.kind().ends_with("_pattern"))
                {
                    // `for (const record of event.Records)`: any item of the list.
                    let value = over
                        .filter(|_| of)
                        .and_then(|o| item_of(&o))
                        .unwrap_or_else(|| Abs::unknown("loop variable"));
                    self.bind_pattern(left, value);
                }
                if let Some(body) = node.child_by_field_name("body") {
                    self.walk(body);
                }
            }
            "statement_block" | "program" => {
                let mut cursor = node.walk();
                let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.walk(child);
                }
            }
            _ => {
                self.eval(node);
            }
        }
    }

    fn declare(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        let declarators: Vec<Node<'t>> = node
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "variable_declarator")
            .collect();
        for decl in declarators {
            let Some(name) = decl.child_by_field_name("name") else {
                continue;
            };
            let hint = (name.kind() == "identifier").then(|| self.text_of(name).to_string());
            let value = match decl.child_by_field_name("value") {
                Some(v) => self.eval_named(v, hint.as_deref()),
                None => Abs::Val(Value::Scalar {
                    text: "undefined".to_string(),
                }),
            };
            self.bind_pattern(name, value);
        }
    }

    // --- classes -----------------------------------------------------------------------

    pub fn register_class(&mut self, qual: &str, node: Node<'t>) {
        let mut info = ClassInfo::default();
        if let Some(body) = node.child_by_field_name("body") {
            let mut cursor = body.walk();
            let members: Vec<Node<'t>> = body.named_children(&mut cursor).collect();
            for member in members {
                if member.kind() != "method_definition" {
                    continue;
                }
                let Some(name) = member.child_by_field_name("name") else {
                    continue;
                };
                let name = self.text_of(name).trim_start_matches('#').to_string();
                let accessor = {
                    let mut c = member.walk();
                    member
                        .children(&mut c)
                        .find(|k| matches!(k.kind(), "get" | "set"))
                        .map(|k| k.kind())
                };
                let method_qual = match accessor {
                    Some("set") => format!("{qual}.{name}@set"),
                    _ => format!("{qual}.{name}"),
                };
                if self.defs.contains_key(&method_qual) {
                    continue;
                }
                match accessor {
                    Some("set") => {}
                    Some(_) => {
                        info.getters.insert(name.clone());
                        info.methods.insert(name);
                    }
                    None => {
                        info.methods.insert(name);
                    }
                }
                self.defs.insert(
                    method_qual,
                    FnDef {
                        node: member,
                        class: Some(qual.to_string()),
                        state: State::NotStarted,
                    },
                );
            }
        }
        self.classes.insert(qual.to_string(), info);
        self.class_defs.insert(
            qual.to_string(),
            ClassDef {
                node,
                state: State::NotStarted,
            },
        );
    }

    /// Analyse a class: base, field initialisers and constructor first, then methods.
    pub fn ensure_class(&mut self, qual: &str) {
        let Some(def) = self.class_defs.get_mut(qual) else {
            return;
        };
        if def.state != State::NotStarted {
            return;
        }
        def.state = State::InProgress;
        let node = def.node;
        let mut cursor = node.walk();
        let heritage = node
            .named_children(&mut cursor)
            .find(|c| c.kind() == "class_heritage");
        if let Some(h) = heritage {
            let base_expr = h
                .named_child(0)
                .map(|c| {
                    if c.kind() == "extends_clause" {
                        c.child_by_field_name("value")
                    } else {
                        Some(c)
                    }
                })
                .and_then(|c| c);
            if let Some(base_expr) = base_expr {
                let base = self.eval(base_expr);
                if let Some(info) = self.classes.get_mut(qual) {
                    info.base = Some(base);
                }
            }
        }
        let ctor = format!("{qual}.constructor");
        if self.defs.contains_key(&ctor) {
            self.ensure_fn(&ctor);
        } else if self.has_field_initialisers(node) {
            // A synthetic constructor holds what the field initialisers do.
            self.ctx.push(FnCtx {
                qual: ctor.clone(),
                id: self.fid(&ctor),
                location: self.loc(node),
                calls: Vec::new(),
                callees: BTreeSet::new(),
                diags: Vec::new(),
                returns: Vec::new(),
                class: Some(qual.to_string()),
            });
            let saved: Vec<_> = self.frames.drain(1..).collect();
            self.init_fields(qual);
            self.frames.extend(saved);
            if let Some(ctx) = self.ctx.pop() {
                self.facts.insert(
                    ctor.clone(),
                    FunctionFacts {
                        id: ctx.id,
                        location: ctx.location,
                        calls: ctx.calls,
                        callees: ctx.callees,
                        diagnostics: ctx.diags,
                    },
                );
            }
            if let Some(info) = self.classes.get_mut(qual) {
                info.methods.insert("constructor".to_string());
            }
        }
        let methods: Vec<String> = self
            .classes
            .get(qual)
            .map(|i| i.methods.iter().cloned().collect())
            .unwrap_or_default();
        for m in methods {
            self.ensure_fn(&format!("{qual}.{m}"));
        }
        if let Some(def) = self.class_defs.get_mut(qual) {
            def.state = State::Done;
        }
    }

    fn field_nodes(&self, class_node: Node<'t>) -> Vec<Node<'t>> {
        let Some(body) = class_node.child_by_field_name("body") else {
            return Vec::new();
        };
        let mut cursor = body.walk();
        body.named_children(&mut cursor)
            .filter(|m| matches!(m.kind(), "field_definition" | "public_field_definition"))
            .collect()
    }

    fn has_field_initialisers(&self, class_node: Node<'t>) -> bool {
        self.field_nodes(class_node)
            .iter()
            .any(|f| f.child_by_field_name("value").is_some())
    }

    /// Field initialisers run at the start of the constructor.
    fn init_fields(&mut self, class: &str) {
        let Some(node) = self.class_defs.get(class).map(|d| d.node) else {
            return;
        };
        for field in self.field_nodes(node) {
            let name = field
                .child_by_field_name("property")
                .or_else(|| field.child_by_field_name("name"))
                .map(|n| self.text_of(n).trim_start_matches('#').to_string());
            let Some(name) = name else { continue };
            let Some(value) = field.child_by_field_name("value") else {
                continue;
            };
            let hinted = format!("{class}.{name}");
            let v = if is_function(value.kind()) {
                // `handle = async (e) => {…}`: a method in all but syntax.
                self.run_function(&hinted, value, Some(class.to_string()), true);
                if let Some(info) = self.classes.get_mut(class) {
                    info.methods.insert(name.clone());
                }
                Abs::Func(self.fid(&hinted))
            } else {
                self.eval(value)
            };
            self.set_field(class, &name, v);
        }
    }

    pub fn set_field(&mut self, class: &str, name: &str, value: Abs) {
        if let Some(info) = self.classes.get_mut(class) {
            let merged = match info.fields.remove(name) {
                Some(old) if old.is_tracked() => super::values::join(old, value),
                _ => value,
            };
            info.fields.insert(name.to_string(), merged);
        }
    }
}

/// Any item of an array value whose items are known: a list read from the event, a
/// literal array, or a parameter (bound at call sites).
pub(crate) fn item_of(list: &Abs) -> Option<Abs> {
    match list {
        Abs::Val(Value::Event { .. } | Value::List { .. }) | Abs::Arr(_) | Abs::Param(_) => {
            Some(list.member(super::values::ANY_INDEX))
        }
        _ => None,
    }
}

/// A function's return value: an SDK object or function if any path returns one.
fn merge_returns(returns: &[Abs]) -> Abs {
    returns
        .iter()
        .find(|r| r.is_tracked())
        .or_else(|| returns.iter().find(|r| !r.is_unknown()))
        .or_else(|| returns.first())
        .cloned()
        .unwrap_or_else(|| {
            Abs::Val(Value::Scalar {
                text: "undefined".to_string(),
            })
        })
}
