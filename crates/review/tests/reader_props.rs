//! The `diff` input reader never panics: arbitrary text, and arbitrary JSON shaped like
//! reports and policy documents, read into a policy set or a `ReadError` (the cheap,
//! always-run companion of `fuzz/fuzz_targets/diff_reader.rs`).

use leastrole_maps::Maps;
use leastrole_review::{Catalog, PolicySet, diff};
use proptest::prelude::*;
use serde_json::{Value, json};

/// JSON values biased towards the reader's field names.
fn value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("Version".to_string()),
        Just("Statement".to_string()),
        Just("Effect".to_string()),
        Just("Action".to_string()),
        Just("NotAction".to_string()),
        Just("Resource".to_string()),
        Just("NotResource".to_string()),
        Just("Condition".to_string()),
        Just("version".to_string()),
        Just("functions".to_string()),
        Just("name".to_string()),
        Just("policy".to_string()),
        Just("grants".to_string()),
        Just("sources".to_string()),
        Just("line".to_string()),
        "[a-z]{1,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop_oneof![
            Just("Allow".to_string()),
            Just("Deny".to_string()),
            Just("*".to_string()),
            Just("s3:Get*".to_string()),
            Just("arn:aws:s3:::b/*".to_string()),
            ".{0,12}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Policy documents: statements with known and odd fields, strings or lists.
fn policy() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        Just(json!("*")),
        Just(json!("s3:GetObject")),
        Just(json!("s3:Get*")),
        Just(json!("dynamodb:*")),
        Just(json!("arn:aws:s3:::b/*")),
        Just(json!("arn:aws:dynamodb:*:*:table/t")),
        Just(json!(["s3:PutObject", "sqs:SendMessage"])),
        Just(json!([])),
        value(),
    ];
    let statement = (
        prop_oneof![Just(json!("Allow")), Just(json!("Deny")), value()],
        prop_oneof![Just("Action"), Just("NotAction")],
        text.clone(),
        prop_oneof![Just("Resource"), Just("NotResource")],
        text,
        proptest::option::of(value()),
    )
        .prop_map(|(effect, ak, action, rk, resource, condition)| {
            let mut s = serde_json::Map::new();
            s.insert("Effect".into(), effect);
            s.insert(ak.into(), action);
            s.insert(rk.into(), resource);
            if let Some(c) = condition {
                s.insert("Condition".into(), c);
            }
            Value::Object(s)
        });
    prop::collection::vec(statement, 0..5)
        .prop_map(|st| json!({"Version": "2012-10-17", "Statement": st}))
}

proptest! {
    #[test]
    fn policy_documents_read_or_error_and_diff(old in policy(), new in policy()) {
        let catalog = Catalog::new(Maps::embedded());
        let old = PolicySet::read(&old.to_string(), "f", &catalog);
        let new = PolicySet::read(&new.to_string(), "f", &catalog);
        if let (Ok(old), Ok(new)) = (old, new) {
            let there = diff(&old, &new, &catalog).unwrap();
            let back = diff(&new, &old, &catalog).unwrap();
            // What one direction adds, the other removes.
            let count = |r: &leastrole_review::Review, kind: &str| {
                r.functions.iter().flat_map(|f| &f.findings).filter(|f| f.kind.as_str() == kind).count()
            };
            prop_assert_eq!(count(&there, "added"), count(&back, "removed"));
            prop_assert_eq!(count(&there, "removed"), count(&back, "added"));
        }
    }

    #[test]
    fn arbitrary_text_reads_or_errors(text in ".{0,200}") {
        let catalog = Catalog::new(Maps::embedded());
        let _ = PolicySet::read(&text, "t", &catalog);
    }

    #[test]
    fn shaped_json_reads_or_errors_and_diffs(v in value()) {
        let catalog = Catalog::new(Maps::embedded());
        if let Ok(set) = PolicySet::read(&v.to_string(), "t", &catalog) {
            let review = diff(&set, &set, &catalog).unwrap();
            // A set compared with itself adds and removes nothing.
            prop_assert!(review.functions.iter().all(|f| f.findings.is_empty()));
        }
    }
}
