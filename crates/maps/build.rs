//! Embeds `service-maps/` into the crate: one `include_str!` per table, listed in sorted
//! order so the loader can binary-search them and parse each one only when first asked.
//!
//! In the workspace the tables are read from the repository's `service-maps/`, their one
//! source. A published crate cannot reach outside itself, so `dist/sync-maps.sh` copies
//! the embedded files into `crates/maps/service-maps/` (git-ignored, packaged through
//! `include` in Cargo.toml) before `cargo package`; when that copy exists it is what gets
//! embedded, and `tests/package.rs` fails if it differs from the source.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let packaged = manifest.join("service-maps");
    let maps = if packaged.is_dir() {
        packaged
    } else {
        manifest.join("../../service-maps")
    };
    println!("cargo:rerun-if-changed={}", maps.display());
    let mut out = String::new();
    for (name, dir) in [
        ("SERVICES", "services"),
        ("IAM", "iam"),
        ("HELPERS", "helpers"),
    ] {
        let dir = maps.join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        let files = json_files(&dir);
        writeln!(out, "pub(crate) static {name}: &[(&str, &str)] = &[").unwrap();
        for (stem, path) in files {
            writeln!(
                out,
                "    ({stem:?}, include_str!({:?})),",
                path.display().to_string()
            )
            .unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    for (name, file) in [
        ("SAM_POLICY_TEMPLATES", "sam/policy_templates.json"),
        ("AWS_MANAGED_POLICIES", "managed-policies/aws.jsonl"),
    ] {
        let path = maps.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let path = path
            .canonicalize()
            .expect("declared-role data is in service-maps/");
        writeln!(
            out,
            "pub(crate) static {name}: &str = include_str!({:?});",
            path.display().to_string()
        )
        .unwrap();
    }
    let index = maps.join("index.json");
    println!("cargo:rerun-if-changed={}", index.display());
    if index.is_file() {
        writeln!(
            out,
            "pub(crate) static INDEX: Option<&str> = Some(include_str!({:?}));",
            index.display().to_string()
        )
        .unwrap();
    } else {
        writeln!(out, "pub(crate) static INDEX: Option<&str> = None;").unwrap();
    }
    let dest =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(dest, out).expect("write embedded.rs");
}

/// `*.json` files of a folder as (stem, absolute path), sorted by stem.
fn json_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?.to_string();
            let abs = p.canonicalize().ok()?;
            Some((stem, abs))
        })
        .collect();
    files.sort();
    files
}
