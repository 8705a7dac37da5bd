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
    /// What the reader noticed but read through (invalid UTF-8), for the front-end to
    /// report with the file's other diagnostics.
    pub diagnostics: Vec<Diagnostic>,
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
    let mut diagnostics = Vec::new();
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let before = bytes.get(..valid).unwrap_or_default();
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = valid
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            diagnostics.push(Diagnostic::new(
                Level::Warning,
                "invalid-utf8",
                format!(
                    "{rel} is not valid UTF-8 (first bad byte at line {line}, column {column}); it was read with replacement characters, so strings containing those bytes are not matched exactly"
                ),
                Some(Location {
                    file: rel.to_string(),
                    line: u32::try_from(line).unwrap_or(u32::MAX),
                    column: u32::try_from(column).unwrap_or(u32::MAX),
                }),
            ));
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    Ok(SourceFile {
        rel: rel.to_string(),
        text,
        diagnostics,
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
        let f = decode("a.py", b"y = 1\nx = '\xff'\n".to_vec()).unwrap();
        assert!(f.text.contains('\u{fffd}'));
        let [d] = f.diagnostics.as_slice() else {
            panic!("{:?}", f.diagnostics)
        };
        assert_eq!(d.code, "invalid-utf8");
        assert!(d.message.contains("a.py"), "{}", d.message);
        assert!(d.message.contains("line 2, column 6"), "{}", d.message);
    }

    #[test]
    fn bom_is_stripped() {
        let f = decode("a.js", "\u{feff}const a = 1;".as_bytes().to_vec()).unwrap();
        assert!(f.text.starts_with("const"));
    }
}
