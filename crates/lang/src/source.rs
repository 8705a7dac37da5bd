//! Reading source files defensively: size limit, binary detection, UTF-8 with a
//! lossy fallback. Every problem becomes a [`Diagnostic`], never a panic or an `Err`
//! that stops the scan.

use std::path::Path;

use crate::facts::{Diagnostic, Level, Location};

/// Files larger than this are skipped with a diagnostic. Hand-written Lambda sources
/// are far smaller; a bigger file is almost always generated or bundled.
pub const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

/// A source file read into memory.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the analysis root, `/`-separated.
    pub rel: String,
    pub text: String,
}

/// Read `root/rel`. Returns the file, or a diagnostic naming it and saying why not.
pub fn read_source(root: &Path, rel: &str) -> Result<SourceFile, Diagnostic> {
    let path = root.join(rel);
    let at = || {
        Some(Location {
            file: rel.to_string(),
            line: 1,
            column: 1,
        })
    };
    let meta = std::fs::metadata(&path).map_err(|e| {
        Diagnostic::new(
            Level::Warning,
            "unreadable-file",
            format!("cannot read {rel}: {e}"),
            at(),
        )
    })?;
    if !meta.is_file() {
        return Err(Diagnostic::new(
            Level::Warning,
            "unreadable-file",
            format!("{rel} is not a regular file"),
            at(),
        ));
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(Diagnostic::new(
            Level::Warning,
            "file-too-large",
            format!(
                "skipped {rel}: {} bytes is over the {} byte limit for source files",
                meta.len(),
                MAX_SOURCE_BYTES
            ),
            at(),
        ));
    }
    let bytes = std::fs::read(&path).map_err(|e| {
        Diagnostic::new(
            Level::Warning,
            "unreadable-file",
            format!("cannot read {rel}: {e}"),
            at(),
        )
    })?;
    decode(rel, bytes)
}

/// Decode file bytes: NUL bytes mean binary (skipped); invalid UTF-8 is decoded lossily
/// with a diagnostic by the caller's choice. Returns the text or the reason it is skipped.
pub fn decode(rel: &str, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    let at = Some(Location {
        file: rel.to_string(),
        line: 1,
        column: 1,
    });
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(Diagnostic::new(
            Level::Warning,
            "binary-file",
            format!("skipped {rel}: it looks binary (contains NUL bytes)"),
            at,
        ));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    Ok(SourceFile {
        rel: rel.to_string(),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_is_skipped_with_a_diagnostic() {
        let d = decode("a.py", b"import boto3\0\0".to_vec()).unwrap_err();
        assert_eq!(d.code, "binary-file");
        assert!(d.message.contains("a.py"));
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        let f = decode("a.py", b"x = '\xff'\n".to_vec()).unwrap();
        assert!(f.text.contains('\u{fffd}'));
    }

    #[test]
    fn bom_is_stripped() {
        let f = decode("a.js", "\u{feff}const a = 1;".as_bytes().to_vec()).unwrap();
        assert!(f.text.starts_with("const"));
    }
}
