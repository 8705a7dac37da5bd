//! CloudFormation values: the evaluation of configured values (`!Ref`, `!GetAtt`, `!Sub`,
//! `!Join`, parameters, mappings) into [`ValuePart`]s, with what each reference returns
//! taken from the table in [`crate::returns`].

use std::cell::Cell;

use indexmap::IndexMap;

use crate::config::Node;
use crate::intrinsic::Intrinsic;
use crate::returns::{Returns, returns, semantics};
use crate::{EnvValue, ValuePart};

/// Evaluation stops this deep (references to references, nested variables).
pub(crate) const MAX_DEPTH: usize = 32;

/// Evaluation steps allowed per config: references that each name two others would
/// otherwise take exponential time.
pub(crate) const MAX_WORK: usize = 200_000;

/// Fill a [`Returns`] template with a physical name.
pub(crate) fn build(template: &str, name: &[ValuePart]) -> Vec<ValuePart> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        let Some((placeholder, tail)) = after.split_once('}') else {
            break;
        };
        out.push(ValuePart::Lit(before.to_string()));
        match placeholder {
            "name" => out.extend(name.iter().cloned()),
            "partition" => out.push(ValuePart::Pseudo("AWS::Partition".into())),
            "region" => out.push(ValuePart::Pseudo("AWS::Region".into())),
            "account" => out.push(ValuePart::Pseudo("AWS::AccountId".into())),
            "urlsuffix" => out.push(ValuePart::Pseudo("AWS::URLSuffix".into())),
            // The six random characters Secrets Manager ends a secret's ARN with: IAM's
            // `?` matches exactly one character each, so the name's ARN and no longer
            // name's is matched.
            "random" => out.push(ValuePart::Lit("??????".into())),
            "stream-label" => out.push(ValuePart::Unknown(
                "a stream's label is the time DynamoDB enabled the stream".into(),
            )),
            _ => out.push(ValuePart::Unknown(format!(
                "`{{{placeholder}}}` in a return-value template"
            ))),
        }
        rest = tail;
    }
    out.push(ValuePart::Lit(rest.to_string()));
    normalize(out)
}

/// Merge adjacent literals and drop empty ones.
pub(crate) fn normalize(parts: Vec<ValuePart>) -> Vec<ValuePart> {
    let mut out: Vec<ValuePart> = Vec::with_capacity(parts.len());
    for p in parts {
        match p {
            ValuePart::Lit(s) if s.is_empty() => {}
            ValuePart::Lit(s) => {
                if let Some(ValuePart::Lit(last)) = out.last_mut() {
                    last.push_str(&s);
                } else {
                    out.push(ValuePart::Lit(s));
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A configured value as an environment value.
pub(crate) fn env_value(parts: Vec<ValuePart>) -> EnvValue {
    let parts = normalize(parts);
    match parts.as_slice() {
        [] => EnvValue::Literal(String::new()),
        [ValuePart::Lit(s)] => EnvValue::Literal(s.clone()),
        [ValuePart::Unknown(reason)] => EnvValue::Unknown(reason.clone()),
        _ => EnvValue::Template(parts),
    }
}

/// The parts of a value with references replaced by their physical values and variables
/// by what they resolve to: `None` when a reference has no physical value. Unknown parts
/// stay (they become `*` in an ARN).
fn flatten(parts: &[ValuePart]) -> Option<Vec<ValuePart>> {
    let mut out = Vec::new();
    for p in parts {
        match p {
            ValuePart::Ref { physical, .. } => out.extend(flatten(physical.as_deref()?)?),
            ValuePart::Var { resolved, .. } => out.extend(flatten(resolved)?),
            other => out.push(other.clone()),
        }
    }
    Some(normalize(out))
}

/// The parts of a template leastrole reads references from.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Template {
    /// Logical id → resource (`Type`, `Properties`).
    pub(crate) resources: IndexMap<String, Node>,
    pub(crate) parameters: IndexMap<String, Node>,
    pub(crate) mappings: IndexMap<String, Node>,
    /// Evaluation steps done so far (see [`MAX_WORK`]).
    pub(crate) work: Cell<usize>,
}

impl Template {
    /// The `Resources`, `Parameters` and `Mappings` sections of a template node; other
    /// sections are ignored.
    pub(crate) fn from_node(node: &Node) -> Template {
        let mut t = Template::default();
        t.merge(node);
        t
    }

    /// Add another template's sections (Serverless `resources:` may be a list).
    pub(crate) fn merge(&mut self, node: &Node) {
        for (section, into) in [
            ("Resources", &mut self.resources),
            ("Parameters", &mut self.parameters),
            ("Mappings", &mut self.mappings),
        ] {
            if let Some(m) = node.get(section).and_then(Node::as_map) {
                for (k, v) in m {
                    into.insert(k.clone(), v.clone());
                }
            }
        }
    }
}

/// How plain strings of the config evaluate: literally (SAM, CDK) or through Serverless
/// variables.
pub(crate) trait Strings {
    fn string(&self, s: &str, depth: usize) -> Vec<ValuePart>;
}

/// Plain strings are literal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Literal;

impl Strings for Literal {
    fn string(&self, s: &str, _depth: usize) -> Vec<ValuePart> {
        vec![ValuePart::Lit(s.to_string())]
    }
}

/// Evaluates configured values against one template.
pub(crate) struct Eval<'a> {
    pub(crate) template: &'a Template,
    pub(crate) strings: &'a dyn Strings,
}

impl std::fmt::Debug for Eval<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Eval").finish_non_exhaustive()
    }
}

fn unknown(reason: impl Into<String>) -> Vec<ValuePart> {
    vec![ValuePart::Unknown(reason.into())]
}

const PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

impl Eval<'_> {
    /// A value as parts (normalized), Serverless variables as what they resolve to.
    pub(crate) fn value(&self, node: &Node, depth: usize) -> Vec<ValuePart> {
        ValuePart::without_vars(&self.eval(node, depth))
    }

    /// A value as parts (normalized), Serverless variables kept as [`ValuePart::Var`]
    /// (an environment value, which Serverless output writes as configured).
    pub(crate) fn value_with_vars(&self, node: &Node, depth: usize) -> Vec<ValuePart> {
        normalize(self.eval(node, depth))
    }

    fn eval(&self, node: &Node, depth: usize) -> Vec<ValuePart> {
        if depth > MAX_DEPTH {
            return unknown("references nested too deeply (a cycle?)");
        }
        let work = self.template.work.get() + 1;
        self.template.work.set(work);
        if work > MAX_WORK {
            return unknown("too many references to evaluate in this template");
        }
        match node {
            Node::Null => Vec::new(),
            Node::Bool(_) | Node::Number(_) => {
                vec![ValuePart::Lit(node.scalar_text().unwrap_or_default())]
            }
            Node::String(s) => self.strings.string(s, depth + 1),
            Node::Seq(_) => unknown("a list, not a string"),
            Node::Tagged(tag, _) => unknown(format!("the YAML tag !{tag}")),
            Node::Map(_) => match Intrinsic::parse(node) {
                Some(i) => self.intrinsic(&i, depth + 1),
                None => unknown("a mapping, not a string"),
            },
        }
    }

    /// A value that must be a literal string (a logical id, a delimiter, a map key).
    fn literal(&self, node: &Node, depth: usize) -> Option<String> {
        let parts = flatten(&normalize(self.eval(node, depth)))?;
        match parts.as_slice() {
            [] => Some(String::new()),
            [ValuePart::Lit(s)] => Some(s.clone()),
            _ => None,
        }
    }

    fn intrinsic(&self, i: &Intrinsic<'_>, depth: usize) -> Vec<ValuePart> {
        match i {
            Intrinsic::Ref(name) => self.reference(name, None, depth),
            Intrinsic::GetAtt {
                logical_id,
                attribute,
            } => self.reference(logical_id, Some(attribute), depth),
            Intrinsic::Sub { template, vars } => self.sub(template, *vars, depth),
            Intrinsic::Join { delimiter, items } => match items {
                Node::Seq(items) => {
                    let mut out = Vec::new();
                    for (n, item) in items.iter().enumerate() {
                        if n > 0 {
                            out.push(ValuePart::Lit((*delimiter).to_string()));
                        }
                        out.extend(self.eval(item, depth));
                    }
                    out
                }
                _ => match self.list(items, depth) {
                    Some(list) => {
                        let mut out = Vec::new();
                        for (n, item) in list.into_iter().enumerate() {
                            if n > 0 {
                                out.push(ValuePart::Lit((*delimiter).to_string()));
                            }
                            out.extend(item);
                        }
                        out
                    }
                    None => unknown("Fn::Join of a list that is not written out"),
                },
            },
            Intrinsic::Select { index, list } => {
                let index = self
                    .literal(index, depth)
                    .and_then(|s| s.trim().parse::<usize>().ok());
                match (index, self.list(list, depth)) {
                    (Some(i), Some(list)) => list
                        .into_iter()
                        .nth(i)
                        .unwrap_or_else(|| unknown("Fn::Select index out of range")),
                    _ => unknown("Fn::Select of values not known statically"),
                }
            }
            Intrinsic::Split { .. } => unknown("Fn::Split gives a list, not a string"),
            Intrinsic::ImportValue(name) => {
                let name = self
                    .literal(name, depth)
                    .unwrap_or_else(|| "(computed name)".into());
                unknown(format!("Fn::ImportValue {name} (another stack's export)"))
            }
            Intrinsic::FindInMap([map, top, second]) => {
                let keys = (
                    self.literal(map, depth),
                    self.literal(top, depth),
                    self.literal(second, depth),
                );
                let (Some(map), Some(top), Some(second)) = keys else {
                    return unknown("Fn::FindInMap with keys not known statically");
                };
                match self
                    .template
                    .mappings
                    .get(&map)
                    .and_then(|m| m.at(&[top.as_str(), second.as_str()]))
                {
                    Some(v) => self.eval(v, depth),
                    None => unknown(format!("Fn::FindInMap {map}.{top}.{second}: no such entry")),
                }
            }
            Intrinsic::If {
                condition,
                then,
                otherwise,
            } => {
                let a = normalize(self.eval(then, depth));
                let b = normalize(self.eval(otherwise, depth));
                if a == b {
                    a
                } else {
                    unknown(format!("Fn::If on condition {condition}"))
                }
            }
            Intrinsic::Other { function } => unknown(format!("{function} is not evaluated")),
            Intrinsic::Malformed { function, reason } => unknown(format!("{function} {reason}")),
        }
    }

    /// A physical name: the value with references replaced by their physical values;
    /// `None` when a reference has none or nothing of it is known.
    pub(crate) fn physical(&self, node: &Node, depth: usize) -> Option<Vec<ValuePart>> {
        flatten(&normalize(self.eval(node, depth)))
            .filter(|parts| parts.iter().any(|p| !matches!(p, ValuePart::Unknown(_))))
    }

    /// A list value: a written-out list, or `Fn::Split` of a known string.
    fn list(&self, node: &Node, depth: usize) -> Option<Vec<Vec<ValuePart>>> {
        match node {
            Node::Seq(items) => Some(items.iter().map(|i| self.eval(i, depth)).collect()),
            Node::Map(_) => match Intrinsic::parse(node)? {
                Intrinsic::Split { delimiter, source } => {
                    let parts = flatten(&normalize(self.eval(source, depth)))?;
                    match parts.as_slice() {
                        [ValuePart::Lit(s)] if !delimiter.is_empty() => Some(
                            s.split(delimiter)
                                .map(|p| vec![ValuePart::Lit(p.to_string())])
                                .collect(),
                        ),
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// `Ref` (attribute `None`) or `Fn::GetAtt` of a name.
    fn reference(&self, name: &str, attribute: Option<&str>, depth: usize) -> Vec<ValuePart> {
        if attribute.is_none() {
            if name == "AWS::NoValue" {
                return Vec::new();
            }
            if PSEUDO.contains(&name) {
                return vec![ValuePart::Pseudo(name.to_string())];
            }
            if let Some(p) = self.template.parameters.get(name) {
                // A parameter stays a reference: template output names it (`${Stage}`), so
                // the policy follows the value the stack is deployed with; plain output
                // uses its `Default`.
                let physical = p
                    .get("Default")
                    .and_then(|d| flatten(&normalize(self.eval(d, depth))));
                return vec![ValuePart::Ref {
                    logical_id: name.to_string(),
                    attribute: None,
                    arn: false,
                    physical,
                    resource_type: None,
                }];
            }
        }
        let Some(resource) = self.template.resources.get(name) else {
            let what = match attribute {
                Some(a) => format!("Fn::GetAtt {name}.{a}"),
                None => format!("Ref {name}"),
            };
            return unknown(format!(
                "{what}: no such resource or parameter in the template"
            ));
        };
        let type_name = resource.get("Type").and_then(Node::as_str).unwrap_or("");
        let returns = returns(type_name, attribute);
        let physical = self.named(resource, attribute, |n| self.physical(n, depth));
        vec![ValuePart::Ref {
            logical_id: name.to_string(),
            attribute: attribute.map(str::to_string),
            arn: matches!(returns, Returns::Arn(_)),
            physical,
            resource_type: (!type_name.is_empty()).then(|| type_name.to_string()),
        }]
    }

    /// What `Ref`/`Fn::GetAtt` of `resource` evaluates to, built from its name property
    /// as `name` evaluates it; `None` when the template gives no name or the attribute is
    /// not built from one.
    fn named(
        &self,
        resource: &Node,
        attribute: Option<&str>,
        name: impl FnOnce(&Node) -> Option<Vec<ValuePart>>,
    ) -> Option<Vec<ValuePart>> {
        let type_name = resource.get("Type").and_then(Node::as_str).unwrap_or("");
        // A role's ARN holds its `Path` (`role/service/name`); built only for the root path.
        let has_path = type_name == "AWS::IAM::Role"
            && resource
                .at(&["Properties", "Path"])
                .is_some_and(|p| p.as_str() != Some("/"));
        if has_path && attribute.is_some() {
            return None;
        }
        let name = semantics(type_name)
            .and_then(|s| s.name_property)
            .and_then(|p| resource.at(&["Properties", p]))
            .and_then(name)?;
        match returns(type_name, attribute) {
            Returns::Name => Some(name),
            Returns::Arn(Some(t)) | Returns::Built(t) => Some(build(t, &name)),
            Returns::Arn(None) | Returns::Opaque => None,
        }
    }

    /// `Fn::Sub`: `${Name}`, `${Name.Attr}`, `${!Literal}` in the template.
    fn sub(
        &self,
        template: &Node,
        vars: Option<&IndexMap<String, Node>>,
        depth: usize,
    ) -> Vec<ValuePart> {
        let mut out = Vec::new();
        self.sub_parts(self.eval(template, depth), vars, depth, &mut out);
        out
    }

    /// [`Eval::sub`] of the template's evaluated parts.
    fn sub_parts(
        &self,
        parts: Vec<ValuePart>,
        vars: Option<&IndexMap<String, Node>>,
        depth: usize,
        out: &mut Vec<ValuePart>,
    ) {
        for part in parts {
            let text = match part {
                ValuePart::Lit(text) => text,
                // The framework puts a variable's value in the template before
                // CloudFormation reads it: one holding `${…}` is read as `Fn::Sub` text
                // (and no longer written as the variable).
                ValuePart::Var { resolved, .. }
                    if resolved
                        .iter()
                        .any(|p| matches!(p, ValuePart::Lit(t) if t.contains("${"))) =>
                {
                    self.sub_parts(resolved, vars, depth, out);
                    continue;
                }
                other => {
                    out.push(other);
                    continue;
                }
            };
            let mut rest = text.as_str();
            while let Some((before, after)) = rest.split_once("${") {
                out.push(ValuePart::Lit(before.to_string()));
                let Some((name, tail)) = after.split_once('}') else {
                    out.push(ValuePart::Lit(format!("${{{after}")));
                    rest = "";
                    break;
                };
                let name = name.trim();
                if let Some(lit) = name.strip_prefix('!') {
                    out.push(ValuePart::Lit(format!("${{{lit}}}")));
                } else if let Some(v) = vars.and_then(|v| v.get(name)) {
                    out.extend(self.eval(v, depth));
                } else if let Some((id, attr)) = name.split_once('.') {
                    out.extend(self.reference(id, Some(attr), depth));
                } else {
                    out.extend(self.reference(name, None, depth));
                }
                rest = tail;
            }
            out.push(ValuePart::Lit(rest.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_yaml;
    use crate::returns::REF_SEMANTICS;

    #[test]
    fn semantics_table_is_sorted_with_sorted_attributes() {
        assert!(
            REF_SEMANTICS
                .windows(2)
                .all(|w| w[0].type_name < w[1].type_name),
            "REF_SEMANTICS must be sorted by type name"
        );
        for s in REF_SEMANTICS {
            assert!(
                s.attributes.windows(2).all(|w| w[0].0 < w[1].0),
                "{} attributes must be sorted",
                s.type_name
            );
            for r in std::iter::once(s.reference).chain(s.attributes.iter().map(|a| a.1)) {
                if let Returns::Arn(Some(t)) | Returns::Built(t) = r {
                    assert!(t.contains("{name}"), "{}: {t}", s.type_name);
                    assert!(
                        t.starts_with("arn:{partition}:") || t.contains("{urlsuffix}"),
                        "{}: {t}",
                        s.type_name
                    );
                }
            }
        }
    }

    #[test]
    fn ref_and_getatt_semantics() {
        assert_eq!(returns("AWS::DynamoDB::Table", None), Returns::Name);
        assert!(matches!(
            returns("AWS::DynamoDB::Table", Some("Arn")),
            Returns::Arn(Some(_))
        ));
        // A stream's ARN is the table's, with a label only known once the stream is on.
        assert!(matches!(
            returns("AWS::DynamoDB::Table", Some("StreamArn")),
            Returns::Arn(Some(t)) if t.ends_with("table/{name}/stream/{stream-label}")
        ));
        assert!(matches!(
            returns("AWS::SNS::Topic", None),
            Returns::Arn(Some(_))
        ));
        assert!(matches!(
            returns("AWS::SQS::Queue", None),
            Returns::Built(_)
        ));
        assert_eq!(returns("AWS::KMS::Key", None), Returns::Opaque);
        assert_eq!(
            returns("AWS::Custom::Thing", Some("QueueArn")),
            Returns::Arn(None)
        );
        assert_eq!(returns("AWS::Custom::Thing", None), Returns::Opaque);
    }

    const TEMPLATE: &str = r#"
Parameters:
  Stage: {Type: String, Default: prod}
  Secret: {Type: String}
Mappings:
  Env: {prod: {Bucket: prod-assets}}
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: !Sub "orders-${Stage}"}
  Anonymous:
    Type: AWS::DynamoDB::Table
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: events}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs.fifo}
  Creds:
    Type: AWS::SecretsManager::Secret
    Properties: {Name: db-creds}
  Key:
    Type: AWS::KMS::Key
  Role:
    Type: AWS::IAM::Role
    Properties: {RoleName: worker, Path: /service/}
values:
  ref: !Ref Orders
  arn: !GetAtt Orders.Arn
  anon: !GetAtt Anonymous.Arn
  topic: !Ref Topic
  queue: !Ref Queue
  queueArn: {Fn::GetAtt: [Queue, Arn]}
  secret: !Ref Creds
  key: !Ref Key
  param: !Ref Stage
  noDefault: !Ref Secret
  import: !ImportValue shared-table
  sub: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"
  subVars: !Sub ["${T}/x", {T: !Ref Orders}]
  subEscape: !Sub "${!Literal}-${AWS::Region}"
  join: !Join [":", [a, !Ref Orders, !Ref "AWS::AccountId"]]
  select: !Select [1, !Split ["/", "a/b/c"]]
  map: !FindInMap [Env, !Ref Stage, Bucket]
  missing: !Ref Nope
  base64: !Base64 abc
  roleName: !Ref Role
  roleArn: !GetAtt Role.Arn
"#;

    fn eval_all() -> String {
        let root = parse_yaml(TEMPLATE).unwrap();
        let t = Template::from_node(&root);
        let e = Eval {
            template: &t,
            strings: &Literal,
        };
        let mut out = String::new();
        for (k, v) in root.get("values").and_then(Node::as_map).unwrap() {
            out.push_str(&format!("{k}: {:?}\n", env_value(e.value(v, 0))));
        }
        out
    }

    #[test]
    fn evaluation_of_references() {
        let got = eval_all();
        let want = r#"ref: Template([Ref { logical_id: "Orders", attribute: None, arn: false, physical: Some([Lit("orders-prod")]), resource_type: Some("AWS::DynamoDB::Table") }])
arn: Template([Ref { logical_id: "Orders", attribute: Some("Arn"), arn: true, physical: Some([Lit("arn:"), Pseudo("AWS::Partition"), Lit(":dynamodb:"), Pseudo("AWS::Region"), Lit(":"), Pseudo("AWS::AccountId"), Lit(":table/orders-prod")]), resource_type: Some("AWS::DynamoDB::Table") }])
anon: Template([Ref { logical_id: "Anonymous", attribute: Some("Arn"), arn: true, physical: None, resource_type: Some("AWS::DynamoDB::Table") }])
topic: Template([Ref { logical_id: "Topic", attribute: None, arn: true, physical: Some([Lit("arn:"), Pseudo("AWS::Partition"), Lit(":sns:"), Pseudo("AWS::Region"), Lit(":"), Pseudo("AWS::AccountId"), Lit(":events")]), resource_type: Some("AWS::SNS::Topic") }])
queue: Template([Ref { logical_id: "Queue", attribute: None, arn: false, physical: Some([Lit("https://sqs."), Pseudo("AWS::Region"), Lit("."), Pseudo("AWS::URLSuffix"), Lit("/"), Pseudo("AWS::AccountId"), Lit("/jobs.fifo")]), resource_type: Some("AWS::SQS::Queue") }])
queueArn: Template([Ref { logical_id: "Queue", attribute: Some("Arn"), arn: true, physical: Some([Lit("arn:"), Pseudo("AWS::Partition"), Lit(":sqs:"), Pseudo("AWS::Region"), Lit(":"), Pseudo("AWS::AccountId"), Lit(":jobs.fifo")]), resource_type: Some("AWS::SQS::Queue") }])
secret: Template([Ref { logical_id: "Creds", attribute: None, arn: true, physical: Some([Lit("arn:"), Pseudo("AWS::Partition"), Lit(":secretsmanager:"), Pseudo("AWS::Region"), Lit(":"), Pseudo("AWS::AccountId"), Lit(":secret:db-creds-??????")]), resource_type: Some("AWS::SecretsManager::Secret") }])
key: Template([Ref { logical_id: "Key", attribute: None, arn: false, physical: None, resource_type: Some("AWS::KMS::Key") }])
param: Template([Ref { logical_id: "Stage", attribute: None, arn: false, physical: Some([Lit("prod")]), resource_type: None }])
noDefault: Template([Ref { logical_id: "Secret", attribute: None, arn: false, physical: None, resource_type: None }])
import: Unknown("Fn::ImportValue shared-table (another stack's export)")
sub: Template([Lit("arn:"), Pseudo("AWS::Partition"), Lit(":s3:::"), Unknown("Ref Bucket: no such resource or parameter in the template"), Lit("/*")])
subVars: Template([Ref { logical_id: "Orders", attribute: None, arn: false, physical: Some([Lit("orders-prod")]), resource_type: Some("AWS::DynamoDB::Table") }, Lit("/x")])
subEscape: Template([Lit("${Literal}-"), Pseudo("AWS::Region")])
join: Template([Lit("a:"), Ref { logical_id: "Orders", attribute: None, arn: false, physical: Some([Lit("orders-prod")]), resource_type: Some("AWS::DynamoDB::Table") }, Lit(":"), Pseudo("AWS::AccountId")])
select: Literal("b")
map: Literal("prod-assets")
missing: Unknown("Ref Nope: no such resource or parameter in the template")
base64: Unknown("Fn::Base64 is not evaluated")
roleName: Template([Ref { logical_id: "Role", attribute: None, arn: false, physical: Some([Lit("worker")]), resource_type: Some("AWS::IAM::Role") }])
roleArn: Template([Ref { logical_id: "Role", attribute: Some("Arn"), arn: true, physical: None, resource_type: Some("AWS::IAM::Role") }])
"#;
        assert_eq!(got, want, "\n{got}");
    }

    #[test]
    fn reference_cycles_end() {
        let root = parse_yaml(
            "Resources:\n  A: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref B}}\n  B: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref A}}\n",
        )
        .unwrap();
        let t = Template::from_node(&root);
        let e = Eval {
            template: &t,
            strings: &Literal,
        };
        let v = e.value(&parse_yaml("!Ref A").unwrap(), 0);
        assert!(
            matches!(v.as_slice(), [ValuePart::Ref { physical: None, .. }]),
            "{v:?}"
        );
    }
}
