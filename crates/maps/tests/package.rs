//! The published crate cannot read `../../service-maps`, so `dist/sync-maps.sh` copies
//! what `build.rs` embeds into `crates/maps/service-maps/` before `cargo package`; the
//! build script prefers that copy when it exists. These tests keep the copy complete
//! and never stale: `service-maps/` stays the one source.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use leastrole_testkit::shown;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn source() -> PathBuf {
    crate_dir().join("../../service-maps")
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// What the copy must hold: each file `build.rs` embeds, and the data's NOTICE.
fn expected() -> BTreeMap<String, Vec<u8>> {
    files(&source())
        .into_iter()
        .filter(|(rel, _)| {
            let json_in = |dir: &str| {
                rel.strip_prefix(dir)
                    .is_some_and(|name| !name.contains('/') && name.ends_with(".json"))
            };
            json_in("services/")
                || json_in("iam/")
                || json_in("helpers/")
                || [
                    "sam/policy_templates.json",
                    "managed-policies/aws.jsonl",
                    "index.json",
                    "NOTICE",
                ]
                .contains(&rel.as_str())
        })
        .collect()
}

fn assert_same(copy: &Path) {
    let want = expected();
    let got = files(copy);
    let missing: Vec<_> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<_> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    let differ: Vec<_> = want
        .iter()
        .filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "{} differs from service-maps/ (run dist/sync-maps.sh): missing {missing:?}, \
         extra {extra:?}, changed {differ:?}",
        copy.display()
    );
}

#[test]
fn sync_copies_every_embedded_file_and_nothing_else() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("service-maps");
    let out = Command::new("bash")
        .arg(crate_dir().join("../../dist/sync-maps.sh"))
        .arg(&dest)
        .output()
        .expect("run bash");
    assert!(out.status.success(), "{}", shown(&out));
    assert!(expected().keys().any(|k| k.starts_with("services/")));
    assert_same(&dest);
}

#[test]
fn packaged_copy_if_present_matches_the_source() {
    // build.rs embeds this copy whenever it exists, in the workspace too: a stale one
    // would ship old tables.
    let copy = crate_dir().join("service-maps");
    if copy.is_dir() {
        assert_same(&copy);
    }
}
