//! ES `export` statements (declarations, defaults, lists, re-exports) and the
//! module's export table. CommonJS `exports.x = …` / `module.exports = …` are
//! assignments (see `eval.rs`).
//!
//! Re-exports across modules (`export { handler } from './impl'`) become a synthetic
//! function `<re-export handler>` in the re-exporting module whose only callee is the
//! defining module's function, so a handler string naming the re-exporting file
//! reaches the real code.

use std::collections::BTreeMap;

use crate::syntax::Node;

use crate::program::FunctionId;

use super::resolve::string_literal;
use super::scope::Analyzer;
use super::values::Abs;
use crate::facts::Code;

/// The qualified-name prefix of synthetic re-export functions.
pub(crate) const REEXPORT_PREFIX: &str = "<re-export ";

impl<'t> Analyzer<'t> {
    pub fn export_statement(&mut self, node: Node<'t>) {
        let is_default = self
            .text_of(node)
            .strip_prefix("export")
            .is_some_and(|rest| rest.trim_start().starts_with("default"));
        if let Some(decl) = node.child_by_field_name("declaration") {
            self.walk(decl);
            let mut names = Vec::new();
            if let Some(name) = decl.child_by_field_name("name") {
                names.push(self.text_of(name).to_string());
            } else {
                let mut cursor = decl.walk();
                let declarators: Vec<Node<'t>> = decl
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() == "variable_declarator")
                    .collect();
                for d in declarators {
                    if let Some(n) = d
                        .child_by_field_name("name")
                        .filter(|n| n.kind() == "identifier")
                    {
                        names.push(self.text_of(n).to_string());
                    }
                }
            }
            for name in &names {
                let v = self.lookup(name);
                self.exports.insert(name.clone(), v);
            }
            if is_default && let Some(name) = names.first() {
                let v = self.lookup(name);
                self.exports.insert("default".to_string(), v);
            }
            return;
        }
        if let Some(value) = node.child_by_field_name("value") {
            let v = self.eval_named(value, Some("default"));
            self.exports.insert("default".to_string(), v);
            return;
        }
        let source = node
            .child_by_field_name("source")
            .and_then(|s| string_literal(s, self.text));
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        let clause = children
            .iter()
            .find(|c| c.kind() == "export_clause")
            .copied();
        let namespace = children
            .iter()
            .find(|c| c.kind() == "namespace_export")
            .copied();
        match (source, clause, namespace) {
            (Some(spec), Some(clause), _) => {
                for (exported, local) in self.specifiers(clause) {
                    let v = self.reexport_value(&spec, &local, node);
                    self.exports.insert(exported, v);
                }
            }
            (Some(spec), None, Some(ns)) => {
                let v = self.namespace_value(&spec, node);
                if let Some(name) = ns.named_child(0) {
                    let name = string_literal(name, self.text)
                        .unwrap_or_else(|| self.text_of(name).to_string());
                    self.exports.insert(name, v);
                }
            }
            (Some(spec), None, None) => {
                // `export * from './m'`: every named export but the default.
                let ns = self.namespace_value(&spec, node);
                if matches!(ns, Abs::V3Pkg(_) | Abs::V2Ns) {
                    self.star_packages.push(ns.clone());
                }
                if let Abs::LocalModule(file) = ns
                    && let Some(module) = self.deps.get(&file)
                {
                    let all: Vec<(String, Abs)> = module
                        .exports
                        .iter()
                        .filter(|(k, _)| k.as_str() != "default")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    for (k, v) in all {
                        self.exports.entry(k).or_insert(v);
                    }
                }
            }
            (None, Some(clause), _) => {
                let specs = self.specifiers(clause);
                self.local_exports.extend(specs);
            }
            (None, None, _) => {
                // TypeScript `export = value`.
                if let Some(expr) = children.into_iter().find(|c| c.kind() != "comment") {
                    let hint = if expr.kind() == "object" {
                        ""
                    } else {
                        "default"
                    };
                    let v = self.eval_named(expr, Some(hint));
                    if let Abs::Obj(entries, _) = &v {
                        for (k, e) in entries {
                            self.exports.insert(k.clone(), e.clone());
                        }
                    }
                    self.cjs = Some(v);
                }
            }
        }
    }

    /// `{ a, b as c }` → `[(a, a), (c, b)]` (exported, local).
    fn specifiers(&self, clause: Node<'t>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut cursor = clause.walk();
        for s in clause.named_children(&mut cursor) {
            if s.kind() != "export_specifier" {
                continue;
            }
            let name_of = |n: Node<'t>| {
                string_literal(n, self.text).unwrap_or_else(|| self.text_of(n).to_string())
            };
            let Some(local) = s.child_by_field_name("name").map(name_of) else {
                continue;
            };
            let exported = s
                .child_by_field_name("alias")
                .map_or_else(|| local.clone(), name_of);
            out.push((exported, local));
        }
        out
    }

    /// Export lists refer to bindings anywhere in the module: resolve them at the end.
    pub fn resolve_local_exports(&mut self) {
        for (exported, local) in std::mem::take(&mut self.local_exports) {
            let v = self.lookup(&local);
            self.exports.insert(exported, v);
        }
    }

    /// Local names that will be exported, found before analysing function bodies, so
    /// the first parameter of an exported function is known to be the Lambda event.
    pub fn prescan_exports(&mut self, program: Node<'t>) {
        let mut cursor = program.walk();
        let statements: Vec<Node<'t>> = program.named_children(&mut cursor).collect();
        for stmt in statements {
            match stmt.kind() {
                "export_statement" => {
                    if let Some(decl) = stmt.child_by_field_name("declaration") {
                        if let Some(name) = decl.child_by_field_name("name") {
                            self.handler_like.insert(self.text_of(name).to_string());
                        }
                        let mut c = decl.walk();
                        for d in decl.named_children(&mut c) {
                            if let Some(n) = d.child_by_field_name("name") {
                                self.handler_like.insert(self.text_of(n).to_string());
                            }
                        }
                    } else if let Some(value) = stmt.child_by_field_name("value") {
                        self.handler_like.insert(self.text_of(value).to_string());
                        self.handler_like.insert("default".to_string());
                    } else {
                        let mut c = stmt.walk();
                        let clauses: Vec<Node<'t>> = stmt
                            .named_children(&mut c)
                            .filter(|n| n.kind() == "export_clause")
                            .collect();
                        for clause in clauses {
                            for (_, local) in self.specifiers(clause) {
                                self.handler_like.insert(local);
                            }
                        }
                    }
                }
                "expression_statement" => {
                    let Some(assign) = stmt
                        .named_child(0)
                        .filter(|n| n.kind() == "assignment_expression")
                    else {
                        continue;
                    };
                    let (Some(left), Some(right)) = (
                        assign.child_by_field_name("left"),
                        assign.child_by_field_name("right"),
                    ) else {
                        continue;
                    };
                    let target = self.text_of(left);
                    if let Some(name) = target
                        .strip_prefix("module.exports.")
                        .or_else(|| target.strip_prefix("exports."))
                    {
                        self.handler_like.insert(name.to_string());
                        self.handler_like.insert(self.text_of(right).to_string());
                    } else if target == "module.exports" {
                        self.handler_like.insert(self.text_of(right).to_string());
                        self.handler_like.insert("default".to_string());
                        if right.kind() == "object" {
                            let mut c = right.walk();
                            for member in right.named_children(&mut c) {
                                let key = member
                                    .child_by_field_name("key")
                                    .or_else(|| member.child_by_field_name("name"));
                                if let Some(k) = key {
                                    self.handler_like.insert(self.text_of(k).to_string());
                                }
                                if let Some(v) = member.child_by_field_name("value") {
                                    self.handler_like.insert(self.text_of(v).to_string());
                                }
                                if member.kind() == "shorthand_property_identifier" {
                                    self.handler_like.insert(self.text_of(member).to_string());
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Exported name → qualified name of the function it denotes, adding a synthetic
    /// re-export function for functions defined in another module.
    pub fn export_table(&mut self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let exports: Vec<(String, Abs)> = self
            .exports
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, value) in exports {
            let target = match value {
                Abs::Func(id) => id,
                other => {
                    if let Some(what) = self.opaque_handler(&other) {
                        let qual = format!("<export {name}>");
                        let mut facts = self.synthetic(&qual, std::collections::BTreeSet::new());
                        facts.diagnostics.push(crate::facts::Diagnostic::new(
                            crate::facts::Level::Info,
                            Code::OpaqueHandler,
                            format!(
                                "export `{name}` is {what}, not a function defined here: its policy covers this module's top-level code (where routes and middleware are registered)"
                            ),
                            Some(facts.location.clone()),
                        ));
                        self.facts.insert(qual.clone(), facts);
                        out.insert(name, qual);
                    }
                    continue;
                }
            };
            if target.file() == self.file {
                out.insert(name, target.qualname().to_string());
                continue;
            }
            let qual = format!("{REEXPORT_PREFIX}{name}>");
            let mut callees = std::collections::BTreeSet::new();
            callees.insert(target);
            let facts = self.synthetic(&qual, callees);
            self.facts.insert(qual.clone(), facts);
            out.insert(name, qual);
        }
        out
    }

    fn synthetic(
        &self,
        qual: &str,
        callees: std::collections::BTreeSet<FunctionId>,
    ) -> crate::program::FunctionFacts {
        crate::program::FunctionFacts {
            id: FunctionId::new(&self.file, qual),
            location: crate::facts::Location {
                file: self.file.clone(),
                line: 1,
                column: 1,
            },
            calls: Vec::new(),
            callees,
            diagnostics: Vec::new(),
        }
    }

    /// An entry's export that is the opaque result of a call (`serverless(app)`): a
    /// handler whose code is registered at module level. Says what it is.
    fn opaque_handler(&self, value: &Abs) -> Option<String> {
        if !self.is_entry {
            return None;
        }
        match value {
            Abs::UnresolvedCall { call, .. } => Some(format!("the result of `{call}()`")),
            Abs::Val(crate::facts::Value::Unknown { reason })
                if reason.starts_with("result of") =>
            {
                Some(format!("the {reason}"))
            }
            _ => None,
        }
    }
}
