//! Resource ARNs as parts: literal text, the environment placeholders (partition, region,
//! account), wildcards standing for unknown values, and references to template resources.
//!
//! Keeping the parts (instead of a flat string) lets one grant render as a literal ARN in
//! `json`/`iam` output and as an `Fn::Sub` with `${AWS::Partition}` and `${Table.Arn}` in
//! CloudFormation, Serverless and SAM output, and keep a Serverless variable
//! (`${sls:stage}`) as written in Serverless output.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One part of a resource ARN.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Part {
    Lit {
        text: String,
    },
    Partition,
    Region,
    Account,
    /// `*`: a value that could not be resolved.
    Wildcard,
    /// A CloudFormation reference: `Ref` (no attribute) or `Fn::GetAtt` (attribute).
    /// CloudFormation output keeps it as `${Logical}`/`${Logical.Attr}`; plain output
    /// uses `physical` when the template gives the resource's name, else `*`.
    Ref {
        logical_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attribute: Option<String>,
        /// The reference evaluates to a whole ARN (`GetAtt X.Arn`, `Ref` of an SNS topic).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        arn: bool,
        /// What it evaluates to when the template says (a literal table name, or an ARN
        /// built from one), without references.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        physical: Option<Vec<Part>>,
    },
    /// Another CloudFormation pseudo parameter (`AWS::StackName`, `AWS::URLSuffix`).
    Pseudo {
        name: String,
    },
    /// A Serverless variable (`${self:custom.table}`, `${sls:stage}`) as the config
    /// writes it, and what it resolves to (literal text, environment placeholders, other
    /// variables). Serverless output writes `text`, which the framework resolves for the
    /// stage it deploys; every other output (and every comparison) uses `resolved`.
    Var {
        text: String,
        resolved: Vec<Part>,
    },
}

/// How [`Resource::to_sub`] writes a Serverless variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VarStyle {
    /// As what it resolves to (CloudFormation and SAM templates, where Serverless
    /// variables mean nothing).
    #[default]
    Resolved,
    /// As the config writes it (`${sls:stage}`), for a Serverless config.
    AsWritten,
}

/// A resource in a policy statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Resource {
    parts: Vec<Part>,
}

/// Values for the environment placeholders; `None` renders `*`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArnEnv {
    pub partition: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
}

impl Resource {
    /// Build from parts, normalising: adjacent literals joined, runs of wildcards folded
    /// into one, empty literals dropped.
    pub fn new(parts: impl IntoIterator<Item = Part>) -> Self {
        let mut out: Vec<Part> = Vec::new();
        for part in parts {
            match (out.last_mut(), part) {
                (_, Part::Lit { text }) if text.is_empty() => {}
                (Some(Part::Lit { text: prev }), Part::Lit { text }) => prev.push_str(&text),
                (Some(Part::Wildcard), Part::Wildcard) => {}
                // An SSM parameter's ARN names it without its leading `/`: after
                // `:parameter/`, a reference whose value is `/app/key` takes the place
                // of that `/` (`parameter${Param}` in `Fn::Sub`).
                (Some(Part::Lit { text: prev }), part @ (Part::Ref { .. } | Part::Var { .. }))
                    if prev.ends_with(":parameter/") && starts_with_slash(&part) =>
                {
                    prev.pop();
                    out.push(part);
                }
                (_, part) => out.push(part),
            }
        }
        Resource { parts: out }
    }

    /// `*`: every resource.
    pub fn any() -> Self {
        Resource {
            parts: vec![Part::Wildcard],
        }
    }

    /// A literal ARN (or `*`, which becomes [`Resource::any`]).
    pub fn literal(text: &str) -> Self {
        Resource::parse_literal(text)
    }

    /// Parse plain text where `*` is a wildcard.
    pub fn parse_literal(text: &str) -> Self {
        let mut parts = Vec::new();
        for (i, piece) in text.split('*').enumerate() {
            if i > 0 {
                parts.push(Part::Wildcard);
            }
            parts.push(Part::Lit {
                text: piece.to_string(),
            });
        }
        Resource::new(parts)
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    pub fn is_any(&self) -> bool {
        matches!(self.parts.as_slice(), [Part::Wildcard])
    }

    /// Has a wildcard standing for an unresolved value.
    pub fn has_wildcard(&self) -> bool {
        fn any(parts: &[Part]) -> bool {
            parts.iter().any(|p| match p {
                Part::Wildcard => true,
                Part::Var { resolved, .. } => any(resolved),
                _ => false,
            })
        }
        any(&self.parts)
    }

    /// Names a template resource.
    pub fn has_reference(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Ref { .. }))
    }

    /// Plain ARN text: environment placeholders from `env` or `*`, references as
    /// `${Logical.Attr}` (use [`Resource::to_sub`] for CloudFormation).
    pub fn render(&self, env: &ArnEnv) -> String {
        let mut s = String::new();
        for part in &self.parts {
            match part {
                Part::Lit { text } => s.push_str(text),
                Part::Partition => s.push_str(env.partition.as_deref().unwrap_or("*")),
                Part::Region => s.push_str(env.region.as_deref().unwrap_or("*")),
                Part::Account => s.push_str(env.account.as_deref().unwrap_or("*")),
                Part::Wildcard => s.push('*'),
                Part::Ref { physical, .. } => match physical {
                    Some(parts) => s.push_str(&Resource::new(parts.iter().cloned()).render(env)),
                    None => s.push('*'),
                },
                Part::Pseudo { name } => match name.as_str() {
                    "AWS::URLSuffix" => s.push_str("amazonaws.com"),
                    _ => s.push('*'),
                },
                Part::Var { resolved, .. } => {
                    s.push_str(&Resource::new(resolved.iter().cloned()).render(env));
                }
            }
        }
        s
    }

    /// CloudFormation `Fn::Sub` text: `${AWS::Partition}`, `${AWS::Region}`,
    /// `${AWS::AccountId}`, `${Logical}` / `${Logical.Attr}`; literal `${` escaped as `${!`;
    /// a Serverless variable as what it resolves to.
    pub fn to_sub(&self) -> String {
        self.to_sub_with(VarStyle::Resolved)
    }

    /// [`Resource::to_sub`], Serverless variables written as `vars` says.
    pub fn to_sub_with(&self, vars: VarStyle) -> String {
        let mut s = String::new();
        for part in &self.parts {
            match part {
                Part::Lit { text } => s.push_str(&text.replace("${", "${!")),
                Part::Partition => s.push_str("${AWS::Partition}"),
                Part::Region => s.push_str("${AWS::Region}"),
                Part::Account => s.push_str("${AWS::AccountId}"),
                Part::Wildcard => s.push('*'),
                Part::Ref {
                    logical_id,
                    attribute,
                    ..
                } => {
                    s.push_str("${");
                    s.push_str(logical_id);
                    if let Some(a) = attribute {
                        s.push('.');
                        s.push_str(a);
                    }
                    s.push('}');
                }
                Part::Pseudo { name } => {
                    s.push_str("${");
                    s.push_str(name);
                    s.push('}');
                }
                Part::Var { text, .. } if vars == VarStyle::AsWritten => s.push_str(text),
                Part::Var { resolved, .. } => {
                    s.push_str(&Resource::new(resolved.iter().cloned()).to_sub_with(vars));
                }
            }
        }
        s
    }

    /// References to template resources whose value plain output cannot show.
    pub fn unresolved_references(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Ref {
                logical_id,
                physical: None,
                ..
            } => Some(logical_id.as_str()),
            _ => None,
        })
    }

    /// Whether the rendered form needs `Fn::Sub` in CloudFormation (anything but plain text).
    pub fn needs_sub(&self) -> bool {
        self.needs_sub_with(VarStyle::Resolved)
    }

    /// [`Resource::needs_sub`], Serverless variables written as `vars` says: as written,
    /// a variable is plain text for the framework to resolve.
    pub fn needs_sub_with(&self, vars: VarStyle) -> bool {
        fn needs(parts: &[Part], vars: VarStyle) -> bool {
            parts.iter().any(|p| match p {
                Part::Lit { .. } | Part::Wildcard => false,
                Part::Var { .. } if vars == VarStyle::AsWritten => false,
                Part::Var { resolved, .. } => needs(resolved, vars),
                _ => true,
            })
        }
        needs(&self.parts, vars)
    }
}

/// Whether a reference's `logical_id` is a Terraform address (`aws_dynamodb_table.orders`,
/// `data.aws_s3_bucket.logs`, `module.store.aws_s3_bucket.b`) rather than a
/// CloudFormation logical id, which is alphanumeric: `--format terraform` keeps the
/// former as a reference.
pub fn is_terraform_address(logical_id: &str) -> bool {
    logical_id.contains('.')
}

/// Whether a reference's or a variable's value starts with `/` (its first literal part
/// does).
fn starts_with_slash(part: &Part) -> bool {
    let first = match part {
        Part::Ref {
            physical: Some(parts),
            ..
        } => parts.first(),
        Part::Var { resolved, .. } => resolved.first(),
        _ => None,
    };
    match first {
        Some(Part::Lit { text }) => text.starts_with('/'),
        Some(inner) => starts_with_slash(inner),
        None => false,
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&ArnEnv::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Part {
        Part::Lit { text: s.into() }
    }

    #[test]
    fn parts_are_normalised() {
        let r = Resource::new([
            lit("arn:"),
            lit(""),
            lit("aws"),
            Part::Wildcard,
            Part::Wildcard,
            lit("/x"),
        ]);
        assert_eq!(r.parts(), &[lit("arn:aws"), Part::Wildcard, lit("/x")]);
    }

    #[test]
    fn renders_plain_and_sub_forms() {
        let r = Resource::new([
            lit("arn:"),
            Part::Partition,
            lit(":dynamodb:"),
            Part::Region,
            lit(":"),
            Part::Account,
            lit(":table/"),
            Part::Ref {
                logical_id: "Orders".into(),
                attribute: None,
                arn: false,
                physical: None,
            },
        ]);
        assert_eq!(r.to_string(), "arn:*:dynamodb:*:*:table/*");
        assert_eq!(r.unresolved_references().collect::<Vec<_>>(), ["Orders"]);
        let env = ArnEnv {
            partition: Some("aws".into()),
            region: Some("eu-west-1".into()),
            account: Some("123456789012".into()),
        };
        assert_eq!(
            r.render(&env),
            "arn:aws:dynamodb:eu-west-1:123456789012:table/*"
        );
        assert_eq!(
            r.to_sub(),
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}"
        );
        assert!(r.needs_sub());
    }

    #[test]
    fn a_reference_with_a_physical_name_renders_it() {
        let r = Resource::new([
            lit("arn:aws:s3:::"),
            Part::Ref {
                logical_id: "Uploads".into(),
                attribute: None,
                arn: false,
                physical: Some(vec![lit("acme-uploads")]),
            },
            lit("/*"),
        ]);
        assert_eq!(r.to_string(), "arn:aws:s3:::acme-uploads/*");
        assert_eq!(r.to_sub(), "arn:aws:s3:::${Uploads}/*");
        assert_eq!(r.unresolved_references().count(), 0);
    }

    #[test]
    fn a_parameter_reference_starting_with_a_slash_takes_the_arn_s_slash() {
        let reference = |value: &str| Part::Ref {
            logical_id: "Config".into(),
            attribute: None,
            arn: false,
            physical: Some(vec![lit(value)]),
        };
        let r = Resource::new([lit("arn:aws:ssm:r:a:parameter/"), reference("/app/key")]);
        assert_eq!(r.to_string(), "arn:aws:ssm:r:a:parameter/app/key");
        assert_eq!(r.to_sub(), "arn:aws:ssm:r:a:parameter${Config}");
        // Without the leading `/`, and elsewhere than after `:parameter/`, nothing changes.
        let r = Resource::new([lit("arn:aws:ssm:r:a:parameter/"), reference("app/key")]);
        assert_eq!(r.to_sub(), "arn:aws:ssm:r:a:parameter/${Config}");
        let r = Resource::new([lit("arn:aws:s3:::b/"), reference("/k")]);
        assert_eq!(r.to_string(), "arn:aws:s3:::b//k");
    }

    #[test]
    fn a_serverless_variable_is_written_only_in_serverless_output() {
        let stage = Part::Var {
            text: "${sls:stage}".into(),
            resolved: vec![lit("dev")],
        };
        let r = Resource::new([
            lit("arn:"),
            Part::Partition,
            lit(":s3:::orders-"),
            stage.clone(),
            lit("/*"),
        ]);
        assert_eq!(r.to_string(), "arn:*:s3:::orders-dev/*");
        assert_eq!(r.to_sub(), "arn:${AWS::Partition}:s3:::orders-dev/*");
        assert_eq!(
            r.to_sub_with(VarStyle::AsWritten),
            "arn:${AWS::Partition}:s3:::orders-${sls:stage}/*"
        );
        // Literal text and a variable need no `Fn::Sub` in a Serverless config.
        let plain = Resource::new([lit("arn:aws:s3:::orders-"), stage]);
        assert!(!plain.needs_sub());
        assert!(!plain.needs_sub_with(VarStyle::AsWritten));
        // A variable whose value starts with `/` takes the parameter ARN's `/`.
        let param = Resource::new([
            lit("arn:aws:ssm:r:a:parameter/"),
            Part::Var {
                text: "${self:custom.key}".into(),
                resolved: vec![lit("/app/key")],
            },
        ]);
        assert_eq!(param.to_string(), "arn:aws:ssm:r:a:parameter/app/key");
        assert_eq!(
            param.to_sub_with(VarStyle::AsWritten),
            "arn:aws:ssm:r:a:parameter${self:custom.key}"
        );
    }

    #[test]
    fn literal_star_is_a_wildcard() {
        assert!(Resource::literal("*").is_any());
        let r = Resource::literal("arn:aws:s3:::uploads/resized-*");
        assert!(r.has_wildcard());
        assert!(!r.needs_sub());
    }
}
