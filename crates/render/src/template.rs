//! Policies for infrastructure-as-code: CloudFormation roles, Serverless Framework
//! per-function statements, SAM `Policies:` and Terraform policy documents. In the
//! CloudFormation-based formats a template reference stays a reference (`Fn::GetAtt`,
//! `Ref`, `Fn::Sub` with `${AWS::Partition}`), so the policy names exactly the
//! template's resource.

use std::fmt::Write as _;

use leastrole_policy::{FunctionReport, Part, Report, Resource, Statement, VarStyle};
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

/// Terraform `data "aws_iam_policy_document"` blocks, one per function.
pub fn terraform(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::from("# Generated by leastrole.\n");
    for f in &report.functions {
        // No block for it: Terraform's plan accepts an empty document, but IAM rejects
        // a policy without statements when it is applied.
        if let Some(why) = crate::left_out(f) {
            writeln!(out, "\n# {}", why.replace('\n', " ")).ok();
            continue;
        }
        let name = terraform_name(&f.name);
        writeln!(out, "\ndata \"aws_iam_policy_document\" \"{name}\" {{").ok();
        for s in &f.policy.statements {
            out.push_str("  statement {\n");
            writeln!(out, "    sid       = {}", hcl_string(&s.sid)).ok();
            out.push_str("    effect    = \"Allow\"\n");
            writeln!(
                out,
                "    actions   = {}",
                hcl_list(s.actions.iter().map(String::as_str))
            )
            .ok();
            let resources: Vec<String> =
                s.resources.iter().map(|r| r.render(&options.env)).collect();
            writeln!(
                out,
                "    resources = {}",
                hcl_list(resources.iter().map(String::as_str))
            )
            .ok();
            for (test, keys) in &s.condition {
                for (variable, values) in keys {
                    out.push_str("    condition {\n");
                    writeln!(out, "      test     = {}", hcl_string(test)).ok();
                    writeln!(out, "      variable = {}", hcl_string(variable)).ok();
                    writeln!(
                        out,
                        "      values   = {}",
                        hcl_list(values.iter().map(String::as_str))
                    )
                    .ok();
                    out.push_str("    }\n");
                }
            }
            if options.explain {
                for g in f.grants.iter().filter(|g| s.actions.contains(&g.action)) {
                    for src in &g.sources {
                        writeln!(
                            out,
                            "    # {} <- {}:{}:{} {}",
                            g.action, src.file, src.line, src.column, src.call
                        )
                        .ok();
                    }
                }
            }
            out.push_str("  }\n");
        }
        out.push_str("}\n");
    }
    out
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
}
