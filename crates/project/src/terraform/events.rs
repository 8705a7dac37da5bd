//! What invokes a Terraform function: `aws_s3_bucket_notification` (`lambda_function`
//! blocks, `filter_prefix`/`filter_suffix`), `aws_lambda_event_source_mapping` (SQS,
//! Kinesis, DynamoDB streams), `aws_sns_topic_subscription` (protocol `lambda`) and
//! `aws_cloudwatch_event_target` (its rule's `event_pattern`), as [`Trigger`]s built by
//! the same field builders as the other frameworks' (so the event paths match).
//!
//! A resource invokes a function when its function argument names the function: a
//! reference to the `aws_lambda_function` (any attribute), to the registry module call
//! (`module.api.lambda_function_arn`), or the function's configured name as text.

use leastrole_core::Location;

use super::eval::{Scope, Value};
use super::nodes::Marked;
use super::{Config, Lambda, Module, Resource, find_resource};
use crate::cfn::{Eval, Template};
use crate::config::Node;
use crate::declared::EventSource;
use crate::triggers::{
    KeyFilter, pattern_triggers, s3_trigger, sns_trigger, source_kind, source_trigger,
};
use crate::{Trigger, ValuePart};

/// The function a trigger may name: its module, the address that references to it use
/// (`aws_lambda_function.x` or `module.x`, with the module's prefix), its configured name.
struct Target<'a> {
    module: &'a Module,
    address: String,
    function_name: Option<String>,
}

impl Target<'_> {
    fn of<'a>(lambda: &Lambda<'a>, scope: &Scope<'_>) -> Target<'a> {
        let (module, address) = (lambda.module(), lambda.address());
        let body = match lambda {
            Lambda::Resource(_, r, _) => &r.body,
            Lambda::RegistryModule(_, c, _) => &c.body,
        };
        let function_name = lambda
            .scope(scope.config)
            .argument(body, "function_name")
            .and_then(|v| v.literal());
        Target {
            module,
            address,
            function_name,
        }
    }

    /// Whether `expr`, an argument of a resource of the function's module, names it.
    fn named_by(&self, scope: &Scope<'_>, expr: &hcl::Expression) -> bool {
        // `module.api.lambda_function_arn`: the registry module's outputs are not read.
        if let hcl::Expression::Traversal(t) = expr
            && let hcl::Expression::Variable(v) = &t.expr
            && v.as_str() == "module"
            && let Some(hcl::TraversalOperator::GetAttr(call)) = t.operators.first()
        {
            // `module.api["eu"].…` names one instance of a call with `for_each`/`count`.
            let index = match t.operators.get(1).and_then(|op| scope.address_index(op)) {
                None => String::new(),
                Some(Some(index)) => index,
                Some(None) => return false,
            };
            return format!("{}module.{}{index}", self.module.prefix, call.as_str())
                == self.address;
        }
        let parts = scope.eval(expr).text();
        let referenced = parts
            .iter()
            .any(|p| matches!(p, ValuePart::Ref { logical_id, .. } if *logical_id == self.address));
        if referenced {
            return true;
        }
        // The function's name, or an ARN ending with it.
        let text = Value::Text(parts).literal();
        match (text, &self.function_name) {
            (Some(text), Some(name)) => {
                text == *name || text.ends_with(&format!(":function:{name}"))
            }
            _ => false,
        }
    }
}

fn location(r: &Resource) -> Option<Location> {
    Some(r.location.clone())
}

/// An argument of a body, unevaluated.
fn expr<'b>(body: &'b hcl::Body, name: &str) -> Option<&'b hcl::Expression> {
    body.attributes()
        .find(|a| a.key() == name)
        .map(|a| a.expr())
}

/// The triggers of the function `lambda`, from the resources of its module, in address
/// order; and the event sources polled for it (the reads its role needs for them are
/// the wiring's, not the code's).
pub(crate) fn triggers(config: &Config, lambda: &Lambda<'_>) -> (Vec<Trigger>, Vec<EventSource>) {
    let module = lambda.module();
    let scope = Scope::new(config, module);
    let target = Target::of(lambda, &scope);
    let mut out = Vec::new();
    let mut sources = Vec::new();
    for r in target.module.resources.values() {
        let body = &r.body;
        let names = |key: &str| expr(body, key).is_some_and(|e| target.named_by(&scope, e));
        match r.kind.as_str() {
            "aws_s3_bucket_notification" => {
                let bucket = scope
                    .argument(body, "bucket")
                    .map(|v| v.text())
                    .unwrap_or_else(|| {
                        vec![ValuePart::Unknown(format!("{} names no bucket", r.address))]
                    });
                for block in body
                    .blocks()
                    .filter(|b| b.identifier() == "lambda_function")
                {
                    if !expr(block.body(), "lambda_function_arn")
                        .is_some_and(|e| target.named_by(&scope, e))
                    {
                        continue;
                    }
                    let part = |key: &str| {
                        scope
                            .argument(block.body(), key)
                            .map(|v| v.text())
                            .unwrap_or_default()
                    };
                    let filter = KeyFilter {
                        prefix: part("filter_prefix"),
                        suffix: part("filter_suffix"),
                    };
                    out.push(s3_trigger(
                        format!("the S3 notifications of {}", r.address),
                        location(r),
                        bucket.clone(),
                        &filter,
                    ));
                }
            }
            "aws_lambda_event_source_mapping" if names("function_name") => {
                let Some(arn) = scope.argument(body, "event_source_arn").map(|v| v.text()) else {
                    continue;
                };
                let kind = source_kind(&arn);
                sources.push(EventSource {
                    kind: kind.unwrap_or("unknown").to_string(),
                    arn: arn.clone(),
                });
                if let Some(kind) = kind {
                    out.push(source_trigger(
                        kind,
                        format!("the event source mapping {}", r.address),
                        location(r),
                        arn,
                    ));
                }
            }
            "aws_sns_topic_subscription"
                if names("endpoint")
                    && scope
                        .argument(body, "protocol")
                        .and_then(|v| v.literal())
                        .as_deref()
                        == Some("lambda") =>
            {
                if let Some(topic) = scope.argument(body, "topic_arn") {
                    out.push(sns_trigger(
                        format!("the SNS subscription {}", r.address),
                        location(r),
                        topic.text(),
                    ));
                }
            }
            "aws_cloudwatch_event_target" if names("arn") => {
                out.extend(rule_triggers(config, &scope, r));
            }
            _ => {}
        }
    }
    (out, sources)
}

/// The triggers of an `aws_cloudwatch_event_target`: its rule's `event_pattern`, or a
/// schedule (no pattern: nothing of the event is fixed).
fn rule_triggers(config: &Config, scope: &Scope<'_>, target: &Resource) -> Vec<Trigger> {
    let rule = scope.argument(&target.body, "rule").map(|v| v.text());
    let rule = match rule.as_deref() {
        Some([ValuePart::Ref { logical_id, .. }]) => find_resource(&config.module, logical_id)
            .filter(|(_, r)| r.kind == "aws_cloudwatch_event_rule"),
        _ => None,
    };
    let describe = match rule {
        Some((_, r)) => format!("the EventBridge rule {}", r.address),
        None => format!("the EventBridge target {}", target.address),
    };
    let mut marked = Marked::default();
    let pattern: Option<Node> = rule.and_then(|(module, r)| {
        let scope = Scope::new(config, module);
        let e = expr(&r.body, "event_pattern")?;
        // `jsonencode({…})`: the object itself, references kept.
        if let hcl::Expression::FuncCall(call) = e
            && call.name.name.as_str() == "jsonencode"
            && call.name.namespace.is_empty()
            && let Some(arg) = call.args.first()
        {
            return Some(marked.node(&scope.eval(arg)));
        }
        marked.json(&scope.eval(e).text()).ok()
    });
    let empty = Template::default();
    let eval = Eval {
        template: &empty,
        strings: &marked,
    };
    let value = |n: &Node| eval.value(n, 0);
    pattern_triggers(
        &describe,
        rule.map(|(_, r)| r.location.clone()),
        pattern.as_ref(),
        &value,
    )
}
