//! Read confinement: the folders a project's files may be read from (the repository
//! that holds it, or the project folder, plus `--allow-outside`), and what discovery
//! refuses outside them.

use std::path::{Path, PathBuf};

use leastrole_core::{Code, Confine, Diagnostic, Location};

use crate::{Discovery, Entry};

/// Where reads are confined for the project at `root`: the repository that holds it
/// (the nearest folder up from it with a `.git` entry; git is not run), else `root`
/// itself, plus the `--allow-outside` folders. A pull request's configuration is
/// untrusted: a `CodeUri: ../../`, an absolute path or a symlink must not make leastrole
/// read, and quote in a policy or a PR comment, files elsewhere on the runner.
pub fn confinement(root: &Path, allow_outside: &[PathBuf]) -> Confine {
    let real = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let repo = real
        .ancestors()
        .find(|a| std::fs::symlink_metadata(a.join(".git")).is_ok());
    let (base, mut label) = match repo {
        Some(repo) => {
            let up = real
                .components()
                .count()
                .saturating_sub(repo.components().count());
            let shown = match up {
                0 => ".".to_string(),
                n => vec![".."; n].join("/"),
            };
            (
                repo.to_path_buf(),
                format!("the repository that holds the project (`{shown}`, where `.git` is)"),
            )
        }
        None => (real.clone(), "the project folder".to_string()),
    };
    if !allow_outside.is_empty() {
        label.push_str(" and the --allow-outside folders");
    }
    let mut folders = vec![base];
    folders.extend(allow_outside.iter().cloned());
    Confine::new(&folders, label)
}

/// The `outside-project` refusal of the configuration file at `path` (`file` relative to
/// the project folder) when it is outside `confine` (a symlink leading out of the
/// repository); `None` when it may be read.
pub(crate) fn refused_config(confine: &Confine, path: &Path, file: &str) -> Option<Diagnostic> {
    if confine.admits(path) {
        return None;
    }
    Some(confine.refusal(
        &format!("the configuration file `{file}`"),
        Some(Location {
            file: file.to_string(),
            line: 1,
            column: 1,
        }),
    ))
}

/// Confine `d`'s functions to `confine` (the project's [`confinement`]): a function whose
/// code folder or handler file is outside it is not analysed, with an `outside-project`
/// warning at its configuration line. Records the project folder and the confinement for
/// the analysis.
pub(crate) fn confine_functions(d: &mut Discovery, root: &Path, confine: Confine) {
    for f in &mut d.functions {
        // A layer's folder is read like the function's own code: one outside is left
        // out, said at the line that attaches it (its modules are not analysed).
        let shown = |p: &Path| {
            p.strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        };
        let (kept, outside): (Vec<_>, Vec<_>) =
            f.layers.drain(..).partition(|l| confine.admits(&l.dir));
        f.layers = kept;
        for layer in outside {
            d.diagnostics.push(confine.refusal(
                &format!(
                    "layer `{}` of function `{}`: `{}`",
                    layer.name,
                    f.name,
                    shown(&layer.dir)
                ),
                layer.source.clone(),
            ));
        }
        let path = match &f.entry {
            Entry::Handler { file, .. } => f.code_root.join(file),
            Entry::Folder { .. } | Entry::Unsupported { .. } => f.code_root.clone(),
        };
        let outside = if confine.admits(&f.code_root) {
            (!confine.admits(&path)).then_some(path)
        } else {
            Some(f.code_root.clone())
        };
        let Some(outside) = outside else {
            continue;
        };
        let shown = outside
            .strip_prefix(root)
            .unwrap_or(&outside)
            .to_string_lossy()
            .replace('\\', "/");
        // The handler was looked for there (a file probe, nothing read): that it is
        // missing is beside the point. Only at a config line: a `--handler` flag's
        // diagnostics have no location, and another flag's must stay.
        d.diagnostics.retain(|x| {
            !(f.source.is_some()
                && x.location == f.source
                && (x.code == Code::HandlerFileNotFound || x.code == Code::UnsupportedFunction))
        });
        let diagnostic = confine.refusal(
            &format!("function `{}`: `{shown}`", f.name),
            f.source.clone(),
        );
        f.entry = Entry::Unsupported {
            reason: format!("its code `{shown}` is outside {}", confine.label()),
        };
        d.diagnostics.push(diagnostic);
    }
    d.project_dir = root.to_path_buf();
    d.confine = confine;
}
