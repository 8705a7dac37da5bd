//! Every fixture under `fixtures/python/` is analysed and its `Program` snapshotted.
//!
//! A fixture is a single `.py` file (the entry) or a folder (entry: its `handler.py`,
//! or every top-level `.py` file when it has none). Review snapshots by hand.

use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/python")
}

/// The analysis root and entries of one fixture: a `.py` file (root: the fixtures
/// folder), or a folder (its `handler.py`, else every top-level `.py` file); `None` for
/// anything else, and for the fixtures folder itself (which `glob!` also visits).
fn fixture(path: &Path) -> Option<(PathBuf, Vec<String>)> {
    if path.canonicalize().ok() == fixtures_dir().canonicalize().ok() {
        return None;
    }
    let name = path.file_name()?.to_str()?.to_owned();
    if path.is_dir() {
        let entries = if path.join("handler.py").is_file() {
            vec!["handler.py".to_string()]
        } else {
            let mut files: Vec<String> = std::fs::read_dir(path)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|f| f.ends_with(".py"))
                .collect();
            files.sort();
            files
        };
        Some((path.to_path_buf(), entries))
    } else if name.ends_with(".py") {
        Some((path.parent()?.to_path_buf(), vec![name]))
    } else {
        None
    }
}

/// Every fixture, sorted.
fn fixtures() -> Vec<(String, PathBuf, Vec<String>)> {
    let Ok(read) = std::fs::read_dir(fixtures_dir()) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| {
            let (root, entries) = fixture(p)?;
            Some((p.file_name()?.to_str()?.to_owned(), root, entries))
        })
        .collect()
}

/// Each fixture its own snapshot (`insta::glob!` reports every mismatch, not only the
/// first).
#[test]
fn python_fixtures() {
    assert!(
        fixtures().len() >= 20,
        "expected the python fixtures, found {}",
        fixtures().len()
    );
    insta::glob!("../../../fixtures/python", "*", |path| {
        let Some((root, entries)) = fixture(path) else {
            return;
        };
        let program = leastrole_lang::analyze(&root, &entries);
        insta::with_settings!({
            snapshot_path => "snapshots/python",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_yaml_snapshot!("fixture", program);
        });
    });
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
