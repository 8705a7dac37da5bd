//! `analyze_folder` (one language at a time, reduced as it goes) gives exactly what
//! `analyze` gives for the same entries, and `Program::into_calls_and_diagnostics`
//! exactly what `all_calls`/`all_diagnostics` give, on the fixture projects that mix
//! Python and JavaScript/TypeScript; and analyses sharing one cache of parsed files
//! (`Sources::cached`) give what each gives on its own; and a folder analysed in
//! batches of its import graph's components gives what it gives as one unit.

use std::path::{Path, PathBuf};

use leastrole_lang::{
    Confine, Language, Sources, analyze, analyze_folder, analyze_folder_batched, analyze_with,
    folder_batches, on_analysis_threads,
};
use rayon::prelude::*;

fn sources(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == "node_modules") {
            continue;
        }
        if path.is_dir() {
            sources(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root)
            && let Some(rel) = rel.to_str()
            && Language::of_path(rel).is_some()
        {
            out.push(rel.replace('\\', "/"));
        }
    }
}

/// The front-end fixture folders (`fixtures/python`, `javascript`, `typescript`) and
/// every folder of the fixture groups `groups` (`projects`, `hostile`), sorted.
fn fixture_folders(groups: &[&str]) -> Vec<PathBuf> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut roots: Vec<PathBuf> = ["python", "javascript", "typescript"]
        .iter()
        .map(|l| fixtures.join(l))
        .collect();
    for group in groups {
        let Ok(read) = std::fs::read_dir(fixtures.join(group)) else {
            panic!("no fixtures under {}", fixtures.join(group).display());
        };
        roots.extend(read.flatten().map(|p| p.path()).filter(|p| p.is_dir()));
    }
    roots.sort();
    roots
}

#[test]
fn folder_facts_match_the_whole_program() {
    let projects = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/projects");
    for name in [
        "cdk-app",
        "serverless-v3-shared-role",
        "serverless-v4-per-function",
    ] {
        let root: PathBuf = projects.join(name);
        let mut entries = Vec::new();
        sources(&root, &root, &mut entries);
        entries.sort();

        let program = analyze(&root, &entries);
        let files: Vec<String> = program.modules.keys().cloned().collect();
        let borrowed_calls: Vec<_> = program.all_calls().into_iter().cloned().collect();
        let borrowed_diagnostics: Vec<_> = program.all_diagnostics().into_iter().cloned().collect();
        let (calls, diagnostics) = program.into_calls_and_diagnostics();
        assert_eq!(calls, borrowed_calls, "{name}");
        assert_eq!(diagnostics, borrowed_diagnostics, "{name}");
        let folder = analyze_folder(&root, &entries);

        assert!(!calls.is_empty(), "{name}: no calls");
        assert!(
            files.iter().any(|f| f.ends_with(".py"))
                && files
                    .iter()
                    .any(|f| f.ends_with(".js") || f.ends_with(".ts")),
            "{name}: not a mixed project: {files:?}"
        );
        assert_eq!(folder.files, files, "{name}");
        assert_eq!(folder.calls, calls, "{name}");
        assert_eq!(folder.diagnostics, diagnostics, "{name}");
    }
}

/// Every source file of every fixture project and front-end fixture as its own entry
/// (as a Serverless project's functions are), all sharing one cache and analysed in
/// parallel, so that entries load modules other entries already loaded: each program
/// is the one a fresh analysis of that entry gives.
#[test]
fn shared_sources_change_no_result() {
    let roots = fixture_folders(&["projects"]);
    let mut units: Vec<(PathBuf, String)> = Vec::new();
    for root in roots {
        let mut entries = Vec::new();
        sources(&root, &root, &mut entries);
        units.extend(entries.into_iter().map(|e| (root.clone(), e)));
    }
    units.sort();
    assert!(units.len() > 150, "only {} source files", units.len());
    let shared = Sources::cached();
    // Twice over: the second round is served from the cache entirely.
    let twice: Vec<&(PathBuf, String)> = units.iter().chain(units.iter().rev()).collect();
    let cached: Vec<_> = on_analysis_threads(|| {
        twice
            .par_iter()
            .map(|(root, entry)| analyze_with(&shared, root, std::slice::from_ref(entry)))
            .collect()
    });
    let mut calls = 0;
    for ((root, entry), program) in twice.iter().zip(&cached) {
        let fresh = analyze(root, std::slice::from_ref(entry));
        assert_eq!(*program, fresh, "{} {entry}", root.display());
        calls += fresh.all_calls().len();
    }
    assert!(calls > 100, "only {calls} calls");
}

/// Every fixture folder (front-end fixtures, projects, hostile inputs) analysed as one
/// plain unit, then in batches as small as its import components allow: the facts are
/// the same, and the batches are real (folders split, modules that import each other
/// kept together).
#[test]
fn batches_of_import_components_change_no_result() {
    let roots = fixture_folders(&["projects", "hostile"]);
    let (mut split, mut together) = (0, 0);
    for root in &roots {
        let mut entries = Vec::new();
        sources(root, root, &mut entries);
        entries.sort();
        if entries.is_empty() {
            continue;
        }
        let whole = analyze_folder(root, &entries);
        let batched = analyze_folder_batched(root, &entries, Confine::default(), 1);
        let name = root.display();
        same(&batched.files, &whole.files, &format!("{name}: files"));
        same(&batched.calls, &whole.calls, &format!("{name}: calls"));
        same(
            &batched.diagnostics,
            &whole.diagnostics,
            &format!("{name}: diagnostics"),
        );
        let batches = folder_batches(root, &entries, Confine::default(), 1);
        let mut listed: Vec<&String> = batches.iter().flatten().collect();
        listed.sort();
        assert_eq!(
            listed,
            entries.iter().collect::<Vec<_>>(),
            "{name}: every entry once"
        );
        if batches.len() > 1 {
            split += 1;
        }
        together += batches.iter().filter(|b| b.len() > 1).count();
    }
    assert!(split >= 20, "only {split} folders were split");
    assert!(
        together >= 10,
        "only {together} batches keep importing modules together"
    );
}

/// `left == right`, or a failure naming the first difference (not two whole lists).
fn same<T: PartialEq + std::fmt::Debug>(left: &[T], right: &[T], what: &str) {
    if let Some(i) = (0..left.len().max(right.len())).find(|&i| left.get(i) != right.get(i)) {
        panic!(
            "{what}: {} vs {} items, first difference at {i}:\n  batched: {:?}\n  whole:   {:?}",
            left.len(),
            right.len(),
            left.get(i),
            right.get(i)
        );
    }
}
