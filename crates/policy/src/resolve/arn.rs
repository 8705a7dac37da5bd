//! Turning parameter values into ARN parts: environment variables, parsers for packed
//! parameters (`CopySource`, `FunctionName`, `KeyId`), and ARN template filling.

use std::collections::{BTreeMap, BTreeSet};

use leastrole_lang::Value;
use leastrole_maps::Parser;

use crate::resource::Part;

/// The function's environment as configured (or not) by the project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvContext {
    /// `true` when a project config defines the function's environment, so a variable
    /// missing from `values` is known to be unset.
    pub configured: bool,
    /// Variable → its value as ARN parts (literal text and template references).
    pub values: BTreeMap<String, Vec<Part>>,
    /// Variable → why the wildcards in its value are there (`${ssm:/app/key}` cannot be
    /// resolved statically).
    pub unknown: BTreeMap<String, Vec<String>>,
    /// What the function's triggers put in its events (the values the code reads from
    /// its event): `None` when the triggers are not known (a plain folder, `--handler`),
    /// so an event value says only where it comes from.
    pub triggers: Option<Vec<TriggerFields>>,
}

/// One trigger of the function, and what its events carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TriggerFields {
    /// What it is, for diagnostics (`S3 notifications of UploadBucket`).
    pub describe: String,
    /// Event path (`Records[].s3.bucket.name`) → the value there. A field that is one
    /// wildcard stands for anything under its path too (`detail` of an EventBridge
    /// rule), unless a longer path of the same trigger is set.
    pub fields: BTreeMap<String, EventField>,
}

/// A value a trigger puts in the event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventField {
    pub parts: Vec<Part>,
    /// Why each wildcard in `parts` is there (the key filter an object key is under).
    pub unknown: Vec<String>,
}

impl TriggerFields {
    /// The value this trigger puts at `path`: the field of that path, else the open
    /// (wildcard) field of the longest path above it; `None` when its events do not
    /// carry the path.
    fn field(&self, path: &str) -> Option<&EventField> {
        if let Some(f) = self.fields.get(path) {
            return Some(f);
        }
        self.fields
            .iter()
            .filter(|(key, f)| {
                f.parts.iter().all(|p| matches!(p, Part::Wildcard))
                    && path
                        .strip_prefix(key.as_str())
                        .is_some_and(|rest| rest.starts_with(['.', '[']))
            })
            .max_by_key(|(key, _)| key.len())
            .map(|(_, f)| f)
    }
}

/// Parts of a string-like value plus why any wildcard in them is there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    pub parts: Vec<Part>,
    /// One reason per wildcard introduced.
    pub unknown: Vec<String>,
    /// The event paths whose values were taken from the function's triggers, each with
    /// the triggers that set it: the policy assumes only they invoke the function.
    pub from_triggers: BTreeSet<(String, String)>,
    /// The triggers this alternative can come from (empty: any): values read from one
    /// event vary together, so alternatives of different triggers are not combined.
    pub triggers: BTreeSet<String>,
}

impl Text {
    fn lit(s: &str) -> Text {
        Text {
            parts: vec![Part::Lit {
                text: s.to_string(),
            }],
            unknown: Vec::new(),
            from_triggers: BTreeSet::new(),
            triggers: BTreeSet::new(),
        }
    }

    /// A literal text from the tables.
    pub(crate) fn literal(s: &str) -> Text {
        Text::lit(s)
    }

    /// The text with fixed text before it; an unknown value stays unknown after it
    /// (`@connections/` + an unknown connection id is `@connections/*`).
    pub(crate) fn after(mut self, prefix: &str) -> Text {
        self.parts.insert(
            0,
            Part::Lit {
                text: prefix.to_string(),
            },
        );
        self
    }

    /// A wholly unknown value, with the reason.
    pub fn unknown(reason: impl Into<String>) -> Text {
        Text::wildcard(reason)
    }

    fn wildcard(reason: impl Into<String>) -> Text {
        Text {
            parts: vec![Part::Wildcard],
            unknown: vec![reason.into()],
            from_triggers: BTreeSet::new(),
            triggers: BTreeSet::new(),
        }
    }

    /// This text followed by `other`; `None` when they come from different triggers
    /// (no one event holds both).
    fn then(&self, other: &Text) -> Option<Text> {
        let mut out = self.clone();
        out.triggers = combine(&self.triggers, &other.triggers)?;
        out.parts.extend(other.parts.iter().cloned());
        out.unknown.extend(other.unknown.iter().cloned());
        out.from_triggers
            .extend(other.from_triggers.iter().cloned());
        Some(out)
    }

    pub fn is_fully_unknown(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Wildcard))
    }
}

/// Most alternatives one value may stand for (a choice, several triggers, their
/// combinations through concatenation) before it is unknown as a whole.
pub(crate) const MAX_ALTERNATIVES: usize = 64;

/// The alternatives a value stands for, each as ARN text parts: one for most values,
/// one per item of a choice ([`Value::OneOf`]), one per trigger that sets an event
/// path, their combinations through concatenation. Never empty.
pub fn texts_of(value: &Value, env: &EnvContext) -> Vec<Text> {
    let out = match value {
        Value::Concat { parts } => {
            let mut out = vec![Text::default()];
            for p in parts {
                let alternatives = texts_of(p, env);
                if out.len().saturating_mul(alternatives.len()) > MAX_ALTERNATIVES {
                    return vec![too_many()];
                }
                out = out
                    .iter()
                    .flat_map(|a| alternatives.iter().filter_map(|b| a.then(b)))
                    .collect();
            }
            out
        }
        Value::OneOf { items } => {
            let out: Vec<Text> = items.iter().flat_map(|i| texts_of(i, env)).collect();
            if out.len() > MAX_ALTERNATIVES {
                return vec![too_many()];
            }
            out
        }
        Value::Event { path } => event_texts(path, env),
        Value::Env {
            name,
            default: Some(d),
        } if env.configured && !env.values.contains_key(name) => texts_of(d, env),
        other => vec![text_of_one(other, env)],
    };
    if out.is_empty() {
        return vec![Text::wildcard("one of no values")];
    }
    dedup(out)
}

/// The triggers a combination of two alternatives can come from: `None` when none
/// (one comes only from triggers the other cannot come from).
pub(crate) fn combine(a: &BTreeSet<String>, b: &BTreeSet<String>) -> Option<BTreeSet<String>> {
    if a.is_empty() {
        return Some(b.clone());
    }
    if b.is_empty() {
        return Some(a.clone());
    }
    let both: BTreeSet<String> = a.intersection(b).cloned().collect();
    (!both.is_empty()).then_some(both)
}

fn too_many() -> Text {
    Text::wildcard(format!(
        "one of more than {MAX_ALTERNATIVES} values (choices, triggers and their combinations)"
    ))
}

/// Alternatives with the same parts merged (their reasons and triggers unioned), in
/// first-seen order.
fn dedup(texts: Vec<Text>) -> Vec<Text> {
    let mut out: Vec<Text> = Vec::with_capacity(texts.len());
    for t in texts {
        match out
            .iter_mut()
            .find(|o| o.parts == t.parts && o.triggers == t.triggers)
        {
            Some(o) => {
                for r in t.unknown {
                    if !o.unknown.contains(&r) {
                        o.unknown.push(r);
                    }
                }
                o.from_triggers.extend(t.from_triggers);
            }
            None => out.push(t),
        }
    }
    out
}

/// What the function's triggers put at an event path: one alternative per distinct
/// value; `*` with the reason when no trigger sets it or the triggers are not known.
fn event_texts(path: &str, env: &EnvContext) -> Vec<Text> {
    let Some(triggers) = &env.triggers else {
        return vec![Text::wildcard(event_reason(path))];
    };
    let mut out = Vec::new();
    for t in triggers {
        let Some(field) = t.field(path) else {
            continue;
        };
        let known = !field.parts.iter().all(|p| matches!(p, Part::Wildcard));
        let unknown = if field.unknown.is_empty() && !known {
            vec![format!(
                "{}: {} leaves it open",
                event_reason(path),
                t.describe
            )]
        } else {
            field.unknown.clone()
        };
        out.push(Text {
            parts: field.parts.clone(),
            unknown,
            from_triggers: if known {
                BTreeSet::from([(path.to_string(), t.describe.clone())])
            } else {
                BTreeSet::new()
            },
            triggers: BTreeSet::from([t.describe.clone()]),
        });
    }
    if out.is_empty() {
        return vec![Text::wildcard(format!(
            "{}; no trigger of this function names it",
            event_reason(path)
        ))];
    }
    out
}

/// A value as ARN text parts, as one text: a value that stands for several (a choice,
/// several triggers) is `*` here; [`texts_of`] gives each.
pub fn text_of(value: &Value, env: &EnvContext) -> Text {
    let mut texts = texts_of(value, env);
    match texts.len() {
        1 => texts.pop().unwrap_or_default(),
        n => Text::wildcard(format!("one of {n} values")),
    }
}

/// A value that is never several: see [`texts_of`].
fn text_of_one(value: &Value, env: &EnvContext) -> Text {
    match value {
        Value::Str { value } => Text::lit(value),
        Value::Env { name, default } => match env.values.get(name) {
            Some(parts) => {
                let wildcards = parts.iter().any(|p| matches!(p, Part::Wildcard));
                let unknown = match env.unknown.get(name) {
                    Some(reasons) if wildcards => reasons
                        .iter()
                        .map(|r| format!("environment variable {name}: {r}"))
                        .collect(),
                    _ if wildcards => {
                        vec![format!("environment variable {name} is only partly known")]
                    }
                    _ => Vec::new(),
                };
                Text {
                    parts: parts.clone(),
                    unknown,
                    from_triggers: BTreeSet::new(),
                    triggers: BTreeSet::new(),
                }
            }
            None if env.configured => match default {
                Some(d) => text_of(d, env),
                None => Text::wildcard(format!(
                    "environment variable {name} is not set in the function's configuration"
                )),
            },
            None => Text::wildcard(format!(
                "environment variable {name} has no known value (no project configuration{})",
                default
                    .as_deref()
                    .and_then(Value::as_str)
                    .map(|d| format!("; the code's default is {d:?}"))
                    .unwrap_or_default()
            )),
        },
        Value::Unknown { reason } => Text::wildcard(reason.clone()),
        Value::Concat { .. } | Value::OneOf { .. } | Value::Event { .. } => text_of(value, env),
        Value::Scalar { text } => Text::lit(text),
        Value::Object { .. } | Value::Map { .. } | Value::List { .. } => {
            Text::wildcard("the value is an object or list, not a name")
        }
    }
}

/// Why a value read from the event is unknown.
pub(crate) fn event_reason(path: &str) -> String {
    if path.is_empty() {
        "from the event".to_string()
    } else {
        format!("from the event (`{path}`)")
    }
}

const SENTINEL_BASE: u32 = 0xE000;
/// The end of the Basic Multilingual Plane's private-use area.
const SENTINEL_LAST: u32 = 0xF8FF;

/// The sentinel past the last one [`flatten`] can give: read back as a wildcard.
const REST_UNKNOWN: char = '\u{F8FF}';

fn is_sentinel(c: char) -> bool {
    (SENTINEL_BASE..=SENTINEL_LAST).contains(&u32::from(c))
}

/// Flatten parts to a string with one private-use char per non-literal part, so string
/// parsing can split around them; [`unflatten`] maps back.
fn flatten(parts: &[Part]) -> (String, Vec<Part>) {
    let mut s = String::new();
    let mut others = Vec::new();
    for p in parts {
        match p {
            // A private-use character in the user's text would read back as another
            // part; no AWS name contains one, so it becomes U+FFFD.
            Part::Lit { text } => s.extend(
                text.chars()
                    .map(|c| if is_sentinel(c) { '\u{FFFD}' } else { c }),
            ),
            other => {
                let c = u32::try_from(others.len())
                    .ok()
                    .and_then(|n| n.checked_add(SENTINEL_BASE))
                    .filter(|&code| code <= SENTINEL_LAST)
                    .and_then(char::from_u32)
                    // Past 6,400 parts the rest is unknown as a whole.
                    .unwrap_or(REST_UNKNOWN);
                s.push(c);
                if c != REST_UNKNOWN {
                    others.push(other.clone());
                }
            }
        }
    }
    (s, others)
}

fn unflatten(s: &str, others: &[Part]) -> Vec<Part> {
    let mut out = Vec::new();
    let mut lit = String::new();
    for c in s.chars() {
        let code = u32::from(c);
        if c == REST_UNKNOWN {
            if !lit.is_empty() {
                out.push(Part::Lit {
                    text: std::mem::take(&mut lit),
                });
            }
            out.push(Part::Wildcard);
            continue;
        }
        match code
            .checked_sub(SENTINEL_BASE)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| others.get(i))
        {
            Some(part) => {
                if !lit.is_empty() {
                    out.push(Part::Lit {
                        text: std::mem::take(&mut lit),
                    });
                }
                out.push(part.clone());
            }
            None => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push(Part::Lit { text: lit });
    }
    out
}

/// Whether the text is a whole ARN (literal `arn:` prefix, or a template `…Arn`
/// attribute reference standing first).
pub fn is_whole_arn(parts: &[Part]) -> bool {
    match parts.first() {
        Some(Part::Lit { text }) => text.starts_with("arn:"),
        Some(Part::Ref { arn, attribute, .. }) => {
            *arn || attribute.as_deref().is_some_and(|a| a.ends_with("Arn"))
        }
        Some(Part::Var { resolved, .. }) => is_whole_arn(resolved),
        _ => false,
    }
}

/// Apply a value parser to each alternative of a value ([`texts_of`]). `value` is the
/// raw parameter value (for `CopySource` dicts).
pub fn parse(parser: Parser, value: &Value, env: &EnvContext) -> Vec<Text> {
    if let (Parser::S3CopySourceBucket | Parser::S3CopySourceKey, Value::Object { .. }) =
        (parser, value)
    {
        let member = if parser == Parser::S3CopySourceBucket {
            "Bucket"
        } else {
            "Key"
        };
        return match value.get(member) {
            Some(v) => texts_of(v, env),
            None => vec![Text::wildcard(format!("CopySource has no {member}"))],
        };
    }
    texts_of(value, env)
        .into_iter()
        .map(|text| parse_text(parser, text))
        .collect()
}

/// Apply a value parser to one alternative.
fn parse_text(parser: Parser, mut text: Text) -> Text {
    // An SSM parameter name (not an ARN) keeps its references (an SSM parameter's `Ref`,
    // `/app/${Stage}/key`), so template output writes them rather than the value of one
    // stage: only a literal leading `/` goes; a reference whose value starts with `/`
    // takes the place of the ARN's `/` (see `Resource::new`).
    if parser == Parser::SsmParameterName {
        // An ARN (written, or the value of a reference) is parsed below.
        let (flat, _) = flatten(&expand(text.parts.clone()));
        if !flat.contains(":parameter/") {
            if let Some(Part::Lit { text: first }) = text.parts.first_mut()
                && let Some(rest) = first.strip_prefix('/')
            {
                *first = rest.to_string();
            }
            return text;
        }
    }
    text.parts = expand(text.parts);
    let (flat, others) = flatten(&text.parts);
    // A piece keeps the reasons only if a wildcard is left in it: the name after an
    // unknown queue URL host (`<host>/jobs`) is exact.
    let piece = |s: &str| {
        let parts = unflatten(s, &others);
        let unknown = if parts.iter().any(|p| matches!(p, Part::Wildcard)) {
            text.unknown.clone()
        } else {
            Vec::new()
        };
        Text {
            parts,
            unknown,
            from_triggers: text.from_triggers.clone(),
            triggers: text.triggers.clone(),
        }
    };
    match parser {
        Parser::S3UriBucket | Parser::S3UriKey => match flat.strip_prefix("s3://") {
            Some(rest) => match rest.split_once('/') {
                Some((bucket, key)) => piece(if parser == Parser::S3UriBucket {
                    bucket
                } else {
                    key
                }),
                None => {
                    Text::wildcard("the s3:// URI's bucket/key split is not visible in the code")
                }
            },
            None => Text::wildcard("not an s3:// URI the code shows (`s3://bucket/key`)"),
        },
        Parser::S3CopySourceBucket | Parser::S3CopySourceKey => {
            let flat = flat.trim_start_matches('/');
            let flat = flat.split_once("?versionId=").map_or(flat, |(a, _)| a);
            match flat.split_once('/') {
                Some((bucket, key)) => piece(if parser == Parser::S3CopySourceBucket {
                    bucket
                } else {
                    key
                }),
                None if parser == Parser::S3CopySourceBucket && !others.is_empty() => {
                    Text::wildcard("the CopySource bucket/key split is not visible in the code")
                }
                None if parser == Parser::S3CopySourceBucket => piece(flat),
                None => {
                    Text::wildcard("the CopySource bucket/key split is not visible in the code")
                }
            }
        }
        Parser::LambdaFunctionName | Parser::LambdaQualifier => {
            let rest = match flat.split_once(":function:") {
                Some((_, rest)) => rest,
                None => flat.as_str(),
            };
            let (name, qualifier) = match rest.split_once(':') {
                Some((n, q)) => (n, Some(q)),
                None => (rest, None),
            };
            if parser == Parser::LambdaFunctionName {
                piece(name)
            } else {
                match qualifier {
                    Some(q) => piece(q),
                    None => Text::default(),
                }
            }
        }
        Parser::SqsQueueUrlName => {
            let path = flat.trim_end_matches('/');
            match path.rsplit_once('/') {
                Some((_, name)) => piece(name),
                None => piece(path),
            }
        }
        Parser::SsmParameterName => {
            let name = match flat.split_once(":parameter/") {
                Some((_, n)) => n,
                None => flat.trim_start_matches('/'),
            };
            piece(name)
        }
        Parser::ArnLastSegment => {
            let last = flat.rsplit([':', '/']).next().unwrap_or(&flat);
            piece(last)
        }
        Parser::KmsKeyId => {
            if flat.starts_with("alias/") || flat.contains(":alias/") {
                Text::wildcard(
                    "the key is named by an alias; an alias in a policy only covers the alias, so give the key ARN",
                )
            } else if let Some((_, id)) = flat.split_once(":key/") {
                piece(id)
            } else {
                piece(&flat)
            }
        }
        // A secret's ARN is its name, `-` and six random characters (the Secrets Manager
        // user guide, "Secret ARNs"): IAM's `?` matches one character each.
        Parser::SecretsmanagerSecretName => piece(&format!("{flat}-??????")),
        Parser::KmsAliasName => {
            let name = flat
                .split_once(":alias/")
                .map(|(_, n)| n)
                .or_else(|| flat.strip_prefix("alias/"))
                .unwrap_or(&flat);
            piece(name)
        }
    }
}

/// A value as parts, with template references whose value the template gives (a queue
/// URL, a parameter name) replaced by that value, for parsers to look inside. A
/// Serverless variable stays whole (so that Serverless output writes it) unless its value
/// holds a separator a parser splits at (`/`, `:`, `?`): `${sls:stage}` in a queue URL
/// stays, `${self:custom.queueUrl}` holding the whole URL is looked inside.
fn expanded(value: &Value, env: &EnvContext) -> Text {
    let mut text = text_of(value, env);
    text.parts = expand(text.parts);
    text
}

fn expand(parts: Vec<Part>) -> Vec<Part> {
    parts
        .into_iter()
        .flat_map(|p| match p {
            Part::Ref {
                physical: Some(physical),
                ..
            } => physical,
            Part::Var { resolved, .. } if splits(&resolved) => expand(resolved),
            other => vec![other],
        })
        .collect()
}

/// Whether a variable's value holds a character a parser splits at.
fn splits(parts: &[Part]) -> bool {
    parts.iter().any(|p| match p {
        Part::Lit { text } => text.contains(['/', ':', '?']),
        Part::Var { resolved, .. } => splits(resolved),
        _ => false,
    })
}

/// The region and account a packed parameter names itself, which win over the
/// deployment's: a queue URL's host and path (`https://sqs.eu-west-1.amazonaws.com/
/// 123456789012/jobs`), a function ARN given as `FunctionName`. `None` when the value
/// does not say, or says it only in part (an unknown region stays the deployment's
/// placeholder rather than becoming an unexplained wildcard).
pub fn location(parser: Parser, value: &Value, env: &EnvContext) -> Option<(Vec<Part>, Vec<Part>)> {
    let text = expanded(value, env);
    let (flat, others) = flatten(&text.parts);
    let (region, account) = match parser {
        Parser::SqsQueueUrlName => {
            let rest = flat
                .strip_prefix("https://")
                .or_else(|| flat.strip_prefix("http://"))?;
            let (host, path) = rest.split_once('/')?;
            let region = match host.strip_prefix("sqs.") {
                Some(h) => h.split_once('.')?.0,
                None => host.split_once(".queue.")?.0,
            };
            (region, path.split('/').next()?)
        }
        Parser::LambdaFunctionName | Parser::LambdaQualifier => {
            let mut segments = flat.splitn(7, ':');
            let (
                Some("arn"),
                Some(_),
                Some("lambda"),
                Some(region),
                Some(account),
                Some("function"),
            ) = (
                segments.next(),
                segments.next(),
                segments.next(),
                segments.next(),
                segments.next(),
                segments.next(),
            )
            else {
                return None;
            };
            (region, account)
        }
        _ => return None,
    };
    let region = unflatten(region, &others);
    let account = unflatten(account, &others);
    let known =
        |parts: &[Part]| !parts.is_empty() && !parts.iter().any(|p| matches!(p, Part::Wildcard));
    (known(&region) && known(&account)).then_some((region, account))
}

/// Fill an ARN template. `bound` gives parts for bound placeholders; any other
/// placeholder that is not an environment one becomes a wildcard.
pub fn fill(template: &str, bound: &BTreeMap<String, Vec<Part>>) -> Vec<Part> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some((before, after)) = rest.split_once("${") {
        out.push(Part::Lit {
            text: before.to_string(),
        });
        let Some((name, tail)) = after.split_once('}') else {
            out.push(Part::Lit {
                text: format!("${{{after}"),
            });
            return out;
        };
        match name {
            "Partition" => out.push(Part::Partition),
            // A value that names its own region or account (a queue URL) binds them.
            "Region" | "Account" if bound.contains_key(name) => {
                out.extend(bound.get(name).into_iter().flatten().cloned());
            }
            "Region" => out.push(Part::Region),
            "Account" => out.push(Part::Account),
            _ => match bound.get(name) {
                Some(parts) => out.extend(parts.iter().cloned()),
                None => out.push(Part::Wildcard),
            },
        }
        rest = tail;
    }
    out.push(Part::Lit {
        text: rest.to_string(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Resource;

    fn render(parts: Vec<Part>) -> String {
        Resource::new(parts).to_string()
    }

    /// The one alternative of a value that has one.
    fn one(mut texts: Vec<Text>) -> Text {
        assert_eq!(texts.len(), 1, "{texts:?}");
        texts.remove(0)
    }

    #[test]
    fn private_use_characters_in_names_never_read_back_as_other_parts() {
        let parts = vec![
            Part::Lit {
                text: "a\u{E000}b".into(),
            },
            Part::Region,
        ];
        let (flat, others) = flatten(&parts);
        assert_eq!(
            unflatten(&flat, &others),
            vec![
                Part::Lit {
                    text: "a\u{FFFD}b".into()
                },
                Part::Region
            ]
        );
    }

    #[test]
    fn queue_urls_and_function_arns_name_their_region_and_account() {
        let env = EnvContext::default();
        let lit = |s: &str| vec![Part::Lit { text: s.into() }];
        let url = Value::str("https://sqs.eu-west-1.amazonaws.com/111122223333/jobs");
        assert_eq!(
            location(Parser::SqsQueueUrlName, &url, &env),
            Some((lit("eu-west-1"), lit("111122223333")))
        );
        let legacy = Value::str("https://ap-south-1.queue.amazonaws.com/111122223333/jobs");
        assert_eq!(
            location(Parser::SqsQueueUrlName, &legacy, &env),
            Some((lit("ap-south-1"), lit("111122223333")))
        );
        let function = Value::str("arn:aws:lambda:eu-west-2:444455556666:function:f:live");
        assert_eq!(
            location(Parser::LambdaFunctionName, &function, &env),
            Some((lit("eu-west-2"), lit("444455556666")))
        );
        for unknown in [
            Value::str("jobs"),
            Value::unknown("from the event"),
            Value::Concat {
                parts: vec![
                    Value::str("https://sqs."),
                    Value::unknown("from the event"),
                    Value::str(".amazonaws.com/111122223333/jobs"),
                ],
            },
        ] {
            assert_eq!(location(Parser::SqsQueueUrlName, &unknown, &env), None);
        }
        let mut bound = BTreeMap::new();
        bound.insert("QueueName".to_string(), lit("jobs"));
        bound.insert("Region".to_string(), lit("eu-west-1"));
        assert_eq!(
            render(fill(
                "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}",
                &bound
            )),
            "arn:*:sqs:eu-west-1:*:jobs"
        );
    }

    #[test]
    fn concat_with_unknown_part_keeps_the_literal_prefix() {
        let v = Value::Concat {
            parts: vec![Value::str("resized-"), Value::unknown("from the event")],
        };
        let t = text_of(&v, &EnvContext::default());
        assert_eq!(render(t.parts), "resized-*");
        assert_eq!(t.unknown, vec!["from the event"]);
    }

    #[test]
    fn env_var_resolves_only_when_configured() {
        let v = Value::Env {
            name: "BUCKET".into(),
            default: Some(Box::new(Value::str("fallback"))),
        };
        let plain = text_of(&v, &EnvContext::default());
        assert!(plain.is_fully_unknown());
        assert!(plain.unknown[0].contains("\"fallback\""));
        let configured = EnvContext {
            configured: true,
            ..EnvContext::default()
        };
        assert_eq!(render(text_of(&v, &configured).parts), "fallback");
        let mut set = configured.clone();
        set.values.insert(
            "BUCKET".into(),
            vec![Part::Lit {
                text: "real".into(),
            }],
        );
        assert_eq!(render(text_of(&v, &set).parts), "real");
    }

    #[test]
    fn copy_source_string_and_dict() {
        let env = EnvContext::default();
        let s = Value::str("src-bucket/path/to/key.txt?versionId=3");
        assert_eq!(
            render(one(parse(Parser::S3CopySourceBucket, &s, &env)).parts),
            "src-bucket"
        );
        assert_eq!(
            render(one(parse(Parser::S3CopySourceKey, &s, &env)).parts),
            "path/to/key.txt"
        );
        let d = Value::Object {
            entries: [
                ("Bucket".to_string(), Value::str("b")),
                ("Key".to_string(), Value::str("k")),
            ]
            .into(),
            rest: None,
        };
        assert_eq!(
            render(one(parse(Parser::S3CopySourceKey, &d, &env)).parts),
            "k"
        );
        let templ = Value::Concat {
            parts: vec![Value::str("src/"), Value::unknown("from the event")],
        };
        assert_eq!(
            render(one(parse(Parser::S3CopySourceBucket, &templ, &env)).parts),
            "src"
        );
        assert_eq!(
            render(one(parse(Parser::S3CopySourceKey, &templ, &env)).parts),
            "*"
        );
    }

    #[test]
    fn lambda_names_and_qualifiers() {
        let env = EnvContext::default();
        for (input, name, qual) in [
            ("worker", "worker", ""),
            ("worker:live", "worker", "live"),
            (
                "arn:aws:lambda:eu-west-1:123456789012:function:worker:7",
                "worker",
                "7",
            ),
        ] {
            let v = Value::str(input);
            assert_eq!(
                render(one(parse(Parser::LambdaFunctionName, &v, &env)).parts),
                name
            );
            assert_eq!(
                render(one(parse(Parser::LambdaQualifier, &v, &env)).parts),
                qual
            );
        }
    }

    #[test]
    fn kms_alias_is_not_a_key() {
        let env = EnvContext::default();
        let t = one(parse(Parser::KmsKeyId, &Value::str("alias/app"), &env));
        assert!(t.is_fully_unknown());
        let t = one(parse(
            Parser::KmsKeyId,
            &Value::str("arn:aws:kms:us-east-1:1:key/abcd"),
            &env,
        ));
        assert_eq!(render(t.parts), "abcd");
        let t = one(parse(Parser::KmsAliasName, &Value::str("alias/app"), &env));
        assert_eq!(render(t.parts), "app");
    }

    #[test]
    fn sqs_queue_url_gives_the_queue_name() {
        let env = EnvContext::default();
        let v = Value::str("https://sqs.eu-west-1.amazonaws.com/123456789012/orders");
        assert_eq!(
            render(one(parse(Parser::SqsQueueUrlName, &v, &env)).parts),
            "orders"
        );
        let v = Value::Env {
            name: "QUEUE_URL".into(),
            default: None,
        };
        assert!(one(parse(Parser::SqsQueueUrlName, &v, &env)).is_fully_unknown());
    }

    #[test]
    fn ssm_parameter_names_lose_the_leading_slash() {
        let env = EnvContext::default();
        for input in [
            "/app/db/password",
            "app/db/password",
            "arn:aws:ssm:us-east-1:1:parameter/app/db/password",
        ] {
            assert_eq!(
                render(one(parse(Parser::SsmParameterName, &Value::str(input), &env)).parts),
                "app/db/password",
                "{input}"
            );
        }
    }

    #[test]
    fn parsers_see_through_references_with_a_physical_value() {
        let mut env = EnvContext {
            configured: true,
            ..EnvContext::default()
        };
        env.values.insert(
            "QUEUE_URL".into(),
            vec![Part::Ref {
                logical_id: "Jobs".into(),
                attribute: None,
                arn: false,
                physical: Some(vec![
                    Part::Lit {
                        text: "https://sqs.".into(),
                    },
                    Part::Region,
                    Part::Lit {
                        text: ".amazonaws.com/".into(),
                    },
                    Part::Account,
                    Part::Lit {
                        text: "/jobs-dev".into(),
                    },
                ]),
            }],
        );
        let v = Value::Env {
            name: "QUEUE_URL".into(),
            default: None,
        };
        assert_eq!(
            render(one(parse(Parser::SqsQueueUrlName, &v, &env)).parts),
            "jobs-dev"
        );
    }

    /// A Serverless variable stays whole where a parser's split falls outside it (the
    /// stage in a queue name), and is looked inside when its value holds the split (a
    /// whole queue URL).
    #[test]
    fn parsers_keep_a_variable_unless_they_split_inside_it() {
        let var = |text: &str, value: &str| Part::Var {
            text: text.into(),
            resolved: vec![Part::Lit { text: value.into() }],
        };
        let lit = |text: &str| Part::Lit { text: text.into() };
        let mut env = EnvContext {
            configured: true,
            ..EnvContext::default()
        };
        env.values.insert(
            "STAGED".into(),
            vec![
                lit("https://sqs.us-east-1.amazonaws.com/1/jobs-"),
                var("${sls:stage}", "dev"),
            ],
        );
        env.values.insert(
            "WHOLE".into(),
            vec![var(
                "${self:custom.queueUrl}",
                "https://sqs.us-east-1.amazonaws.com/1/jobs-dev",
            )],
        );
        let queue = |name: &str| {
            one(parse(
                Parser::SqsQueueUrlName,
                &Value::Env {
                    name: name.into(),
                    default: None,
                },
                &env,
            ))
            .parts
        };
        assert_eq!(queue("STAGED"), [lit("jobs-"), var("${sls:stage}", "dev")]);
        assert_eq!(queue("WHOLE"), [lit("jobs-dev")]);
    }

    #[test]
    fn unknown_configured_values_keep_their_reason() {
        let mut env = EnvContext {
            configured: true,
            ..EnvContext::default()
        };
        env.values.insert("KEY".into(), vec![Part::Wildcard]);
        env.unknown.insert(
            "KEY".into(),
            vec!["`${ssm:/app/key}` is resolved at deploy time".into()],
        );
        let t = text_of(
            &Value::Env {
                name: "KEY".into(),
                default: None,
            },
            &env,
        );
        assert_eq!(
            t.unknown,
            vec!["environment variable KEY: `${ssm:/app/key}` is resolved at deploy time"]
        );
    }

    #[test]
    fn template_filling() {
        let mut bound = BTreeMap::new();
        bound.insert(
            "BucketName".to_string(),
            vec![Part::Lit { text: "b".into() }],
        );
        let parts = fill("arn:${Partition}:s3:::${BucketName}/${ObjectName}", &bound);
        assert_eq!(render(parts), "arn:*:s3:::b/*");
    }

    #[test]
    fn whole_arn_detection() {
        assert!(is_whole_arn(&[Part::Lit {
            text: "arn:aws:sns:x".into()
        }]));
        assert!(is_whole_arn(&[Part::Ref {
            logical_id: "T".into(),
            attribute: Some("Arn".into()),
            arn: true,
            physical: None,
        }]));
        assert!(!is_whole_arn(&[Part::Lit {
            text: "orders".into()
        }]));
    }
}
