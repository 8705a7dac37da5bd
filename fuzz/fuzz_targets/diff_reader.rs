//! The `leastrole diff` input reader on arbitrary bytes, twice: as OLD and as NEW (a
//! `generate --format json` report, a policy document, or `--format iam` output), then
//! the comparison of what it read with an empty set and with itself. Anything must turn
//! into a `ReadError` or a policy set; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use leastrole_maps::Maps;
use leastrole_review::{Catalog, PolicySet, diff};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let catalog = Catalog::new(Maps::embedded());
    let Ok(set) = PolicySet::read(text, "fuzz", &catalog) else { return };
    let empty = PolicySet::read("{\"Version\":\"2012-10-17\",\"Statement\":[]}", "fuzz", &catalog);
    if let Ok(empty) = empty {
        let _ = diff(&empty, &set, &catalog).map(|r| format!("{r:?}"));
    }
    let _ = diff(&set, &set, &catalog).map(|r| format!("{r:?}"));
});
