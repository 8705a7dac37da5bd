//! Values the Python front-end computes, resolved end to end: a queue URL or function
//! ARN returned by an SDK call names that exact resource (fixtures/python/
//! sdk_results_name_resources.py).

use std::collections::BTreeSet;
use std::path::Path;

use leastrole_core::Code;
use leastrole_lang::CallKind;
use leastrole_maps::Maps;
use leastrole_policy::{ArnEnv, EnvContext, Options, resolve_call};

/// (action, resource) pairs and diagnostic codes of every call to `method` in `fixture`.
fn resolved(fixture: &str, method: &str) -> (BTreeSet<(String, String)>, BTreeSet<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/python");
    let program = leastrole_lang::analyze(&root, &[fixture.to_string()]);
    let env = ArnEnv {
        partition: Some("aws".into()),
        region: Some("us-east-1".into()),
        account: Some("111122223333".into()),
    };
    let mut grants = BTreeSet::new();
    let mut codes = BTreeSet::new();
    for call in program.all_calls() {
        if !matches!(&call.call, CallKind::Method { name } if name == method) {
            continue;
        }
        let (g, diagnostics) = resolve_call(
            Maps::embedded(),
            call,
            &EnvContext::default(),
            &Options::default(),
        )
        .expect("maps load");
        grants.extend(g.into_iter().map(|g| (g.action, g.resource.render(&env))));
        codes.extend(diagnostics.into_iter().map(|d| d.code));
    }
    (grants, codes)
}

#[test]
fn a_queue_url_from_get_queue_url_is_that_queue_in_the_deployment_account() {
    let (grants, codes) = resolved("sdk_results_name_resources.py", "send_message");
    // The first queue is exact; the other account's queue is not invented.
    assert!(
        grants.contains(&(
            "sqs:SendMessage".to_string(),
            "arn:aws:sqs:us-east-1:111122223333:jobs".to_string()
        )),
        "{grants:?}"
    );
    assert!(
        grants.contains(&(
            "sqs:SendMessage".to_string(),
            "arn:aws:sqs:us-east-1:111122223333:*".to_string()
        )),
        "{grants:?}"
    );
    assert!(
        codes.contains(Code::UnresolvedResource.as_str()),
        "{codes:?}"
    );
}

#[test]
fn a_function_arn_from_get_function_is_that_function() {
    let (grants, codes) = resolved("sdk_results_name_resources.py", "invoke");
    assert_eq!(
        grants,
        BTreeSet::from([(
            "lambda:InvokeFunction".to_string(),
            "arn:aws:lambda:us-east-1:111122223333:function:worker".to_string()
        )])
    );
    // The unknown partition, region and account of the ARN leave no wildcard, so no
    // note about one.
    assert!(
        !codes.contains(Code::UnresolvedResource.as_str()),
        "{codes:?}"
    );
}
