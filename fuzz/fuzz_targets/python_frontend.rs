//! The Python front-end on arbitrary bytes: `handler.py` (the input) importing
//! `helper.py` (the same input), through `leastrole_lang::analyze` as the pipeline calls
//! it. Any panic, hang or overflow is a bug: bad input must become a diagnostic. Then a
//! folder of two such files, in batches and as one unit (`batched.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "batched.rs"]
mod batched;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let mut text = b"from helper import *\n".to_vec();
    text.extend_from_slice(data);
    if std::fs::write(dir.path().join("handler.py"), &text).is_err()
        || std::fs::write(dir.path().join("helper.py"), data).is_err()
    {
        return;
    }
    let program = leastrole_lang::analyze(dir.path(), &["handler.py".to_string()]);
    // Touch the output as the pipeline does: every call and diagnostic serialises.
    for call in program.all_calls() {
        let _ = format!("{call:?}");
    }
    let _ = program.all_diagnostics().len();
    batched::batched_matches_whole(dir.path(), "py", data);
});
