//! docs/output-schema.md's "Diagnostic codes" table and the registry (`Code`) list the
//! same codes: a code added without its documentation, or documentation of a code that
//! no longer exists, fails here.

use std::collections::BTreeSet;
use std::path::Path;

use leastrole_core::Code;

/// The codes named in the first column of the table under `## Diagnostic codes`.
fn documented() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/output-schema.md");
    let text = std::fs::read_to_string(&path).expect("docs/output-schema.md");
    let section = text
        .split_once("## Diagnostic codes")
        .expect("a Diagnostic codes section")
        .1;
    let mut codes = BTreeSet::new();
    for line in section.lines().skip_while(|l| !l.starts_with('|')) {
        let Some(row) = line.strip_prefix('|') else {
            break;
        };
        let first = row.split('|').next().unwrap_or_default();
        for part in first.split(',') {
            let name = part.trim().trim_matches('`');
            if !name.is_empty() && name != "code" && !name.starts_with("---") {
                codes.insert(name.to_string());
            }
        }
    }
    codes
}

#[test]
fn every_code_is_documented_and_every_documented_code_exists() {
    let documented = documented();
    let registered: BTreeSet<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&registered).collect();
    assert!(
        undocumented.is_empty(),
        "codes missing from docs/output-schema.md: {undocumented:?}"
    );
    assert!(
        unknown.is_empty(),
        "docs/output-schema.md documents codes the registry does not have: {unknown:?}"
    );
}
