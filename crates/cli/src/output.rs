//! Where data goes: stdout, or a file written atomically (temp file + rename).

use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;

/// Write `data` to `path` (atomically) or to stdout.
pub fn emit(path: Option<&Path>, data: &str) -> anyhow::Result<()> {
    match path {
        Some(path) if path.as_os_str() != "-" => write_atomic(path, data),
        _ => {
            let mut out = io::stdout().lock();
            out.write_all(data.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

fn write_atomic(path: &Path, data: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(data.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// A write to a closed pipe: the reader has what it wanted.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Diagnostics and notes for the user go to stderr, never stdout.
pub fn note(line: &str) {
    let mut err = io::stderr().lock();
    // Nothing useful can be done when stderr itself is gone.
    let _ = writeln!(err, "{line}");
}
