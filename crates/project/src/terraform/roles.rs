//! The declared role of a Terraform function, for `check`: the `aws_iam_role` its `role`
//! names, with the role's `inline_policy` blocks and `managed_policy_arns`, every
//! `aws_iam_role_policy` on it (`policy` as `jsonencode(…)`, a JSON heredoc or
//! `data.aws_iam_policy_document.x.json`), every `aws_iam_role_policy_attachment` and
//! `aws_iam_policy_attachment` of an `aws_iam_policy` or an AWS managed policy (embedded,
//! as for SAM); and for a `terraform-aws-modules/lambda/aws` module call the role the
//! module creates from its policy inputs (`attach_policy_statements` +
//! `policy_statements`, `attach_policy_json` + `policy_json`, `attach_policy_jsons` +
//! `policy_jsons`, `attach_policies` + `policies`, `attach_policy` + `policy`).
//! Statements are read by [`crate::role::Reader`], as for the other frameworks, from
//! nodes whose strings keep the configuration's references (see [`super::nodes`]).

use std::collections::BTreeMap;

use leastrole_core::Location;

use super::eval::{Scope, Value};
use super::nodes::{Marked, items};
use super::{Config, Lambda, Module, Resource, find_resource};
use crate::ValuePart;
use crate::cfn::{Eval, Template};
use crate::config::Node;
use crate::declared::{Declared, EventSource};
use crate::role::{Reader, RoleBuilder, Site};

/// What the lambda module attaches by default (`attach_cloudwatch_logs_policy`).
const MODULE_LOGS: &str =
    "the terraform-aws-modules/lambda module attaches it (attach_cloudwatch_logs_policy)";

/// An argument of a body, unevaluated.
fn expr<'b>(body: &'b hcl::Body, name: &str) -> Option<&'b hcl::Expression> {
    body.attributes()
        .find(|a| a.key() == name)
        .map(|a| a.expr())
}

/// The resources that attach policies to roles (`aws_iam_role_policy`,
/// `aws_iam_role_policy_attachment`, `aws_iam_policy_attachment`), each with the roles
/// it names evaluated once for the whole configuration, not once per function.
pub(crate) struct Attachments<'a> {
    /// In configuration order (the root module's resources by address, then each child
    /// module's): the resource, its module, and the roles it names.
    all: Vec<Attachment<'a>>,
}

struct Attachment<'a> {
    module: &'a Module,
    resource: &'a Resource,
    roles: Vec<Vec<ValuePart>>,
}

impl<'a> Attachments<'a> {
    pub(crate) fn of(config: &'a Config) -> Attachments<'a> {
        let mut found: Vec<(&Module, &Resource)> = Vec::new();
        every_resource(&config.module, &mut found);
        let all = found
            .into_iter()
            .filter_map(|(module, resource)| {
                let scope = Scope::new(config, module);
                let arg = |k: &str| scope.argument(&resource.body, k);
                let roles = match resource.kind.as_str() {
                    "aws_iam_role_policy" | "aws_iam_role_policy_attachment" => {
                        vec![arg("role")?.text()]
                    }
                    "aws_iam_policy_attachment" => {
                        items(&arg("roles")?).iter().map(Value::text).collect()
                    }
                    _ => return None,
                };
                Some(Attachment {
                    module,
                    resource,
                    roles,
                })
            })
            .collect();
        Attachments { all }
    }
}

/// Reads the documents of one configuration into a role.
struct RoleReader<'a> {
    config: &'a Config,
    attachments: &'a Attachments<'a>,
    b: RoleBuilder,
}

impl RoleReader<'_> {
    fn site(location: &Location) -> Site<'_> {
        Site {
            file: &location.file,
            line: location.line,
            items: Vec::new(),
        }
    }

    /// Read `doc` (a policy document node) whose markers `marked` holds.
    fn document(&mut self, marked: &Marked, doc: &Node, path: &str, at: &Location) {
        let empty = Template::default();
        let eval = Eval {
            template: &empty,
            strings: marked,
        };
        Reader { eval: &eval }.document(&mut self.b, doc, path, &Self::site(at), None);
    }

    /// A managed policy by ARN: an AWS managed policy from the embedded set, an
    /// `aws_iam_policy` of the configuration, else an unknown grant.
    fn managed(&mut self, arn: &[ValuePart], path: &str, at: &Location) {
        if let [
            ValuePart::Ref {
                logical_id,
                resource_type: Some(t),
                ..
            },
        ] = arn
            && t == "aws_iam_policy"
        {
            match find_resource(&self.config.module, logical_id) {
                Some((module, policy)) => match expr(&policy.body, "policy") {
                    Some(e) => {
                        let scope = Scope::new(self.config, module);
                        self.policy(
                            &scope,
                            e,
                            &format!("{path} ({logical_id})"),
                            &policy.location,
                        );
                    }
                    None => self.b.unknown_grant(
                        logical_id.clone(),
                        "an aws_iam_policy without `policy`",
                        &Some(policy.location.clone()),
                    ),
                },
                None => self.b.unknown_grant(
                    logical_id.clone(),
                    "not found in the configuration",
                    &Some(at.clone()),
                ),
            }
            return;
        }
        let mut marked = Marked::default();
        let node = marked.node(&Value::Text(arn.to_vec()));
        let empty = Template::default();
        let eval = Eval {
            template: &empty,
            strings: &marked,
        };
        Reader { eval: &eval }.managed(&mut self.b, &node, path, &Self::site(at), None);
    }

    /// A policy given as an expression: `jsonencode({…})`,
    /// `data.aws_iam_policy_document.x.json`, or JSON text.
    fn policy(&mut self, scope: &Scope<'_>, e: &hcl::Expression, path: &str, at: &Location) {
        let mut marked = Marked::default();
        if let hcl::Expression::FuncCall(call) = e
            && call.name.name.as_str() == "jsonencode"
            && call.name.namespace.is_empty()
            && let Some(arg) = call.args.first()
        {
            let doc = marked.node(&scope.eval(arg));
            self.document(&marked, &doc, path, at);
            return;
        }
        if let Some((module, data)) = policy_document_named(scope, e) {
            let scope = Scope::new(self.config, module);
            let doc = self.policy_document(&scope, data, &mut marked);
            self.document(
                &marked,
                &doc,
                &format!("{path} ({})", data.address),
                &data.location,
            );
            return;
        }
        let value = scope.eval(e);
        match marked.json(&value.text()) {
            Ok(doc) => self.document(&marked, &doc, path, at),
            Err(why) => self.b.unknown_grant(
                path.to_string(),
                &format!(
                    "its policy `{}` is not a document leastrole can read ({why})",
                    crate::ValueParts(&value.text())
                ),
                &Some(at.clone()),
            ),
        }
    }

    /// A `data "aws_iam_policy_document"` as an IAM JSON document node.
    fn policy_document(&mut self, scope: &Scope<'_>, data: &Resource, marked: &mut Marked) -> Node {
        for merged in [
            "source_policy_documents",
            "override_policy_documents",
            "source_json",
            "override_json",
        ] {
            // An empty list merges nothing.
            let given = scope.argument(&data.body, merged).is_some_and(|v| {
                !matches!(v, Value::Null) && !matches!(&v, Value::List(l) if l.is_empty())
            });
            if given {
                self.b.unknown_grant(
                    format!("{}.{merged}", data.address),
                    "documents merged into a policy document are not read",
                    &Some(data.location.clone()),
                );
            }
        }
        let mut statements = Vec::new();
        for block in data.body.blocks().filter(|b| b.identifier() == "statement") {
            let body = block.body();
            let conditions = body
                .blocks()
                .filter(|b| b.identifier() == "condition")
                .map(|c| {
                    let get = |k: &str| scope.argument(c.body(), k);
                    (get("test"), get("variable"), get("values"))
                })
                .collect();
            statements.push(statement_node(
                marked,
                |k| scope.argument(body, k),
                conditions,
            ));
        }
        Node::Map(indexmap::IndexMap::from([(
            "Statement".to_string(),
            Node::Seq(statements),
        )]))
    }

    /// Everything granted to the `aws_iam_role` `role` of `module`.
    fn role(&mut self, module: &Module, role: &Resource) {
        let scope = Scope::new(self.config, module);
        for (i, block) in role
            .body
            .blocks()
            .filter(|b| b.identifier() == "inline_policy")
            .enumerate()
        {
            if let Some(e) = expr(block.body(), "policy") {
                self.policy(
                    &scope,
                    e,
                    &format!("{}.inline_policy[{i}]", role.address),
                    &role.location,
                );
            }
        }
        if let Some(arns) = scope.argument(&role.body, "managed_policy_arns") {
            for (i, arn) in items(&arns).iter().enumerate() {
                self.managed(
                    &arn.text(),
                    &format!("{}.managed_policy_arns[{i}]", role.address),
                    &role.location,
                );
            }
        }
        let name = scope.argument(&role.body, "name").and_then(|v| v.literal());
        let names_role = |parts: &[ValuePart]| match parts {
            [ValuePart::Ref { logical_id, .. }] => *logical_id == role.address,
            _ => name.is_some() && Value::Text(parts.to_vec()).literal() == name,
        };
        let attachments = self.attachments;
        for a in &attachments.all {
            if !a.roles.iter().any(|parts| names_role(parts)) {
                continue;
            }
            let (m, r) = (a.module, a.resource);
            let scope = Scope::new(self.config, m);
            match r.kind.as_str() {
                "aws_iam_role_policy" => {
                    if let Some(e) = expr(&r.body, "policy") {
                        self.policy(&scope, e, &format!("{}.policy", r.address), &r.location);
                    }
                }
                _ => {
                    if let Some(arn) = scope.argument(&r.body, "policy_arn") {
                        self.managed(
                            &arn.text(),
                            &format!("{}.policy_arn", r.address),
                            &r.location,
                        );
                    }
                }
            }
        }
    }

    /// The role a `terraform-aws-modules/lambda/aws` call creates, from its policy inputs.
    fn module_role(&mut self, scope: &Scope<'_>, call: &super::Call) {
        let arg = |k: &str| scope.argument(&call.body, k);
        let at = &call.location;
        let address = format!("{}module.{}", scope.module.prefix, call.name);
        // Each `attach_*` input: true attaches, false (the default) does not, anything
        // else is not known.
        let attached = |b: &mut RoleBuilder, flag: &str, default: bool| match arg(flag) {
            None => default,
            Some(Value::Bool(v)) => v,
            Some(other) => {
                b.unknown_grant(
                    format!("{address}.{flag}"),
                    &format!(
                        "its value `{}` is not known",
                        crate::ValueParts(&other.text())
                    ),
                    &Some(at.clone()),
                );
                false
            }
        };
        if attached(&mut self.b, "attach_cloudwatch_logs_policy", true) {
            let name = arg("function_name").map(|v| v.text()).unwrap_or_default();
            let mut group = vec![
                ValuePart::Lit("arn:".into()),
                ValuePart::Pseudo("AWS::Partition".into()),
                ValuePart::Lit(":logs:".into()),
                ValuePart::Pseudo("AWS::Region".into()),
                ValuePart::Lit(":".into()),
                ValuePart::Pseudo("AWS::AccountId".into()),
                ValuePart::Lit(":log-group:/aws/lambda/".into()),
            ];
            group.extend(name);
            group.push(ValuePart::Lit(":*".into()));
            let mut marked = Marked::default();
            let doc = marked.node(&Value::Map(BTreeMap::from([(
                "Statement".to_string(),
                Value::Map(BTreeMap::from([
                    ("Effect".to_string(), Value::lit("Allow")),
                    (
                        "Action".to_string(),
                        Value::List(vec![
                            Value::lit("logs:CreateLogGroup"),
                            Value::lit("logs:CreateLogStream"),
                            Value::lit("logs:PutLogEvents"),
                        ]),
                    ),
                    (
                        "Resource".to_string(),
                        Value::Text(crate::cfn::normalize(group)),
                    ),
                ])),
            )])));
            let empty = Template::default();
            let eval = Eval {
                template: &empty,
                strings: &marked,
            };
            Reader { eval: &eval }.document(
                &mut self.b,
                &doc,
                &format!("{address} (CloudWatch Logs policy)"),
                &Self::site(at),
                Some(MODULE_LOGS),
            );
        }
        if attached(&mut self.b, "attach_policy_statements", false)
            && let Some(statements) = arg("policy_statements")
        {
            let mut marked = Marked::default();
            let list: Vec<(String, Node)> = match &statements {
                Value::Map(m) => m
                    .iter()
                    .map(|(k, v)| (k.clone(), module_statement(v, &mut marked)))
                    .collect(),
                Value::List(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), module_statement(v, &mut marked)))
                    .collect(),
                other => {
                    self.b.unknown_grant(
                        format!("{address}.policy_statements"),
                        &format!(
                            "`{}` is not a known map of statements",
                            crate::ValueParts(&other.text())
                        ),
                        &Some(at.clone()),
                    );
                    Vec::new()
                }
            };
            for (key, statement) in list {
                let doc = Node::Map(indexmap::IndexMap::from([(
                    "Statement".to_string(),
                    statement,
                )]));
                self.document(
                    &marked,
                    &doc,
                    &format!("{address}.policy_statements.{key}"),
                    at,
                );
            }
        }
        if attached(&mut self.b, "attach_policy_json", false)
            && let Some(e) = expr(&call.body, "policy_json")
        {
            self.policy(scope, e, &format!("{address}.policy_json"), at);
        }
        if attached(&mut self.b, "attach_policy_jsons", false)
            && let Some(e) = expr(&call.body, "policy_jsons")
        {
            match e {
                hcl::Expression::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.policy(scope, item, &format!("{address}.policy_jsons[{i}]"), at);
                    }
                }
                other => {
                    let value = scope.eval(other);
                    for (i, item) in items(&value).iter().enumerate() {
                        let mut marked = Marked::default();
                        let path = format!("{address}.policy_jsons[{i}]");
                        match marked.json(&item.text()) {
                            Ok(doc) => self.document(&marked, &doc, &path, at),
                            Err(why) => self.b.unknown_grant(
                                path,
                                &format!("not a document leastrole can read ({why})"),
                                &Some(at.clone()),
                            ),
                        }
                    }
                }
            }
        }
        if attached(&mut self.b, "attach_policies", false)
            && let Some(policies) = arg("policies")
        {
            for (i, arn) in items(&policies).iter().enumerate() {
                self.managed(&arn.text(), &format!("{address}.policies[{i}]"), at);
            }
        }
        if attached(&mut self.b, "attach_policy", false)
            && let Some(arn) = arg("policy")
        {
            self.managed(&arn.text(), &format!("{address}.policy"), at);
        }
    }
}

/// One statement of the lambda module's `policy_statements` (`effect`, `actions`,
/// `not_actions`, `resources`, `not_resources`, `condition` as a map of
/// `{test, variable, values}`) as an IAM statement node.
fn module_statement(v: &Value, marked: &mut Marked) -> Node {
    let conditions = match v.get("condition") {
        Some(Value::Map(conditions)) => conditions
            .values()
            .map(|c| {
                let get = |k: &str| c.get(k).cloned();
                (get("test"), get("variable"), get("values"))
            })
            .collect(),
        _ => Vec::new(),
    };
    statement_node(marked, |k| v.get(k).cloned(), conditions)
}

/// An IAM statement node from Terraform's snake-case keys (`effect`, default `Allow`;
/// `actions`, `not_actions`, `resources`, `not_resources`) and conditions as
/// (`test`, `variable`, `values`); a condition without a literal test or variable is
/// left out.
fn statement_node(
    marked: &mut Marked,
    get: impl Fn(&str) -> Option<Value>,
    conditions: Vec<(Option<Value>, Option<Value>, Option<Value>)>,
) -> Node {
    let mut s: indexmap::IndexMap<String, Node> = indexmap::IndexMap::new();
    let effect = get("effect").unwrap_or_else(|| Value::lit("Allow"));
    s.insert("Effect".into(), marked.node(&effect));
    for (key, iam) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some(x) = get(key) {
            s.insert(iam.into(), marked.node(&x));
        }
    }
    let mut condition: indexmap::IndexMap<String, Node> = indexmap::IndexMap::new();
    for (test, variable, values) in conditions {
        let (Some(test), Some(variable)) = (
            test.as_ref().and_then(Value::literal),
            variable.as_ref().and_then(Value::literal),
        ) else {
            continue;
        };
        let values = marked.node(&values.unwrap_or(Value::List(Vec::new())));
        if let Node::Map(m) = condition
            .entry(test)
            .or_insert_with(|| Node::Map(indexmap::IndexMap::new()))
        {
            m.insert(variable, values);
        }
    }
    if !condition.is_empty() {
        s.insert("Condition".into(), Node::Map(condition));
    }
    Node::Map(s)
}

/// The `aws_iam_policy_document` data source an expression's `.json` names.
fn policy_document_named<'m>(
    scope: &Scope<'m>,
    e: &hcl::Expression,
) -> Option<(&'m Module, &'m Resource)> {
    let hcl::Expression::Traversal(t) = e else {
        return None;
    };
    let hcl::Expression::Variable(v) = &t.expr else {
        return None;
    };
    let name = |i: usize| match t.operators.get(i) {
        Some(hcl::TraversalOperator::GetAttr(id)) => Some(id.as_str()),
        _ => None,
    };
    if v.as_str() != "data" || name(0)? != "aws_iam_policy_document" {
        return None;
    }
    let module = scope.module;
    module
        .data
        .get(&format!("aws_iam_policy_document.{}", name(1)?))
        .map(|d| (module, d))
}

/// Every resource of the configuration, with its module.
fn every_resource<'m>(module: &'m Module, out: &mut Vec<(&'m Module, &'m Resource)>) {
    out.extend(module.resources.values().map(|r| (module, r)));
    for child in module.children.values() {
        every_resource(child, out);
    }
}

/// The declared role of `lambda`; `event_sources` are those polled for it.
pub(crate) fn declared(
    config: &Config,
    attachments: &Attachments<'_>,
    lambda: &Lambda<'_>,
    event_sources: Vec<EventSource>,
) -> Declared {
    let mut reader = RoleReader {
        config,
        attachments,
        b: RoleBuilder::new(""),
    };
    let body = match lambda {
        Lambda::Resource(_, r, _) => &r.body,
        Lambda::RegistryModule(_, c, _) => &c.body,
    };
    let scope = lambda.scope(config);
    let role_arg = match lambda {
        Lambda::Resource(..) => Some("role"),
        Lambda::RegistryModule(..) => match scope.argument(body, "create_role") {
            Some(Value::Bool(false)) => Some("lambda_role"),
            _ => None,
        },
    };
    match (lambda, role_arg) {
        (Lambda::RegistryModule(m, call, _), None) => {
            reader.b =
                RoleBuilder::new(format!("the role {}module.{} creates", m.prefix, call.name));
            reader.module_role(&scope, call);
            if m.prefix.is_empty() {
                reader.b.declared.terraform_role = Some(format!("module.{}", call.name));
            }
        }
        (_, role_arg) => {
            let role_arg = role_arg.unwrap_or("role");
            let value = scope.argument(body, role_arg).map(|v| v.text());
            match value.as_deref() {
                None => {
                    reader.b =
                        RoleBuilder::not_checkable(format!("the function has no `{role_arg}`"))
                }
                Some(
                    [
                        ValuePart::Ref {
                            logical_id,
                            resource_type: Some(t),
                            ..
                        },
                    ],
                ) if t == "aws_iam_role" => match find_resource(&config.module, logical_id) {
                    Some((m, role)) => {
                        reader.b = RoleBuilder::new(role.address.clone());
                        reader.role(m, role);
                        if m.prefix.is_empty() {
                            reader.b.declared.terraform_role = Some(role.address.clone());
                        }
                    }
                    None => {
                        reader.b = RoleBuilder::not_checkable(format!(
                            "the role {logical_id} is not found in the configuration"
                        ))
                    }
                },
                Some([ValuePart::Lit(arn)]) => {
                    reader.b = RoleBuilder::not_checkable(format!(
                        "the role is an existing role given by ARN (`{arn}`), not declared in the configuration"
                    ));
                }
                Some(parts) => {
                    reader.b = RoleBuilder::not_checkable(format!(
                        "the role is `{}`, not an aws_iam_role of this configuration",
                        crate::ValueParts(parts)
                    ));
                }
            }
        }
    }
    let mut b = reader.b;
    let facts = &mut b.declared.framework;
    facts.event_sources = event_sources;
    match lambda {
        Lambda::Resource(_, r, _) => {
            let block = |name: &str| r.body.blocks().find(|b| b.identifier() == name);
            facts.tracing = block("tracing_config").is_some_and(|b| {
                scope
                    .argument(b.body(), "mode")
                    .and_then(|v| v.literal())
                    .as_deref()
                    == Some("Active")
            });
            facts.vpc = block("vpc_config").is_some();
            facts.dead_letter = block("dead_letter_config")
                .and_then(|b| scope.argument(b.body(), "target_arn"))
                .map(|v| v.text());
        }
        Lambda::RegistryModule(_, c, _) => {
            let arg = |k: &str| scope.argument(&c.body, k);
            facts.tracing =
                arg("tracing_mode").and_then(|v| v.literal()).as_deref() == Some("Active");
            facts.vpc = arg("vpc_subnet_ids").is_some_and(|v| !matches!(v, Value::Null));
            facts.dead_letter = arg("dead_letter_target_arn")
                .map(|v| v.text())
                .filter(|t| !t.is_empty());
        }
    }
    b.finish()
}
