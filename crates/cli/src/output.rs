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
    notes([line]);
}

/// [`note`] for many lines, written together: stderr is unbuffered, and a line at a time
/// is two writes each (the line, then its newline), which thousands of diagnostics turn
/// into tens of thousands of system calls.
pub fn notes<S: AsRef<str>>(lines: impl IntoIterator<Item = S>) {
    let mut err = io::BufWriter::new(io::stderr().lock());
    for line in lines {
        // Nothing useful can be done when stderr itself is gone.
        if writeln!(err, "{}", line.as_ref()).is_err() {
            return;
        }
    }
    let _ = err.flush();
}

/// The phase marks of a run (`LEASTROLE_PHASES`), one line each on stderr: the time
/// and CPU time since the previous mark, and resident and peak memory when it ended.
pub fn phases(marks: &[leastrole_core::phase::Mark]) {
    notes(marks.iter().map(|m| {
        format!(
            "phase {:<24} {:>7} ms wall {:>7} ms cpu {:>6} MB rss {:>6} MB peak",
            m.phase,
            m.wall.as_millis(),
            m.cpu.as_millis(),
            m.rss_kb / 1024,
            m.peak_kb / 1024
        )
    }));
}

/// On a terminal, up to this many diagnostics are printed as they are; more are
/// summarised (see [`stderr_diagnostics`]).
pub const TERMINAL_LINES: usize = 10;

/// In a summary, the first diagnostics of each code and level shown.
const FIRST_OF_EACH: usize = 3;

/// The lines that carry `diagnostics` (warnings and errors, in report order) on stderr.
/// Every one with `verbose`, and when stderr is not a terminal (a CI log or a file is
/// read by tools and searched, not scrolled). On a terminal, more than
/// [`TERMINAL_LINES`] become a summary: the counts per code and level, the first few
/// of each, and where the full list is (`full_list`, e.g. "the JSON report").
pub fn stderr_diagnostics(
    diagnostics: &[&leastrole_core::Diagnostic],
    verbose: bool,
    terminal: bool,
    full_list: &str,
) -> Vec<String> {
    let line = |d: &&leastrole_core::Diagnostic| leastrole_render::diagnostic_line(d);
    if verbose || !terminal || diagnostics.len() <= TERMINAL_LINES {
        return diagnostics.iter().map(line).collect();
    }
    // Errors first, then by code name: the same order whatever the report's order.
    let mut kinds: std::collections::BTreeMap<_, Vec<&leastrole_core::Diagnostic>> =
        std::collections::BTreeMap::new();
    for d in diagnostics {
        kinds
            .entry((std::cmp::Reverse(d.level), d.code.as_str()))
            .or_default()
            .push(d);
    }
    let count = |level| diagnostics.iter().filter(|d| d.level == level).count();
    let plural = |n: usize, what: &str| {
        if n == 1 {
            format!("1 {what}")
        } else {
            format!("{n} {what}s")
        }
    };
    let mut totals = Vec::new();
    for (level, what) in [
        (leastrole_core::Level::Error, "error"),
        (leastrole_core::Level::Warning, "warning"),
        (leastrole_core::Level::Info, "info note"),
    ] {
        let n = count(level);
        if n > 0 {
            totals.push(plural(n, what));
        }
    }
    let mut out = vec![format!(
        "leastrole: {} ({} kinds); the first {FIRST_OF_EACH} of each:",
        totals.join(", "),
        kinds.len()
    )];
    for ((level, code), all) in &kinds {
        let level = match level.0 {
            leastrole_core::Level::Error => "error",
            leastrole_core::Level::Warning => "warning",
            leastrole_core::Level::Info => "info",
        };
        out.push(format!("  {level}[{code}]: {}", all.len()));
        for d in all.iter().take(FIRST_OF_EACH) {
            out.push(format!("    {}", line(d)));
        }
        if all.len() > FIRST_OF_EACH {
            out.push(format!("    … and {} more", all.len() - FIRST_OF_EACH));
        }
    }
    out.push(format!(
        "leastrole: all {} are in {full_list}, and on stderr with --verbose",
        diagnostics.len()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use leastrole_core::{Code, Diagnostic, Level, Location};

    fn unresolved(n: u32) -> Diagnostic {
        Diagnostic::new(
            Level::Warning,
            Code::UnresolvedResource,
            format!("call {n} names no known resource"),
            Some(Location {
                file: "app.py".into(),
                line: n,
                column: 1,
            }),
        )
    }

    /// 40 warnings and an error on a terminal: counts per code and level, errors
    /// first, the first three of each, and where the rest are.
    #[test]
    fn many_diagnostics_on_a_terminal_are_summarised() {
        let mut all: Vec<Diagnostic> = (1..=40).map(unresolved).collect();
        all.push(Diagnostic::new(
            Level::Error,
            Code::UnreadableFile,
            "cannot read x.py",
            None,
        ));
        let refs: Vec<&Diagnostic> = all.iter().collect();
        let lines = stderr_diagnostics(&refs, false, true, "the JSON report");
        assert_eq!(
            lines,
            [
                "leastrole: 1 error, 40 warnings (2 kinds); the first 3 of each:",
                "  error[unreadable-file]: 1",
                "    error[unreadable-file] cannot read x.py",
                "  warning[unresolved-resource]: 40",
                "    warning[unresolved-resource] app.py:1:1: call 1 names no known resource",
                "    warning[unresolved-resource] app.py:2:1: call 2 names no known resource",
                "    warning[unresolved-resource] app.py:3:1: call 3 names no known resource",
                "    … and 37 more",
                "leastrole: all 41 are in the JSON report, and on stderr with --verbose",
            ]
        );
    }

    /// `--verbose`, a stderr that is not a terminal, or a few diagnostics: every line.
    #[test]
    fn verbose_not_a_terminal_or_few_print_every_line() {
        let all: Vec<Diagnostic> = (1..=40).map(unresolved).collect();
        let refs: Vec<&Diagnostic> = all.iter().collect();
        assert_eq!(stderr_diagnostics(&refs, true, true, "x").len(), 40);
        assert_eq!(stderr_diagnostics(&refs, false, false, "x").len(), 40);
        let few = &refs[..TERMINAL_LINES];
        assert_eq!(
            stderr_diagnostics(few, false, true, "x"),
            few.iter()
                .map(|d| leastrole_render::diagnostic_line(d))
                .collect::<Vec<_>>()
        );
    }
}
