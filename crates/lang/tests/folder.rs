//! `analyze_folder` (one language at a time, reduced as it goes) gives exactly what
//! `analyze` gives for the same entries, and `Program::into_calls_and_diagnostics`
//! exactly what `all_calls`/`all_diagnostics` give, on the fixture projects that mix
//! Python and JavaScript/TypeScript.

use std::path::{Path, PathBuf};

use leastrole_lang::{Language, analyze, analyze_folder};

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
