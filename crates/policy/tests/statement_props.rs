//! Property tests for statement building: merging never widens or narrows access, Sids are
//! unique and alphanumeric, and the output does not depend on the input order.

use std::collections::{BTreeMap, BTreeSet};

use leastrole_policy::statement::{Pair, grant_pairs, service_prefix};
use leastrole_policy::{ArnEnv, ConditionBlock, Grant, Part, Resource, build_policy};
use proptest::prelude::*;

/// A small alphabet so that random grants share actions and resources often and the
/// interesting merges happen.
fn action() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["s3", "S3", "dynamodb", "execute-api", "kms", "x2"]),
        prop::sample::select(vec![
            "GetObject",
            "PutObject",
            "ListBucket",
            "GetItem",
            "DeleteItem",
            "Decrypt",
            "ManageConnections",
            "Scan",
        ]),
    )
        .prop_map(|(prefix, name)| format!("{prefix}:{name}"))
}

fn resource() -> impl Strategy<Value = Resource> {
    prop_oneof![
        1 => Just(Resource::any()),
        6 => prop::sample::select(vec![
            "arn:aws:s3:::invoices",
            "arn:aws:s3:::invoices/*",
            "arn:aws:s3:::reports/*",
            "arn:aws:dynamodb:*:*:table/Orders",
            "arn:aws:dynamodb:*:*:table/Orders/index/*",
        ])
        .prop_map(Resource::literal),
        // Renders as `arn:*:kms:…`, like a wildcard would: distinct values, same text.
        1 => Just(Resource::new([
            Part::Lit { text: "arn:".into() },
            Part::Partition,
            Part::Lit { text: ":kms:us-east-1:1:key/k".into() },
        ])),
        1 => Just(Resource::literal("arn:*:kms:us-east-1:1:key/k")),
    ]
}

fn condition() -> impl Strategy<Value = ConditionBlock> {
    prop_oneof![
        4 => Just(ConditionBlock::new()),
        1 => prop::sample::select(vec!["uploads/*", "reports/*"]).prop_map(|v| {
            BTreeMap::from([(
                "StringLike".to_string(),
                BTreeMap::from([("s3:prefix".to_string(), BTreeSet::from([v.to_string()]))]),
            )])
        }),
    ]
}

fn grant() -> impl Strategy<Value = Grant> {
    (action(), resource(), condition()).prop_map(|(action, resource, condition)| Grant {
        action,
        resource,
        condition,
        sources: BTreeSet::new(),
    })
}

fn grants() -> impl Strategy<Value = Vec<Grant>> {
    prop::collection::vec(grant(), 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn merging_is_exact(grants in grants()) {
        let policy = build_policy(&grants);
        let input: BTreeSet<Pair> = grant_pairs(&grants);
        let output = policy.pairs();
        // Nothing granted that was not asked for…
        for pair in &output {
            prop_assert!(input.contains(pair), "widened: {pair:?}");
        }
        // …and nothing asked for left out.
        prop_assert_eq!(&output, &input);
        // No statement lists a pair twice, and no two statements share a pair.
        let listed: usize = policy
            .statements
            .iter()
            .map(|s| s.actions.len() * s.resources.len())
            .sum();
        prop_assert_eq!(listed, output.len());
    }

    #[test]
    fn statements_are_well_formed(grants in grants()) {
        let policy = build_policy(&grants);
        let mut sids = BTreeSet::new();
        for s in &policy.statements {
            prop_assert!(!s.sid.is_empty());
            prop_assert!(s.sid.chars().all(|c| c.is_ascii_alphanumeric()), "sid {}", s.sid);
            prop_assert!(sids.insert(s.sid.clone()), "duplicate sid {}", s.sid);
            prop_assert!(!s.actions.is_empty() && !s.resources.is_empty());
            prop_assert!(s.actions.windows(2).all(|w| w[0] < w[1]), "actions {:?}", s.actions);
            prop_assert!(s.actions.iter().all(|a| !a.contains('*')));
            prop_assert!(
                s.actions.iter().all(|a| service_prefix(a) == service_prefix(a).to_ascii_lowercase())
            );
            let rendered: Vec<String> = s.resources.iter().map(Resource::to_string).collect();
            prop_assert!(rendered.windows(2).all(|w| w[0] <= w[1]), "resources {rendered:?}");
            if s.resources.iter().any(Resource::is_any) {
                prop_assert_eq!(s.resources.len(), 1);
            }
        }
        let keys: Vec<(&str, &str)> = policy
            .statements
            .iter()
            .map(|s| (service_prefix(&s.actions[0]), s.sid.as_str()))
            .collect();
        prop_assert!(keys.windows(2).all(|w| w[0] < w[1]), "order {keys:?}");

        // The JSON lists each statement's resources once, even when two render alike.
        let json = policy.to_json(&ArnEnv::default());
        for st in json["Statement"].as_array().into_iter().flatten() {
            let res: Vec<&str> = st["Resource"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
            prop_assert!(res.windows(2).all(|w| w[0] < w[1]), "json resources {res:?}");
        }
        prop_assert_eq!(
            policy.size(&ArnEnv::default()),
            json.to_string().chars().filter(|c| !c.is_whitespace()).count()
        );
    }

    #[test]
    fn output_does_not_depend_on_input_order(
        (grants, shuffled) in grants().prop_flat_map(|g| {
            let shuffled = Just(g.clone()).prop_shuffle();
            (Just(g), shuffled)
        })
    ) {
        let a = build_policy(&grants);
        let b = build_policy(&shuffled);
        prop_assert_eq!(&a, &b);
        let env = ArnEnv::default();
        prop_assert_eq!(a.to_json(&env).to_string(), b.to_json(&env).to_string());
    }
}
