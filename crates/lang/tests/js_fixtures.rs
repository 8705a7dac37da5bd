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

/// The entry of a fixture (relative to the language folder): a source file itself, or a
/// folder's `handler.*` or `index.*`; `None` for anything else, and for the language
/// folder itself (which `glob!` also visits).
fn entry_of(path: &Path, lang_dir: &Path) -> Option<String> {
    if path.canonicalize().ok() == lang_dir.canonicalize().ok() {
        return None;
    }
    let name = path.file_name()?.to_str()?.to_string();
    if path.is_dir() {
        ["handler", "index"].iter().find_map(|stem| {
            SOURCE_EXTENSIONS
                .iter()
                .map(|ext| format!("{stem}.{ext}"))
                .find(|f| path.join(f).is_file())
                .map(|f| format!("{name}/{f}"))
        })
    } else {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e))
            .then_some(name)
    }
}

/// Every fixture of `lang`, each its own snapshot (`insta::glob!` reports every mismatch,
/// not only the first).
fn check(lang: &str) {
    let dir = fixtures_dir(lang);
    insta::glob!(format!("../../../fixtures/{lang}"), "*", |path| {
        let Some(entry) = entry_of(path, &dir) else {
            return;
        };
        let program = analyze(&dir, std::slice::from_ref(&entry));
        // Determinism: a second run gives the same result.
        assert_eq!(
            program,
            analyze(&dir, std::slice::from_ref(&entry)),
            "{entry} is not deterministic"
        );
        insta::with_settings!({
            description => format!("fixtures/{lang}/{entry}"),
            omit_expression => true,
        }, {
            insta::assert_yaml_snapshot!(lang, program);
        });
    });
}

#[test]
fn javascript() {
    check("javascript");
}

#[test]
fn typescript() {
    check("typescript");
}
