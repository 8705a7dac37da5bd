//! IAM action patterns against the embedded action list: matching (`s3:Get*` matches
//! `s3:GetObject`, case-insensitively, as IAM does), expansion to the actions a pattern
//! grants, access levels, and the risk tables.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use leastrole_maps::{AccessLevel, Maps, MapsError};

/// Whether IAM action `pattern` (`*`, `?` wildcards, case-insensitive) matches `action`.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob(
        pattern.to_ascii_lowercase().as_bytes(),
        action.to_ascii_lowercase().as_bytes(),
    )
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    // Iterative glob with backtracking to the last `*`: linear in practice.
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Whether an action string holds an IAM wildcard.
pub fn is_wildcard(action: &str) -> bool {
    action.contains(['*', '?'])
}

/// What one known action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionFacts {
    pub access: AccessLevel,
    /// The action can be scoped to resources (it lists resource types).
    pub resource_level: bool,
}

/// The embedded action list with expansions cached.
#[derive(Debug)]
pub struct Catalog<'m> {
    maps: &'m Maps,
    cache: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

impl<'m> Catalog<'m> {
    pub fn new(maps: &'m Maps) -> Self {
        Catalog {
            maps,
            cache: Mutex::new(BTreeMap::new()),
        }
    }

    /// Every known action a pattern grants, canonical names, sorted. A plain action not in
    /// the list expands to nothing.
    pub fn expand(&self, pattern: &str) -> Result<BTreeSet<String>, MapsError> {
        let key = pattern.to_ascii_lowercase();
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(hit);
        }
        let mut out = BTreeSet::new();
        let (prefix, name) = match key.split_once(':') {
            Some((p, n)) => (p.to_string(), n.to_string()),
            // `*` alone is every action; any other text without a colon is none.
            None if key.chars().all(|c| c == '*') && !key.is_empty() => {
                ("*".to_string(), "*".to_string())
            }
            None => (String::new(), String::new()),
        };
        if !prefix.is_empty() {
            let prefixes: Vec<String> = if is_wildcard(&prefix) {
                self.maps
                    .iam_prefixes()
                    .filter(|p| glob(prefix.as_bytes(), p.as_bytes()))
                    .map(str::to_string)
                    .collect()
            } else {
                vec![prefix.clone()]
            };
            for p in prefixes {
                let Some(table) = self.maps.iam_prefix(&p)? else {
                    continue;
                };
                for action in table.actions.keys() {
                    if glob(name.as_bytes(), action.to_ascii_lowercase().as_bytes()) {
                        out.insert(format!("{p}:{action}"));
                    }
                }
            }
        }
        if let Ok(mut c) = self.cache.lock() {
            c.insert(key, out.clone());
        }
        Ok(out)
    }

    /// Every known action not matched by any of `patterns` (a `NotAction` statement).
    pub fn expand_not(&self, patterns: &[String]) -> Result<BTreeSet<String>, MapsError> {
        let all = self.expand("*")?;
        Ok(all
            .into_iter()
            .filter(|a| !patterns.iter().any(|p| action_matches(p, a)))
            .collect())
    }

    /// The action's access level and whether it takes resource-level permissions.
    pub fn facts(&self, action: &str) -> Result<Option<ActionFacts>, MapsError> {
        Ok(self.maps.iam_action(action)?.map(|(_, a)| ActionFacts {
            access: a.access,
            resource_level: !a.resources.is_empty(),
        }))
    }

    /// Canonical casing of a known action; a pattern or unknown action comes back with its
    /// prefix lower-cased.
    pub fn canonical(&self, action: &str) -> Result<String, MapsError> {
        if !is_wildcard(action)
            && let Some((name, _)) = self.maps.iam_action(action)?
        {
            return Ok(name);
        }
        Ok(match action.split_once(':') {
            Some((p, n)) => format!("{}:{n}", p.to_ascii_lowercase()),
            None => action.to_string(),
        })
    }
}

/// Reads that move data out: objects, secrets, parameters, keys, items, records. Exact
/// action names, sorted (a test keeps it so and checks each exists).
pub const DATA_READ: &[&str] = &[
    "athena:GetQueryResults",
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:PartiQLSelect",
    "dynamodb:Query",
    "dynamodb:Scan",
    "kinesis:GetRecords",
    "kms:Decrypt",
    "lambda:GetFunction",
    "rds-data:ExecuteStatement",
    "s3:GetObject",
    "s3:GetObjectAttributes",
    "s3:GetObjectVersion",
    "secretsmanager:BatchGetSecretValue",
    "secretsmanager:GetSecretValue",
    "sqs:ReceiveMessage",
    "ssm:GetParameter",
    "ssm:GetParameterHistory",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
];

/// Primitives that let the holder raise its own privileges (write a policy, change a
/// role's trust, run code as another role). Sorted, each in the IAM list.
pub const PRIVILEGE_ESCALATION: &[&str] = &[
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "ec2:RunInstances",
    "glue:UpdateDevEndpoint",
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicyVersion",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
    "lambda:AddPermission",
    "lambda:CreateFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "sts:AssumeRole",
];

pub(crate) fn in_table(table: &[&str], action: &str) -> bool {
    table.iter().any(|a| a.eq_ignore_ascii_case(action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_patterns_match_case_insensitively() {
        assert!(action_matches("s3:Get*", "s3:GetObject"));
        assert!(action_matches("S3:get*", "s3:GetObject"));
        assert!(action_matches("*", "iam:PassRole"));
        assert!(action_matches("s3:*Object", "s3:PutObject"));
        assert!(action_matches("s3:?etObject", "s3:GetObject"));
        assert!(!action_matches("s3:Get*", "s3:PutObject"));
        assert!(!action_matches("s3:GetObject", "s3:GetObjectVersion"));
        assert!(!action_matches("s3*", "sqs:SendMessage"));
    }

    #[test]
    fn expansion_against_the_embedded_list() {
        let catalog = Catalog::new(Maps::embedded());
        let get = catalog.expand("s3:GetObject*").unwrap();
        assert!(get.contains("s3:GetObject"));
        assert!(get.contains("s3:GetObjectVersion"));
        assert!(get.iter().all(|a| a.starts_with("s3:GetObject")));
        let all_s3 = catalog.expand("s3:*").unwrap();
        assert!(all_s3.len() > 100, "{}", all_s3.len());
        assert!(all_s3.contains("s3:PutBucketPolicy"));
        assert!(catalog.expand("s3:GetObjetc").unwrap().is_empty());
        assert_eq!(
            catalog.expand("DynamoDB:putitem").unwrap(),
            BTreeSet::from(["dynamodb:PutItem".to_string()])
        );
        let not = catalog.expand_not(&["s3:*".to_string()]).unwrap();
        assert!(!not.contains("s3:GetObject"));
        assert!(not.contains("iam:PassRole"));
        assert_eq!(catalog.expand("*").unwrap().len(), not.len() + all_s3.len());
    }

    #[test]
    fn risk_tables_are_sorted_and_known() {
        let maps = Maps::embedded();
        for table in [DATA_READ, PRIVILEGE_ESCALATION] {
            assert!(table.windows(2).all(|w| w[0] < w[1]), "{table:?}");
            for a in table {
                let (name, _) = maps
                    .iam_action(a)
                    .unwrap()
                    .unwrap_or_else(|| panic!("{a} is not in the IAM action list"));
                assert_eq!(&name, a, "canonical casing");
            }
        }
    }
}
