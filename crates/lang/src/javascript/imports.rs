//! What an import denotes: a local module (its published exports, plus a module-scope
//! call edge), the `aws-sdk` v2 namespace or a client module, an `@aws-sdk/*` v3
//! package, or some other package (unknown).

use crate::syntax::Node;

use crate::program::FunctionId;

use super::resolve::{Resolved, is_local, string_literal};
use super::scope::Analyzer;
use super::values::Abs;
use super::{sdk_v2, sdk_v3};
use crate::facts::Code;

/// How a module is being imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `require('x')`, `import x = require('x')`.
    Require,
    /// `import x from 'x'`.
    Default,
    /// `import * as x from 'x'`, `import('x')`.
    Namespace,
}

impl<'t> Analyzer<'t> {
    /// Whether `spec` names a file analysed with this one: a relative path, or a package
    /// found in one of the function's layers (only those are in `specs` by now).
    fn is_followed(&self, spec: &str) -> bool {
        is_local(spec) || self.specs.contains_key(spec)
    }

    /// The local file a specifier resolved to, with the module-scope call edge added.
    fn local_module(&mut self, spec: &str, node: Node<'_>) -> Result<String, Abs> {
        match self.specs.get(spec) {
            Some(Resolved::File(file)) => {
                let file = file.clone();
                if file != self.file {
                    self.add_callee(FunctionId::module_scope(&file));
                }
                Ok(file)
            }
            Some(Resolved::NotCode) => Err(Abs::unknown(format!("data file `{spec}`"))),
            Some(Resolved::Missing(why)) => {
                let why = why.clone();
                self.warn(
                    Code::UnresolvedImport,
                    format!("cannot resolve local import `{spec}`: {why}"),
                    node,
                );
                Err(Abs::unknown(format!("unresolved import `{spec}`")))
            }
            None => Err(Abs::unknown(format!("unresolved import `{spec}`"))),
        }
    }

    fn module_value(&mut self, spec: &str, form: Form, node: Node<'_>) -> Abs {
        if self.is_followed(spec) {
            return match self.local_module(spec, node) {
                Ok(file) => match form {
                    Form::Namespace => Abs::LocalModule(file),
                    Form::Require => self.cjs_of(&file),
                    Form::Default => {
                        let default = self.module_export(&file, "default");
                        if default.is_unknown() {
                            self.cjs_of(&file)
                        } else {
                            default
                        }
                    }
                },
                Err(v) => v,
            };
        }
        if let Some(v) = sdk_v2::module(spec) {
            return v;
        }
        if let Some(pkg) = sdk_v3::package(spec) {
            return Abs::V3Pkg(pkg);
        }
        Abs::unknown(format!("from package `{spec}`"))
    }

    /// `require('./file')`: `module.exports` if it was replaced, else the namespace.
    fn cjs_of(&self, file: &str) -> Abs {
        match self.deps.get(file).and_then(|m| m.cjs.clone()) {
            Some(v) => v,
            None => Abs::LocalModule(file.to_string()),
        }
    }

    /// All named exports of a local module, as an object.
    pub fn module_exports_object(&self, file: &str) -> Abs {
        match self.deps.get(file) {
            Some(m) => match &m.cjs {
                Some(cjs) => cjs.clone(),
                None => Abs::Obj(m.exports.clone(), None),
            },
            None => Abs::unknown(format!("exports of `{file}` (import cycle)")),
        }
    }

    /// Export `name` of a local module.
    pub fn module_export(&self, file: &str, name: &str) -> Abs {
        if file == self.file {
            return self
                .exports
                .get(name)
                .cloned()
                .unwrap_or_else(|| Abs::unknown(format!("`{name}` of this module")));
        }
        let Some(module) = self.deps.get(file) else {
            return Abs::unknown(format!(
                "`{name}` from `{file}`, which imports this module back (import cycle) or could not be read"
            ));
        };
        if let Some(v) = module.exports.get(name) {
            return v.clone();
        }
        // `export * from '@aws-sdk/…'` in a shared module (a Lambda layer's index):
        // with one such package, the name is its export.
        if let [pkg] = module.star_packages.as_slice() {
            return pkg.member(name);
        }
        match &module.cjs {
            Some(cjs @ Abs::Obj(..)) => cjs.member(name),
            Some(Abs::LocalModule(other)) if other != file => {
                Abs::unknown(format!("`{name}` re-exported from `{other}`"))
            }
            _ => Abs::unknown(format!("`{name}` is not exported by `{file}`")),
        }
    }

    /// A named import: `import { name } from 'spec'`.
    fn named_import(&mut self, spec: &str, name: &str, node: Node<'_>) -> Abs {
        if self.is_followed(spec) {
            return match self.local_module(spec, node) {
                Ok(file) => self.module_export(&file, name),
                Err(v) => v,
            };
        }
        if let Some(v) = sdk_v2::module(spec) {
            return v.member(name);
        }
        if let Some(pkg) = sdk_v3::package(spec) {
            return Abs::V3Export {
                pkg,
                name: name.to_string(),
            };
        }
        Abs::unknown(format!("`{name}` from package `{spec}`"))
    }

    /// `require(spec)` / `import(spec)` as an expression.
    pub fn require_value(&mut self, spec: &str, node: Node<'_>) -> Abs {
        let is_dynamic_import = node
            .child_by_field_name("function")
            .is_some_and(|f| f.kind() == "import");
        let form = if is_dynamic_import {
            Form::Namespace
        } else {
            Form::Require
        };
        self.module_value(spec, form, node)
    }

    /// Same as [`Self::named_import`], for re-exports (`export { x } from 'spec'`).
    pub fn reexport_value(&mut self, spec: &str, name: &str, node: Node<'_>) -> Abs {
        if name == "default" {
            return self.module_value(spec, Form::Default, node);
        }
        self.named_import(spec, name, node)
    }

    pub fn namespace_value(&mut self, spec: &str, node: Node<'_>) -> Abs {
        self.module_value(spec, Form::Namespace, node)
    }

    pub fn import_statement(&mut self, node: Node<'t>) {
        // `import type { X } from './types'` (TypeScript): types only, nothing to run.
        if super::resolve::is_type_only(node) {
            return;
        }
        let Some(spec) = node
            .child_by_field_name("source")
            .and_then(|s| string_literal(s, self.text))
        else {
            // `import x = require('y')`.
            let mut cursor = node.walk();
            let clause = node
                .named_children(&mut cursor)
                .find(|c| c.kind() == "import_require_clause");
            if let Some(clause) = clause {
                let spec = clause
                    .child_by_field_name("source")
                    .and_then(|s| string_literal(s, self.text));
                let name = clause.named_child(0).filter(|n| n.kind() == "identifier");
                if let (Some(spec), Some(name)) = (spec, name) {
                    let v = self.module_value(&spec, Form::Require, node);
                    let name = self.text_of(name).to_string();
                    self.bind(&name, v);
                }
            }
            return;
        };
        let mut cursor = node.walk();
        let clause = node
            .named_children(&mut cursor)
            .find(|c| c.kind() == "import_clause");
        let Some(clause) = clause else {
            // Side-effect import: `import './setup'`.
            if self.is_followed(&spec) {
                let _ = self.local_module(&spec, node);
            }
            return;
        };
        let mut cursor = clause.walk();
        let parts: Vec<Node<'t>> = clause.named_children(&mut cursor).collect();
        if parts.is_empty() && self.is_followed(&spec) {
            let _ = self.local_module(&spec, node);
        }
        for part in parts {
            match part.kind() {
                "identifier" => {
                    let v = self.module_value(&spec, Form::Default, node);
                    let name = self.text_of(part).to_string();
                    self.bind(&name, v);
                }
                "namespace_import" => {
                    let v = self.module_value(&spec, Form::Namespace, node);
                    if let Some(id) = part.named_child(0) {
                        let name = self.text_of(id).to_string();
                        self.bind(&name, v);
                    }
                }
                "named_imports" => {
                    let mut c = part.walk();
                    let specs: Vec<Node<'t>> = part
                        .named_children(&mut c)
                        .filter(|s| s.kind() == "import_specifier")
                        .collect();
                    if specs.is_empty() && self.is_followed(&spec) {
                        let _ = self.local_module(&spec, node);
                    }
                    for s in specs {
                        let Some(name_node) = s.child_by_field_name("name") else {
                            continue;
                        };
                        let imported = string_literal(name_node, self.text)
                            .unwrap_or_else(|| self.text_of(name_node).to_string());
                        let local = s
                            .child_by_field_name("alias")
                            .map_or_else(|| imported.clone(), |a| self.text_of(a).to_string());
                        let v = if imported == "default" {
                            self.module_value(&spec, Form::Default, node)
                        } else {
                            self.named_import(&spec, &imported, node)
                        };
                        self.bind(&local, v);
                    }
                }
                _ => {}
            }
        }
    }
}
