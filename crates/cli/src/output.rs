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
    // A device or a pipe (`-o /dev/null`, `-o /dev/stderr`, a FIFO) is written in place:
    // renaming a temporary file over it would replace the device node with a regular file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        file.write_all(data.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        return Ok(());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = temp_file_builder(path)
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(data.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// A temporary file that, once renamed over `path`, has the mode a plain write would
/// give it: the existing file's mode when it is replaced, else 0666 less the umask
/// (0644 usually). tempfile's default, 0600, would hide a policy from the rest of a CI
/// job running as another user.
fn temp_file_builder(path: &Path) -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = std::fs::metadata(path)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o666));
        builder.permissions(permissions);
    }
    #[cfg(not(unix))]
    let _ = path;
    builder
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
