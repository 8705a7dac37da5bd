//! A function as a framework config describes it, and its resolution into a [`Function`]:
//! the handler file found (by the runtime's rules, or a bundler entry point), the Lambda
//! runtime's own environment variables added, and anything that cannot be analysed kept
//! as [`Entry::Unsupported`] with a diagnostic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leastrole_core::{Code, Diagnostic, Level, Location};

use crate::handler::{self, HandlerSpec, HandlerStyle, style_for_runtime};
use crate::{Entry, EnvValue, Framework, Function, ValuePart, runtime};

/// A function as a framework config declares it, before its handler is resolved.
#[derive(Debug, Clone)]
pub(crate) struct Configured {
    pub(crate) name: String,
    pub(crate) handler: Option<String>,
    pub(crate) runtime: Option<String>,
    pub(crate) code_root: PathBuf,
    pub(crate) environment: BTreeMap<String, EnvValue>,
    pub(crate) framework: Framework,
    pub(crate) source: Option<Location>,
    /// Why it cannot be analysed, when the config already says (an image, inline code),
    /// and how loud to be about it.
    pub(crate) unsupported: Option<(Level, String)>,
    /// Bundler entry points (SAM `BuildProperties.EntryPoints`), relative to the code root:
    /// the one named like the handler's module is its source when the handler path itself
    /// names the bundle (`app.handler` built from `src/app.ts`).
    pub(crate) entry_points: Vec<String>,
    /// The deployed function name, when the config gives it without references.
    pub(crate) function_name: Option<Vec<ValuePart>>,
    /// The runtime the framework deploys when the config names none (Serverless: Node.js);
    /// only used to find the handler file.
    pub(crate) default_runtime: Option<&'static str>,
    /// The role the config declares for it.
    pub(crate) declared: Option<crate::Declared>,
    /// What invokes it and what its events carry (see [`crate::Trigger`]).
    pub(crate) triggers: Vec<crate::Trigger>,
    /// The layers attached to it whose content is a project folder (see [`crate::Layer`]).
    pub(crate) layers: Vec<crate::Layer>,
}

impl Configured {
    /// Resolve the handler file; a function that cannot be analysed is kept, with an
    /// [`Entry::Unsupported`] and a diagnostic.
    /// `root` is the project folder, which messages name paths relative to.
    pub(crate) fn resolve(mut self, root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Function {
        // A code location naming one source file (SAM `CodeUri: src/app.py`) is packaged
        // alone: the handler's module is that file, at the package's root.
        let single_file = self.code_root.is_file().then(|| {
            let name = self
                .code_root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            if let Some(parent) = self.code_root.parent() {
                self.code_root = parent.to_path_buf();
            }
            name
        });
        let outcome = match (&self.unsupported, &self.handler) {
            (Some((level, reason)), _) => Err((*level, Code::UnsupportedFunction, reason.clone())),
            (None, None) => Err((
                Level::Error,
                Code::HandlerMissing,
                "no handler is configured".to_string(),
            )),
            (None, Some(h)) => {
                let runtime = self.runtime.as_deref().or(self.default_runtime);
                let shown = handler::shown_folder(root, &self.code_root);
                handler::resolve_handler(&self.code_root, &shown, h, runtime)
                    .and_then(|(file, export)| match &single_file {
                        Some(Some(only)) if *only != file => Err(format!(
                            "its code is the single file `{only}`, and handler `{h}` names `{file}`"
                        )),
                        _ => Ok((file, export)),
                    })
                    .or_else(|reason| self.entry_point_for(h).ok_or(reason))
                    .map_err(|reason| {
                        let is_runtime = self
                            .runtime
                            .as_deref()
                            .is_some_and(|r| style_for_runtime(r).is_none());
                        if is_runtime {
                            (Level::Warning, Code::UnsupportedFunction, reason)
                        } else {
                            (Level::Error, Code::HandlerFileNotFound, reason)
                        }
                    })
            }
        };
        let entry = match outcome {
            Ok((file, export)) => Entry::Handler { file, export },
            Err((level, code, reason)) => {
                diagnostics.push(Diagnostic::new(
                    level,
                    code,
                    format!(
                        "function `{}`: {reason}; it is listed without a policy",
                        self.name
                    ),
                    self.source.clone(),
                ));
                Entry::Unsupported { reason }
            }
        };
        for (variable, value) in &self.environment {
            let EnvValue::Template(parts) = value else {
                continue;
            };
            for why in crate::returns::misplaced_references(parts) {
                diagnostics.push(Diagnostic::new(
                    Level::Warning,
                    Code::MisplacedReference,
                    format!(
                        "function `{}`: environment variable `{variable}`: {why}",
                        self.name
                    ),
                    self.source.clone(),
                ));
            }
        }
        let environment = runtime::with_runtime_variables(
            self.environment,
            self.function_name,
            self.handler.as_deref(),
        );
        Function {
            name: self.name,
            handler: self.handler,
            runtime: self.runtime,
            code_root: self.code_root,
            entry,
            environment: Some(environment),
            framework: self.framework,
            source: self.source,
            declared: self.declared,
            triggers: Some(self.triggers),
            layers: self.layers,
            project: None,
        }
    }
}

impl Configured {
    /// The bundler entry point named like the handler's module (`app` for `app.handler`).
    fn entry_point_for(&self, handler: &str) -> Option<(String, String)> {
        let style = self
            .runtime
            .as_deref()
            .and_then(style_for_runtime)
            .unwrap_or(HandlerStyle::Node);
        let spec = HandlerSpec::parse(handler, style)?;
        let module = spec.module.rsplit('/').next()?;
        self.entry_points
            .iter()
            .find(|e| {
                let file = e.trim_start_matches("./");
                let name = file.rsplit('/').next().unwrap_or(file);
                name.split_once('.').is_some_and(|(stem, _)| stem == module)
                    && self.code_root.join(file).is_file()
            })
            .map(|e| (e.trim_start_matches("./").to_string(), spec.export))
    }
}
