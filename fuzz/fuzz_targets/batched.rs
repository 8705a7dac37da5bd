//! Shared by the front-end targets: a folder of two files holding the input, analysed in
//! batches of one file, gives what it gives as one unit. The batches' first pass finds
//! imports in the text rather than the tree (and falls back to one unit when a batch
//! reaches past it), so arbitrary input must neither panic there nor change the result.

use std::path::Path;

use leastrole_lang::{Confine, analyze_folder, analyze_folder_batched};

/// Write `data` to `dir/folder/a.EXT` and `dir/folder/b.EXT`, and compare the folder's
/// analysis as one unit with its analysis in batches of one file.
pub fn batched_matches_whole(dir: &Path, ext: &str, data: &[u8]) {
    let root = dir.join("folder");
    let entries = [format!("a.{ext}"), format!("b.{ext}")];
    if std::fs::create_dir_all(&root).is_err()
        || entries
            .iter()
            .any(|e| std::fs::write(root.join(e), data).is_err())
    {
        return;
    }
    let whole = analyze_folder(&root, &entries);
    let batched = analyze_folder_batched(&root, &entries, Confine::default(), 1);
    assert_eq!(whole.files, batched.files, "files differ in batches");
    assert_eq!(whole.calls, batched.calls, "calls differ in batches");
    assert_eq!(
        whole.diagnostics, batched.diagnostics,
        "diagnostics differ in batches"
    );
}
