//! Reading declared IAM: policy documents and statements, AWS managed policies (from the
//! embedded set), SAM policy templates (expanded as SAM expands them) and CloudFormation
//! roles with the policies attached to them. The framework modules decide which of these
//! a function gets; this module turns each into [`DeclaredStatement`]s.
//!
//! Values are evaluated with the framework's [`Eval`], so references stay
//! [`ValuePart::Ref`]s and Serverless variables resolve as in environment values.

use std::sync::OnceLock;

use indexmap::IndexMap;
use leastrole_core::{Code, Diagnostic, Level, Location};

use crate::cfn::{Eval, Literal, Template};
use crate::config::{self, Node};
use crate::declared::{Declared, DeclaredRole, DeclaredStatement, Effect, FrameworkFacts, Origin};
use crate::intrinsic::Intrinsic;
use crate::{ValuePart, ValueParts};

/// What the SAM translator attaches to every function role it generates.
pub(crate) const SAM_MANAGED: &str = "SAM attaches it to the role it generates";
/// What the CDK attaches to a function's service role.
pub(crate) const CDK_MANAGED: &str = "the CDK attaches it to a function's service role";

/// One embedded AWS managed policy (`{"name", "arn", "version", "document"}`), parsed
/// when asked for: the set holds every AWS managed policy, too many to parse each run.
fn managed_policy(name: &str) -> Option<Node> {
    leastrole_maps::aws_managed_policy(name).and_then(|line| config::parse_json(line).ok())
}

/// The embedded SAM policy templates, parsed once.
fn sam_templates() -> &'static Node {
    static NODE: OnceLock<Node> = OnceLock::new();
    NODE.get_or_init(|| {
        config::parse_json(leastrole_maps::sam_policy_templates())
            .ok()
            .and_then(|n| n.get("Templates").cloned())
            .unwrap_or(Node::Null)
    })
}

/// A role under construction.
#[derive(Debug)]
pub(crate) struct RoleBuilder {
    pub(crate) declared: Declared,
}

impl RoleBuilder {
    pub(crate) fn new(description: impl Into<String>) -> Self {
        RoleBuilder {
            declared: Declared {
                role: DeclaredRole::Checkable {
                    description: description.into(),
                },
                statements: Vec::new(),
                framework: FrameworkFacts::default(),
                diagnostics: Vec::new(),
                unknown_grants: Vec::new(),
                terraform_role: None,
            },
        }
    }

    /// A role that cannot be compared.
    pub(crate) fn not_checkable(reason: impl Into<String>) -> Self {
        let mut b = RoleBuilder::new("");
        b.declared.role = DeclaredRole::NotCheckable {
            reason: reason.into(),
        };
        b
    }

    pub(crate) fn finish(self) -> Declared {
        self.declared
    }

    fn diagnostic(&mut self, level: Level, code: Code, message: String, at: &Option<Location>) {
        self.declared
            .diagnostics
            .push(Diagnostic::new(level, code, message, at.clone()));
    }

    /// A grant whose content is not known: named in `unknown_grants`, with a diagnostic.
    pub(crate) fn unknown_grant(&mut self, what: String, why: &str, at: &Option<Location>) {
        self.diagnostic(
            Level::Warning,
            Code::DeclaredGrantUnknown,
            format!("{what}: {why}; the role's grant is not fully known"),
            at,
        );
        self.declared.unknown_grants.push(what);
    }
}

/// Where declared things are, for origins.
#[derive(Debug, Clone)]
pub(crate) struct Site<'a> {
    /// Config file relative to the project folder.
    pub(crate) file: &'a str,
    /// Line of the section, used when a statement's own line is not known.
    pub(crate) line: u32,
    /// Lines of the list items of the section, when known (block YAML).
    pub(crate) items: Vec<u32>,
}

impl Site<'_> {
    pub(crate) fn location(&self, index: Option<usize>) -> Option<Location> {
        let line = index
            .and_then(|i| self.items.get(i).copied())
            .unwrap_or(self.line);
        Some(Location {
            file: self.file.to_string(),
            line,
            column: 1,
        })
    }

    /// The same file and line, no item lines (for nested lists whose lines are not known).
    pub(crate) fn whole(&self) -> Site<'_> {
        Site {
            file: self.file,
            line: self.line,
            items: Vec::new(),
        }
    }

    /// The site of item `index`, as a section of its own.
    pub(crate) fn item(&self, index: usize) -> Site<'_> {
        Site {
            file: self.file,
            line: self.items.get(index).copied().unwrap_or(self.line),
            items: Vec::new(),
        }
    }
}

/// A node as JSON (a `Condition` block).
fn to_json(node: &Node) -> serde_json::Value {
    match node {
        Node::Null => serde_json::Value::Null,
        Node::Bool(b) => serde_json::Value::Bool(*b),
        Node::Number(n) => n.parse::<serde_json::Number>().map_or_else(
            |_| serde_json::Value::String(n.clone()),
            serde_json::Value::Number,
        ),
        Node::String(s) => serde_json::Value::String(s.clone()),
        Node::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Node::Map(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        Node::Tagged(tag, inner) => {
            serde_json::Value::Object([(format!("!{tag}"), to_json(inner))].into_iter().collect())
        }
    }
}

/// One value or a list of them, as a list.
fn one_or_many(node: &Node) -> Vec<&Node> {
    match node {
        Node::Seq(items) => items.iter().collect(),
        Node::Null => Vec::new(),
        other => vec![other],
    }
}

/// Reads statements and policies with one evaluator.
pub(crate) struct Reader<'a> {
    pub(crate) eval: &'a Eval<'a>,
}

impl Reader<'_> {
    /// The statements of a policy document (`{Statement: …}`).
    pub(crate) fn document(
        &self,
        b: &mut RoleBuilder,
        doc: &Node,
        path: &str,
        site: &Site<'_>,
        framework_managed: Option<&str>,
    ) {
        match doc.get("Statement") {
            Some(statements) => {
                self.statements(
                    b,
                    statements,
                    &format!("{path}.Statement"),
                    site,
                    framework_managed,
                );
            }
            None => b.diagnostic(
                Level::Warning,
                Code::DeclaredStatementUnreadable,
                format!("{path}: a policy document without `Statement`"),
                &site.location(None),
            ),
        }
    }

    /// A `Statement` value (a list or one statement), or a Serverless `statements:` list.
    pub(crate) fn statements(
        &self,
        b: &mut RoleBuilder,
        node: &Node,
        path: &str,
        site: &Site<'_>,
        framework_managed: Option<&str>,
    ) {
        let list = one_or_many(node);
        let single = !matches!(node, Node::Seq(_));
        for (i, s) in list.into_iter().enumerate() {
            let item_path = if single {
                path.to_string()
            } else {
                format!("{path}[{i}]")
            };
            let location = site.location((!single).then_some(i));
            let origin = Origin {
                location,
                path: item_path,
                framework_managed: framework_managed.map(str::to_string),
            };
            match self.statement(s, origin) {
                Ok(st) => b.declared.statements.push(st),
                Err((origin, why)) => b.diagnostic(
                    Level::Warning,
                    Code::DeclaredStatementUnreadable,
                    format!("{}: {why}; the statement is left out", origin.path),
                    &origin.location,
                ),
            }
        }
    }

    fn statement(
        &self,
        node: &Node,
        origin: Origin,
    ) -> Result<DeclaredStatement, (Origin, String)> {
        let Some(m) = node.as_map() else {
            return Err((
                origin,
                format!("a statement is a mapping, not {}", node.kind()),
            ));
        };
        let get = |k: &str| m.get(k).or_else(|| m.get(&k.to_ascii_lowercase()));
        let effect = match get("Effect").and_then(|e| self.literal(e)).as_deref() {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            Some(other) => {
                return Err((
                    origin,
                    format!("Effect `{other}` is neither Allow nor Deny"),
                ));
            }
            None => return Err((origin, "no literal `Effect`".to_string())),
        };
        let (actions, not_action) = match (get("Action"), get("NotAction")) {
            (Some(a), None) => (a, false),
            (None, Some(a)) => (a, true),
            _ => {
                return Err((
                    origin,
                    "exactly one of `Action` and `NotAction` is needed".into(),
                ));
            }
        };
        let mut action_list = Vec::new();
        for a in one_or_many(actions) {
            match self.literal(a) {
                Some(a) => action_list.push(a),
                None => {
                    return Err((origin, "an action that is not a literal string".to_string()));
                }
            }
        }
        let (resources, not_resource) = match (get("Resource"), get("NotResource")) {
            (Some(r), None) => (r, false),
            (None, Some(r)) => (r, true),
            _ => {
                return Err((
                    origin,
                    "exactly one of `Resource` and `NotResource` is needed".into(),
                ));
            }
        };
        let resources = match resources {
            // A `Fn::Split` or other intrinsic giving a list is one value to the evaluator.
            Node::Seq(items) => items.iter().map(|r| self.eval.value(r, 0)).collect(),
            one => vec![self.eval.value(one, 0)],
        };
        // `Ref: AWS::NoValue` (the CDK writes it in grants) is no resource.
        let resources: Vec<Vec<ValuePart>> =
            resources.into_iter().filter(|r| !r.is_empty()).collect();
        Ok(DeclaredStatement {
            effect,
            actions: action_list,
            not_action,
            resources,
            not_resource,
            condition: get("Condition").map(to_json),
            origin,
        })
    }

    fn literal(&self, node: &Node) -> Option<String> {
        match self.eval.value(node, 0).as_slice() {
            [ValuePart::Lit(s)] => Some(s.clone()),
            _ => None,
        }
    }

    /// A managed policy given by name (SAM) or ARN: an AWS managed policy from the embedded
    /// set, a customer managed policy of the template, or an unknown grant.
    pub(crate) fn managed(
        &self,
        b: &mut RoleBuilder,
        node: &Node,
        path: &str,
        site: &Site<'_>,
        framework_managed: Option<&str>,
    ) {
        let parts = self.eval.value(node, 0);
        let location = site.location(None);
        // `!Ref Policy` of an `AWS::IAM::ManagedPolicy` in the same template.
        if let [
            ValuePart::Ref {
                logical_id,
                attribute: None,
                resource_type: Some(t),
                ..
            },
        ] = parts.as_slice()
            && t == "AWS::IAM::ManagedPolicy"
            && let Some(doc) = self
                .eval
                .template
                .resources
                .get(logical_id)
                .and_then(|r| r.at(&["Properties", "PolicyDocument"]))
        {
            self.document(
                b,
                doc,
                &format!("{path} (AWS::IAM::ManagedPolicy {logical_id})"),
                &site.whole(),
                framework_managed,
            );
            return;
        }
        match aws_managed_name(&parts) {
            Ok(name) => match managed_policy(&name) {
                Some(p) => {
                    let Some(doc) = p.get("document") else {
                        return;
                    };
                    let empty = Template::default();
                    let literal = Reader {
                        eval: &Eval {
                            template: &empty,
                            strings: &Literal,
                        },
                    };
                    literal.document(
                        b,
                        doc,
                        &format!("{path} (managed policy {name})"),
                        &site.whole(),
                        framework_managed,
                    );
                }
                None => b.unknown_grant(
                    format!("managed policy {name}"),
                    "an AWS managed policy whose document leastrole does not embed",
                    &location,
                ),
            },
            Err(text) => b.unknown_grant(
                format!("managed policy {text}"),
                "not an AWS managed policy (a customer managed policy of another stack or account)",
                &location,
            ),
        }
    }

    /// A SAM policy template, expanded as SAM does: every `Ref` to one of the template's
    /// parameters replaced by the value the user gave (kept as written, so `!Ref Table`
    /// stays a reference), then evaluated.
    pub(crate) fn sam_template(
        &self,
        b: &mut RoleBuilder,
        name: &str,
        values: &Node,
        path: &str,
        site: &Site<'_>,
    ) {
        let location = site.location(None);
        let Some(template) = sam_templates().get(name) else {
            b.unknown_grant(
                format!("SAM policy template {name}"),
                "not a policy template of the embedded aws-sam-translator set",
                &location,
            );
            return;
        };
        let empty = IndexMap::new();
        let values = match values {
            Node::Map(m) => m,
            // `SQSPollerPolicy: {}` and the parameterless templates (`{}` or null).
            Node::Null => &empty,
            other => {
                b.unknown_grant(
                    format!("SAM policy template {name}"),
                    &format!("its parameters are {}, not a mapping", other.kind()),
                    &location,
                );
                return;
            }
        };
        let parameters: Vec<&String> = template
            .get("Parameters")
            .and_then(Node::as_map)
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        let missing: Vec<&str> = parameters
            .iter()
            .filter(|p| !values.contains_key(p.as_str()))
            .map(|p| p.as_str())
            .collect();
        if !missing.is_empty() {
            b.unknown_grant(
                format!("SAM policy template {name}"),
                &format!(
                    "parameter(s) {} not given (SAM refuses the template)",
                    missing.join(", ")
                ),
                &location,
            );
            return;
        }
        let Some(definition) = template.get("Definition") else {
            return;
        };
        let substituted = substitute(definition, values);
        self.document(
            b,
            &substituted,
            &format!("{path} ({name})"),
            &site.whole(),
            None,
        );
    }
}

/// `definition` with `{Ref: P}` replaced by `values[P]` for each parameter given.
fn substitute(node: &Node, values: &IndexMap<String, Node>) -> Node {
    match node {
        Node::Map(m) => {
            if let Some(Intrinsic::Ref(name)) = Intrinsic::parse(node)
                && let Some(v) = values.get(name)
            {
                return v.clone();
            }
            Node::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), substitute(v, values)))
                    .collect(),
            )
        }
        Node::Seq(items) => Node::Seq(items.iter().map(|i| substitute(i, values)).collect()),
        other => other.clone(),
    }
}

/// The name of the AWS managed policy a value names: a bare name (`AmazonS3ReadOnlyAccess`,
/// as SAM takes it) or `arn:<partition>:iam::aws:policy/[path/]Name`. `Err` with the text
/// for anything else.
fn aws_managed_name(parts: &[ValuePart]) -> Result<String, String> {
    let text = ValueParts(parts)
        .to_string()
        .replace("${AWS::Partition}", "aws");
    if !text.contains(':') && !text.contains('/') && !text.is_empty() && !text.contains('$') {
        return Ok(text);
    }
    let rest = text
        .strip_prefix("arn:")
        .and_then(|r| r.split_once(':'))
        .and_then(|(_partition, r)| r.strip_prefix("iam::aws:policy/"));
    match rest {
        Some(path) if !path.contains(['$', '<']) => {
            Ok(path.rsplit('/').next().unwrap_or(path).to_string())
        }
        _ => Err(text),
    }
}

/// The `AWS::IAM::Role` a function's `Role` value names in the same template: `Err` with
/// the reason it cannot be read when it is not one.
pub(crate) fn role_in_template<'t>(eval: &Eval<'t>, role: &Node) -> Result<String, String> {
    let parts = eval.value(role, 0);
    match parts.as_slice() {
        [
            ValuePart::Ref {
                logical_id,
                attribute: Some(a),
                resource_type: Some(t),
                ..
            },
        ] if a == "Arn" && t == "AWS::IAM::Role" => Ok(logical_id.clone()),
        [ValuePart::Lit(arn)] => Err(format!(
            "the role is an existing role given by ARN (`{arn}`), not declared in the project"
        )),
        _ => Err(format!(
            "the role is {}, not an AWS::IAM::Role of this template",
            describe(&parts)
        )),
    }
}

fn describe(parts: &[ValuePart]) -> String {
    format!("`{}`", ValueParts(parts))
}

/// The grant of the `AWS::IAM::Role` `role_id`: its inline `Policies`, its
/// `ManagedPolicyArns`, and every `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` of the
/// template whose `Roles` lists it. `lines` gives a resource's line.
pub(crate) fn cfn_role(
    reader: &Reader<'_>,
    b: &mut RoleBuilder,
    role_id: &str,
    file: &str,
    lines: &dyn Fn(&str) -> u32,
    basic_managed_by: Option<&str>,
) {
    let template = reader.eval.template;
    let Some(role) = template.resources.get(role_id) else {
        return;
    };
    let empty = Node::Null;
    let props = role.get("Properties").unwrap_or(&empty);
    let site = Site {
        file,
        line: lines(role_id),
        items: Vec::new(),
    };
    if let Some(Node::Seq(policies)) = props.get("Policies") {
        for (i, p) in policies.iter().enumerate() {
            let name = p
                .get("PolicyName")
                .and_then(Node::as_str)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            match p.get("PolicyDocument") {
                Some(doc) => reader.document(
                    b,
                    doc,
                    &format!("Resources.{role_id}.Properties.Policies[{i}]{name}"),
                    &site,
                    None,
                ),
                None => b.diagnostic(
                    Level::Warning,
                    Code::DeclaredStatementUnreadable,
                    format!("Resources.{role_id}.Properties.Policies[{i}]: no PolicyDocument"),
                    &site.location(None),
                ),
            }
        }
    }
    if let Some(arns) = props.get("ManagedPolicyArns") {
        for (i, arn) in one_or_many(arns).into_iter().enumerate() {
            let path = format!("Resources.{role_id}.Properties.ManagedPolicyArns[{i}]");
            let by = basic_managed_by.filter(|_| {
                aws_managed_name(&reader.eval.value(arn, 0)).is_ok_and(|n| {
                    n == "AWSLambdaBasicExecutionRole" || n == "AWSLambdaVPCAccessExecutionRole"
                })
            });
            reader.managed(b, arn, &path, &site, by);
        }
    }
    for (id, r) in &template.resources {
        let kind = r.get("Type").and_then(Node::as_str).unwrap_or("");
        if kind != "AWS::IAM::Policy" && kind != "AWS::IAM::ManagedPolicy" {
            continue;
        }
        let attached = r
            .at(&["Properties", "Roles"])
            .map(one_or_many)
            .unwrap_or_default()
            .into_iter()
            .any(|n| names_role(reader.eval, n, role_id));
        if !attached {
            continue;
        }
        if let Some(doc) = r.at(&["Properties", "PolicyDocument"]) {
            let policy_site = Site {
                file,
                line: lines(id),
                items: Vec::new(),
            };
            reader.document(
                b,
                doc,
                &format!("Resources.{id}.Properties.PolicyDocument ({kind})"),
                &policy_site,
                None,
            );
        }
    }
}

/// Whether a `Roles` entry names the role `role_id` (`Ref`, or its literal name).
fn names_role(eval: &Eval<'_>, node: &Node, role_id: &str) -> bool {
    match eval.value(node, 0).as_slice() {
        [
            ValuePart::Ref {
                logical_id,
                attribute: None,
                ..
            },
        ] => logical_id == role_id,
        _ => false,
    }
}

/// The declared role of an `AWS::Lambda::Function` of a CloudFormation template (CDK, or
/// a plain resource in a SAM template): its `Role` when that is an `AWS::IAM::Role` of the
/// template, else not checkable; tracing, VPC, dead-letter and event-source facts.
pub(crate) fn lambda_function(
    eval: &Eval<'_>,
    id: &str,
    props: &Node,
    file: &str,
    lines: &dyn Fn(&str) -> u32,
    basic_managed_by: Option<&str>,
) -> Declared {
    let reader = Reader { eval };
    let mut b = match props.get("Role") {
        None => RoleBuilder::not_checkable("the function has no `Role`"),
        Some(role) => match role_in_template(eval, role) {
            Ok(role_id) => {
                let mut b = RoleBuilder::new(format!("AWS::IAM::Role {role_id}"));
                cfn_role(&reader, &mut b, &role_id, file, lines, basic_managed_by);
                b
            }
            Err(reason) => RoleBuilder::not_checkable(reason),
        },
    };
    let facts = &mut b.declared.framework;
    facts.tracing = props
        .at(&["TracingConfig", "Mode"])
        .is_some_and(|m| m.as_str() == Some("Active"));
    facts.vpc = props.get("VpcConfig").is_some();
    facts.dead_letter = props
        .at(&["DeadLetterConfig", "TargetArn"])
        .map(|t| eval.value(t, 0));
    facts.event_sources = crate::triggers::event_source_mappings(eval, id);
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_policy_names_from_names_and_arns() {
        let lit = |s: &str| vec![ValuePart::Lit(s.into())];
        assert_eq!(
            aws_managed_name(&lit("AmazonS3ReadOnlyAccess")).as_deref(),
            Ok("AmazonS3ReadOnlyAccess")
        );
        assert_eq!(
            aws_managed_name(&lit(
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
            ))
            .as_deref(),
            Ok("AWSLambdaBasicExecutionRole")
        );
        let sub = vec![
            ValuePart::Lit("arn:".into()),
            ValuePart::Pseudo("AWS::Partition".into()),
            ValuePart::Lit(":iam::aws:policy/AmazonSQSFullAccess".into()),
        ];
        assert_eq!(aws_managed_name(&sub).as_deref(), Ok("AmazonSQSFullAccess"));
        assert!(aws_managed_name(&lit("arn:aws:iam::123456789012:policy/Mine")).is_err());
    }

    #[test]
    fn embedded_data_parses() {
        assert!(managed_policy("AWSLambdaBasicExecutionRole").is_some());
        // Every AWS managed policy is embedded, the large ones too.
        assert!(managed_policy("ReadOnlyAccess").is_some());
        assert!(managed_policy("TranslateReadOnly").is_some());
        assert!(managed_policy("ReadOnlyAccesss").is_none());
        assert!(managed_policy("ReadOnly").is_none());
        assert!(sam_templates().get("DynamoDBCrudPolicy").is_some());
        assert!(sam_templates().get("DynamoDBCrudPolicyy").is_none());
    }
}
