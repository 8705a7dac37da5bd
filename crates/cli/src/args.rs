//! The command line, as clap parses it. Raw flags only; `crate::cmd` validates them into
//! the options each stage takes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use leastrole_review::FailOn;

#[derive(Debug, Parser)]
#[command(
    name = "leastrole",
    version,
    about = "Least-privilege IAM policies for AWS Lambda functions, read from their source",
    long_about = "leastrole reads Lambda handler code (Python, JavaScript, TypeScript), finds every AWS SDK call \
                  each function can make, and writes the smallest IAM policy that allows them, with the source \
                  line behind every permission. It never runs your code and never contacts AWS.",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate one least-privilege policy per function.
    Generate(GenerateArgs),
    /// List the AWS SDK calls found in the source, with their locations.
    Calls(CallsArgs),
    /// Show the embedded service maps: services, operations, actions and resources.
    Maps(MapsArgs),
    /// Compare what each function needs with the role its project declares.
    Check(CheckArgs),
    /// Compare two reports or policy documents, or the working tree with a git revision.
    Diff(DiffArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Project folder (default: the current folder).
    pub path: Option<PathBuf>,
    /// Read the project from a manifest (JSON; `-` for stdin), as `generate --manifest`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["path", "stage", "use_env"])]
    pub manifest: Option<PathBuf>,
    /// Only these functions (by name); repeatable.
    #[arg(long = "function", value_name = "NAME")]
    pub functions: Vec<String>,
    /// Serverless stage for `${opt:stage}` and `${sls:stage}` (default: the config's, else `dev`).
    #[arg(long, value_name = "S")]
    pub stage: Option<String>,
    /// Resolve Serverless `${env:X}` variables from this process's environment.
    #[arg(long)]
    pub use_env: bool,
    /// When a configuration file cannot be read, carry on without it (a plain-folder
    /// read when no config can be read) instead of exiting 2; the error is still shown.
    #[arg(long)]
    pub config_fallback: bool,
    /// Also read source files under DIR, outside the repository that holds PATH (reads
    /// are confined to it, or to PATH outside a repository); repeatable.
    #[arg(long = "allow-outside", value_name = "DIR")]
    pub allow_outside: Vec<PathBuf>,
    #[command(flatten)]
    pub iac: IacArgs,
    #[command(flatten)]
    pub arn: ArnArgs,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Extra service maps layered over the embedded ones (same layout as service-maps/).
    #[arg(long, value_name = "DIR", env = "LEASTROLE_MAPS")]
    pub maps: Option<PathBuf>,
    /// Output format (default: text on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<ReviewFormat>,
    /// Exit 1 when a finding of this kind remains (docs/cli.md defines each level).
    #[arg(long, value_parser = fail_on_levels(), default_value = "missing")]
    pub fail_on: FailOn,
    /// Also exit 1 when any warning-level diagnostic remains (as `generate --strict`).
    #[arg(long)]
    pub strict: bool,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// OLD and NEW: `generate --format json` reports or IAM policy documents. With
    /// `--git`, at most one: the project folder (default: the current folder).
    #[arg(value_name = "OLD NEW | PATH", num_args = 0..=2)]
    pub paths: Vec<PathBuf>,
    /// Compare the policies generated at git revision BASE with the working tree's.
    #[arg(long, value_name = "BASE")]
    pub git: Option<String>,
    /// With `--git`: only these functions (by name); repeatable.
    #[arg(long = "function", value_name = "NAME", requires = "git")]
    pub functions: Vec<String>,
    /// With `--git`: the Serverless stage.
    #[arg(long, value_name = "S", requires = "git")]
    pub stage: Option<String>,
    /// With `--git`: resolve Serverless `${env:X}` from this process's environment.
    #[arg(long, requires = "git")]
    pub use_env: bool,
    /// With `--git`: when a configuration file cannot be read, carry on without it (a plain-folder
    /// read when no config can be read) instead of exiting 2; the error is still shown.
    #[arg(long, requires = "git")]
    pub config_fallback: bool,
    /// With `--git`: also read source files under DIR, outside the repository; repeatable.
    #[arg(long = "allow-outside", value_name = "DIR", requires = "git")]
    pub allow_outside: Vec<PathBuf>,
    /// With `--git`: where infrastructure-as-code inputs are, as for `generate`.
    #[command(flatten)]
    pub iac: IacArgs,
    #[command(flatten)]
    pub arn: ArnArgs,
    /// With `--git`: the analysis options, as for `generate` (OLD and NEW reports were
    /// generated already).
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Extra service maps layered over the embedded ones (same layout as service-maps/).
    #[arg(long, value_name = "DIR", env = "LEASTROLE_MAPS")]
    pub maps: Option<PathBuf>,
    /// Output format (default: text on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<ReviewFormat>,
    /// Exit 1 when a finding of this kind remains (docs/cli.md defines each level).
    #[arg(long, value_parser = fail_on_levels(), default_value = "never")]
    pub fail_on: FailOn,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    /// Compact, for terminals.
    Text,
    /// A PR comment, with a hidden marker line for in-place updates.
    Markdown,
    /// The versioned review document (docs/output-schema.md).
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub workflow-command annotations (plus the job summary in `$GITHUB_STEP_SUMMARY`).
    Github,
}

/// `--fail-on`'s values and their help, from the one definition in leastrole-review.
fn fail_on_levels() -> impl clap::builder::TypedValueParser<Value = FailOn> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(
        FailOn::ALL
            .iter()
            .map(|f| clap::builder::PossibleValue::new(f.as_str()).help(f.help())),
    )
    .try_map(|s| s.parse::<FailOn>())
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Project folder (default: the current folder).
    pub path: Option<PathBuf>,
    /// Read the project from a manifest (JSON; `-` for stdin): a Serverless service as
    /// the framework resolved it, as the serverless-leastrole plugin sends it.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["path", "handlers", "stage", "use_env"])]
    pub manifest: Option<PathBuf>,
    /// A Lambda handler relative to PATH (`src/app.handler`); repeatable.
    #[arg(long = "handler", value_name = "H")]
    pub handlers: Vec<String>,
    /// Only these functions (by name); repeatable.
    #[arg(long = "function", value_name = "NAME")]
    pub functions: Vec<String>,
    /// Output format (default: text on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<GenerateFormat>,
    /// Show the source lines behind every grant.
    #[arg(long)]
    pub explain: bool,
    /// Which Serverless keys `--format serverless` writes (default: the config's
    /// `frameworkVersion`, v3 for 3 and v4 otherwise).
    #[arg(long, value_enum)]
    pub serverless_flavor: Option<Flavor>,
    #[command(flatten)]
    pub arn: ArnArgs,
    /// Serverless stage for `${opt:stage}` and `${sls:stage}` (default: the config's, else `dev`).
    #[arg(long, value_name = "S")]
    pub stage: Option<String>,
    /// Resolve Serverless `${env:X}` variables from this process's environment.
    #[arg(long)]
    pub use_env: bool,
    /// When a configuration file cannot be read, carry on without it (a plain-folder
    /// read when no config can be read) instead of exiting 2; the error is still shown.
    #[arg(long)]
    pub config_fallback: bool,
    /// Also read source files under DIR, outside the repository that holds PATH (reads
    /// are confined to it, or to PATH outside a repository); repeatable.
    #[arg(long = "allow-outside", value_name = "DIR")]
    pub allow_outside: Vec<PathBuf>,
    #[command(flatten)]
    pub iac: IacArgs,
    /// Exit 1 when any warning-level diagnostic remains.
    #[arg(long)]
    pub strict: bool,
    /// No progress display on stderr (it only appears on a terminal, after a second);
    /// with `--format json`, no copy of the report's diagnostics on stderr either.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Every diagnostic on stderr, one line each: on a terminal, more than ten are
    /// otherwise summarised (counts per code and level, the first few of each).
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Extra service maps layered over the embedded ones (same layout as service-maps/).
    #[arg(long, value_name = "DIR", env = "LEASTROLE_MAPS")]
    pub maps: Option<PathBuf>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

/// Where infrastructure-as-code inputs are, beyond the project folder (`generate`,
/// `check`, `diff --git`): one group, so the commands cannot drift apart.
#[derive(Debug, Args, Clone, Default, PartialEq, Eq)]
pub struct IacArgs {
    /// A Terraform variable file, read after `terraform.tfvars` and `*.auto.tfvars`
    /// (later values win); repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// A Terraform plan as `terraform show -json` writes it: its planned values name
    /// every resource exactly.
    #[arg(long, value_name = "FILE")]
    pub terraform_plan: Option<PathBuf>,
    /// A CDK app's synthesized cloud assembly, when it is not `cdk.out` beside `cdk.json`.
    #[arg(long, value_name = "DIR")]
    pub cdk_out: Option<PathBuf>,
}

/// The analysis options every command that generates policies takes (`generate`,
/// `check`, `diff --git`): one group, so the commands cannot drift apart.
#[derive(Debug, Args, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalysisArgs {
    /// Assume customer-managed KMS keys: add the KMS actions SSE-KMS encrypted
    /// S3 objects, DynamoDB tables, Kinesis streams, SNS topics need.
    #[arg(long)]
    pub kms: bool,
    /// Include `iam:PassRole` for roles an operation passes inside its configuration
    /// (not as a top-level role parameter, which is always seen).
    #[arg(long)]
    pub pass_role: bool,
    /// S3 HeadObject callers that must tell a missing key (404) from a forbidden one
    /// (403): add `s3:ListBucket` on the bucket.
    #[arg(long)]
    pub s3_not_found: bool,
}

/// Values for the ARN environment placeholders.
#[derive(Debug, Args, Clone, Default)]
pub struct ArnArgs {
    /// Partition for ARNs (`aws`, `aws-cn`, `aws-us-gov`); default `*`.
    #[arg(long, value_name = "P", env = "LEASTROLE_PARTITION")]
    pub partition: Option<String>,
    /// Region for ARNs; default `*`.
    #[arg(long, value_name = "R", env = "LEASTROLE_REGION")]
    pub region: Option<String>,
    /// Account id for ARNs; default `*`.
    #[arg(long, value_name = "A", env = "LEASTROLE_ACCOUNT")]
    pub account: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenerateFormat {
    /// Per function: a table of action, resource and first source line.
    Text,
    /// The versioned report (docs/output-schema.md).
    Json,
    /// Bare IAM policy documents.
    Iam,
    /// An `AWS::IAM::Role` per function, ready to paste under `Resources:`.
    Cloudformation,
    /// Serverless Framework per-function statements (see `--serverless-flavor`).
    Serverless,
    /// SAM `Policies:` per function.
    Sam,
    /// Terraform `data "aws_iam_policy_document"` blocks.
    Terraform,
    /// JSON: per function, the statements as CloudFormation values (references stay
    /// references), and the diagnostics; what the Serverless plugin reads.
    Statements,
}

impl GenerateFormat {
    /// Whether the format patches one project's configuration (its functions under their
    /// names there), so that a monorepo's run must pick one project.
    pub fn is_paste_ready(self) -> bool {
        matches!(
            self,
            Self::Cloudformation | Self::Serverless | Self::Sam | Self::Terraform
        )
    }

    /// The name `--format` takes.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Flavor {
    /// `functions.<f>.iam.role.statements` (Serverless v4).
    V4,
    /// `functions.<f>.iamRoleStatements` (v3 with serverless-iam-roles-per-function).
    V3,
}

#[derive(Debug, Args)]
pub struct CallsArgs {
    /// Folder to scan (every Python, JavaScript and TypeScript file in it).
    pub path: PathBuf,
    /// Also read source files under DIR, outside the repository that holds PATH (reads
    /// are confined to it, or to PATH outside a repository); repeatable.
    #[arg(long = "allow-outside", value_name = "DIR")]
    pub allow_outside: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct MapsArgs {
    /// A service: botocore name (`s3`), JS v2 class (`S3`), v3 package or IAM prefix.
    pub service: Option<String>,
    /// An operation: API name (`GetObject`), boto3 (`get_object`), JS (`getObject`) or v3 command.
    pub operation: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Check every table against the IAM action list and exit 1 on problems.
    #[arg(long, conflicts_with_all = ["service", "operation"])]
    pub validate: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}
