//! Policies for infrastructure-as-code: CloudFormation roles, Serverless Framework
//! per-function statements, SAM `Policies:` and Terraform policy documents. In the
//! CloudFormation-based formats a template reference stays a reference (`Fn::GetAtt`,
//! `Ref`, `Fn::Sub` with `${AWS::Partition}`), so the policy names exactly the
//! template's resource.

use std::fmt::Write as _;

use leastrole_policy::{
    ArnEnv, FunctionReport, Part, Report, Resource, Statement, VarStyle, is_terraform_address,
};
use serde_json::{Map, Value, json};

use crate::RenderOptions;

/// Which Serverless Framework keys to write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ServerlessFlavor {
    /// v4: `functions.<f>.iam.role.statements`.
    #[default]
    V4,
    /// v3 with serverless-iam-roles-per-function: `functions.<f>.iamRoleStatements`.
    V3,
}

/// A resource as a CloudFormation value: a plain string, `Ref`/`Fn::GetAtt` for a whole
/// reference, or `Fn::Sub` for anything with placeholders or references. A Serverless
/// variable is written as what it resolves to.
#[cfg(test)]
fn cfn_resource(r: &Resource) -> Value {
    resource_value(r, VarStyle::Resolved)
}

/// [`cfn_resource`] with Serverless variables written as `vars` says: as written
/// (`${sls:stage}`) in a Serverless config, where the framework resolves them for the
/// stage it deploys.
fn resource_value(r: &Resource, vars: VarStyle) -> Value {
    if let [
        Part::Ref {
            logical_id,
            attribute,
            ..
        },
    ] = r.parts()
    {
        return match attribute {
            Some(a) => json!({ "Fn::GetAtt": [logical_id, a] }),
            None => json!({ "Ref": logical_id }),
        };
    }
    if r.needs_sub_with(vars) {
        return json!({ "Fn::Sub": r.to_sub_with(vars) });
    }
    // Plain text: literal text and `*`, and variables as written for the framework.
    let text: String = r
        .parts()
        .iter()
        .map(|p| match p {
            Part::Var { text, .. } if vars == VarStyle::AsWritten => text.clone(),
            other => Resource::new([other.clone()]).to_string(),
        })
        .collect();
    json!(text)
}

fn cfn_statement(s: &Statement, vars: VarStyle) -> Value {
    let mut m = Map::new();
    m.insert("Sid".into(), json!(s.sid));
    m.insert("Effect".into(), json!("Allow"));
    m.insert("Action".into(), json!(s.actions));
    m.insert(
        "Resource".into(),
        Value::Array(
            s.resources
                .iter()
                .map(|r| resource_value(r, vars))
                .collect(),
        ),
    );
    if !s.condition.is_empty() {
        m.insert("Condition".into(), json!(s.condition));
    }
    Value::Object(m)
}

fn cfn_statements(f: &FunctionReport, vars: VarStyle) -> Vec<Value> {
    f.policy
        .statements
        .iter()
        .map(|s| cfn_statement(s, vars))
        .collect()
}

/// A CloudFormation logical id from a function name: ASCII letters and digits,
/// UpperCamelCase (`image-resize` → `ImageResize`).
pub fn logical_id(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Fn");
    }
    out
}

/// The name of the function's log group as `Fn::Sub` text: from the deployed name the
/// configuration gives, else as CloudFormation names a function the template does not
/// name (`<stack>-<LogicalId>-<suffix>`).
fn log_group_name(f: &FunctionReport) -> String {
    match &f.log_group {
        Some(name) => name.to_sub(),
        None => format!("/aws/lambda/${{AWS::StackName}}-{}-*", logical_id(&f.name)),
    }
}

/// `AWS::IAM::Role` resources, one per function: Lambda trust policy, the function's
/// log-group permissions, and the generated policy inline. Ready to paste under
/// `Resources:`, each with a comment on attaching it. A function that was not analysed
/// gets no role, only a comment saying why.
pub fn cloudformation(report: &Report, options: &RenderOptions) -> String {
    let mut out = header(report, options);
    for f in &report.functions {
        if let Some(reason) = &f.not_analysed {
            writeln!(
                out,
                "# {}: not analysed ({reason}); no role is generated for it, so keep its current role.",
                f.name
            )
            .ok();
            continue;
        }
        let role_id = format!("{}Role", logical_id(&f.name));
        // The service authorization reference authorizes CreateLogGroup on the log
        // group's ARN (`log-group:NAME`), CloudWatch Logs has long matched it against
        // `log-group:NAME:*` too, and CreateLogStream and PutLogEvents act on its streams
        // (`log-group:NAME:*`): both forms, of this one group only.
        let log_group = format!(
            "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{}",
            log_group_name(f)
        );
        let mut statements = vec![json!({
            "Sid": "LambdaLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{ "Fn::Sub": log_group }, { "Fn::Sub": format!("{log_group}:*") }],
        })];
        statements.extend(cfn_statements(f, VarStyle::Resolved));
        let role = json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": { "Service": "lambda.amazonaws.com" },
                        "Action": "sts:AssumeRole",
                    }],
                },
                "Policies": [{
                    "PolicyName": "leastrole",
                    "PolicyDocument": { "Version": "2012-10-17", "Statement": statements },
                }],
            },
        });
        writeln!(
            out,
            "# {}: attach with `Role: !GetAtt {role_id}.Arn` on the function, and remove the function's `Policies` if it has any.",
            f.name
        )
        .ok();
        if f.policy.is_empty() {
            writeln!(
                out,
                "# {}: needs no AWS permissions beyond writing its logs.",
                f.name
            )
            .ok();
        }
        let mut one = Map::new();
        one.insert(role_id, role);
        out.push_str(&yaml_body(&Value::Object(one)));
    }
    out
}

/// Serverless Framework per-function statements.
pub fn serverless(report: &Report, options: &RenderOptions, flavor: ServerlessFlavor) -> String {
    let mut out = header(report, options);
    let mut functions = Map::new();
    // A function that needs no permission gets no statements key: IAM rejects an empty
    // statement list.
    for f in &report.functions {
        if let Some(why) = crate::left_out(f) {
            writeln!(out, "# {why}").ok();
            continue;
        }
        let statements = Value::Array(cfn_statements(f, VarStyle::AsWritten));
        let entry = match flavor {
            ServerlessFlavor::V4 => json!({ "iam": { "role": { "statements": statements } } }),
            ServerlessFlavor::V3 => json!({ "iamRoleStatements": statements }),
        };
        functions.insert(f.name.clone(), entry);
    }
    out.push_str(&yaml_body(&json!({ "functions": functions })));
    out
}

/// Version of the `statements` output.
pub const STATEMENTS_VERSION: u32 = 1;

/// JSON for integrations that build their own roles (the Serverless plugin): per
/// function, the policy statements as CloudFormation values (a template reference stays
/// `Ref`/`Fn::GetAtt`/`Fn::Sub`, unlike the report, which writes names or `*`), and the
/// diagnostics as in the report. Functions that need nothing have an empty list;
/// `analysed` is false (and `reason` says why) for a function leastrole could not read
/// (an image, another runtime, a missing handler file or export), whose empty list means
/// "unknown", not "nothing".
pub fn statements_json(report: &Report) -> String {
    let functions: Vec<Value> = report
        .functions
        .iter()
        .map(|f| {
            let mut entry = json!({
                "name": f.name,
                "analysed": f.is_analysed(),
                "files": f.files,
                "statements": cfn_statements(f, VarStyle::Resolved),
                "diagnostics": f.diagnostics.iter().map(crate::diagnostic_json).collect::<Vec<_>>(),
            });
            // Added within version 1, as in the report.
            if let (Some(reason), Value::Object(m)) = (&f.not_analysed, &mut entry) {
                m.insert("reason".into(), json!(reason));
            }
            entry
        })
        .collect();
    crate::pretty(&json!({
        "version": STATEMENTS_VERSION,
        "kind": "statements",
        "functions": functions,
        "diagnostics": report.diagnostics.iter().map(crate::diagnostic_json).collect::<Vec<_>>(),
    }))
}

/// SAM: `Policies:` with the generated inline document, per function.
pub fn sam(report: &Report, options: &RenderOptions) -> String {
    let mut out = header(report, options);
    let mut resources = Map::new();
    for f in &report.functions {
        if let Some(why) = crate::left_out(f) {
            writeln!(out, "# {why}").ok();
            continue;
        }
        let document =
            json!({ "Version": "2012-10-17", "Statement": cfn_statements(f, VarStyle::Resolved) });
        resources.insert(
            logical_id(&f.name),
            json!({ "Properties": { "Policies": [document] } }),
        );
    }
    out.push_str(&yaml_body(&json!({ "Resources": resources })));
    out
}

/// The YAML formats' header comment, and with `--explain` the source lines as comments.
fn header(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::from("# Generated by leastrole; references stay template references.\n");
    if options.explain {
        for f in &report.functions {
            for g in &f.grants {
                for s in &g.sources {
                    writeln!(
                        out,
                        "# {}: {} <- {}:{}:{} {}",
                        f.name, g.action, s.file, s.line, s.column, s.call
                    )
                    .ok();
                }
            }
        }
    }
    out
}

/// `value` as YAML.
fn yaml_body(value: &Value) -> String {
    let body = serde_yaml_ng::to_string(value).unwrap_or_default();
    // YAML 1.2 reads `2012-10-17` as a string, but YAML 1.1 parsers (js-yaml in the
    // Serverless Framework, PyYAML) read it as a date: quote the policy version.
    body.replace("Version: 2012-10-17\n", "Version: '2012-10-17'\n")
}

/// Terraform: one `data "aws_iam_policy_document"` per function, and after it a
/// commented `aws_iam_role_policy` showing how to attach it. For a function of a
/// Terraform project ([`RenderOptions::terraform`]) a resource keeps the configuration's
/// references (`aws_dynamodb_table.orders.arn`, `"${aws_s3_bucket.receipts.arn}/*"`) and
/// the partition, region and account are the `aws_partition`, `aws_region` and
/// `aws_caller_identity` data sources, each declared once before the documents when a
/// document uses it. Any other function's resources are plain ARN strings, as in `json`.
pub fn terraform(report: &Report, options: &RenderOptions) -> String {
    let mut body = String::new();
    let mut used = DataSources::default();
    for f in &report.functions {
        // No block for it: Terraform's plan accepts an empty document, but IAM rejects
        // a policy without statements when it is applied.
        if let Some(why) = crate::left_out(f) {
            writeln!(body, "\n# {}", why.replace('\n', " ")).ok();
            continue;
        }
        let keep_references = options.terraform.contains(&f.name);
        let name = terraform_name(&f.name);
        writeln!(body, "\ndata \"aws_iam_policy_document\" \"{name}\" {{").ok();
        for s in &f.policy.statements {
            body.push_str("  statement {\n");
            writeln!(body, "    sid       = {}", hcl_string(&s.sid)).ok();
            body.push_str("    effect    = \"Allow\"\n");
            writeln!(
                body,
                "    actions   = {}",
                hcl_list(s.actions.iter().map(String::as_str))
            )
            .ok();
            let resources: Vec<String> = s
                .resources
                .iter()
                .map(|r| {
                    if keep_references {
                        hcl_resource(r, &options.env, &mut used)
                    } else {
                        hcl_string(&r.render(&options.env))
                    }
                })
                .collect();
            writeln!(body, "    resources = [{}]", resources.join(", ")).ok();
            for (test, keys) in &s.condition {
                for (variable, values) in keys {
                    body.push_str("    condition {\n");
                    writeln!(body, "      test     = {}", hcl_string(test)).ok();
                    writeln!(body, "      variable = {}", hcl_string(variable)).ok();
                    writeln!(
                        body,
                        "      values   = {}",
                        hcl_list(values.iter().map(String::as_str))
                    )
                    .ok();
                    body.push_str("    }\n");
                }
            }
            if options.explain {
                for g in f.grants.iter().filter(|g| s.actions.contains(&g.action)) {
                    for src in &g.sources {
                        writeln!(
                            body,
                            "    # {} <- {}:{}:{} {}",
                            g.action, src.file, src.line, src.column, src.call
                        )
                        .ok();
                    }
                }
            }
            body.push_str("  }\n");
        }
        body.push_str("}\n");
        attach_comment(
            &mut body,
            &f.name,
            &name,
            options.terraform_roles.get(&f.name).map(String::as_str),
        );
    }
    let mut out = String::from("# Generated by leastrole.\n");
    let declared = used.blocks();
    if !declared.is_empty() {
        out.push_str("# Leave out a data block below that the configuration already declares.\n");
        for block in declared {
            writeln!(out, "\n{block}").ok();
        }
    }
    out.push_str(&body);
    out
}

/// How to attach the document `name` of function `function`, as a comment: commented,
/// because a second policy on a role only adds to what it grants, so the user puts the
/// document in place of the role's current policies. With the role's address (`role`):
/// an `aws_iam_role_policy` on the `aws_iam_role`, or the inputs of the lambda module call
/// that creates it (`module.x`); without, a placeholder for the role.
fn attach_comment(out: &mut String, function: &str, name: &str, role: Option<&str>) {
    let function = function.replace('\n', " ");
    let module = role
        .and_then(|r| r.strip_prefix("module."))
        .filter(|call| !call.contains('.'));
    if let Some(call) = module {
        writeln!(
            out,
            "\n# {function}: attach in module \"{call}\", in place of its other policy inputs:"
        )
        .ok();
        out.push_str("#   attach_policy_json = true\n");
        writeln!(
            out,
            "#   policy_json        = data.aws_iam_policy_document.{name}.json"
        )
        .ok();
        return;
    }
    writeln!(
        out,
        "\n# {function}: attach to the function's role in place of the policies it has now:"
    )
    .ok();
    writeln!(
        out,
        "# resource \"aws_iam_role_policy\" \"{name}_leastrole\" {{"
    )
    .ok();
    match role {
        Some(role) => writeln!(out, "#   role   = {role}.id").ok(),
        None => writeln!(out, "#   role   = <the function's aws_iam_role>.id").ok(),
    };
    writeln!(out, "#   policy = data.aws_iam_policy_document.{name}.json").ok();
    out.push_str("# }\n");
}

/// The data sources a Terraform document refers to, so the output declares each once.
#[derive(Debug, Default)]
struct DataSources {
    partition: bool,
    region: bool,
    account: bool,
}

impl DataSources {
    fn blocks(&self) -> Vec<&'static str> {
        [
            (self.partition, "data \"aws_partition\" \"current\" {}"),
            (self.region, "data \"aws_region\" \"current\" {}"),
            (self.account, "data \"aws_caller_identity\" \"current\" {}"),
        ]
        .into_iter()
        .filter_map(|(used, block)| used.then_some(block))
        .collect()
    }
}

/// A resource of a Terraform project's function as an HCL expression: a whole
/// reference bare (`aws_dynamodb_table.orders.arn`), anything else a string template
/// whose references, partition, region and account are interpolated
/// (`"arn:${data.aws_partition.current.partition}:s3:::${aws_s3_bucket.b.bucket}/*"`).
/// A value given with `--partition`/`--region`/`--account` stays literal.
fn hcl_resource(r: &Resource, env: &ArnEnv, used: &mut DataSources) -> String {
    if let [
        Part::Ref {
            logical_id,
            attribute,
            ..
        },
    ] = r.parts()
        && let Some(expression) = terraform_reference(logical_id, attribute.as_deref())
    {
        return expression;
    }
    let mut text = String::new();
    hcl_template(r.parts(), env, used, &mut text);
    format!("\"{text}\"")
}

/// The inside of an HCL string template for `parts` (see [`hcl_resource`]).
fn hcl_template(parts: &[Part], env: &ArnEnv, used: &mut DataSources, out: &mut String) {
    for part in parts {
        match part {
            Part::Lit { text } => out.push_str(&hcl_literal(text)),
            Part::Wildcard => out.push('*'),
            Part::Partition => match &env.partition {
                Some(p) => out.push_str(&hcl_literal(p)),
                None => {
                    used.partition = true;
                    out.push_str("${data.aws_partition.current.partition}");
                }
            },
            Part::Region => match &env.region {
                Some(r) => out.push_str(&hcl_literal(r)),
                None => {
                    used.region = true;
                    out.push_str("${data.aws_region.current.name}");
                }
            },
            Part::Account => match &env.account {
                Some(a) => out.push_str(&hcl_literal(a)),
                None => {
                    used.account = true;
                    out.push_str("${data.aws_caller_identity.current.account_id}");
                }
            },
            Part::Ref {
                logical_id,
                attribute,
                physical,
                ..
            } => match (
                terraform_reference(logical_id, attribute.as_deref()),
                physical,
            ) {
                (Some(expression), _) => {
                    out.push_str("${");
                    out.push_str(&expression);
                    out.push('}');
                }
                (None, Some(parts)) => hcl_template(parts, env, used, out),
                (None, None) => out.push('*'),
            },
            Part::Var { resolved, .. } => hcl_template(resolved, env, used, out),
            Part::Pseudo { .. } => {
                let plain = Resource::new([part.clone()]).render(env);
                out.push_str(&hcl_literal(&plain));
            }
        }
    }
}

/// The HCL expression for a reference the root module can write: a Terraform address
/// (`aws_s3_bucket.receipts`, `data.aws_s3_bucket.logs`) and an attribute. `None` for a
/// CloudFormation logical id, for an address without an attribute, and for a resource
/// inside a module (`module.store.aws_s3_bucket.b`), which the root module cannot
/// refer to: those are written as their value.
fn terraform_reference(logical_id: &str, attribute: Option<&str>) -> Option<String> {
    let attribute = attribute?;
    if !is_terraform_address(logical_id) || logical_id.starts_with("module.") {
        return None;
    }
    let identifier = |s: &str| {
        !s.is_empty()
            && !s.starts_with(|c: char| c.is_ascii_digit() || c == '-')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    // One instance of a resource with `for_each`/`count`: `aws_s3_bucket.b[0]`,
    // `aws_dynamodb_table.t["eu"]` (a key of plain characters only, needing no escape).
    let (address, index) = match logical_id.split_once('[') {
        Some((address, index)) => (address, Some(index.strip_suffix(']')?)),
        None => (logical_id, None),
    };
    let plain_index = |i: &str| {
        let key = i
            .strip_prefix('"')
            .and_then(|k| k.strip_suffix('"'))
            .unwrap_or(i);
        let digits = !i.is_empty() && i.chars().all(|c| c.is_ascii_digit());
        digits
            || (key.len() + 2 == i.len()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-./:".contains(c)))
    };
    if !address.split('.').all(identifier)
        || !identifier(attribute)
        || index.is_some_and(|i| !plain_index(i))
    {
        return None;
    }
    Some(format!("{logical_id}.{attribute}"))
}

/// Literal text inside an HCL string template: JSON escapes, `${` and `%{` doubled.
fn hcl_literal(text: &str) -> String {
    let quoted = hcl_string(text);
    quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or_default()
        .to_string()
}

/// A Terraform identifier: letters, digits, `_` and `-`, not starting with a digit.
fn terraform_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        s.insert(0, '_');
    }
    s
}

/// An HCL string literal; `${` and `%{` are escaped so ARNs are never interpolated.
fn hcl_string(s: &str) -> String {
    let escaped = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    escaped.replace("${", "$${").replace("%{", "%%{")
}

fn hcl_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(hcl_string).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Part {
        Part::Lit { text: s.into() }
    }

    #[test]
    fn references_stay_references() {
        let whole = Resource::new([Part::Ref {
            logical_id: "Orders".into(),
            attribute: Some("Arn".into()),
            arn: true,
            physical: None,
        }]);
        assert_eq!(
            cfn_resource(&whole),
            json!({"Fn::GetAtt": ["Orders", "Arn"]})
        );
        let inside = Resource::new([
            lit("arn:"),
            Part::Partition,
            lit(":s3:::"),
            Part::Ref {
                logical_id: "Uploads".into(),
                attribute: None,
                arn: false,
                physical: None,
            },
            lit("/*"),
        ]);
        assert_eq!(
            cfn_resource(&inside),
            json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Uploads}/*"})
        );
        assert_eq!(cfn_resource(&Resource::any()), json!("*"));
    }

    #[test]
    fn the_policy_version_is_quoted_for_yaml_1_1_readers() {
        let out = sam(&Report::default(), &RenderOptions::default());
        assert!(out.starts_with("# Generated by leastrole"));
        let one = yaml_body(&json!({"Version": "2012-10-17"}));
        assert!(one.contains("Version: '2012-10-17'\n"), "{one}");
    }

    #[test]
    fn logical_ids_and_terraform_names() {
        assert_eq!(logical_id("image-resize"), "ImageResize");
        assert_eq!(logical_id("src/app.handler"), "SrcAppHandler");
        assert_eq!(logical_id("1st"), "Fn1st");
        assert_eq!(terraform_name("src/app.handler"), "src_app_handler");
        assert_eq!(hcl_string("arn:${x}"), r#""arn:$${x}""#);
    }

    fn tf_ref(address: &str, attribute: &str, physical: &str) -> Part {
        Part::Ref {
            logical_id: address.into(),
            attribute: Some(attribute.into()),
            arn: attribute == "arn",
            physical: Some(vec![lit(physical)]),
        }
    }

    fn one_function(name: &str, resources: Vec<Resource>) -> Report {
        Report {
            functions: vec![FunctionReport {
                name: name.into(),
                project: None,
                handler: None,
                runtime: None,
                files: Vec::new(),
                grants: Vec::new(),
                policy: leastrole_policy::Policy {
                    statements: vec![Statement {
                        sid: "S3".into(),
                        actions: vec!["s3:GetObject".into()],
                        resources,
                        condition: Default::default(),
                    }],
                },
                diagnostics: Vec::new(),
                not_analysed: None,
                log_group: None,
            }],
            diagnostics: Vec::new(),
        }
    }

    #[test]
    fn a_terraform_function_keeps_its_references_and_declares_its_data_sources() {
        let whole = Resource::new([tf_ref("aws_dynamodb_table.orders", "arn", "arn:aws:x")]);
        let inside = Resource::new([
            Part::Ref {
                logical_id: "aws_s3_bucket.receipts".into(),
                attribute: Some("arn".into()),
                arn: true,
                physical: None,
            },
            lit("/receipts/${id}/*"),
        ]);
        let built = Resource::new([
            lit("arn:"),
            Part::Partition,
            lit(":sqs:"),
            Part::Region,
            lit(":"),
            Part::Account,
            lit(":"),
            tf_ref("aws_sqs_queue.jobs", "name", "jobs"),
        ]);
        // A resource inside a module cannot be named from the root module: its value.
        let in_module = Resource::new([
            lit("arn:aws:sns:eu-west-1:1:"),
            tf_ref("module.events.aws_sns_topic.t", "name", "events"),
        ]);
        let report = one_function("api", vec![whole, inside, built, in_module]);
        let mut options = RenderOptions::default();
        options.terraform.insert("api".into());
        let out = terraform(&report, &options);
        let expected = r#"resources = [aws_dynamodb_table.orders.arn, "${aws_s3_bucket.receipts.arn}/receipts/$${id}/*", "arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:${aws_sqs_queue.jobs.name}", "arn:aws:sns:eu-west-1:1:events"]"#;
        assert!(out.contains(expected), "{out}");
        for block in [
            "data \"aws_partition\" \"current\" {}",
            "data \"aws_region\" \"current\" {}",
            "data \"aws_caller_identity\" \"current\" {}",
        ] {
            assert_eq!(out.matches(block).count(), 1, "{block} once in {out}");
        }
        assert!(
            out.contains("#   policy = data.aws_iam_policy_document.api.json"),
            "{out}"
        );
        assert!(
            out.contains("#   role   = <the function's aws_iam_role>.id"),
            "{out}"
        );
        // The role the configuration names, or the lambda module call's inputs.
        let mut with_role = options.clone();
        with_role
            .terraform_roles
            .insert("api".into(), "aws_iam_role.worker".into());
        let out = terraform(&report, &with_role);
        assert!(
            out.contains("#   role   = aws_iam_role.worker.id\n"),
            "{out}"
        );
        with_role
            .terraform_roles
            .insert("api".into(), "module.api".into());
        let out = terraform(&report, &with_role);
        assert!(out.contains("attach in module \"api\""), "{out}");
        assert!(
            out.contains("#   policy_json        = data.aws_iam_policy_document.api.json\n"),
            "{out}"
        );
        assert!(!out.contains("aws_iam_role_policy"), "{out}");
        // `--region` fills the region: no `aws_region` data source then.
        options.env.region = Some("eu-west-1".into());
        let out = terraform(&report, &options);
        assert!(out.contains(":sqs:eu-west-1:${data.aws_caller"), "{out}");
        assert!(!out.contains("aws_region"), "{out}");
    }

    #[test]
    fn a_function_of_another_framework_keeps_plain_arns_in_terraform_output() {
        let report = one_function(
            "api",
            vec![Resource::new([
                lit("arn:"),
                Part::Partition,
                lit(":s3:::"),
                tf_ref("aws_s3_bucket.receipts", "bucket", "receipts"),
                lit("/*"),
            ])],
        );
        let out = terraform(&report, &RenderOptions::default());
        assert!(
            out.contains(r#"resources = ["arn:*:s3:::receipts/*"]"#),
            "{out}"
        );
        assert!(!out.contains("data \"aws_partition\""), "{out}");
    }
}
