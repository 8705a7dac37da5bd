//! leastrole-project: finds a project's Lambda functions.
//!
//! First stage of the pipeline: from a folder (Serverless `serverless.yml`, SAM
//! `template.yaml`, CDK `cdk.out`, or a plain folder / `--handler`) to the list of
//! functions with their handler file and export, runtime, environment values and the
//! policy the project declares for them. References (`!Ref`, `${self:…}`) are kept as
//! values for `leastrole-policy` to resolve into ARNs. A Serverless service can also come
//! already resolved by the framework, as a JSON manifest ([`discover_manifest`]).
//!
//! This file holds the model (`Function`, `Entry`, `EnvValue`, `ValuePart`,
//! `Discovery`); `discover.rs` decides which reader runs, `confine.rs` where reads may go.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod cdk;
mod cfn;
mod config;
mod configured;
mod confine;
pub mod declared;
mod discover;
mod encryption;
pub mod handler;
mod intrinsic;
mod layers;
mod manifest;
mod returns;
mod role;
mod runtime;
mod sam;
mod serverless;
mod terraform;
mod triggers;
mod vars;
mod walk;

use std::collections::BTreeMap;
use std::path::PathBuf;

use leastrole_core::{Code, Confine, Diagnostic, Level, Location};

pub use confine::confinement;
pub use declared::Declared;
pub use discover::discover;
pub use encryption::Encrypted;
pub use handler::{HandlerSpec, HandlerStyle, style_for_runtime};
pub use manifest::{MANIFEST_VERSION, ManifestError, ManifestProject, discover_manifest};
pub use returns::{ReferenceValue, reference_value, value_around_name};
pub use terraform::plan::{PlanError, check_terraform_plan};
pub use walk::source_files;

/// What a function runs: one handler export, or (plain folder) every source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A handler: file relative to the code root, and the export it names.
    Handler { file: String, export: String },
    /// A whole folder as one unit: every source file, relative to the code root.
    Folder { files: Vec<String> },
    /// A function leastrole lists but cannot analyse (a container image, another
    /// language, inline code, a missing handler file); the reason says which.
    Unsupported { reason: String },
}

/// Where a function was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Framework {
    /// `serverless.yml` / `.yaml` / `.json`.
    Serverless,
    /// A SAM `template.yaml` (`Transform: AWS::Serverless-2016-10-31`).
    Sam,
    /// A plain CloudFormation `template.yaml` (no SAM transform): its
    /// `AWS::Lambda::Function` resources.
    CloudFormation,
    /// A synthesized CDK cloud assembly (`cdk.out/*.template.json`).
    Cdk,
    /// A Terraform root module (`*.tf`): `aws_lambda_function` resources and
    /// `terraform-aws-modules/lambda/aws` modules, following local modules.
    Terraform,
    /// A folder without framework config: every source file is one unit.
    Plain,
    /// A `--handler` flag.
    Handler,
}

/// An environment variable's configured value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnvValue {
    /// A literal string.
    Literal(String),
    /// Literal text mixed with template references (`!Ref`, `!GetAtt`, `!Sub`, pseudo
    /// parameters) and Serverless variables, in order.
    Template(Vec<ValuePart>),
    /// Set, but to something that cannot be known statically (`${ssm:…}`, `${cf:…}`);
    /// the reason names it.
    Unknown(String),
}

/// One part of a configured value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ValuePart {
    Lit(String),
    /// `AWS::Region`, `AWS::AccountId`, `AWS::Partition`, `AWS::StackName`, `AWS::URLSuffix`.
    Pseudo(String),
    /// A reference to a resource of the same template: `Ref` (no attribute) or
    /// `Fn::GetAtt` (attribute).
    Ref {
        logical_id: String,
        attribute: Option<String>,
        /// It evaluates to a whole ARN (`GetAtt X.Arn`; `Ref` of an SNS topic, a state
        /// machine, a secret…).
        arn: bool,
        /// What it evaluates to when the template gives the physical name (e.g.
        /// `TableName: orders` → `orders`, or the ARN built from it), without references.
        physical: Option<Vec<ValuePart>>,
        /// The resource's `Type` (`AWS::SQS::Queue`), so a consumer can switch a
        /// reference to the attribute it needs (a queue's `Ref` is its URL; its ARN is
        /// `Fn::GetAtt Queue.Arn`).
        resource_type: Option<String>,
    },
    /// A part that cannot be known statically, with the reason.
    Unknown(String),
    /// A Serverless variable (`${self:custom.table}`, `${sls:stage}`,
    /// `${opt:stage, 'dev'}`), as the config writes it, and what it resolves to for the
    /// stage read. Only in a Serverless function's environment values, and only for a
    /// variable that resolves to text (literal text, pseudo parameters, other such
    /// variables): one giving a reference, a whole config object or an unknown part is
    /// its resolved parts instead. Resolution and matching use `resolved`; Serverless
    /// output writes `text`, which the framework resolves for the stage it deploys.
    Var {
        /// The whole variable, `${` to `}`, as written.
        text: String,
        resolved: Vec<ValuePart>,
    },
}

impl ValuePart {
    /// `parts` with every Serverless variable replaced by what it resolves to.
    pub fn without_vars(parts: &[ValuePart]) -> Vec<ValuePart> {
        let mut out = Vec::with_capacity(parts.len());
        for p in parts {
            match p {
                ValuePart::Var { resolved, .. } => out.extend(ValuePart::without_vars(resolved)),
                other => out.push(other.clone()),
            }
        }
        cfn::normalize(out)
    }
}

/// Configured value parts as one text, the one rendering of configured values:
/// literal text as it is, `${AWS::Region}` for a pseudo parameter, `${Logical}` /
/// `${Logical.Attr}` for a reference, `<unknown: why>` for an unknown part, and a
/// Serverless variable as what it resolves to.
///
/// The alternate form (`{:#}`) shows what the parts are made of, for tests and
/// debugging: `{!GetAtt Logical.Attr (arn) = physical}` for a reference and
/// `{${self:x} = resolved}` for a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueParts<'a>(pub &'a [ValuePart]);

impl std::fmt::Display for ValueParts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|p| p.fmt(f))
    }
}

impl std::fmt::Display for ValuePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValuePart::Lit(s) => f.write_str(s),
            ValuePart::Pseudo(name) => write!(f, "${{{name}}}"),
            ValuePart::Unknown(why) => write!(f, "<unknown: {why}>"),
            ValuePart::Ref {
                logical_id,
                attribute,
                arn,
                physical,
                ..
            } if f.alternate() => {
                match attribute {
                    Some(a) => write!(f, "{{!GetAtt {logical_id}.{a}")?,
                    None => write!(f, "{{!Ref {logical_id}")?,
                }
                if *arn {
                    f.write_str(" (arn)")?;
                }
                match physical {
                    Some(p) => write!(f, " = {:#}}}", ValueParts(p)),
                    None => f.write_str("}"),
                }
            }
            ValuePart::Ref {
                logical_id,
                attribute,
                ..
            } => match attribute {
                Some(a) => write!(f, "${{{logical_id}.{a}}}"),
                None => write!(f, "${{{logical_id}}}"),
            },
            ValuePart::Var { text, resolved } if f.alternate() => {
                write!(f, "{{{text} = {:#}}}", ValueParts(resolved))
            }
            ValuePart::Var { resolved, .. } => ValueParts(resolved).fmt(f),
        }
    }
}

/// One Lambda function to write a policy for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    /// The handler string as configured (`src/app.handler`), if any.
    pub handler: Option<String>,
    pub runtime: Option<String>,
    /// The folder handler paths are relative to.
    pub code_root: PathBuf,
    pub entry: Entry,
    /// `Some` when the project config defines the environment (a missing variable is
    /// then known to be unset); `None` when nothing is known about it.
    pub environment: Option<BTreeMap<String, EnvValue>>,
    /// Where the function comes from.
    pub framework: Framework,
    /// The config file (relative to the project folder) and line that declare it.
    pub source: Option<Location>,
    /// The role the project declares for it (`leastrole check`); `None` when the project
    /// declares none (a plain folder, `--handler`).
    pub declared: Option<Declared>,
    /// What invokes it, from the configuration: `Some` when the configuration was read
    /// (an empty list then means no trigger puts anything in its events that is known),
    /// `None` when nothing is known (a plain folder, `--handler`).
    pub triggers: Option<Vec<Trigger>>,
    /// The layers the configuration attaches to it whose content is a folder of the
    /// project, in the order configured (Lambda extracts them to `/opt` in that order).
    /// A layer given only by ARN is not here: discovery names it in a diagnostic.
    pub layers: Vec<Layer>,
    /// The project this function belongs to, as a path relative to the folder scanned,
    /// when that folder holds several projects (a monorepo): `services/orders`. The
    /// function's `name` is then `services/orders:createOrder`. `None` for a folder that
    /// is one project.
    pub project: Option<String>,
}

/// A Lambda layer whose content is a folder of the project: laid out as the runtime
/// sees it under `/opt` (`python/…`, `nodejs/node_modules/…`), so imports the function
/// cannot satisfy from its own code are looked up there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Layer {
    /// The layer's name in the configuration (a logical id, a Serverless layer name, a
    /// Terraform address).
    pub name: String,
    /// The folder whose content Lambda extracts to `/opt`, or to `/opt/<opt_dir>`.
    pub dir: PathBuf,
    /// Where `dir`'s content lands under `/opt`: `""` for `/opt` itself (the folder is
    /// laid out as a layer archive: `python/…`, `nodejs/node_modules/…`), `python` or
    /// `nodejs` when the build puts it there (SAM's `Metadata.BuildMethod: python3.12`
    /// copies `ContentUri`'s content into the layer's `python/` folder).
    pub opt_dir: String,
    /// The configuration file and line that declare the layer.
    pub source: Option<Location>,
}

/// Something the configuration wires to invoke a function, and what its events carry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Trigger {
    /// `s3`, `sqs`, `sns`, `kinesis`, `dynamodb-stream`, `eventbridge`, `websocket`,
    /// `cognito`, `custom-resource`…
    pub kind: String,
    /// What it is, for diagnostics: `S3 notifications of UploadBucket`.
    pub describe: String,
    /// The configuration file and line that declare it.
    pub source: Option<Location>,
    /// Event path (the syntax of `leastrole_lang::Value::Event`: `Records[].s3.bucket.name`)
    /// → what this trigger's events carry there. An unknown part stands for what the
    /// trigger leaves open (`uploads/<unknown>.jpg` for a key under a prefix and suffix
    /// filter).
    pub fields: BTreeMap<String, Vec<ValuePart>>,
}

/// Functions found, and what was seen but not understood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    pub functions: Vec<Function>,
    pub diagnostics: Vec<Diagnostic>,
    /// The project folder (PATH): reports give file paths relative to it.
    pub project_dir: PathBuf,
    /// The folders the analysis may read source files from (see [`confinement`]).
    pub confine: Confine,
    /// The major version a Serverless config's `frameworkVersion` names (`'3'` → 3), so
    /// Serverless output uses the keys that version reads.
    pub framework_version: Option<u32>,
    /// The template's resources encrypted with a customer-managed KMS key, and the key:
    /// a call on one needs the KMS actions of its operation on that key.
    pub encrypted: Vec<Encrypted>,
    /// The projects of a monorepo (PATH holds several projects and is none itself), by
    /// path, sorted; empty when PATH is one project. `framework_version` and `encrypted`
    /// above are then those of the one project `--function` selected, if any.
    pub projects: Vec<SubProject>,
}

/// One project of a monorepo, and what is known of it as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubProject {
    /// Its folder relative to the folder scanned, `/`-separated: `services/orders`.
    pub path: String,
    /// As [`Discovery::framework_version`], for this project.
    pub framework_version: Option<u32>,
    /// As [`Discovery::encrypted`], for this project: logical ids are its template's.
    pub encrypted: Vec<Encrypted>,
}

impl Discovery {
    /// Keep only the functions named (`--function`); a name that matches none is an
    /// `unknown-function` error (one that matches functions of several projects of a
    /// monorepo, `ambiguous-function`), and diagnostics about the functions left out go
    /// too. Returns the full names of the functions selected.
    pub fn select(&mut self, names: &[String]) -> Vec<String> {
        discover::select(self, names)
    }

    /// The encrypted resources of the project `f` belongs to.
    pub fn encrypted_for(&self, f: &Function) -> &[Encrypted] {
        match &f.project {
            Some(path) => self
                .projects
                .iter()
                .find(|p| &p.path == path)
                .map_or(&[], |p| p.encrypted.as_slice()),
            None => &self.encrypted,
        }
    }

    /// The errors that say a configuration file could not be read (a parse error, a
    /// template whose `Resources` is not a mapping): the project is not what the config
    /// says, so a command should stop unless the user asked to fall back.
    pub fn config_errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| is_config_error(d))
    }
}

/// Whether a diagnostic says a configuration file could not be read (or, for a CDK app
/// never synthesized, is not there to read).
pub fn is_config_error(d: &Diagnostic) -> bool {
    d.level == Level::Error
        && (d.code == Code::ConfigParseError
            || d.code == Code::ConfigWrongType
            || d.code == Code::CdkNotSynthesized)
}

/// Options from the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoverOptions {
    /// `--handler` strings, relative to the project folder.
    pub handlers: Vec<String>,
    /// `--function` names; empty means all.
    pub functions: Vec<String>,
    /// `--stage`: the Serverless stage (`${opt:stage}`, `${sls:stage}`); `dev` when unset
    /// and the config sets none.
    pub stage: Option<String>,
    /// `--use-env`: resolve Serverless `${env:X}` from this process's environment.
    pub use_env: bool,
    /// `--config-fallback`: when no config can be read, read the folder as one plain
    /// unit (with a `config-fallback` warning) instead of finding no function.
    pub config_fallback: bool,
    /// `--allow-outside`: folders outside the project's repository that may be read.
    pub allow_outside: Vec<PathBuf>,
    /// `--var-file`: Terraform variable files read after `terraform.tfvars` and
    /// `*.auto.tfvars`, in order (later values win, as with `terraform plan`).
    pub var_files: Vec<PathBuf>,
    /// `--terraform-plan`: a plan as `terraform show -json` writes it; its planned
    /// values name the resources exactly.
    pub terraform_plan: Option<PathBuf>,
    /// `--cdk-out`: a CDK app's synthesized cloud assembly, when it is not `cdk.out`
    /// beside `cdk.json`.
    pub cdk_out: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_values_display_as_written_and_in_detail() {
        let parts = [
            ValuePart::Lit("arn:".into()),
            ValuePart::Pseudo("AWS::Partition".into()),
            ValuePart::Lit(":s3:::".into()),
            ValuePart::Var {
                text: "${self:custom.bucket}".into(),
                resolved: vec![
                    ValuePart::Var {
                        text: "${sls:stage}".into(),
                        resolved: vec![ValuePart::Lit("dev".into())],
                    },
                    ValuePart::Lit("-files".into()),
                ],
            },
            ValuePart::Lit("/".into()),
            ValuePart::Ref {
                logical_id: "Prefix".into(),
                attribute: Some("Value".into()),
                arn: false,
                physical: Some(vec![ValuePart::Lit("in".into())]),
                resource_type: None,
            },
            ValuePart::Unknown("${ssm:/key}".into()),
        ];
        assert_eq!(
            ValueParts(&parts).to_string(),
            "arn:${AWS::Partition}:s3:::dev-files/${Prefix.Value}<unknown: ${ssm:/key}>"
        );
        assert_eq!(
            format!("{:#}", ValueParts(&parts)),
            "arn:${AWS::Partition}:s3:::{${self:custom.bucket} = {${sls:stage} = dev}-files}/{!GetAtt Prefix.Value = in}<unknown: ${ssm:/key}>"
        );
        assert_eq!(
            ValuePart::without_vars(&parts[2..5]),
            [ValuePart::Lit(":s3:::dev-files/".into())]
        );
    }
}
