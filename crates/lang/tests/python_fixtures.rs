//! Every fixture under `fixtures/python/` is analysed and its `Program` snapshotted.
//!
//! A fixture is a single `.py` file (the entry) or a folder (entry: its `handler.py`,
//! or every top-level `.py` file when it has none). Review snapshots by hand.

use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/python")
}

/// (snapshot name, analysis root, entries) for every fixture, sorted.
fn fixtures() -> Vec<(String, PathBuf, Vec<String>)> {
    let dir = fixtures_dir();
    let mut out = Vec::new();
    let Ok(read) = std::fs::read_dir(&dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        if path.is_dir() {
            let entries = if path.join("handler.py").is_file() {
                vec!["handler.py".to_string()]
            } else {
                let mut files: Vec<String> = std::fs::read_dir(&path)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|f| f.ends_with(".py"))
                    .collect();
                files.sort();
                files
            };
            out.push((name, path, entries));
        } else if let Some(stem) = name.strip_suffix(".py") {
            out.push((stem.to_string(), dir.clone(), vec![name]));
        }
    }
    out
}

#[test]
fn python_fixtures() {
    let all = fixtures();
    assert!(
        all.len() >= 20,
        "expected the python fixtures, found {}",
        all.len()
    );
    for (name, root, entries) in all {
        let program = leastrole_lang::analyze(&root, &entries);
        insta::with_settings!({
            snapshot_path => "snapshots/python",
            prepend_module_to_snapshot => false,
            description => format!("fixtures/python/{name}"),
            omit_expression => true,
        }, {
            insta::assert_yaml_snapshot!(name, program);
        });
    }
}

#[test]
fn every_fixture_starts_with_a_comment() {
    for (name, root, entries) in fixtures() {
        for entry in entries {
            let text = std::fs::read_to_string(root.join(&entry)).unwrap_or_default();
            assert!(
                text.starts_with("# "),
                "fixture {name} ({entry}) must start with a one-line comment saying what it exercises"
            );
        }
    }
}
