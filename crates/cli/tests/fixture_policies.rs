//! Every front-end fixture (`fixtures/python`, `fixtures/javascript`,
//! `fixtures/typescript`) run through the whole pipeline: one snapshot per fixture of the
//! policy each handler gets, with every grant's source lines and every diagnostic.
//!
//! A fixture is a file or a folder. Each exported function whose name says it is a
//! handler (`handler`, `lambda_handler`, `main`, `default`, `*Handler`, `handle*`) is one
//! function; in a module without such a name every export is; a fixture without exports
//! is one unit (every call in it).

use std::path::{Path, PathBuf};

use leastrole_maps::Maps;
use leastrole_pipeline::build_report;
use leastrole_policy::Options;
use leastrole_project::{Discovery, Entry, Function};
use leastrole_render::{RenderOptions, report_text};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn is_handler_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("handler")
        || lower.starts_with("handle")
        || lower == "main"
        || lower == "default"
}

/// The functions of one fixture: its code root, entry files and handler exports.
fn functions_of(path: &Path) -> Vec<Function> {
    let (root, files): (PathBuf, Vec<String>) = if path.is_dir() {
        let (files, _) = leastrole_project::source_files(path);
        let entries: Vec<String> = files
            .iter()
            .filter(|f| {
                let stem = f
                    .rsplit('/')
                    .next()
                    .unwrap_or(f)
                    .split('.')
                    .next()
                    .unwrap_or("");
                !f.contains('/')
                    && matches!(
                        stem,
                        "handler" | "handlers" | "index" | "app" | "main" | "lambda_function"
                    )
            })
            .cloned()
            .collect();
        (
            path.to_path_buf(),
            if entries.is_empty() { files } else { entries },
        )
    } else {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        (path.parent().unwrap().to_path_buf(), vec![name])
    };
    let program = leastrole_lang::analyze(&root, &files);
    let mut functions = Vec::new();
    for file in &files {
        let Some(module) = program.modules.get(file) else {
            continue;
        };
        let handlers: Vec<&String> = module
            .exports
            .keys()
            .filter(|e| is_handler_name(e))
            .collect();
        // A module with no handler-named export (`exports.create`, `export const upload`):
        // every export is a handler.
        let exports = if handlers.is_empty() {
            module.exports.keys().collect()
        } else {
            handlers
        };
        for export in exports {
            functions.push(Function {
                name: format!("{file}:{export}"),
                handler: Some(format!("{file}:{export}")),
                runtime: None,
                code_root: root.clone(),
                entry: Entry::Handler {
                    file: file.clone(),
                    export: export.clone(),
                },
                environment: None,
                framework: leastrole_project::Framework::Handler,
                source: None,
                declared: None,
                triggers: None,
                layers: Vec::new(),
                project: None,
            });
        }
    }
    if functions.is_empty() {
        functions.push(Function {
            name: "(whole fixture)".into(),
            handler: None,
            runtime: None,
            code_root: root,
            entry: Entry::Folder { files },
            environment: None,
            framework: leastrole_project::Framework::Plain,
            source: None,
            declared: None,
            triggers: None,
            layers: Vec::new(),
            project: None,
        });
    }
    functions
}

/// Whether `path` is a fixture of `language`: a folder, or a source file (not the
/// language folder itself, which `glob!` also visits).
fn is_fixture(path: &Path, language: &str) -> bool {
    if path.canonicalize().ok() == fixtures_root().join(language).canonicalize().ok() {
        return false;
    }
    path.is_dir() || leastrole_lang::Language::of_path(&path.to_string_lossy()).is_some()
}

/// Each fixture its own snapshot (`insta::glob!` reports every mismatch, not only the
/// first).
fn snapshot_language(language: &str) {
    insta::glob!(format!("../../../fixtures/{language}"), "*", |path| {
        if !is_fixture(path, language) {
            return;
        }
        let discovery = Discovery {
            functions: functions_of(path),
            ..Discovery::default()
        };
        let report =
            build_report(Maps::embedded(), discovery, &Options::default()).expect("maps load");
        let text = report_text(
            &report,
            &RenderOptions {
                explain: true,
                ..RenderOptions::default()
            },
        );
        insta::with_settings!({
            omit_expression => true,
        }, {
            insta::assert_snapshot!(language, text);
        });
    });
}

#[test]
fn python_fixture_policies() {
    snapshot_language("python");
}

#[test]
fn javascript_fixture_policies() {
    snapshot_language("javascript");
}

#[test]
fn typescript_fixture_policies() {
    snapshot_language("typescript");
}
