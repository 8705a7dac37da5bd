//! Every fixture under `fixtures/javascript/` and `fixtures/typescript/` is analysed and
//! its `Program` snapshotted. A fixture is a file (the entry) or a folder whose
//! `handler.*` or `index.*` is the entry.

use std::path::{Path, PathBuf};

use leastrole_lang::analyze;

const SOURCE_EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx"];

fn fixtures_dir(lang: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(lang)
}

/// (snapshot name, entry relative to the language folder), sorted.
fn fixtures(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if path.is_dir() {
            let entry_file = ["handler", "index"].iter().find_map(|stem| {
                SOURCE_EXTENSIONS
                    .iter()
                    .map(|ext| format!("{stem}.{ext}"))
                    .find(|f| path.join(f).is_file())
            });
            if let Some(f) = entry_file {
                out.push((name.clone(), format!("{name}/{f}")));
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e))
        {
            out.push((name.clone(), name));
        }
    }
    out.sort();
    out
}

fn check(lang: &str) {
    let dir = fixtures_dir(lang);
    let all = fixtures(&dir);
    assert!(!all.is_empty(), "no fixtures in {}", dir.display());
    for (name, entry) in all {
        let program = analyze(&dir, std::slice::from_ref(&entry));
        // Determinism: a second run gives the same result.
        assert_eq!(
            program,
            analyze(&dir, std::slice::from_ref(&entry)),
            "{entry} is not deterministic"
        );
        insta::with_settings!({
            snapshot_suffix => name.clone(),
            description => format!("fixtures/{lang}/{entry}"),
            omit_expression => true,
        }, {
            insta::assert_yaml_snapshot!(lang, program);
        });
    }
}

#[test]
fn javascript() {
    check("javascript");
}

#[test]
fn typescript() {
    check("typescript");
}
