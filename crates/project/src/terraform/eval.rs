//! The Terraform expression evaluator: what an HCL expression of a module evaluates to,
//! as far as the configuration says without running Terraform.
//!
//! The API is small on purpose (readers of triggers and roles build on it):
//! - [`Scope::new`] for one module of a [`crate::terraform::Config`] and
//!   [`Scope::eval`] of an expression of that module → [`Value`];
//! - [`Value::text`] for a value used as a string (the parts a configured value is made
//!   of), [`Value::literal`] when only literal text will do, [`Value::get`] for maps
//!   (lists are `Value::List`).
//!
//! Strings are [`ValuePart`]s: literal text, `Pseudo` parts for the `aws_region` /
//! `aws_caller_identity` / `aws_partition` data sources, `Ref` parts for attributes of the
//! module's resources (see [`super::resources`]), and `Unknown` parts that name what is not
//! known (`var.stage has no default and no tfvars sets it`). Evaluation never fails: what
//! it cannot know is an `Unknown` value saying why.

use std::cell::Cell;
use std::collections::BTreeMap;

use hcl::expr::{
    BinaryOperator, Expression, FuncCall, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl::template::{Element, Template};

use super::{Config, Module};
use crate::ValuePart;
use crate::cfn::normalize;

/// Nesting of expressions (and of locals naming locals) evaluated before giving up: an
/// HCL file can nest deeper than any configuration means to.
const MAX_DEPTH: usize = 64;

/// Evaluation steps allowed per scope: locals that each name two others would otherwise
/// take exponential time.
const MAX_WORK: usize = 200_000;

/// Instances of one `for_each`/`count` expanded; more make the block's functions not
/// analysed (and a reference to an instance unknown).
pub(crate) const MAX_INSTANCES: usize = 256;

/// A Terraform value, as far as it is known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    /// A number, as Terraform prints it.
    Number(String),
    /// A string: literal text mixed with pseudo parameters, references and unknown parts.
    Text(Vec<ValuePart>),
    /// A list, tuple or set.
    List(Vec<Value>),
    /// A map or object.
    Map(BTreeMap<String, Value>),
    /// Not known statically; the reason names what (`var.stage has no default…`).
    Unknown(String),
}

impl Value {
    /// A literal string.
    pub(crate) fn lit(s: impl Into<String>) -> Value {
        Value::Text(vec![ValuePart::Lit(s.into())])
    }

    /// The value used as a string: its parts. A list or map where text is expected is an
    /// unknown part saying so; `null` is empty.
    pub(crate) fn text(&self) -> Vec<ValuePart> {
        match self {
            Value::Null => Vec::new(),
            Value::Bool(b) => vec![ValuePart::Lit(b.to_string())],
            Value::Number(n) => vec![ValuePart::Lit(n.clone())],
            Value::Text(parts) => parts.clone(),
            Value::List(_) => vec![ValuePart::Unknown("a list where text is expected".into())],
            Value::Map(_) => vec![ValuePart::Unknown("a map where text is expected".into())],
            Value::Unknown(why) => vec![ValuePart::Unknown(why.clone())],
        }
    }

    /// The value as literal text, when every part of it is literal.
    pub(crate) fn literal(&self) -> Option<String> {
        match self {
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.clone()),
            Value::Text(parts) => {
                let mut out = String::new();
                for p in parts {
                    match p {
                        ValuePart::Lit(s) => out.push_str(s),
                        _ => return None,
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// A map's entry.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(m) => m.get(key),
            _ => None,
        }
    }

    fn is_unknown(&self) -> bool {
        match self {
            Value::Unknown(_) => true,
            Value::Text(parts) => parts.iter().any(|p| matches!(p, ValuePart::Unknown(_))),
            _ => false,
        }
    }

    fn unknown_reason(&self) -> Option<String> {
        match self {
            Value::Unknown(why) => Some(why.clone()),
            Value::Text(parts) => parts.iter().find_map(|p| match p {
                ValuePart::Unknown(why) => Some(why.clone()),
                _ => None,
            }),
            _ => None,
        }
    }
}

/// One instance of a resource or module call with `for_each` or `count`: what
/// `each.key`/`each.value` or `count.index` are in its arguments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Instance {
    Each { key: String, value: Value },
    Count(usize),
}

impl Instance {
    /// The index in its Terraform address: `["eu"]`, `[0]`.
    pub(crate) fn address_index(&self) -> String {
        match self {
            Instance::Each { key, .. } => format!("[{}]", quoted(key)),
            Instance::Count(i) => format!("[{i}]"),
        }
    }

    /// The index in a function's name: `[eu]`, `[0]` (no quotes to escape in a shell).
    pub(crate) fn name_index(&self) -> String {
        match self {
            Instance::Each { key, .. } => format!("[{key}]"),
            Instance::Count(i) => format!("[{i}]"),
        }
    }
}

/// A string as an HCL string literal.
fn quoted(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        // `${` and `%{` would start a template inside the literal.
        .replace("${", "$${")
        .replace("%{", "%%{");
    format!("\"{escaped}\"")
}

/// The instances of a block whose `for_each` or `count` evaluates to `collection`
/// (`count` when `is_count`): `Err` names why they are not known.
pub(crate) fn instances(collection: &Value, is_count: bool) -> Result<Vec<Instance>, String> {
    let all = all_instances(collection, is_count)?;
    if all.len() > MAX_INSTANCES {
        return Err(format!(
            "its `{}` makes {} instances, more than leastrole expands ({MAX_INSTANCES})",
            if is_count { "count" } else { "for_each" },
            all.len()
        ));
    }
    Ok(all)
}

fn all_instances(collection: &Value, is_count: bool) -> Result<Vec<Instance>, String> {
    let unknown = |what: &str| {
        format!(
            "its `{}` is {what}",
            if is_count { "count" } else { "for_each" }
        )
    };
    if is_count {
        let n = collection
            .literal()
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| {
                unknown(&format!(
                    "not a known number{}",
                    collection
                        .unknown_reason()
                        .map(|w| format!(" ({w})"))
                        .unwrap_or_default()
                ))
            })?;
        // Counted before any is made: `count = 1e9` must not allocate them.
        if n > MAX_INSTANCES {
            return Err(unknown(&format!(
                "{n}, more instances than leastrole expands ({MAX_INSTANCES})"
            )));
        }
        return Ok((0..n).map(Instance::Count).collect());
    }
    match collection {
        Value::Map(m) => Ok(m
            .iter()
            .map(|(k, v)| Instance::Each {
                key: k.clone(),
                value: v.clone(),
            })
            .collect()),
        // A set of strings: each element is its key and value.
        Value::List(items) => {
            let mut keys = Vec::new();
            for item in items {
                let Some(key) = item.literal() else {
                    return Err(unknown(&format!(
                        "a set with an element not known{}",
                        item.unknown_reason()
                            .map(|w| format!(" ({w})"))
                            .unwrap_or_default()
                    )));
                };
                keys.push(key);
            }
            keys.sort();
            keys.dedup();
            Ok(keys
                .into_iter()
                .map(|key| Instance::Each {
                    value: Value::lit(key.clone()),
                    key,
                })
                .collect())
        }
        other => Err(unknown(&format!(
            "not a known map or set{}",
            other
                .unknown_reason()
                .map(|w| format!(" ({w})"))
                .unwrap_or_default()
        ))),
    }
}

/// Evaluation of the expressions of one module of a configuration.
#[derive(Debug)]
pub(crate) struct Scope<'a> {
    pub(crate) config: &'a Config,
    pub(crate) module: &'a Module,
    /// The instance whose arguments are evaluated, for `each.*` and `count.index`.
    instance: Option<&'a Instance>,
    depth: Cell<usize>,
    work: Cell<usize>,
}

impl<'a> Scope<'a> {
    pub(crate) fn new(config: &'a Config, module: &'a Module) -> Scope<'a> {
        Scope {
            config,
            module,
            instance: None,
            depth: Cell::new(0),
            work: Cell::new(0),
        }
    }

    /// The scope of one instance of a block with `for_each` or `count`.
    pub(crate) fn of_instance(
        config: &'a Config,
        module: &'a Module,
        instance: Option<&'a Instance>,
    ) -> Scope<'a> {
        Scope {
            instance,
            ..Scope::new(config, module)
        }
    }

    /// What `expr`, written in this scope's module, evaluates to.
    pub(crate) fn eval(&self, expr: &Expression) -> Value {
        let work = self.work.get() + 1;
        self.work.set(work);
        if work > MAX_WORK {
            return Value::Unknown("the configuration takes too many steps to evaluate".into());
        }
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return Value::Unknown("an expression nested too deeply to evaluate".into());
        }
        self.depth.set(depth + 1);
        let value = self.eval_inner(expr);
        self.depth.set(depth);
        value
    }

    fn eval_inner(&self, expr: &Expression) -> Value {
        match expr {
            Expression::Null => Value::Null,
            Expression::Bool(b) => Value::Bool(*b),
            Expression::Number(n) => Value::Number(n.to_string()),
            Expression::String(s) => Value::lit(s.clone()),
            Expression::Array(items) => Value::List(items.iter().map(|e| self.eval(e)).collect()),
            Expression::Object(object) => {
                let mut map = BTreeMap::new();
                for (key, value) in object {
                    let key = match key {
                        ObjectKey::Identifier(id) => Some(id.to_string()),
                        ObjectKey::Expression(e) => self.eval(e).literal(),
                        _ => None,
                    };
                    // A key only known at apply time cannot be looked up: left out.
                    if let Some(key) = key {
                        map.insert(key, self.eval(value));
                    }
                }
                Value::Map(map)
            }
            Expression::TemplateExpr(t) => match Template::from_expr(t) {
                Ok(template) => self.template(&template),
                Err(e) => Value::Unknown(format!("a string template that does not parse: {e}")),
            },
            Expression::Variable(v) => Value::Unknown(format!("`{}` alone", v.as_str())),
            Expression::Traversal(t) => self.traversal(&t.expr, &t.operators),
            Expression::FuncCall(call) => self.call(call),
            Expression::Parenthesis(inner) => self.eval(inner),
            Expression::Conditional(c) => match self.eval(&c.cond_expr) {
                Value::Bool(true) => self.eval(&c.true_expr),
                Value::Bool(false) => self.eval(&c.false_expr),
                other => Value::Unknown(format!(
                    "a conditional whose condition is not known{}",
                    other
                        .unknown_reason()
                        .map(|why| format!(" ({why})"))
                        .unwrap_or_default()
                )),
            },
            Expression::Operation(op) => match op.as_ref() {
                hcl::expr::Operation::Unary(u) => {
                    let v = self.eval(&u.expr);
                    match (u.operator, &v) {
                        (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                        (UnaryOperator::Neg, Value::Number(n)) => match n.strip_prefix('-') {
                            Some(pos) => Value::Number(pos.to_string()),
                            None => Value::Number(format!("-{n}")),
                        },
                        _ => Value::Unknown("an operation on a value not known".into()),
                    }
                }
                hcl::expr::Operation::Binary(b) => {
                    let lhs = self.eval(&b.lhs_expr);
                    let rhs = self.eval(&b.rhs_expr);
                    binary(b.operator, &lhs, &rhs)
                }
            },
            Expression::ForExpr(_) => Value::Unknown("a `for` expression is not evaluated".into()),
            _ => Value::Unknown("an expression of a kind leastrole does not evaluate".into()),
        }
    }

    fn template(&self, template: &Template) -> Value {
        let mut parts = Vec::new();
        for element in template.elements() {
            match element {
                Element::Literal(s) => parts.push(ValuePart::Lit(s.clone())),
                Element::Interpolation(i) => parts.extend(self.eval(&i.expr).text()),
                Element::Directive(_) => parts.push(ValuePart::Unknown(
                    "a template directive (`%{if}`, `%{for}`) is not evaluated".into(),
                )),
            }
        }
        Value::Text(normalize(parts))
    }

    /// `var.x`, `local.x`, `path.module`, `data.T.N.attr`, `module.M.output`, `T.N.attr`,
    /// then the remaining attribute and index steps on what that gives.
    fn traversal(&self, base: &Expression, ops: &[TraversalOperator]) -> Value {
        let Expression::Variable(root) = base else {
            let value = self.eval(base);
            return self.steps(value, ops);
        };
        let name = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
            _ => None,
        };
        let root = root.as_str();
        match root {
            "var" => {
                let Some(var) = name(0) else {
                    return Value::Unknown("`var` without a name".into());
                };
                let value = self.module.variables.get(var).cloned().unwrap_or_else(|| {
                    Value::Unknown(format!(
                        "var.{var} is not declared{}",
                        self.module.describe_in()
                    ))
                });
                self.steps(value, ops.get(1..).unwrap_or_default())
            }
            "local" => {
                let Some(local) = name(0) else {
                    return Value::Unknown("`local` without a name".into());
                };
                let value = match self.module.locals.get(local) {
                    Some(expr) => self.eval(expr),
                    None => Value::Unknown(format!(
                        "local.{local} is not defined{}",
                        self.module.describe_in()
                    )),
                };
                self.steps(value, ops.get(1..).unwrap_or_default())
            }
            "path" => {
                let value = match name(0) {
                    Some("module") => Value::lit(self.module.path.clone()),
                    Some("root" | "cwd") => Value::lit("."),
                    _ => Value::Unknown("an unknown `path` attribute".into()),
                };
                self.steps(value, ops.get(1..).unwrap_or_default())
            }
            "terraform" => match name(0) {
                Some("workspace") => Value::Unknown(
                    "terraform.workspace is the workspace selected when Terraform runs".into(),
                ),
                _ => Value::Unknown("an unknown `terraform` attribute".into()),
            },
            "each" | "count" => {
                let value = match (root, name(0), self.instance) {
                    ("each", Some("key"), Some(Instance::Each { key, .. })) => {
                        Value::lit(key.clone())
                    }
                    ("each", Some("value"), Some(Instance::Each { value, .. })) => value.clone(),
                    ("count", Some("index"), Some(Instance::Count(i))) => {
                        Value::Number(i.to_string())
                    }
                    _ => {
                        return Value::Unknown(format!(
                            "`{root}` outside a block whose `{}` is known",
                            if root == "each" { "for_each" } else { "count" }
                        ));
                    }
                };
                self.steps(value, ops.get(1..).unwrap_or_default())
            }
            "self" => Value::Unknown("`self` is known only when Terraform runs".into()),
            "data" => {
                let (Some(kind), Some(label)) = (name(0), name(1)) else {
                    return Value::Unknown("`data` without a type and name".into());
                };
                let (attr, rest) = attribute_after(ops.get(2..).unwrap_or_default());
                let value = self.data(kind, label, attr);
                self.steps(value, rest)
            }
            "module" => {
                // `module.jobs["eu"].arn`, `module.jobs[0].arn`: one instance's output.
                let index = ops.get(1).and_then(|op| self.address_index(op));
                let skip = if index.is_some() { 3 } else { 2 };
                let (Some(call), Some(output)) = (name(0), name(skip - 1)) else {
                    return Value::Unknown("`module` without a name and output".into());
                };
                let call = match index {
                    None => call.to_string(),
                    Some(Some(index)) => format!("{call}{index}"),
                    Some(None) => {
                        return Value::Unknown(format!("module.{call}[…]: an instance not known"));
                    }
                };
                let value = self.output(&call, output);
                self.steps(value, ops.get(skip..).unwrap_or_default())
            }
            kind => {
                let Some(label) = name(0) else {
                    return Value::Unknown(format!("`{kind}` is not a known reference"));
                };
                let after = ops.get(1..).unwrap_or_default();
                let index = match after.first() {
                    Some(TraversalOperator::Index(e)) => Some(self.eval(e)),
                    Some(TraversalOperator::LegacyIndex(i)) => Some(Value::Number(i.to_string())),
                    _ => None,
                };
                let (attr, rest) = attribute_after(after);
                let value = self.resource(kind, label, index.as_ref(), attr);
                self.steps(value, rest)
            }
        }
    }

    /// The instance index an index step gives an address (`["eu"]`, `[0]`): `None` for a
    /// step that is no index, `Some(None)` for an index not known.
    pub(crate) fn address_index(&self, op: &TraversalOperator) -> Option<Option<String>> {
        match op {
            TraversalOperator::Index(e) => Some(match self.eval(e) {
                Value::Number(n) => Some(format!("[{n}]")),
                key => key.literal().map(|key| {
                    Instance::Each {
                        key,
                        value: Value::Null,
                    }
                    .address_index()
                }),
            }),
            TraversalOperator::LegacyIndex(i) => Some(Some(format!("[{i}]"))),
            _ => None,
        }
    }

    /// Attribute and index steps on a value.
    fn steps(&self, mut value: Value, ops: &[TraversalOperator]) -> Value {
        for op in ops {
            value = match (op, value) {
                (_, v @ Value::Unknown(_)) => return v,
                (TraversalOperator::GetAttr(id), Value::Map(mut m)) => {
                    m.remove(id.as_str()).unwrap_or_else(|| {
                        Value::Unknown(format!("no attribute `{}` in the map", id.as_str()))
                    })
                }
                (TraversalOperator::Index(e), v) => {
                    let key = self.eval(e);
                    index(v, &key)
                }
                (TraversalOperator::LegacyIndex(i), v) => index(v, &Value::Number(i.to_string())),
                (_, _) => {
                    return Value::Unknown("an attribute or splat of a value not known".into());
                }
            };
        }
        value
    }

    fn data(&self, kind: &str, label: &str, attr: Option<&str>) -> Value {
        let pseudo = |name: &str| Value::Text(vec![ValuePart::Pseudo(name.into())]);
        match (kind, attr) {
            ("aws_region", Some("name" | "id" | "region")) => pseudo("AWS::Region"),
            ("aws_caller_identity", Some("account_id" | "id")) => pseudo("AWS::AccountId"),
            ("aws_partition", Some("partition" | "id")) => pseudo("AWS::Partition"),
            ("aws_partition", Some("dns_suffix")) => pseudo("AWS::URLSuffix"),
            ("archive_file", Some("output_path")) => {
                match self.module.data.get(&format!("{kind}.{label}")) {
                    Some(archive) => {
                        match archive.body.attributes().find(|a| a.key() == "output_path") {
                            Some(a) => self.eval(a.expr()),
                            None => {
                                Value::Unknown(format!("data.{kind}.{label} has no output_path"))
                            }
                        }
                    }
                    None => Value::Unknown(format!(
                        "data.{kind}.{label} is not defined{}",
                        self.module.describe_in()
                    )),
                }
            }
            _ => Value::Unknown(format!(
                "data.{kind}.{label}{} is read when Terraform runs",
                attr.map(|a| format!(".{a}")).unwrap_or_default()
            )),
        }
    }

    fn output(&self, call: &str, output: &str) -> Value {
        let Some(child) = self.module.children.get(call) else {
            return Value::Unknown(format!(
                "module.{call}.{output}: module `{call}` is not a local module read here"
            ));
        };
        match child.outputs.get(output) {
            Some(expr) => {
                let scope = Scope {
                    config: self.config,
                    module: child,
                    instance: None,
                    depth: Cell::new(self.depth.get()),
                    work: Cell::new(self.work.get()),
                };
                let value = scope.eval(expr);
                self.work.set(scope.work.get());
                value
            }
            None => Value::Unknown(format!("module.{call} has no output `{output}`")),
        }
    }

    fn resource(
        &self,
        kind: &str,
        label: &str,
        index: Option<&Value>,
        attr: Option<&str>,
    ) -> Value {
        let Some(resource) = self.module.resources.get(&format!("{kind}.{label}")) else {
            return Value::Unknown(format!(
                "{kind}.{label} is not a resource of the configuration{}",
                self.module.describe_in()
            ));
        };
        let Some(attr) = attr else {
            return Value::Unknown(format!("the whole resource {kind}.{label}"));
        };
        let Some(repeat) = super::repetition(&resource.body) else {
            return Value::Text(vec![super::resources::reference(self, resource, attr)]);
        };
        // One instance of a resource with `for_each`/`count`: its own arguments, with
        // `each`/`count` bound, and its own address.
        let instance = index
            .ok_or_else(|| {
                format!(
                    "{} has `{}` and no instance is named",
                    resource.address,
                    repeat.key()
                )
            })
            .and_then(|index| {
                let all = instances(&self.eval(repeat.expr()), repeat.is_count())
                    .map_err(|why| format!("{}: {why}", resource.address))?;
                let wanted = index.literal();
                all.into_iter()
                    .find(|i| match i {
                        Instance::Each { key, .. } => wanted.as_deref() == Some(key.as_str()),
                        Instance::Count(n) => wanted.as_deref() == Some(n.to_string().as_str()),
                    })
                    .ok_or_else(|| {
                        format!(
                            "{}[{}] is not an instance the configuration declares",
                            resource.address,
                            wanted.unwrap_or_else(|| "a key not known".into())
                        )
                    })
            });
        let instance = match instance {
            Ok(instance) => instance,
            Err(why) => return Value::Unknown(why),
        };
        let mut one = resource.clone();
        one.address = format!("{}{}", resource.address, instance.address_index());
        let scope = Scope {
            config: self.config,
            module: self.module,
            instance: Some(&instance),
            depth: Cell::new(self.depth.get()),
            work: Cell::new(self.work.get()),
        };
        let part = super::resources::reference(&scope, &one, attr);
        self.work.set(scope.work.get());
        Value::Text(vec![part])
    }

    /// A resource's argument, evaluated (`None` when it is not set).
    pub(crate) fn argument(&self, body: &hcl::Body, name: &str) -> Option<Value> {
        body.attributes()
            .find(|a| a.key() == name)
            .map(|a| self.eval(a.expr()))
    }

    fn call(&self, call: &FuncCall) -> Value {
        let name = call.name.name.as_str();
        if !call.name.namespace.is_empty() {
            return Value::Unknown(format!("a provider function `{}`", call.name));
        }
        // `try` is the one function whose failing arguments are its point.
        let args: Vec<Value> = call.args.iter().map(|a| self.eval(a)).collect();
        let args = if call.expand_final {
            let mut args = args;
            match args.pop() {
                Some(Value::List(items)) => args.extend(items),
                Some(other) => {
                    return Value::Unknown(format!(
                        "`{name}(…)` expands a value that is not a known list{}",
                        other
                            .unknown_reason()
                            .map(|w| format!(" ({w})"))
                            .unwrap_or_default()
                    ));
                }
                None => {}
            }
            args
        } else {
            args
        };
        function(name, args)
    }
}

/// The first attribute name of a reference's remaining steps, after any index of a
/// `count`/`for_each` instance (`aws_sqs_queue.jobs[0].arn`), and the steps after it.
fn attribute_after(ops: &[TraversalOperator]) -> (Option<&str>, &[TraversalOperator]) {
    for (i, op) in ops.iter().enumerate() {
        match op {
            TraversalOperator::GetAttr(id) => {
                return (Some(id.as_str()), ops.get(i + 1..).unwrap_or_default());
            }
            TraversalOperator::Index(_)
            | TraversalOperator::LegacyIndex(_)
            | TraversalOperator::AttrSplat
            | TraversalOperator::FullSplat => {}
        }
    }
    (None, &[])
}

fn index(value: Value, key: &Value) -> Value {
    match (value, key.literal()) {
        (Value::List(items), Some(k)) => match k.parse::<usize>() {
            Ok(i) => items
                .into_iter()
                .nth(i)
                .unwrap_or_else(|| Value::Unknown(format!("index {i} past the list's end"))),
            Err(_) => Value::Unknown(format!("a list indexed by `{k}`")),
        },
        (Value::Map(mut m), Some(k)) => m
            .remove(&k)
            .unwrap_or_else(|| Value::Unknown(format!("no key `{k}` in the map"))),
        (v @ Value::Unknown(_), _) => v,
        _ => Value::Unknown("an index not known, or into a value that is not a list or map".into()),
    }
}

fn binary(op: BinaryOperator, lhs: &Value, rhs: &Value) -> Value {
    use BinaryOperator as B;
    match op {
        B::Eq | B::NotEq => {
            if lhs.is_unknown() || rhs.is_unknown() || has_refs(lhs) || has_refs(rhs) {
                return Value::Unknown(format!(
                    "a comparison with a value not known{}",
                    lhs.unknown_reason()
                        .or_else(|| rhs.unknown_reason())
                        .map(|w| format!(" ({w})"))
                        .unwrap_or_default()
                ));
            }
            let equal = match (lhs.literal(), rhs.literal()) {
                (Some(a), Some(b)) => a == b,
                _ => lhs == rhs,
            };
            Value::Bool(equal == (op == B::Eq))
        }
        B::And | B::Or => match (lhs, rhs) {
            (Value::Bool(a), Value::Bool(b)) => {
                Value::Bool(if op == B::And { *a && *b } else { *a || *b })
            }
            (Value::Bool(false), _) | (_, Value::Bool(false)) if op == B::And => Value::Bool(false),
            (Value::Bool(true), _) | (_, Value::Bool(true)) if op == B::Or => Value::Bool(true),
            _ => Value::Unknown("a boolean operation on a value not known".into()),
        },
        _ => match (
            lhs.literal().and_then(|a| a.parse::<f64>().ok()),
            rhs.literal().and_then(|b| b.parse::<f64>().ok()),
        ) {
            (Some(a), Some(b)) => match op {
                B::Less => Value::Bool(a < b),
                B::LessEq => Value::Bool(a <= b),
                B::Greater => Value::Bool(a > b),
                B::GreaterEq => Value::Bool(a >= b),
                B::Plus => number(a + b),
                B::Minus => number(a - b),
                B::Mul => number(a * b),
                B::Div if b != 0.0 => number(a / b),
                B::Mod if b != 0.0 => number(a % b),
                _ => Value::Unknown("an arithmetic operation that Terraform would reject".into()),
            },
            _ => Value::Unknown("an arithmetic operation on a value not known".into()),
        },
    }
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        #[expect(clippy::cast_possible_truncation, reason = "a whole number below 1e15")]
        let whole = n as i64;
        Value::Number(whole.to_string())
    } else {
        Value::Number(n.to_string())
    }
}

fn has_refs(v: &Value) -> bool {
    match v {
        Value::Text(parts) => parts.iter().any(|p| !matches!(p, ValuePart::Lit(_))),
        Value::List(items) => items.iter().any(has_refs),
        Value::Map(m) => m.values().any(has_refs),
        _ => false,
    }
}

/// The built-in functions configurations use to build names; any other is unknown, named.
fn function(name: &str, args: Vec<Value>) -> Value {
    let arity = |n: usize| -> Option<Value> {
        (args.len() != n).then(|| {
            Value::Unknown(format!(
                "`{name}` called with {} arguments, not {n}",
                args.len()
            ))
        })
    };
    match name {
        "tostring" => arity(1).unwrap_or_else(|| match args.into_iter().next() {
            Some(v @ (Value::Text(_) | Value::Unknown(_) | Value::Null)) => v,
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Value::Text(v.text()),
            _ => Value::Unknown("tostring() of a list or map".into()),
        }),
        "tolist" | "toset" | "tomap" => {
            arity(1).unwrap_or_else(|| args.into_iter().next().unwrap_or(Value::Null))
        }
        "lower" | "upper" | "trimspace" => arity(1).unwrap_or_else(|| {
            let value = args.into_iter().next().unwrap_or(Value::Null);
            match value.literal() {
                Some(s) => Value::lit(match name {
                    "lower" => s.to_lowercase(),
                    "upper" => s.to_uppercase(),
                    _ => s.trim().to_string(),
                }),
                None => Value::Unknown(format!(
                    "{name}() of a value not known as text{}",
                    value
                        .unknown_reason()
                        .map(|w| format!(" ({w})"))
                        .unwrap_or_default()
                )),
            }
        }),
        "replace" => arity(3).unwrap_or_else(|| {
            let [s, from, to] =
                <[Value; 3]>::try_from(args).unwrap_or([Value::Null, Value::Null, Value::Null]);
            match (s.literal(), from.literal(), to.literal()) {
                (Some(s), Some(from), Some(to)) => {
                    if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                        Value::Unknown(
                            "replace() with a regular expression is not evaluated".into(),
                        )
                    } else if from.is_empty() {
                        Value::lit(s)
                    } else {
                        Value::lit(s.replace(&from, &to))
                    }
                }
                _ => Value::Unknown(format!(
                    "replace() of a value not known as text{}",
                    s.unknown_reason()
                        .map(|w| format!(" ({w})"))
                        .unwrap_or_default()
                )),
            }
        }),
        "trimprefix" | "trimsuffix" => arity(2).unwrap_or_else(|| {
            let (text, affix) = (
                args.first().and_then(Value::literal),
                args.get(1).and_then(Value::literal),
            );
            match (text, affix) {
                (Some(t), Some(a)) => Value::lit(if name == "trimprefix" {
                    t.strip_prefix(a.as_str()).unwrap_or(&t).to_string()
                } else {
                    t.strip_suffix(a.as_str()).unwrap_or(&t).to_string()
                }),
                _ => Value::Unknown(format!("{name}() of a value not known as text")),
            }
        }),
        "split" => arity(2).unwrap_or_else(|| {
            match (
                args.first().and_then(Value::literal),
                args.get(1).and_then(Value::literal),
            ) {
                (Some(sep), Some(t)) if !sep.is_empty() => {
                    Value::List(t.split(sep.as_str()).map(Value::lit).collect())
                }
                _ => Value::Unknown("split() of a value not known as text".into()),
            }
        }),
        "element" => arity(2).unwrap_or_else(|| {
            let mut args = args.into_iter();
            match (args.next(), args.next().and_then(|i| i.literal())) {
                (Some(Value::List(items)), Some(i)) if !items.is_empty() => {
                    match i.parse::<usize>() {
                        // `element` wraps around the list.
                        Ok(i) => items.get(i % items.len()).cloned().unwrap_or(Value::Null),
                        Err(_) => Value::Unknown(format!("element() at index `{i}`")),
                    }
                }
                _ => Value::Unknown("element() of a list or index not known".into()),
            }
        }),
        "length" => arity(1).unwrap_or_else(|| match args.first() {
            Some(Value::List(items)) => Value::Number(items.len().to_string()),
            Some(Value::Map(m)) => Value::Number(m.len().to_string()),
            Some(v) => match v.literal() {
                Some(t) => Value::Number(t.chars().count().to_string()),
                None => Value::Unknown("length() of a value not known".into()),
            },
            None => Value::Null,
        }),
        "format" => format(args),
        "join" => {
            if args.len() < 2 {
                return Value::Unknown("join() needs a separator and a list".into());
            }
            let mut args = args.into_iter();
            let sep = args.next().map(|s| s.text()).unwrap_or_default();
            let mut parts = Vec::new();
            let mut first = true;
            for list in args {
                let Value::List(items) = list else {
                    return Value::Unknown(format!(
                        "join() of a value not known as a list{}",
                        list.unknown_reason()
                            .map(|w| format!(" ({w})"))
                            .unwrap_or_default()
                    ));
                };
                for item in items {
                    if !first {
                        parts.extend(sep.iter().cloned());
                    }
                    first = false;
                    parts.extend(item.text());
                }
            }
            Value::Text(normalize(parts))
        }
        "concat" => {
            let mut out = Vec::new();
            for list in args {
                match list {
                    Value::List(items) => out.extend(items),
                    other => {
                        return Value::Unknown(format!(
                            "concat() of a value not known as a list{}",
                            other
                                .unknown_reason()
                                .map(|w| format!(" ({w})"))
                                .unwrap_or_default()
                        ));
                    }
                }
            }
            Value::List(out)
        }
        "merge" => {
            let mut out = BTreeMap::new();
            for map in args {
                match map {
                    Value::Map(m) => out.extend(m),
                    Value::Null => {}
                    other => {
                        return Value::Unknown(format!(
                            "merge() of a value not known as a map{}",
                            other
                                .unknown_reason()
                                .map(|w| format!(" ({w})"))
                                .unwrap_or_default()
                        ));
                    }
                }
            }
            Value::Map(out)
        }
        "lookup" => {
            if !(2..=3).contains(&args.len()) {
                return Value::Unknown("lookup() needs a map, a key and maybe a default".into());
            }
            let mut args = args.into_iter();
            let (map, key, default) = (args.next(), args.next(), args.next());
            match (map, key.as_ref().and_then(Value::literal)) {
                (Some(Value::Map(mut m)), Some(k)) => {
                    m.remove(&k).or(default).unwrap_or_else(|| {
                        Value::Unknown(format!("lookup() of `{k}`, not in the map and no default"))
                    })
                }
                (Some(v @ Value::Unknown(_)), _) => v,
                _ => Value::Unknown("lookup() of a key or map not known".into()),
            }
        }
        "coalesce" => {
            for arg in args {
                match &arg {
                    Value::Null => {}
                    v if v.literal().is_some_and(|s| s.is_empty()) => {}
                    v if v.is_unknown() => {
                        return Value::Unknown(format!(
                            "coalesce() of a value not known{}",
                            v.unknown_reason()
                                .map(|w| format!(" ({w})"))
                                .unwrap_or_default()
                        ));
                    }
                    _ => return arg,
                }
            }
            Value::Unknown("coalesce() with no non-empty argument".into())
        }
        "try" => {
            let mut last = None;
            for arg in args {
                if matches!(arg, Value::Unknown(_)) {
                    last = Some(arg);
                } else {
                    return arg;
                }
            }
            last.unwrap_or_else(|| Value::Unknown("try() with no argument".into()))
        }
        "jsonencode" => arity(1).unwrap_or_else(|| {
            let mut parts = Vec::new();
            json(args.first().unwrap_or(&Value::Null), &mut parts);
            Value::Text(normalize(parts))
        }),
        _ => Value::Unknown(format!("the function `{name}()` is not evaluated")),
    }
}

/// `format(spec, args…)`: `%s`, `%d`, `%v` and `%%`; other verbs make the result unknown.
fn format(args: Vec<Value>) -> Value {
    let mut args = args.into_iter();
    let Some(spec) = args.next().and_then(|s| s.literal()) else {
        return Value::Unknown("format() with a format string not known".into());
    };
    let mut parts = Vec::new();
    let mut chars = spec.chars();
    let mut text = String::new();
    while let Some(c) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => text.push('%'),
            Some('s' | 'd' | 'v') => {
                parts.push(ValuePart::Lit(std::mem::take(&mut text)));
                match args.next() {
                    Some(v) => parts.extend(v.text()),
                    None => return Value::Unknown("format() with too few arguments".into()),
                }
            }
            _ => return Value::Unknown(format!("format() verb in `{spec}` is not evaluated")),
        }
    }
    parts.push(ValuePart::Lit(text));
    Value::Text(normalize(parts))
}

/// A value as JSON text (Terraform's `jsonencode`), references and unknown parts kept in
/// place inside the strings.
fn json(value: &Value, out: &mut Vec<ValuePart>) {
    let lit = |out: &mut Vec<ValuePart>, s: &str| out.push(ValuePart::Lit(s.to_string()));
    match value {
        Value::Null => lit(out, "null"),
        Value::Bool(b) => lit(out, if *b { "true" } else { "false" }),
        Value::Number(n) => lit(out, n),
        Value::Text(parts) => {
            lit(out, "\"");
            for p in parts {
                match p {
                    ValuePart::Lit(s) => {
                        let quoted = serde_json::to_string(s).unwrap_or_default();
                        let inner = quoted
                            .strip_prefix('"')
                            .and_then(|q| q.strip_suffix('"'))
                            .unwrap_or_default();
                        lit(out, inner);
                    }
                    other => out.push(other.clone()),
                }
            }
            lit(out, "\"");
        }
        Value::List(items) => {
            lit(out, "[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    lit(out, ",");
                }
                json(item, out);
            }
            lit(out, "]");
        }
        Value::Map(m) => {
            lit(out, "{");
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    lit(out, ",");
                }
                lit(out, &serde_json::to_string(k).unwrap_or_default());
                lit(out, ":");
                json(v, out);
            }
            lit(out, "}");
        }
        Value::Unknown(why) => out.push(ValuePart::Unknown(why.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ValueParts;
    use crate::terraform::Resource;
    use leastrole_core::Location;

    fn expr(text: &str) -> Expression {
        hcl::edit::parser::parse_expr(text)
            .expect("test expression parses")
            .into()
    }

    fn body(text: &str) -> hcl::Body {
        hcl::edit::parser::parse_body(text)
            .expect("test body parses")
            .into()
    }

    /// A root module with `var.stage = "prod"`, `var.missing` unset, two locals, a
    /// table and a bucket with literal names, a bucket with a prefix, and a key.
    fn config() -> Config {
        let mut module = Module {
            path: ".".into(),
            ..Module::default()
        };
        module.variables.insert("stage".into(), Value::lit("prod"));
        module.variables.insert(
            "missing".into(),
            Value::Unknown("var.missing has no default and no tfvars sets it".into()),
        );
        module.variables.insert(
            "tags".into(),
            Value::Map([("team".to_string(), Value::lit("shop"))].into()),
        );
        module
            .locals
            .insert("prefix".into(), expr(r#""shop-${var.stage}""#));
        module.locals.insert("loop".into(), expr("local.loop"));
        for (kind, name, args) in [
            (
                "aws_dynamodb_table",
                "orders",
                r#"name = "${local.prefix}-orders""#,
            ),
            ("aws_s3_bucket", "files", r#"bucket = "files-${var.stage}""#),
            ("aws_s3_bucket", "tmp", r#"bucket_prefix = "tmp-""#),
            ("aws_kms_key", "main", r#"description = "k""#),
            ("aws_sqs_queue", "jobs", r#"name = "jobs""#),
            ("aws_secretsmanager_secret", "db", r#"name = "db""#),
            ("aws_ssm_parameter", "key", r#"name = "/app/key""#),
            ("aws_iam_role", "worker", r#"name = "worker""#),
            (
                "aws_iam_role",
                "svc",
                "name = \"svc\"\npath = \"/service/\"",
            ),
        ] {
            module.resources.insert(
                format!("{kind}.{name}"),
                Resource {
                    kind: kind.into(),
                    name: name.into(),
                    address: format!("{kind}.{name}"),
                    body: body(args),
                    location: Location {
                        file: "main.tf".into(),
                        line: 1,
                        column: 1,
                    },
                },
            );
        }
        Config {
            root: ".".into(),
            module,
            plan: super::super::plan::Plan::default(),
        }
    }

    fn eval(text: &str) -> String {
        let config = config();
        let scope = Scope::new(&config, &config.module);
        match scope.eval(&expr(text)) {
            Value::Text(parts) => format!("{:#}", ValueParts(&parts)),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn variables_locals_templates_and_paths() {
        assert_eq!(eval("var.stage"), "prod");
        assert_eq!(eval(r#""${local.prefix}-x""#), "shop-prod-x");
        assert_eq!(eval("path.module"), ".");
        assert_eq!(eval("var.tags.team"), "shop");
        assert_eq!(eval(r#"var.tags["team"]"#), "shop");
        assert_eq!(
            eval(r#""a-${var.missing}""#),
            "a-<unknown: var.missing has no default and no tfvars sets it>"
        );
        assert_eq!(eval("var.nope"), r#"Unknown("var.nope is not declared")"#);
        assert_eq!(
            eval("local.loop"),
            r#"Unknown("an expression nested too deeply to evaluate")"#
        );
    }

    #[test]
    fn functions() {
        assert_eq!(eval(r#"format("%s-%d-%%", var.stage, 3)"#), "prod-3-%");
        assert_eq!(eval(r#"join("-", ["a", var.stage])"#), "a-prod");
        assert_eq!(eval(r#"lower("ABC")"#), "abc");
        assert_eq!(eval(r#"upper(var.stage)"#), "PROD");
        assert_eq!(eval(r#"replace("a_b_c", "_", "-")"#), "a-b-c");
        assert_eq!(eval(r#"trimspace("  x ")"#), "x");
        assert_eq!(eval(r#"tostring(12)"#), "12");
        assert_eq!(eval(r#"trimprefix("/app/key", "/")"#), "app/key");
        assert_eq!(eval(r#"trimsuffix("a.zip", ".zip")"#), "a");
        assert_eq!(eval(r#"split("-", "a-b")[1]"#), "b");
        assert_eq!(eval(r#"element(["a", "b"], 3)"#), "b");
        assert_eq!(eval(r#"length(["a", "b"])"#), r#"Number("2")"#);
        assert_eq!(
            eval(r#"jsonencode({a = var.stage, b = [1, true]})"#),
            r#"{"a":"prod","b":[1,true]}"#
        );
        assert_eq!(eval(r#"concat(["a"], ["b"])[1]"#), "b");
        assert_eq!(eval(r#"lookup({a = "x"}, "b", "y")"#), "y");
        assert_eq!(eval(r#"merge({a = "x"}, {a = "z"}).a"#), "z");
        assert_eq!(eval(r#"coalesce("", var.stage)"#), "prod");
        assert_eq!(eval(r#"try(var.nope, "fallback")"#), "fallback");
        assert_eq!(
            eval(r#"replace("a", "/a/", "b")"#),
            r#"Unknown("replace() with a regular expression is not evaluated")"#
        );
        assert_eq!(
            eval(r#"sha256("x")"#),
            r#"Unknown("the function `sha256()` is not evaluated")"#
        );
        assert_eq!(
            eval("lower(var.missing)"),
            r#"Unknown("lower() of a value not known as text (var.missing has no default and no tfvars sets it)")"#
        );
    }

    #[test]
    fn conditionals_need_a_known_condition() {
        assert_eq!(eval(r#"var.stage == "prod" ? "big" : "small""#), "big");
        assert_eq!(eval(r#"var.stage != "prod" ? "big" : "small""#), "small");
        assert_eq!(
            eval(r#"var.missing == "x" ? "a" : "b""#),
            r#"Unknown("a conditional whose condition is not known (a comparison with a value not known (var.missing has no default and no tfvars sets it))")"#
        );
    }

    #[test]
    fn data_sources_are_pseudo_parameters() {
        assert_eq!(
            eval(
                r#""arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:q""#
            ),
            "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q"
        );
        assert_eq!(
            eval("data.aws_iam_policy.x.arn"),
            r#"Unknown("data.aws_iam_policy.x.arn is read when Terraform runs")"#
        );
    }

    #[test]
    fn resource_references_carry_their_physical_values() {
        assert_eq!(
            eval("aws_dynamodb_table.orders.arn"),
            "{!GetAtt aws_dynamodb_table.orders.arn (arn) = arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/shop-prod-orders}"
        );
        assert_eq!(
            eval("aws_dynamodb_table.orders.name"),
            "{!GetAtt aws_dynamodb_table.orders.name = shop-prod-orders}"
        );
        assert_eq!(
            eval(r#""${aws_s3_bucket.files.arn}/in/*""#),
            "{!GetAtt aws_s3_bucket.files.arn (arn) = arn:${AWS::Partition}:s3:::files-prod}/in/*"
        );
        assert_eq!(
            eval("aws_s3_bucket.tmp.id"),
            "{!GetAtt aws_s3_bucket.tmp.id = tmp-<unknown: aws_s3_bucket.tmp: Terraform ends a `bucket_prefix` with a random suffix>}"
        );
        assert_eq!(
            eval("aws_kms_key.main.arn"),
            "{!GetAtt aws_kms_key.main.arn (arn)}"
        );
        assert_eq!(
            eval("aws_sqs_queue.jobs.id"),
            "{!GetAtt aws_sqs_queue.jobs.id = https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/jobs}"
        );
        assert_eq!(
            eval("aws_secretsmanager_secret.db.id"),
            "{!GetAtt aws_secretsmanager_secret.db.id (arn) = arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:db-??????}"
        );
        assert_eq!(
            eval("aws_ssm_parameter.key.arn"),
            "{!GetAtt aws_ssm_parameter.key.arn (arn) = arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/key}"
        );
        assert_eq!(
            eval("aws_iam_role.worker.arn"),
            "{!GetAtt aws_iam_role.worker.arn (arn) = arn:${AWS::Partition}:iam::${AWS::AccountId}:role/worker}"
        );
        assert_eq!(
            eval("aws_iam_role.svc.arn"),
            "{!GetAtt aws_iam_role.svc.arn (arn) = arn:${AWS::Partition}:iam::${AWS::AccountId}:role/service/svc}"
        );
        assert_eq!(
            eval("aws_sns_topic.nope.arn"),
            r#"Unknown("aws_sns_topic.nope is not a resource of the configuration")"#
        );
    }
}
