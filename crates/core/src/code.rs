//! Every diagnostic code leastrole reports, in one registry: the stable name consumers
//! match on (JSON `code`, SARIF rule ids, GitHub annotation titles), the level it is
//! usually reported at, and what it means. docs/output-schema.md lists each one (a test
//! checks both ways); a new finding gets a code here first.

use crate::Level;

macro_rules! codes {
    ($( $variant:ident = $name:literal, $level:ident, $meaning:literal; )*) => {
        /// A diagnostic code. Its name ([`Code::as_str`]) is part of the output contract:
        /// never renamed within a report version.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $variant, )*
        }

        impl Code {
            /// Every code, sorted by name.
            pub const ALL: &'static [Code] = &[$( Code::$variant, )*];

            /// The stable kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Code::$variant => $name, )*
                }
            }

            /// The level it is usually reported at (some codes are raised or lowered
            /// where the context says more: docs/output-schema.md has the rule).
            pub fn level(self) -> Level {
                match self {
                    $( Code::$variant => Level::$level, )*
                }
            }

            /// One line on what it means.
            pub fn meaning(self) -> &'static str {
                match self {
                    $( Code::$variant => $meaning, )*
                }
            }
        }
    };
}

codes! {
    AnalysisBudget = "analysis-budget", Warning,
        "a module too intricate to analyse within the time budget: some values are unknown, some calls may be missed";
    BinaryFile = "binary-file", Warning, "a source file that looks binary was skipped";
    CdkAssetNotMapped = "cdk-asset-not-mapped", Info,
        "a CDK function's code is read from its cdk.out asset, not from the app's source";
    CdkNotSynthesized = "cdk-not-synthesized", Error,
        "a CDK app (cdk.json) without its synthesized cloud assembly (cdk.out): run `cdk synth` first";
    ConditionalActionKept = "conditional-action-kept", Info,
        "an action needed only under a parameter the code does not show was kept";
    ConfigFallback = "config-fallback", Warning,
        "--config-fallback: no config could be read, the folder was read as one plain unit";
    ConfigFileNotRead = "config-file-not-read", Error,
        "one file of a configuration made of several (a Terraform .tf file) could not be read; the others were";
    ConfigNotRead = "config-not-read", Warning,
        "a config written as code (serverless.ts/.js) is not run, so not read";
    ConfigParseError = "config-parse-error", Error, "a framework config could not be read";
    ConfigWrongType = "config-wrong-type", Warning, "a config key has the wrong shape and is ignored";
    DeclaredGrantUnknown = "declared-grant-unknown", Warning,
        "part of a declared role's grant is not known (a managed policy or a value leastrole cannot read)";
    DeclaredStatementUnreadable = "declared-statement-unreadable", Warning,
        "a declared policy statement could not be read";
    DynamicCommand = "dynamic-command", Warning, "a JS SDK v3 command that is computed at run time";
    DynamicImport = "dynamic-import", Warning, "a module imported by a computed name";
    DynamicMethod = "dynamic-method", Warning, "an SDK method that is computed at run time";
    DynamicOperation = "dynamic-operation", Warning,
        "a JS SDK v2 makeRequest/request whose operation is computed at run time";
    DynamicService = "dynamic-service", Warning, "an SDK client whose service is computed at run time";
    EventValueFromTrigger = "event-value-from-trigger", Info,
        "a value the code reads from its event is taken from the function's triggers: the policy assumes only they invoke it";
    FileTooLarge = "file-too-large", Warning, "a source file over the size limit was skipped";
    FunctionNotAnalysed = "function-not-analysed", Info,
        "a function listed without a policy: its code could not be analysed (error when named)";
    HandlerExportNotFound = "handler-export-not-found", Error, "the handler file has no such export";
    HandlerFileNotFound = "handler-file-not-found", Error, "no source file for the handler";
    HandlerMissing = "handler-missing", Error, "a function with no handler configured";
    InvalidUtf8 = "invalid-utf8", Warning,
        "a source file is not valid UTF-8 and was read with replacement characters";
    KmsKeyNotCovered = "kms-key-not-covered", Warning,
        "a call on a resource the template encrypts with a customer-managed key, whose KMS permissions the tables do not list";
    LayerNotFollowed = "layer-not-followed", Warning,
        "a layer not traced to a folder of the project (given by ARN): calls in its code are not in the policy";
    MisplacedReference = "misplaced-reference", Warning,
        "a configured ARN built around a reference that is not a name (a queue's URL, a topic's ARN): wrong at deploy time";
    NestedProjects = "nested-projects", Warning,
        "folders below a plain folder are projects of their own";
    NestingTooDeep = "nesting-too-deep", Warning,
        "Python expressions nested too deeply to analyse fully";
    NoFunctions = "no-functions", Warning, "nothing to analyse: no config, no function, no source";
    NoResourceType = "no-resource-type", Info,
        "an action IAM authorizes on no resource type: its `*` is not a missed resolution";
    NoSdkCalls = "no-sdk-calls", Info, "the function makes no AWS SDK call";
    NotAws = "not-aws", Warning, "a Serverless provider that is not AWS: no functions read";
    OpaqueHandler = "opaque-handler", Info,
        "a handler export that is not a function defined in its module (a framework app)";
    OutsideProject = "outside-project", Warning,
        "a path outside the repository that holds the project was not read";
    ParseFailed = "parse-failed", Warning, "the parser could not run on a file";
    PassRoleLeftOut = "pass-role-left-out", Warning,
        "iam:PassRole may be needed for a role passed inside a configuration (--pass-role)";
    SamGlobalsPolicies = "sam-globals-policies", Warning,
        "SAM Globals cannot hold Policies; those are ignored";
    SyntaxError = "syntax-error", Warning,
        "part of a file did not parse; calls elsewhere in it are still found";
    TooDeep = "too-deep", Warning, "JavaScript code nested too deeply is not analysed";
    TooManyResources = "too-many-resources", Warning,
        "a call expands to too many resources; a wildcard is used";
    UnknownFunction = "unknown-function", Error, "a --function name that does not exist";
    UnknownMethod = "unknown-method", Warning,
        "a method, command or helper the maps do not know on a known client";
    UnknownService = "unknown-service", Warning, "an SDK service that is not in the maps";
    UnknownWaiter = "unknown-waiter", Warning, "a waiter the service does not have";
    UnmappedOperation = "unmapped-operation", Warning, "an operation with no known IAM action";
    UnreadableFile = "unreadable-file", Warning, "a source file that could not be read was skipped";
    UnreadablePath = "unreadable-path", Warning, "a folder entry that could not be read was skipped";
    UnresolvedClient = "unresolved-client", Warning, "an SDK call on a client leastrole cannot trace";
    UnresolvedImport = "unresolved-import", Warning, "a local import leastrole cannot find";
    UnresolvedReference = "unresolved-reference", Warning,
        "a template reference with no value in the template is `*` in plain output";
    UnresolvedResource = "unresolved-resource", Warning,
        "a request parameter could not be resolved; `*` stands in its part of the ARN";
    UnsupportedFile = "unsupported-file", Warning, "a file of a language leastrole does not read";
    UnsupportedFunction = "unsupported-function", Warning,
        "a function leastrole cannot analyse (container image, other runtime, inline code)";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = ();

    fn from_str(s: &str) -> Result<Code, ()> {
        Code::ALL
            .binary_search_by(|c| c.as_str().cmp(s))
            .ok()
            .and_then(|i| Code::ALL.get(i).copied())
            .ok_or(())
    }
}

impl PartialEq<Code> for String {
    fn eq(&self, other: &Code) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn names_are_sorted_unique_kebab_case_and_parse_back() {
        for w in Code::ALL.windows(2) {
            assert!(w[0].as_str() < w[1].as_str(), "{} before {}", w[0], w[1]);
        }
        for c in Code::ALL {
            assert!(
                c.as_str()
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
                "{c}"
            );
            assert_eq!(c.as_str().parse::<Code>(), Ok(*c));
            assert!(!c.meaning().is_empty());
        }
        assert_eq!("no-such-code".parse::<Code>(), Err(()));
    }
}
