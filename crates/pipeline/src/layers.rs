//! Where a function's runtime looks for the modules its own code does not have: the
//! folders of its Lambda layers that Lambda puts on `sys.path` and `NODE_PATH`
//! (issue 19), as paths relative to the function's code folder, which is how the
//! front-ends name every file they analyse.

use std::path::{Component, Path, PathBuf};

use leastrole_lang::SearchPaths;
use leastrole_project::{Function, Layer};

/// The layers' search folders for `f`, in the runtime's order. Python (the runtime's
/// bootstrap): the code folder, then `/opt/python/lib/python3.X/site-packages`, then
/// `/opt/python`. Node.js (`NODE_PATH`): the code's own `node_modules` chain, then
/// `/opt/nodejs/nodeNN/node_modules`, then `/opt/nodejs/node_modules`. Layers are
/// extracted into one `/opt` in their configured order, a later layer's file replacing
/// an earlier one's, so within each folder the last layer is searched first.
pub(crate) fn search_paths(f: &Function) -> SearchPaths {
    if f.layers.is_empty() {
        return SearchPaths::default();
    }
    let runtime = f.runtime.as_deref().unwrap_or_default();
    let python_versions = versions(runtime, "python", &f.layers, "python/lib", "python3.");
    let node_versions = versions(runtime, "nodejs", &f.layers, "nodejs", "node");
    let mut python: Vec<String> = python_versions
        .iter()
        .map(|v| format!("python/lib/{v}/site-packages"))
        .collect();
    python.push("python".to_string());
    let mut node: Vec<String> = node_versions
        .iter()
        .map(|v| format!("nodejs/{v}/node_modules"))
        .collect();
    node.push("nodejs/node_modules".to_string());
    let root = absolute(&f.code_root);
    let folders = |opt_paths: &[String]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for opt_path in opt_paths {
            for layer in f.layers.iter().rev() {
                if let Some(dir) = in_layer(layer, opt_path)
                    && let Some(rel) = relative(&root, &absolute(&dir))
                    && !out.contains(&rel)
                {
                    out.push(rel);
                }
            }
        }
        out
    };
    SearchPaths {
        python: folders(&python),
        node: folders(&node),
    }
}

/// The versioned folder names the runtime reads (`python3.12`, `node20`): the
/// function's own runtime's, or when it is unknown every one the layers hold.
fn versions(
    runtime: &str,
    family: &str,
    layers: &[Layer],
    parent: &str,
    prefix: &str,
) -> Vec<String> {
    if let Some(version) = runtime.strip_prefix(family) {
        if family == "python" {
            return vec![format!("python{version}")];
        }
        // `nodejs20.x` → `node20`.
        let major = version.split('.').next().unwrap_or_default();
        return vec![format!("node{major}")];
    }
    if !runtime.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<String> = layers
        .iter()
        .filter_map(|layer| in_layer(layer, parent))
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flat_map(|entries| entries.flatten())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| {
            name.strip_prefix(prefix)
                .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The folder of `layer` that the runtime sees as `/opt/<opt_path>`, if the layer can
/// hold it.
fn in_layer(layer: &Layer, opt_path: &str) -> Option<PathBuf> {
    if layer.opt_dir.is_empty() {
        return Some(layer.dir.join(opt_path));
    }
    if opt_path == layer.opt_dir {
        return Some(layer.dir.clone());
    }
    let rest = opt_path
        .strip_prefix(layer.opt_dir.as_str())?
        .strip_prefix('/')?;
    Some(layer.dir.join(rest))
}

/// `path` made absolute against the working folder, `.` and `..` applied lexically.
fn absolute(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `to` relative to `from` (both absolute and clean), `/`-separated, leading out with
/// `..` where it must; `None` across drives.
fn relative(from: &Path, to: &Path) -> Option<String> {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    if from.first() != to.first() {
        return None;
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to.iter()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Some(parts.join("/"))
}

/// A report path (`src/../layers/shared/python/db.py`, a function's code folder joined
/// with a layer file's path relative to it) with its `..` applied where it can be.
pub(crate) fn clean(path: &str) -> String {
    if !path.split('/').any(|p| p == ".." || p == ".") {
        return path.to_string();
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." | "" => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(runtime: &str, layers: Vec<Layer>) -> Function {
        Function {
            name: "f".into(),
            handler: None,
            runtime: Some(runtime.into()),
            code_root: PathBuf::from("/p/src"),
            entry: leastrole_project::Entry::Unsupported {
                reason: String::new(),
            },
            environment: None,
            framework: leastrole_project::Framework::Sam,
            source: None,
            declared: None,
            triggers: None,
            layers,
            project: None,
        }
    }

    fn layer(dir: &str, opt_dir: &str) -> Layer {
        Layer {
            name: dir.into(),
            dir: PathBuf::from(dir),
            opt_dir: opt_dir.into(),
            source: None,
        }
    }

    #[test]
    fn python_site_packages_come_before_python_and_later_layers_first() {
        let f = function(
            "python3.12",
            vec![layer("/p/layers/a", ""), layer("/p/layers/b", "python")],
        );
        let paths = search_paths(&f);
        assert_eq!(
            paths.python,
            [
                "../layers/b/lib/python3.12/site-packages",
                "../layers/a/python/lib/python3.12/site-packages",
                "../layers/b",
                "../layers/a/python",
            ]
        );
        // Only the layer laid out as `/opt` can hold `nodejs/`.
        assert_eq!(paths.node, ["../layers/a/nodejs/node_modules"]);
    }

    #[test]
    fn node_versioned_folder_comes_first() {
        let f = function("nodejs20.x", vec![layer("/p/src/layer", "")]);
        assert_eq!(
            search_paths(&f).node,
            [
                "layer/nodejs/node20/node_modules",
                "layer/nodejs/node_modules"
            ]
        );
        // A layer built into `nodejs/` has no `python` folder.
        let f = function("python3.12", vec![layer("/p/layers/n", "nodejs")]);
        assert!(search_paths(&f).python.is_empty());
    }

    #[test]
    fn report_paths_are_cleaned() {
        assert_eq!(clean("src/../layers/x/db.py"), "layers/x/db.py");
        assert_eq!(clean("../outside/db.py"), "../outside/db.py");
        assert_eq!(clean("src/app.py"), "src/app.py");
    }
}
