//! Resources in one canonical token form, so a needed resource (parts from the generated
//! report) and a declared one (parts from the project's config) compare structurally.
//!
//! Rules (docs/cli.md, "How check compares resources"):
//! - literal text becomes characters; in declared resources `*` and `?` are IAM
//!   wildcards, and in needed ones `*` is the part leastrole could not resolve;
//! - `${AWS::Partition}`, `${AWS::Region}`, `${AWS::AccountId}` (and the needed side's
//!   unset partition/region/account) become the value given with `--partition`/
//!   `--region`/`--account`, else one symbol each;
//! - a reference with a known physical value (the template names the resource) becomes
//!   that value, expanded the same way;
//! - otherwise a reference whose resource type is known becomes the ARN the type builds
//!   from its name, with the name as the symbol `name:Logical` (so `!GetAtt T.Arn`,
//!   `Fn::GetAtt [T, Arn]` and `!Sub arn:${AWS::Partition}:dynamodb:…:table/${T}` are the
//!   same tokens); any other reference is the symbol `Logical.Attribute`.
//!
//! A symbol is one unknown, non-empty string: only the same symbol or a `*` covers it.
//! The one exception is lenient matching (used when strict matching fails, and noted):
//! a partition/region/account symbol and a literal run without `:` are taken to be the
//! same value (the project deploys where its literal ARNs say).

use std::collections::BTreeMap;

use leastrole_policy::{ArnEnv, Part, Resource};
use leastrole_project::{ReferenceValue, ValuePart, reference_value};

/// One token of a resource pattern.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Tok {
    Ch(char),
    /// `*`: any string, including the empty one.
    Star,
    /// `?`: any one character.
    One,
    Sym(Sym),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Sym {
    Partition,
    Region,
    Account,
    /// A reference or another pseudo parameter, by canonical name.
    Named(String),
    /// A declared value leastrole could not evaluate; covers nothing but itself.
    Unknown(String),
}

impl Sym {
    fn is_environment(&self) -> bool {
        matches!(self, Sym::Partition | Sym::Region | Sym::Account)
    }
}

/// A resource as tokens.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pattern(pub(crate) Vec<Tok>);

/// What the comparison needs besides the parts: the environment values and the resource
/// type of every logical id the project names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Canon<'a> {
    pub(crate) env: Option<&'a ArnEnv>,
    pub(crate) types: Option<&'a BTreeMap<String, String>>,
}

impl Canon<'_> {
    fn environment(&self, sym: Sym, out: &mut Vec<Tok>) {
        let value = self.env.and_then(|e| match sym {
            Sym::Partition => e.partition.as_deref(),
            Sym::Region => e.region.as_deref(),
            Sym::Account => e.account.as_deref(),
            _ => None,
        });
        match value {
            Some(v) => out.extend(v.chars().map(Tok::Ch)),
            None => out.push(Tok::Sym(sym)),
        }
    }

    fn pseudo(&self, name: &str, out: &mut Vec<Tok>) {
        match name {
            "AWS::Partition" => self.environment(Sym::Partition, out),
            "AWS::Region" => self.environment(Sym::Region, out),
            "AWS::AccountId" => self.environment(Sym::Account, out),
            "AWS::URLSuffix" => out.extend("amazonaws.com".chars().map(Tok::Ch)),
            other => out.push(Tok::Sym(Sym::Named(other.to_string()))),
        }
    }

    fn reference(
        &self,
        logical_id: &str,
        attribute: Option<&str>,
        resource_type: Option<&str>,
        out: &mut Vec<Tok>,
    ) {
        let resource_type = resource_type.or_else(|| {
            self.types
                .and_then(|t| t.get(logical_id))
                .map(String::as_str)
        });
        let value = resource_type.map(|t| reference_value(t, attribute));
        match value {
            Some(ReferenceValue::Name) => out.push(name_symbol(logical_id)),
            Some(ReferenceValue::Arn(Some(template))) => self.template(template, logical_id, out),
            _ => out.push(Tok::Sym(Sym::Named(format!(
                "{logical_id}.{}",
                attribute.unwrap_or("Ref")
            )))),
        }
    }

    /// Fill an ARN template from the reference semantics table.
    fn template(&self, template: &str, logical_id: &str, out: &mut Vec<Tok>) {
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.extend(rest[..start].chars().map(Tok::Ch));
            match &rest[start + 1..start + len] {
                "name" => out.push(name_symbol(logical_id)),
                "partition" => self.environment(Sym::Partition, out),
                "region" => self.environment(Sym::Region, out),
                "account" => self.environment(Sym::Account, out),
                "urlsuffix" => out.extend("amazonaws.com".chars().map(Tok::Ch)),
                other => out.push(Tok::Sym(Sym::Named(format!("{other}:{logical_id}")))),
            }
            rest = &rest[start + len + 1..];
        }
        out.extend(rest.chars().map(Tok::Ch));
    }

    /// A needed resource from the generated report.
    pub(crate) fn needed(&self, resource: &Resource) -> Pattern {
        let mut out = Vec::new();
        self.parts(resource.parts(), &mut out);
        Pattern(out)
    }

    fn parts(&self, parts: &[Part], out: &mut Vec<Tok>) {
        for part in parts {
            match part {
                Part::Lit { text } => literal(text, out),
                Part::Partition => self.environment(Sym::Partition, out),
                Part::Region => self.environment(Sym::Region, out),
                Part::Account => self.environment(Sym::Account, out),
                Part::Wildcard => out.push(Tok::Star),
                Part::Ref {
                    logical_id,
                    attribute,
                    physical,
                    ..
                } => match physical {
                    Some(p) => self.parts(p, out),
                    None => self.reference(logical_id, attribute.as_deref(), None, out),
                },
                Part::Pseudo { name } => self.pseudo(name, out),
                Part::Var { resolved, .. } => self.parts(resolved, out),
            }
        }
    }

    /// A declared resource from the project's config.
    pub(crate) fn declared(&self, parts: &[ValuePart]) -> Pattern {
        let mut out = Vec::new();
        self.values(parts, &mut out);
        Pattern(out)
    }

    fn values(&self, parts: &[ValuePart], out: &mut Vec<Tok>) {
        for part in parts {
            match part {
                ValuePart::Lit(text) => literal(text, out),
                ValuePart::Pseudo(name) => self.pseudo(name, out),
                ValuePart::Ref {
                    logical_id,
                    attribute,
                    physical,
                    resource_type,
                    ..
                } => match physical {
                    Some(p) => self.values(p, out),
                    None => self.reference(
                        logical_id,
                        attribute.as_deref(),
                        resource_type.as_deref(),
                        out,
                    ),
                },
                ValuePart::Unknown(why) => out.push(Tok::Sym(Sym::Unknown(why.clone()))),
                ValuePart::Var { resolved, .. } => self.values(resolved, out),
            }
        }
    }

    /// A plain ARN string (IAM wildcards kept).
    #[cfg(test)]
    pub(crate) fn text(text: &str) -> Pattern {
        let mut out = Vec::new();
        literal(text, &mut out);
        Pattern(out)
    }
}

fn name_symbol(logical_id: &str) -> Tok {
    Tok::Sym(Sym::Named(format!("name:{logical_id}")))
}

fn literal(text: &str, out: &mut Vec<Tok>) {
    for c in text.chars() {
        out.push(match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Ch(c),
        });
    }
}

impl Pattern {
    /// `*` alone.
    pub(crate) fn is_any(&self) -> bool {
        !self.0.is_empty() && self.0.iter().all(|t| *t == Tok::Star)
    }

    /// Unset partition/region/account as `*`, as the generated policy renders them: the
    /// needed side's breadth when asking whether a declaration is wider than it.
    pub(crate) fn environment_as_star(&self) -> Pattern {
        Pattern(
            self.0
                .iter()
                .map(|t| match t {
                    Tok::Sym(s) if s.is_environment() => Tok::Star,
                    t => t.clone(),
                })
                .collect(),
        )
    }

    /// A needed pattern's `*`: a part leastrole could not resolve.
    pub(crate) fn has_unresolved(&self) -> bool {
        self.0.contains(&Tok::Star)
    }

    pub(crate) fn has_wildcard(&self) -> bool {
        self.0.iter().any(|t| matches!(t, Tok::Star | Tok::One))
    }

    /// Symbols as `${…}`, for test messages.
    #[cfg(test)]
    pub(crate) fn render(&self) -> String {
        let mut s = String::new();
        for t in &self.0 {
            match t {
                Tok::Ch(c) => s.push(*c),
                Tok::Star => s.push('*'),
                Tok::One => s.push('?'),
                Tok::Sym(Sym::Partition) => s.push_str("${AWS::Partition}"),
                Tok::Sym(Sym::Region) => s.push_str("${AWS::Region}"),
                Tok::Sym(Sym::Account) => s.push_str("${AWS::AccountId}"),
                Tok::Sym(Sym::Named(n)) => {
                    s.push_str("${");
                    s.push_str(n.strip_prefix("name:").unwrap_or(n));
                    s.push('}');
                }
                Tok::Sym(Sym::Unknown(_)) => s.push_str("${?}"),
            }
        }
        s
    }
}

/// How two patterns were found to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Match {
    No,
    /// Token for token.
    Exact,
    /// Only by taking a literal partition/region/account to be the deployment's.
    Assumed,
}

/// Whether `declared` covers every string `needed` can stand for. Sound: a `*` in the
/// needed pattern is covered only by a `*` in the declared one, so "covered" is never
/// claimed for a string the declared pattern does not match.
pub(crate) fn covers(declared: &Pattern, needed: &Pattern) -> Match {
    if covers_with(&declared.0, &needed.0, false) {
        Match::Exact
    } else if covers_with(&declared.0, &needed.0, true) {
        Match::Assumed
    } else {
        Match::No
    }
}

fn env_run(toks: &[Tok], from: usize) -> usize {
    toks[from..]
        .iter()
        .take_while(|t| matches!(t, Tok::Ch(c) if *c != ':'))
        .count()
}

fn covers_with(d: &[Tok], n: &[Tok], lenient: bool) -> bool {
    let (dl, nl) = (d.len(), n.len());
    let w = nl + 1;
    // dp[i * w + j]: d[i..] covers n[j..].
    let mut dp = vec![false; (dl + 1) * w];
    dp[dl * w + nl] = true;
    for i in (0..dl).rev() {
        for j in (0..=nl).rev() {
            let v = match &d[i] {
                Tok::Star => dp[(i + 1) * w + j] || (j < nl && dp[i * w + j + 1]),
                Tok::One => {
                    j < nl && matches!(n[j], Tok::Ch(_) | Tok::One) && dp[(i + 1) * w + j + 1]
                }
                Tok::Ch(c) => match n.get(j) {
                    Some(Tok::Ch(x)) => x == c && dp[(i + 1) * w + j + 1],
                    Some(Tok::Sym(s)) if lenient && s.is_environment() => {
                        let run = env_run(d, i);
                        (1..=run).any(|k| dp[(i + k) * w + j + 1])
                    }
                    _ => false,
                },
                Tok::Sym(s) => match n.get(j) {
                    Some(Tok::Sym(x)) => x == s && dp[(i + 1) * w + j + 1],
                    Some(Tok::Ch(_)) if lenient && s.is_environment() => {
                        let run = env_run(n, j);
                        (1..=run).any(|k| dp[(i + 1) * w + j + k])
                    }
                    _ => false,
                },
            };
            dp[i * w + j] = v;
        }
    }
    dp[0]
}

/// Whether some string matches both patterns (lenient about the environment: a Deny that
/// may apply is taken to apply).
pub(crate) fn overlaps(a: &Pattern, b: &Pattern) -> bool {
    let (a, b) = (&a.0, &b.0);
    let (al, bl) = (a.len(), b.len());
    let w = bl + 1;
    let mut dp = vec![false; (al + 1) * w];
    dp[al * w + bl] = true;
    for i in (0..=al).rev() {
        for j in (0..=bl).rev() {
            if i == al && j == bl {
                continue;
            }
            let x = a.get(i);
            let y = b.get(j);
            let v = match (x, y) {
                (Some(Tok::Star), _) if dp[(i + 1) * w + j] => true,
                (_, Some(Tok::Star)) if dp[i * w + j + 1] => true,
                (Some(Tok::Star), Some(_)) => dp[i * w + j + 1],
                (Some(_), Some(Tok::Star)) => dp[(i + 1) * w + j],
                (Some(Tok::Star), None) | (None, Some(Tok::Star)) => false,
                (None, _) | (_, None) => false,
                (Some(p), Some(q)) => {
                    let step = dp[(i + 1) * w + j + 1];
                    match (p, q) {
                        (Tok::Ch(c), Tok::Ch(e)) => c == e && step,
                        (Tok::One, _) | (_, Tok::One) => step,
                        (Tok::Sym(s), Tok::Sym(t)) => s == t && step,
                        (Tok::Sym(s), Tok::Ch(_)) if s.is_environment() => {
                            let run = env_run(b, j);
                            (1..=run).any(|k| dp[(i + 1) * w + j + k])
                        }
                        (Tok::Ch(_), Tok::Sym(t)) if t.is_environment() => {
                            let run = env_run(a, i);
                            (1..=run).any(|k| dp[(i + k) * w + j + 1])
                        }
                        _ => false,
                    }
                }
            };
            dp[i * w + j] = v;
        }
    }
    dp[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lit(s: &str) -> ValuePart {
        ValuePart::Lit(s.into())
    }

    fn pseudo(s: &str) -> ValuePart {
        ValuePart::Pseudo(s.into())
    }

    fn text(s: &str) -> Pattern {
        Canon::text(s)
    }

    #[test]
    fn iam_wildcards_in_declared_resources() {
        assert_eq!(
            covers(&text("arn:aws:s3:::b/*"), &text("arn:aws:s3:::b/uploads/x")),
            Match::Exact
        );
        assert_eq!(
            covers(&text("arn:aws:s3:::b/??"), &text("arn:aws:s3:::b/ab")),
            Match::Exact
        );
        assert_eq!(
            covers(&text("arn:aws:s3:::b/??"), &text("arn:aws:s3:::b/abc")),
            Match::No
        );
        // A needed `*` (an unresolved key) is covered only by a declared `*`.
        assert_eq!(
            covers(&text("arn:aws:s3:::b/uploads/*"), &text("arn:aws:s3:::b/*")),
            Match::No
        );
        assert_eq!(
            covers(&text("arn:aws:s3:::b/*"), &text("arn:aws:s3:::b/uploads/*")),
            Match::Exact
        );
        assert_eq!(covers(&text("*"), &text("*")), Match::Exact);
        assert_eq!(covers(&text("arn:*"), &text("*")), Match::No);
        // `?` does not cover an unresolved part of any length.
        assert_eq!(
            covers(&text("arn:aws:s3:::b/?"), &text("arn:aws:s3:::b/*")),
            Match::No
        );
    }

    #[test]
    fn getatt_and_sub_of_the_same_table_are_the_same_tokens() {
        let canon = Canon::default();
        let getatt = canon.declared(&[ValuePart::Ref {
            logical_id: "Orders".into(),
            attribute: Some("Arn".into()),
            arn: true,
            physical: None,
            resource_type: Some("AWS::DynamoDB::Table".into()),
        }]);
        let sub = canon.declared(&[
            lit("arn:"),
            pseudo("AWS::Partition"),
            lit(":dynamodb:"),
            pseudo("AWS::Region"),
            lit(":"),
            pseudo("AWS::AccountId"),
            lit(":table/"),
            ValuePart::Ref {
                logical_id: "Orders".into(),
                attribute: None,
                arn: false,
                physical: None,
                resource_type: Some("AWS::DynamoDB::Table".into()),
            },
        ]);
        assert_eq!(getatt, sub);
        assert_eq!(
            getatt.render(),
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}"
        );
        // The needed side carries no type: it comes from the project's type table.
        let types = BTreeMap::from([("Orders".to_string(), "AWS::DynamoDB::Table".to_string())]);
        let needed = Canon {
            env: None,
            types: Some(&types),
        }
        .needed(&Resource::new([Part::Ref {
            logical_id: "Orders".into(),
            attribute: Some("Arn".into()),
            arn: true,
            physical: None,
        }]));
        assert_eq!(covers(&getatt, &needed), Match::Exact);
        let index = Resource::new([
            Part::Ref {
                logical_id: "Orders".into(),
                attribute: Some("Arn".into()),
                arn: true,
                physical: None,
            },
            Part::Lit {
                text: "/index/*".into(),
            },
        ]);
        let index = Canon {
            env: None,
            types: Some(&types),
        }
        .needed(&index);
        assert_eq!(covers(&getatt, &index), Match::No);
        assert_eq!(covers(&text("*"), &index), Match::Exact);
    }

    #[test]
    fn physical_values_expand_on_both_sides() {
        let physical = vec![lit("arn:aws:sqs:eu-west-1:123456789012:jobs")];
        let declared = Canon::default().declared(&[ValuePart::Ref {
            logical_id: "Jobs".into(),
            attribute: Some("Arn".into()),
            arn: true,
            physical: Some(physical),
            resource_type: Some("AWS::SQS::Queue".into()),
        }]);
        assert_eq!(
            covers(&declared, &text("arn:aws:sqs:eu-west-1:123456789012:jobs")),
            Match::Exact
        );
    }

    #[test]
    fn unset_environment_matches_a_declared_literal_only_by_assumption() {
        let needed = Canon::default().needed(&Resource::new([
            Part::Lit {
                text: "arn:".into(),
            },
            Part::Partition,
            Part::Lit {
                text: ":dynamodb:".into(),
            },
            Part::Region,
            Part::Lit { text: ":".into() },
            Part::Account,
            Part::Lit {
                text: ":table/orders".into(),
            },
        ]));
        assert_eq!(
            covers(
                &text("arn:aws:dynamodb:us-east-1:123456789012:table/orders"),
                &needed
            ),
            Match::Assumed
        );
        assert_eq!(
            covers(&text("arn:aws:dynamodb:*:*:table/orders"), &needed),
            Match::Assumed
        );
        assert_eq!(
            covers(&text("arn:*:dynamodb:*:*:table/*"), &needed),
            Match::Exact
        );
        assert_eq!(
            covers(
                &text("arn:aws:dynamodb:us-east-1:123456789012:table/other"),
                &needed
            ),
            Match::No
        );
        // With --region etc. both sides are literal and compare exactly.
        let env = ArnEnv {
            partition: Some("aws".into()),
            region: Some("eu-west-1".into()),
            account: Some("123456789012".into()),
        };
        let canon = Canon {
            env: Some(&env),
            types: None,
        };
        let declared = canon.declared(&[
            lit("arn:"),
            pseudo("AWS::Partition"),
            lit(":dynamodb:us-east-1:"),
            pseudo("AWS::AccountId"),
            lit(":table/orders"),
        ]);
        let needed = canon.needed(&Resource::new([
            Part::Lit {
                text: "arn:aws:dynamodb:".into(),
            },
            Part::Region,
            Part::Lit {
                text: ":123456789012:table/orders".into(),
            },
        ]));
        assert_eq!(covers(&declared, &needed), Match::No);
    }

    #[test]
    fn unknown_declared_values_cover_nothing() {
        let declared = Canon::default().declared(&[
            lit("arn:aws:s3:::"),
            ValuePart::Unknown("${ssm:/bucket}".into()),
        ]);
        assert_eq!(covers(&declared, &text("arn:aws:s3:::b")), Match::No);
    }

    #[test]
    fn overlap_of_two_patterns() {
        assert!(overlaps(
            &text("arn:aws:s3:::b/secret/*"),
            &text("arn:aws:s3:::b/*")
        ));
        assert!(overlaps(&text("*"), &text("arn:aws:s3:::b")));
        assert!(!overlaps(
            &text("arn:aws:s3:::b/secret/*"),
            &text("arn:aws:s3:::b/public/*")
        ));
        assert!(overlaps(&text("a*c"), &text("ab*")));
        assert!(!overlaps(&text("a*c"), &text("ab*d")));
    }

    fn glob_matches(pattern: &str, s: &str) -> bool {
        let p: Vec<char> = pattern.chars().collect();
        let s: Vec<char> = s.chars().collect();
        fn go(p: &[char], s: &[char]) -> bool {
            match p.split_first() {
                None => s.is_empty(),
                Some(('*', rest)) => (0..=s.len()).any(|k| go(rest, &s[k..])),
                Some(('?', rest)) => !s.is_empty() && go(rest, &s[1..]),
                Some((c, rest)) => s.first() == Some(c) && go(rest, &s[1..]),
            }
        }
        go(&p, &s)
    }

    proptest! {
        // Coverage is sound: when `d` covers `n`, every concrete string of `n` (its `*`
        // replaced by samples) matches `d`.
        #[test]
        fn coverage_is_sound(d in "[ab*?]{0,6}", n in "[ab*]{0,6}", fill in "[ab]{0,3}") {
            let covered = covers(&text(&d), &text(&n)) != Match::No;
            if covered {
                let concrete = n.replace('*', &fill);
                prop_assert!(glob_matches(&d, &concrete), "{d} covers {n} but not {concrete}");
            }
            // On literal needed strings, coverage is exactly glob matching.
            if !n.contains('*') {
                prop_assert_eq!(covered, glob_matches(&d, &n));
            }
        }

        #[test]
        fn overlap_agrees_with_a_common_witness(a in "[ab*]{0,5}", b in "[ab]{0,5}") {
            prop_assert_eq!(overlaps(&text(&a), &text(&b)), glob_matches(&a, &b));
        }
    }
}
