//! Lambda handler strings (`src/app.handler`) → source file candidates and export name.

use std::path::Path;

/// A parsed handler string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerSpec {
    /// The module path without extension, relative to the code root (`src/app`).
    pub module: String,
    /// The export / function name (`handler`; Node may nest: `a.b`).
    pub export: String,
}

/// How a runtime splits a handler string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerStyle {
    /// Python: split at the last dot; dots in the module part are package separators.
    Python,
    /// Node.js: split the last path segment at its first dot.
    Node,
}

impl HandlerSpec {
    /// Parse a handler string. `None` when it has no module/export separator.
    pub fn parse(handler: &str, style: HandlerStyle) -> Option<HandlerSpec> {
        let handler = handler.trim().trim_start_matches("./");
        let (module, export) = match style {
            HandlerStyle::Python => {
                let (module, export) = handler.rsplit_once('.')?;
                (module.replace('.', "/"), export.to_string())
            }
            HandlerStyle::Node => {
                let (dir, last) = match handler.rsplit_once('/') {
                    Some((d, l)) => (Some(d), l),
                    None => (None, handler),
                };
                let (module, export) = last.split_once('.')?;
                let module = match dir {
                    Some(d) => format!("{d}/{module}"),
                    None => module.to_string(),
                };
                (module, export.to_string())
            }
        };
        if module.is_empty() || export.is_empty() {
            return None;
        }
        Some(HandlerSpec { module, export })
    }

    /// Candidate source files, in the order the runtime (or its bundler) tries them.
    pub fn candidates(&self, style: HandlerStyle) -> Vec<String> {
        let exts: &[&str] = match style {
            HandlerStyle::Python => &["py"],
            HandlerStyle::Node => &["js", "mjs", "cjs", "ts", "mts", "cts", "tsx", "jsx"],
        };
        let mut out: Vec<String> = exts
            .iter()
            .map(|e| format!("{}.{e}", self.module))
            .collect();
        if style == HandlerStyle::Python {
            out.push(format!("{}/__init__.py", self.module));
        } else {
            out.extend(exts.iter().map(|e| format!("{}/index.{e}", self.module)));
        }
        out
    }
}

/// The handler style for a runtime name (`python3.12`, `nodejs20.x`), if supported.
pub fn style_for_runtime(runtime: &str) -> Option<HandlerStyle> {
    if runtime.starts_with("python") {
        Some(HandlerStyle::Python)
    } else if runtime.starts_with("nodejs") {
        Some(HandlerStyle::Node)
    } else {
        None
    }
}

/// The source file a configured handler names under `code_root`: by the runtime's rules,
/// or (no runtime) whichever of Python and Node finds a file. `Err` is the reason, for an
/// [`Entry::Unsupported`](crate::Entry::Unsupported); it names the code folder as
/// `shown` (relative to the project folder: a report must not depend on where the
/// project is checked out).
pub(crate) fn resolve_handler(
    code_root: &Path,
    shown: &str,
    handler: &str,
    runtime: Option<&str>,
) -> Result<(String, String), String> {
    let styles: Vec<HandlerStyle> = match runtime {
        Some(r) => match style_for_runtime(r) {
            Some(s) => vec![s],
            None => {
                return Err(format!(
                    "runtime `{r}` is not analysed (leastrole reads Python and Node.js)"
                ));
            }
        },
        None => vec![HandlerStyle::Python, HandlerStyle::Node],
    };
    let mut tried = Vec::new();
    for style in styles {
        let Some(spec) = HandlerSpec::parse(handler, style) else {
            continue;
        };
        let candidates = spec.candidates(style);
        if let Some(file) = candidates.iter().find(|c| code_root.join(c).is_file()) {
            return Ok((file.clone(), spec.export));
        }
        tried.extend(candidates);
    }
    if tried.is_empty() {
        return Err(format!(
            "handler `{handler}` has no module/export separator (expected `file.function`)"
        ));
    }
    // A name that differs only in letter case works on a case-insensitive disk (macOS,
    // Windows) and fails in Lambda, whose file system is case-sensitive: say so.
    let hint = tried
        .iter()
        .find_map(|c| case_variant(code_root, c))
        .map(|found| {
            format!("; `{found}` differs only in letter case, and Lambda's file system is case-sensitive")
        })
        .unwrap_or_default();
    Err(format!(
        "no source file for handler `{handler}` in {shown} (tried {}){hint}",
        tried.join(", ")
    ))
}

/// The file under `root` whose relative path equals `rel` but for letter case, if any.
fn case_variant(root: &Path, rel: &str) -> Option<String> {
    let mut dir = root.to_path_buf();
    let mut found = Vec::new();
    for component in rel.split('/') {
        let name = std::fs::read_dir(&dir)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.eq_ignore_ascii_case(component))
            .min()?;
        dir.push(&name);
        found.push(name);
    }
    let found = found.join("/");
    (found != rel && dir.is_file()).then_some(found)
}

/// How a message names `code_root`: "the project folder" for `root` itself, else its
/// path relative to `root` (as configured when it is elsewhere).
pub(crate) fn shown_folder(root: &Path, code_root: &Path) -> String {
    let clean = crate::walk::clean_path(code_root);
    match clean.strip_prefix(crate::walk::clean_path(root)) {
        Ok(rel) if rel.as_os_str().is_empty() => "the project folder".to_string(),
        Ok(rel) => format!("`{}`", rel.to_string_lossy().replace('\\', "/")),
        Err(_) => format!("`{}`", code_root.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_splits_at_the_last_dot() {
        let h = HandlerSpec::parse("src/app.handler", HandlerStyle::Python).unwrap();
        assert_eq!(
            (h.module.as_str(), h.export.as_str()),
            ("src/app", "handler")
        );
        let h = HandlerSpec::parse("pkg.mod.handler", HandlerStyle::Python).unwrap();
        assert_eq!(h.module, "pkg/mod");
        assert_eq!(
            h.candidates(HandlerStyle::Python),
            vec!["pkg/mod.py", "pkg/mod/__init__.py"]
        );
    }

    #[test]
    fn node_splits_the_last_segment_at_its_first_dot() {
        let h = HandlerSpec::parse("src/app.handlers.main", HandlerStyle::Node).unwrap();
        assert_eq!(
            (h.module.as_str(), h.export.as_str()),
            ("src/app", "handlers.main")
        );
        let h = HandlerSpec::parse("./dist/v1.0/index.handler", HandlerStyle::Node).unwrap();
        assert_eq!(
            (h.module.as_str(), h.export.as_str()),
            ("dist/v1.0/index", "handler")
        );
        assert!(
            h.candidates(HandlerStyle::Node)
                .contains(&"dist/v1.0/index.ts".to_string())
        );
    }

    #[test]
    fn handler_without_export_is_rejected() {
        assert_eq!(HandlerSpec::parse("app", HandlerStyle::Python), None);
        assert_eq!(HandlerSpec::parse("src/app", HandlerStyle::Node), None);
        assert_eq!(HandlerSpec::parse("app.", HandlerStyle::Node), None);
    }
}
