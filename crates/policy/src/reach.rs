//! Reachability: which functions (and so which SDK calls) a handler can run.
//!
//! A Lambda runtime imports the handler's module, which runs its top-level code (and, via
//! the front-ends' module-scope edges, the top-level code of every module it imports),
//! then calls the exported handler. So the walk starts from the entry module's
//! [`MODULE_SCOPE`] and from the exported function, and follows `callees` transitively.
//! Reaching any function of a module also reaches that module's top-level code: the
//! function cannot run before its module has been loaded.

use std::collections::BTreeSet;
use std::fmt;

use leastrole_core::Code;
use leastrole_lang::{
    Diagnostic, FunctionId, Level, Location, MODULE_SCOPE, ModuleFacts, Program, SdkCall,
};

/// What a handler can reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The handler file, as given.
    pub entry_file: String,
    /// The export, as given (`handler`, `handlers.main`).
    pub export: String,
    /// The function the export resolved to; `None` when it did not resolve.
    pub handler: Option<FunctionId>,
    /// Every function reached, module scopes included. Only ids present in the program.
    pub functions: BTreeSet<FunctionId>,
    /// Why the entry could not be resolved fully, for the caller to report.
    pub missing: Option<Missing>,
}

/// An entry that is not in the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The handler file was not analysed (not found, unsupported language, unreadable).
    /// Nothing is reached.
    File { file: String },
    /// The file has no such export. Its top-level code is still reached.
    Export {
        file: String,
        export: String,
        /// The exports the module does have, sorted, to suggest a fix.
        available: Vec<String>,
    },
}

impl Missing {
    /// Stable kebab-case code for the diagnostic.
    pub fn code(&self) -> Code {
        match self {
            Missing::File { .. } => Code::HandlerFileNotFound,
            Missing::Export { .. } => Code::HandlerExportNotFound,
        }
    }

    /// An error diagnostic pointing at the handler file.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let file = match self {
            Missing::File { file } | Missing::Export { file, .. } => file,
        };
        Diagnostic::new(
            Level::Error,
            self.code(),
            self.to_string(),
            Some(Location {
                file: file.clone(),
                line: 1,
                column: 1,
            }),
        )
    }
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::File { file } => write!(
                f,
                "handler file `{file}` was not analysed: check the handler path and that \
                 the file is Python, JavaScript or TypeScript"
            ),
            Missing::Export {
                file,
                export,
                available,
            } => {
                write!(f, "`{file}` has no export `{export}`")?;
                if available.is_empty() {
                    write!(f, " and exports nothing")
                } else {
                    write!(f, "; it exports {}", available.join(", "))
                }?;
                write!(f, ": check the handler setting")
            }
        }
    }
}

/// The functions reachable from `export` of `entry_file`, module scopes included.
///
/// The export resolves, in order: an exact key of the module's `exports`; for a nested
/// name (`handlers.main`), the head's export target followed by the rest
/// (`exports["handlers"]` + `.main`); the name as a qualified function name.
pub fn reachable(program: &Program, entry_file: &str, export: &str) -> Reach {
    let mut reach = Reach {
        entry_file: entry_file.to_string(),
        export: export.to_string(),
        handler: None,
        functions: BTreeSet::new(),
        missing: None,
    };
    let Some(module) = program.modules.get(entry_file) else {
        reach.missing = Some(Missing::File {
            file: entry_file.to_string(),
        });
        return reach;
    };

    let mut starts = vec![FunctionId::module_scope(entry_file)];
    match resolve_export(module, export) {
        Some(qualname) => {
            let id = FunctionId::new(entry_file, &qualname);
            reach.handler = Some(id.clone());
            starts.push(id);
        }
        None => {
            reach.missing = Some(Missing::Export {
                file: entry_file.to_string(),
                export: export.to_string(),
                available: module.exports.keys().cloned().collect(),
            });
        }
    }
    reach.functions = walk(program, starts);
    reach
}

fn resolve_export(module: &ModuleFacts, export: &str) -> Option<String> {
    let exists = |q: &str| module.functions.contains_key(q);
    if let Some(q) = module.exports.get(export).filter(|q| exists(q)) {
        return Some(q.clone());
    }
    if let Some((head, rest)) = export.split_once('.')
        && let Some(target) = module.exports.get(head)
    {
        let q = format!("{target}.{rest}");
        if exists(&q) {
            return Some(q);
        }
    }
    (export != MODULE_SCOPE && export.contains('.') && exists(export)).then(|| export.to_string())
}

fn walk(program: &Program, starts: Vec<FunctionId>) -> BTreeSet<FunctionId> {
    let mut seen: BTreeSet<FunctionId> = BTreeSet::new();
    let mut stack = starts;
    while let Some(id) = stack.pop() {
        let Some(facts) = program.function(&id) else {
            continue;
        };
        if !seen.insert(id.clone()) {
            continue;
        }
        stack.extend(facts.callees.iter().filter(|c| !seen.contains(*c)).cloned());
        let scope = FunctionId::module_scope(id.file());
        if !seen.contains(&scope) {
            stack.push(scope);
        }
    }
    seen
}

/// The files of the reached functions, sorted.
pub fn reachable_files(reach: &Reach) -> BTreeSet<&str> {
    reach.functions.iter().map(FunctionId::file).collect()
}

/// The SDK calls in the reached functions, sorted by location.
pub fn reachable_calls<'p>(program: &'p Program, reach: &Reach) -> Vec<&'p SdkCall> {
    let mut calls: Vec<&SdkCall> = reach
        .functions
        .iter()
        .filter_map(|id| program.function(id))
        .flat_map(|f| f.calls.iter())
        .collect();
    calls.sort();
    calls.dedup();
    calls
}

/// The reached functions' diagnostics and the reached modules' own diagnostics
/// (syntax errors…), deduplicated, sorted by location (diagnostics without one first),
/// then level, code and message. [`Missing`] is not included: see
/// [`Missing::to_diagnostic`].
pub fn reachable_diagnostics<'p>(program: &'p Program, reach: &Reach) -> Vec<&'p Diagnostic> {
    let from_functions = reach
        .functions
        .iter()
        .filter_map(|id| program.function(id))
        .flat_map(|f| f.diagnostics.iter());
    let from_modules = reachable_files(reach)
        .into_iter()
        .filter_map(|file| program.modules.get(file))
        .flat_map(|m| m.diagnostics.iter());
    let mut out: Vec<&Diagnostic> = from_functions.chain(from_modules).collect();
    out.sort_by(|a, b| (&a.location, a).cmp(&(&b.location, b)));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use leastrole_lang::{CallKind, FunctionFacts, Language, Sdk, ServiceRef, Value};

    use super::*;

    fn loc(file: &str, line: u32) -> Location {
        Location {
            file: file.into(),
            line,
            column: 1,
        }
    }

    fn call(file: &str, line: u32, method: &str) -> SdkCall {
        SdkCall {
            location: loc(file, line),
            sdk: Sdk::Boto3,
            service: ServiceRef::Known { name: "s3".into() },
            call: CallKind::Method {
                name: method.into(),
            },
            params: Value::Object {
                entries: BTreeMap::new(),
                rest: None,
            },
            positional: Vec::new(),
            text: format!("s3.{method}()"),
        }
    }

    /// A function: qualname, line, SDK methods called, callees as `file#qualname`.
    struct F<'a>(&'a str, u32, &'a [&'a str], &'a [&'a str]);

    fn module(file: &str, functions: &[F<'_>], exports: &[(&str, &str)]) -> ModuleFacts {
        let mut map = BTreeMap::new();
        for F(name, line, methods, callees) in functions {
            map.insert(
                name.to_string(),
                FunctionFacts {
                    id: FunctionId::new(file, name),
                    location: loc(file, *line),
                    calls: methods.iter().map(|m| call(file, line + 1, m)).collect(),
                    callees: callees.iter().map(|c| FunctionId(c.to_string())).collect(),
                    diagnostics: Vec::new(),
                },
            );
        }
        map.entry(MODULE_SCOPE.to_string())
            .or_insert_with(|| FunctionFacts {
                id: FunctionId::module_scope(file),
                location: loc(file, 1),
                calls: Vec::new(),
                callees: BTreeSet::new(),
                diagnostics: Vec::new(),
            });
        ModuleFacts {
            file: file.into(),
            language: Language::Python,
            functions: map,
            exports: exports
                .iter()
                .map(|(e, q)| (e.to_string(), q.to_string()))
                .collect(),
            diagnostics: Vec::new(),
        }
    }

    fn program(modules: Vec<ModuleFacts>) -> Program {
        Program {
            modules: modules.into_iter().map(|m| (m.file.clone(), m)).collect(),
            diagnostics: Vec::new(),
        }
    }

    fn ids(reach: &Reach) -> Vec<&str> {
        reach.functions.iter().map(|f| f.0.as_str()).collect()
    }

    fn methods(calls: &[&SdkCall]) -> Vec<String> {
        calls
            .iter()
            .map(|c| match &c.call {
                CallKind::Method { name } => name.clone(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    fn two_handlers() -> Program {
        program(vec![module(
            "app.py",
            &[
                F("<module>", 1, &["list_buckets"], &[]),
                F("get", 10, &[], &["app.py#load"]),
                F("put", 20, &["put_object"], &[]),
                F("load", 30, &["get_object"], &[]),
                F("unused", 40, &["delete_object"], &[]),
            ],
            &[("get", "get"), ("put", "put"), ("unused", "unused")],
        )])
    }

    #[test]
    fn two_handlers_in_one_file_reach_different_calls() {
        let p = two_handlers();
        let get = reachable(&p, "app.py", "get");
        assert_eq!(get.missing, None);
        assert_eq!(get.handler, Some(FunctionId::new("app.py", "get")));
        assert_eq!(ids(&get), ["app.py#<module>", "app.py#get", "app.py#load"]);
        assert_eq!(
            methods(&reachable_calls(&p, &get)),
            ["list_buckets", "get_object"]
        );

        let put = reachable(&p, "app.py", "put");
        assert_eq!(ids(&put), ["app.py#<module>", "app.py#put"]);
        assert_eq!(
            methods(&reachable_calls(&p, &put)),
            ["list_buckets", "put_object"]
        );
    }

    #[test]
    fn a_function_no_one_calls_is_not_reached() {
        let p = two_handlers();
        for export in ["get", "put"] {
            let r = reachable(&p, "app.py", export);
            assert!(!r.functions.contains(&FunctionId::new("app.py", "unused")));
            assert!(!methods(&reachable_calls(&p, &r)).contains(&"delete_object".to_string()));
        }
    }

    #[test]
    fn a_cycle_terminates() {
        let p = program(vec![module(
            "app.py",
            &[
                F("handler", 1, &[], &["app.py#a"]),
                F("a", 5, &["get_object"], &["app.py#b"]),
                F(
                    "b",
                    9,
                    &["put_object"],
                    &["app.py#a", "app.py#b", "app.py#handler"],
                ),
            ],
            &[("handler", "handler")],
        )]);
        let r = reachable(&p, "app.py", "handler");
        assert_eq!(
            ids(&r),
            ["app.py#<module>", "app.py#a", "app.py#b", "app.py#handler"]
        );
        assert_eq!(
            methods(&reachable_calls(&p, &r)),
            ["get_object", "put_object"]
        );
    }

    #[test]
    fn module_scope_of_an_imported_module_is_reached() {
        let p = program(vec![
            module(
                "app.py",
                &[
                    F("<module>", 1, &[], &["lib/store.py#<module>"]),
                    F("handler", 5, &[], &["lib/store.py#save"]),
                ],
                &[("handler", "handler")],
            ),
            module(
                "lib/store.py",
                &[
                    F("<module>", 1, &["head_bucket"], &["lib/util.py#<module>"]),
                    F("save", 10, &["put_object"], &[]),
                    F("drop", 20, &["delete_object"], &[]),
                ],
                &[("save", "save"), ("drop", "drop")],
            ),
            module(
                "lib/util.py",
                &[F("<module>", 1, &["list_buckets"], &[])],
                &[],
            ),
        ]);
        let r = reachable(&p, "app.py", "handler");
        assert_eq!(
            ids(&r),
            [
                "app.py#<module>",
                "app.py#handler",
                "lib/store.py#<module>",
                "lib/store.py#save",
                "lib/util.py#<module>"
            ]
        );
        assert_eq!(
            methods(&reachable_calls(&p, &r)),
            ["head_bucket", "put_object", "list_buckets"]
        );
        assert_eq!(
            reachable_files(&r).into_iter().collect::<Vec<_>>(),
            ["app.py", "lib/store.py", "lib/util.py"]
        );
    }

    #[test]
    fn reaching_a_function_reaches_its_module_scope() {
        // No module-scope edge from app.py: store.py's top-level code still runs before `save`.
        let p = program(vec![
            module(
                "app.py",
                &[F("handler", 5, &[], &["store.py#save"])],
                &[("handler", "handler")],
            ),
            module(
                "store.py",
                &[
                    F("<module>", 1, &["head_bucket"], &[]),
                    F("save", 10, &[], &[]),
                ],
                &[],
            ),
        ]);
        let r = reachable(&p, "app.py", "handler");
        assert!(r.functions.contains(&FunctionId::module_scope("store.py")));
    }

    #[test]
    fn nested_exports_resolve() {
        let p = program(vec![module(
            "app.js",
            &[
                F("handlers.main", 3, &["get_object"], &[]),
                F("Api.run", 9, &["put_object"], &[]),
            ],
            &[("handlers", "handlers"), ("default", "Api")],
        )]);
        let r = reachable(&p, "app.js", "handlers.main");
        assert_eq!(r.handler, Some(FunctionId::new("app.js", "handlers.main")));
        let r = reachable(&p, "app.js", "default.run");
        assert_eq!(r.handler, Some(FunctionId::new("app.js", "Api.run")));
        assert_eq!(methods(&reachable_calls(&p, &r)), ["put_object"]);
        // A qualified name that is not itself an export key still resolves.
        let r = reachable(&p, "app.js", "Api.run");
        assert_eq!(r.missing, None);
    }

    #[test]
    fn unknown_file_is_reported_and_reaches_nothing() {
        let p = two_handlers();
        let r = reachable(&p, "nope.py", "handler");
        assert!(r.functions.is_empty());
        assert_eq!(
            r.missing,
            Some(Missing::File {
                file: "nope.py".into()
            })
        );
        let d = r.missing.as_ref().map(Missing::to_diagnostic);
        assert_eq!(
            d.map(|d| d.code),
            Some("handler-file-not-found".to_string())
        );
    }

    #[test]
    fn unknown_export_is_reported_and_module_scope_still_reached() {
        let p = two_handlers();
        let r = reachable(&p, "app.py", "handler");
        assert_eq!(r.handler, None);
        assert_eq!(ids(&r), ["app.py#<module>"]);
        let missing = r.missing.clone();
        assert_eq!(
            missing.as_ref().map(ToString::to_string).as_deref(),
            Some(
                "`app.py` has no export `handler`; it exports get, put, unused: check the handler setting"
            )
        );
        assert_eq!(
            missing.map(|m| m.to_diagnostic().code),
            Some("handler-export-not-found".to_string())
        );
        // The module scope pseudo-function is not an export.
        assert!(reachable(&p, "app.py", MODULE_SCOPE).missing.is_some());
    }

    #[test]
    fn diagnostics_of_reached_code_only_sorted_and_deduplicated() {
        let mut p = two_handlers();
        let d = |line: u32, code: Code| {
            Diagnostic::new(Level::Warning, code, "m", Some(loc("app.py", line)))
        };
        let Some(m) = p.modules.get_mut("app.py") else {
            panic!("module")
        };
        m.diagnostics
            .push(Diagnostic::new(Level::Error, Code::FileTooLarge, "m", None));
        m.diagnostics.push(d(35, Code::UnknownMethod));
        let functions = &mut m.functions;
        if let Some(f) = functions.get_mut("load") {
            f.diagnostics.push(d(35, Code::UnknownMethod));
            f.diagnostics.push(d(31, Code::DynamicService));
        }
        if let Some(f) = functions.get_mut("unused") {
            f.diagnostics.push(d(41, Code::UnknownMethod));
        }
        let r = reachable(&p, "app.py", "get");
        let got: Vec<(&str, Option<u32>)> = reachable_diagnostics(&p, &r)
            .into_iter()
            .map(|d| (d.code.as_str(), d.location.as_ref().map(|l| l.line)))
            .collect();
        assert_eq!(
            got,
            [
                ("file-too-large", None),
                ("dynamic-service", Some(31)),
                ("unknown-method", Some(35))
            ]
        );
    }
}
