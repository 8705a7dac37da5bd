//! The JavaScript/TypeScript front-end on arbitrary bytes. The first byte picks the
//! grammar (`.js`, `.mjs`, `.ts`, `.tsx`); the rest is the handler file, which also
//! imports itself under another name (`./helper`) so that linking runs too. Then a
//! folder of two such files, in batches and as one unit (`batched.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "batched.rs"]
mod batched;

const EXTENSIONS: [&str; 4] = ["js", "mjs", "ts", "tsx"];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let ext = EXTENSIONS[usize::from(first) % EXTENSIONS.len()];
    let Ok(dir) = tempfile::tempdir() else { return };
    let entry = format!("handler.{ext}");
    let mut text = b"import * as helper from './helper';\n".to_vec();
    text.extend_from_slice(rest);
    if std::fs::write(dir.path().join(&entry), &text).is_err()
        || std::fs::write(dir.path().join(format!("helper.{ext}")), rest).is_err()
    {
        return;
    }
    let program = leastrole_lang::analyze(dir.path(), &[entry]);
    for call in program.all_calls() {
        let _ = format!("{call:?}");
    }
    let _ = program.all_diagnostics().len();
    batched::batched_matches_whole(dir.path(), ext, rest);
});
