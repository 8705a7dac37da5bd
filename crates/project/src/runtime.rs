//! The environment variables the Lambda runtime sets in every function
//! (docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
//!
//! A configured environment tells `leastrole-policy` that a variable it does not list is
//! unset, so `os.environ.get("AWS_REGION", "us-east-1")` would take the code's default and
//! name the wrong region. These are added (unless the config sets them) with what is known:
//! the region pseudo parameter, the function's name and log group when the config gives the
//! name, and a named unknown for the rest.

use std::collections::BTreeMap;

use crate::cfn::normalize;
use crate::{EnvValue, ValuePart};

/// Variables the runtime sets whose values leastrole cannot know, sorted.
const UNKNOWN: &[&str] = &[
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_XRAY_CONTEXT_MISSING",
    "AWS_XRAY_DAEMON_ADDRESS",
    "LAMBDA_RUNTIME_DIR",
    "_X_AMZN_TRACE_ID",
];

/// `environment` with the runtime's variables added where the config does not set them.
pub(crate) fn with_runtime_variables(
    mut environment: BTreeMap<String, EnvValue>,
    function_name: Option<Vec<ValuePart>>,
    handler: Option<&str>,
) -> BTreeMap<String, EnvValue> {
    let region = EnvValue::Template(vec![ValuePart::Pseudo("AWS::Region".into())]);
    let name = match function_name {
        Some(parts) if !parts.is_empty() => parts,
        _ => vec![ValuePart::Unknown(
            "the function name CloudFormation generates".into(),
        )],
    };
    let mut log_group = vec![ValuePart::Lit("/aws/lambda/".into())];
    log_group.extend(name.iter().cloned());
    let mut known = vec![
        ("AWS_DEFAULT_REGION", region.clone()),
        ("AWS_REGION", region),
        ("AWS_LAMBDA_FUNCTION_NAME", crate::cfn::env_value(name)),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            crate::cfn::env_value(normalize(log_group)),
        ),
        ("LAMBDA_TASK_ROOT", EnvValue::Literal("/var/task".into())),
    ];
    if let Some(h) = handler {
        known.push(("_HANDLER", EnvValue::Literal(h.to_string())));
    }
    for (k, v) in known {
        environment.entry(k.to_string()).or_insert(v);
    }
    for k in UNKNOWN {
        environment
            .entry((*k).to_string())
            .or_insert_with(|| EnvValue::Unknown(format!("{k} is set by the Lambda runtime")));
    }
    environment
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_list_is_sorted() {
        assert!(UNKNOWN.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn configured_values_win_and_names_fill_the_log_group() {
        let mut env = BTreeMap::new();
        env.insert("AWS_REGION".to_string(), EnvValue::Literal("x".into()));
        let env = with_runtime_variables(
            env,
            Some(vec![ValuePart::Lit("svc-dev-a".into())]),
            Some("a.handler"),
        );
        assert_eq!(env["AWS_REGION"], EnvValue::Literal("x".into()));
        assert_eq!(
            env["AWS_LAMBDA_LOG_GROUP_NAME"],
            EnvValue::Literal("/aws/lambda/svc-dev-a".into())
        );
        assert_eq!(
            env["AWS_DEFAULT_REGION"],
            EnvValue::Template(vec![ValuePart::Pseudo("AWS::Region".into())])
        );
    }
}
