//! The deploy simulation (issue 16 §2): each fixture project with a template is
//! "deployed" on paper. Every resource of its template gets the physical values
//! CloudFormation gives that type (a queue's URL, a table name `<stack>-<Logical>-<random>`
//! when the template names none, a secret's ARN ending `-AbCdEf`, the template's own names
//! when it gives them; Serverless: the names the framework gives), the policies of the
//! project's native output format (`sam`, `cloudformation`, `serverless`) are expanded with
//! them as CloudFormation (and, first, the framework) would, and the policy simulator
//! decides the oracle's requests, whose resources may name template resources as
//! `${Logical}`/`${Logical.Attr}` placeholders expanded from the same table.
//!
//! A reference placed where its value does not hold (a queue's `Ref`, its URL, where the
//! queue's name goes in an ARN) expands to an ARN that names nothing, and the requests the
//! code sends are denied.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ACCOUNT, Case, Expected, assert_decisions, evaluate, prepare};
use leastrole_testkit::fixture_projects;

/// How the oracle says a project is deployed (`"deploy"` in its oracle file); every field
/// is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(super) struct Settings {
    /// The CloudFormation stack name (SAM, CloudFormation); default `sample-stack`.
    /// Serverless stacks are `<service>-<stage>`, CDK stacks the template's file name.
    stack: Option<String>,
    /// Default `us-east-1`.
    region: Option<String>,
    /// Template parameters' values where they differ from their `Default`.
    parameters: BTreeMap<String, String>,
    /// Serverless: the stage (default `provider.stage`, else `dev`).
    stage: Option<String>,
    /// Serverless variables the test cannot compute (`${file(…)}`, `${param:…}`,
    /// `${ssm:…}`), as the config writes them, and what the framework gives them (a
    /// string, or the mapping a `${file(…)}` holds).
    variables: BTreeMap<String, Value>,
}

/// The physical value of each reference: `Logical` (`Ref`), `Logical.Attr`
/// (`Fn::GetAtt`), parameters and pseudo parameters.
pub(super) type Table = BTreeMap<String, String>;

/// The value of `${name}` in `table`; a name the table lacks fails the test (the output or
/// an oracle uses a reference this simulation does not know).
fn value_of(table: &Table, project: &str, name: &str) -> String {
    table
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("{project}: no deployed value for the reference `{name}`"))
}

/// `${Logical}` and `${Logical.Attr}` placeholders in an oracle's resource replaced by
/// their deployed values.
pub(super) fn expand_placeholders(text: &str, table: &Table, project: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once("${") {
        out.push_str(before);
        let (name, tail) = after.split_once('}').expect("closed ${…} in an oracle");
        out.push_str(&value_of(table, project, name));
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Characters CloudFormation's generated names end with, chosen from the logical id so
/// that every run deploys the same names.
fn random(seed: &str, len: usize, alphabet: &[u8]) -> String {
    // FNV-1a, then a linear congruential sequence: stable and spread.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (0..len)
        .map(|_| {
            h = h
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let n = u8::try_from(alphabet.len()).expect("a short alphabet");
            let i = usize::from(u8::try_from(h >> 56).expect("a byte") % n);
            char::from(alphabet[i])
        })
        .collect()
}

const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// A YAML CloudFormation template (short-form tags `!Ref`, `!Sub`, `!GetAtt`…) as JSON in
/// the long form.
pub(super) fn template_json(text: &str) -> Value {
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).expect("the template is YAML");
    long_form(yaml)
}

fn long_form(v: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let inner = long_form(tagged.value);
            match (tag, inner) {
                ("Ref", v) => json!({ "Ref": v }),
                ("GetAtt", Value::String(s)) => {
                    let (id, attr) = s.split_once('.').expect("!GetAtt Logical.Attr");
                    json!({ "Fn::GetAtt": [id, attr] })
                }
                ("Condition", v) => json!({ "Condition": v }),
                (other, v) => json!({ format!("Fn::{other}"): v }),
            }
        }
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_yaml_ng::to_string(&other)
                            .expect("a key")
                            .trim()
                            .to_string(),
                    };
                    (key, long_form(v))
                })
                .collect(),
        ),
        Y::Sequence(items) => Value::Array(items.into_iter().map(long_form).collect()),
        other => serde_json::to_value(other).expect("a scalar"),
    }
}

/// A string value of the template evaluated with the references `table` already holds;
/// `None` when it needs one it does not (another stack's export, a resource not yet
/// deployed).
fn string_value(v: &Value, table: &Table, mappings: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(m) if m.len() == 1 => {
            let (key, arg) = m.iter().next()?;
            match key.as_str() {
                "Ref" => table.get(arg.as_str()?).cloned(),
                "Fn::GetAtt" => {
                    let names: Vec<&str> =
                        arg.as_array()?.iter().filter_map(Value::as_str).collect();
                    table.get(&names.join(".")).cloned()
                }
                "Fn::Sub" => {
                    let (template, vars) = match arg {
                        Value::String(s) => (s.as_str(), None),
                        Value::Array(a) => (a.first()?.as_str()?, a.get(1)),
                        _ => return None,
                    };
                    let mut out = String::new();
                    let mut rest = template;
                    while let Some((before, after)) = rest.split_once("${") {
                        out.push_str(before);
                        let (name, tail) = after.split_once('}')?;
                        if let Some(lit) = name.strip_prefix('!') {
                            out.push_str("${");
                            out.push_str(lit);
                            out.push('}');
                        } else if let Some(v) = vars.and_then(|vs| vs.get(name)) {
                            out.push_str(&string_value(v, table, mappings)?);
                        } else {
                            out.push_str(table.get(name)?);
                        }
                        rest = tail;
                    }
                    out.push_str(rest);
                    Some(out)
                }
                "Fn::Join" => {
                    let a = arg.as_array()?;
                    let delimiter = a.first()?.as_str()?;
                    let items: Option<Vec<String>> = a
                        .get(1)?
                        .as_array()?
                        .iter()
                        .map(|i| string_value(i, table, mappings))
                        .collect();
                    Some(items?.join(delimiter))
                }
                "Fn::FindInMap" => {
                    let a = arg.as_array()?;
                    let keys: Option<Vec<String>> = a
                        .iter()
                        .take(3)
                        .map(|k| string_value(k, table, mappings))
                        .collect();
                    let keys = keys?;
                    string_value(&mappings[&keys[0]][&keys[1]][&keys[2]], table, mappings)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// What CloudFormation gives each resource of `template` (deployed as `stack` in `region`)
/// and each parameter and pseudo parameter, by reference.
pub(super) fn deploy_template(
    template: &Value,
    stack: &str,
    region: &str,
    settings: &Settings,
) -> Table {
    let mut t = Table::new();
    for (k, v) in [
        ("AWS::Partition", "aws"),
        ("AWS::Region", region),
        ("AWS::AccountId", ACCOUNT),
        ("AWS::StackName", stack),
        ("AWS::URLSuffix", "amazonaws.com"),
        (
            "AWS::StackId",
            &format!(
                "arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{stack}/0d1e2f30-aaaa-bbbb-cccc-0123456789ab"
            ),
        ),
    ] {
        t.insert(k.to_string(), v.to_string());
    }
    let empty = json!({});
    let mappings = template.get("Mappings").unwrap_or(&empty);
    for (name, p) in template["Parameters"].as_object().into_iter().flatten() {
        let value = settings
            .parameters
            .get(name)
            .cloned()
            .or_else(|| string_value(p.get("Default")?, &t, mappings));
        if let Some(value) = value {
            t.insert(name.clone(), value);
        }
    }
    let resources: Vec<(&String, &Value)> = template["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .collect();
    // Names that reference other resources: evaluated once those are deployed.
    for _round in 0..3 {
        for (id, resource) in &resources {
            if t.contains_key(id.as_str()) {
                continue;
            }
            if let Some(values) = physical(id, resource, stack, region, &t, mappings) {
                t.extend(values);
            }
        }
    }
    for (id, resource) in &resources {
        if !t.contains_key(id.as_str()) {
            // A name the template computes from what this simulation cannot know: the
            // generated name stands in.
            let mut r = (*resource).clone();
            if let Some(p) = r.get_mut("Properties").and_then(Value::as_object_mut) {
                p.clear();
            }
            let values = physical(id, &r, stack, region, &t, mappings).expect("generated");
            t.extend(values);
        }
    }
    t
}

/// The values of one deployed resource; `None` when its name needs a value not yet known.
fn physical(
    id: &str,
    resource: &Value,
    stack: &str,
    region: &str,
    table: &Table,
    mappings: &Value,
) -> Option<Table> {
    let kind = resource["Type"].as_str().unwrap_or("");
    let props = &resource["Properties"];
    let named = |property: &str| -> Option<Option<String>> {
        match props.get(property) {
            None => Some(None),
            Some(v) => string_value(v, table, mappings).map(Some),
        }
    };
    let generated = format!("{stack}-{id}-{}", random(id, 13, UPPER));
    let arn = |service: &str, rest: &str| format!("arn:aws:{service}:{region}:{ACCOUNT}:{rest}");
    let mut v = Table::new();
    let mut set = |attr: Option<&str>, value: String| {
        let key = match attr {
            Some(a) => format!("{id}.{a}"),
            None => id.to_string(),
        };
        v.insert(key, value);
    };
    match kind {
        "AWS::SQS::Queue" => {
            let name = named("QueueName")?.unwrap_or(generated);
            let url = format!("https://sqs.{region}.amazonaws.com/{ACCOUNT}/{name}");
            set(None, url.clone());
            set(Some("QueueUrl"), url);
            set(Some("Arn"), arn("sqs", &name));
            set(Some("QueueName"), name);
        }
        "AWS::SNS::Topic" => {
            let name = named("TopicName")?.unwrap_or(generated);
            set(None, arn("sns", &name));
            set(Some("TopicArn"), arn("sns", &name));
            set(Some("TopicName"), name);
        }
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" | "AWS::DynamoDB::GlobalTable" => {
            let name = named("TableName")?.unwrap_or(generated);
            let table_arn = arn("dynamodb", &format!("table/{name}"));
            set(
                Some("StreamArn"),
                format!("{table_arn}/stream/2026-01-01T00:00:00.000"),
            );
            set(Some("Arn"), table_arn);
            set(None, name);
        }
        "AWS::S3::Bucket" => {
            let name = named("BucketName")?.unwrap_or_else(|| {
                format!(
                    "{}-{}-{}",
                    stack.to_lowercase(),
                    id.to_lowercase(),
                    random(id, 12, LOWER)
                )
            });
            set(Some("Arn"), format!("arn:aws:s3:::{name}"));
            set(Some("DomainName"), format!("{name}.s3.amazonaws.com"));
            set(
                Some("RegionalDomainName"),
                format!("{name}.s3.{region}.amazonaws.com"),
            );
            set(None, name);
        }
        "AWS::SecretsManager::Secret" => {
            let name = named("Name")?.unwrap_or_else(|| format!("{id}-{}", random(id, 12, LOWER)));
            // Secrets Manager ends every secret's ARN with `-` and six random characters.
            let secret = arn("secretsmanager", &format!("secret:{name}-AbCdEf"));
            set(None, secret.clone());
            set(Some("Id"), secret);
        }
        "AWS::SSM::Parameter" => {
            let name =
                named("Name")?.unwrap_or_else(|| format!("CFN-{id}-{}", random(id, 12, UPPER)));
            set(None, name);
        }
        "AWS::Kinesis::Stream" => {
            let name = named("Name")?.unwrap_or(generated);
            set(Some("Arn"), arn("kinesis", &format!("stream/{name}")));
            set(None, name);
        }
        "AWS::KinesisFirehose::DeliveryStream" => {
            let name = named("DeliveryStreamName")?.unwrap_or(generated);
            set(
                Some("Arn"),
                arn("firehose", &format!("deliverystream/{name}")),
            );
            set(None, name);
        }
        "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
            let property = if kind == "AWS::Serverless::StateMachine" {
                "Name"
            } else {
                "StateMachineName"
            };
            let name =
                named(property)?.unwrap_or_else(|| format!("{id}-{}", random(id, 12, UPPER)));
            let machine = arn("states", &format!("stateMachine:{name}"));
            set(None, machine.clone());
            set(Some("Arn"), machine);
            set(Some("Name"), name);
        }
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => {
            let name = named("FunctionName")?.unwrap_or(generated);
            set(Some("Arn"), arn("lambda", &format!("function:{name}")));
            set(None, name);
        }
        "AWS::KMS::Key" => {
            let key = format!(
                "{}-{}-{}-{}-{}",
                random(id, 8, HEX),
                random(&format!("{id}1"), 4, HEX),
                random(&format!("{id}2"), 4, HEX),
                random(&format!("{id}3"), 4, HEX),
                random(&format!("{id}4"), 12, HEX)
            );
            set(Some("Arn"), arn("kms", &format!("key/{key}")));
            set(Some("KeyId"), key.clone());
            set(None, key);
        }
        "AWS::KMS::Alias" => set(None, named("AliasName")?.unwrap_or(generated)),
        "AWS::Events::EventBus" => {
            let name = named("Name")?.unwrap_or(generated);
            set(Some("Arn"), arn("events", &format!("event-bus/{name}")));
            set(Some("Name"), name.clone());
            set(None, name);
        }
        "AWS::Logs::LogGroup" => {
            let name = named("LogGroupName")?.unwrap_or(generated);
            set(Some("Arn"), arn("logs", &format!("log-group:{name}:*")));
            set(None, name);
        }
        "AWS::Cognito::UserPool" => {
            let pool = format!(
                "{region}_{}",
                random(
                    id,
                    9,
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                )
            );
            set(Some("Arn"), arn("cognito-idp", &format!("userpool/{pool}")));
            set(Some("UserPoolId"), pool.clone());
            set(None, pool);
        }
        "AWS::ApiGatewayV2::Api" => {
            let api = random(id, 10, b"abcdefghijklmnopqrstuvwxyz0123456789");
            set(
                Some("ApiEndpoint"),
                format!("wss://{api}.execute-api.{region}.amazonaws.com"),
            );
            set(Some("ApiId"), api.clone());
            set(None, api);
        }
        "AWS::IAM::Role" => {
            let name = named("RoleName")?.unwrap_or(generated);
            set(Some("Arn"), format!("arn:aws:iam::{ACCOUNT}:role/{name}"));
            set(None, name);
        }
        // Every other type: a generated id, and ARN-shaped attributes a policy can hold.
        _ => {
            set(None, format!("{id}-{}", random(id, 13, UPPER)));
            set(
                Some("Arn"),
                arn("unknown", &format!("{id}/{}", random(id, 8, UPPER))),
            );
        }
    }
    Some(v)
}

/// The project's native format and its template: `None` for a project without one (a
/// plain folder, or a Terraform project: its fixtures name every resource literally, so
/// the `json` policies the oracle test decides already hold the ARNs Terraform creates).
fn native(dir: &Path) -> Option<&'static str> {
    let has = |f: &str| dir.join(f).exists();
    if has("serverless.yml") || has("serverless.yaml") {
        Some("serverless")
    } else if has("cdk.out") {
        Some("cloudformation")
    } else if has("template.yaml") || has("template.yml") {
        let text = std::fs::read_to_string(dir.join("template.yaml"))
            .or_else(|_| std::fs::read_to_string(dir.join("template.yml")))
            .unwrap_or_default();
        Some(if text.contains("AWS::Serverless") {
            "sam"
        } else {
            "cloudformation"
        })
    } else {
        None
    }
}

/// A Serverless variable's value for the stage deployed: `self:`, `sls:stage`,
/// `opt:stage`/`opt:region`, `aws:region`/`aws:accountId` computed from the config, every
/// other one from the oracle's `variables`.
fn serverless_variable(
    inner: &str,
    config: &Value,
    stage: &str,
    region: &str,
    settings: &Settings,
    depth: usize,
) -> Option<Value> {
    let (source, fallback) = match inner.split_once(',') {
        Some((s, f)) => (s.trim(), Some(f.trim())),
        None => (inner.trim(), None),
    };
    let found = if let Some(path) = source.strip_prefix("self:") {
        let mut v = config.clone();
        for key in path.split('.') {
            // A member of a value that is itself a variable (`${file(…)}`).
            if v.is_string() {
                v = resolve_value(&v, config, stage, region, settings, depth + 1);
            }
            v = v.get(key)?.clone();
        }
        Some(resolve_value(
            &v,
            config,
            stage,
            region,
            settings,
            depth + 1,
        ))
    } else {
        match source {
            "sls:stage" | "opt:stage" | "self:provider.stage" => Some(json!(stage)),
            "opt:region" | "aws:region" => Some(json!(region)),
            "aws:accountId" => Some(json!(ACCOUNT)),
            _ => None,
        }
    };
    found.or_else(|| {
        let f = fallback?;
        let f = f.trim_matches(['\'', '"']);
        Some(json!(f))
    })
}

/// Serverless variables in every string of `v` resolved as the framework does for the
/// stage; one the test cannot compute and the oracle does not give fails the test.
fn resolve_value(
    v: &Value,
    config: &Value,
    stage: &str,
    region: &str,
    settings: &Settings,
    depth: usize,
) -> Value {
    assert!(depth < 20, "Serverless variables nested too deeply");
    match v {
        Value::String(s) => resolve_string(s, config, stage, region, settings, depth),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| resolve_value(i, config, stage, region, settings, depth))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, i)| {
                    (
                        k.clone(),
                        resolve_value(i, config, stage, region, settings, depth),
                    )
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn resolve_string(
    s: &str,
    config: &Value,
    stage: &str,
    region: &str,
    settings: &Settings,
    depth: usize,
) -> Value {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let Some(end) = super::variable_end(rest, start) else {
            break;
        };
        let variable = &rest[start..end];
        let inner = &variable[2..variable.len() - 1];
        out.push_str(&rest[..start]);
        // CloudFormation's own `${…}` (`${AWS::Region}`, `${Table.Arn}`) is left for it.
        let cloudformation = inner.contains("::")
            || inner.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            || inner.starts_with('!');
        let value = if cloudformation {
            Some(json!(variable))
        } else if let Some(v) = settings.variables.get(variable) {
            Some(v.clone())
        } else {
            serverless_variable(inner, config, stage, region, settings, depth)
        };
        let value = value.unwrap_or_else(|| {
            panic!("no stage value for the Serverless variable `{variable}`: give it in the oracle's deploy.variables")
        });
        // A variable that is the whole string keeps its type (a mapping, a list).
        if start == 0 && end == rest.len() && out.is_empty() && !value.is_string() {
            return value;
        }
        match value {
            Value::String(v) => out.push_str(&v),
            other => out.push_str(&other.to_string()),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    json!(out)
}

/// The framework's logical id for a function (`createOrder` → `CreateOrderLambdaFunction`).
fn serverless_function_id(name: &str) -> String {
    let normalized: String = name.replace('-', "Dash").replace('_', "Underscore");
    let mut chars = normalized.chars();
    let first = chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .unwrap_or_default();
    format!("{first}{}LambdaFunction", chars.as_str())
}

/// A project deployed: the reference table and, per function, its policy document.
struct Deployed {
    table: Table,
    documents: BTreeMap<String, Value>,
    format: &'static str,
    /// Function name → its deployed Lambda name (for its log group).
    function_names: BTreeMap<String, String>,
}

fn leastrole_native(dir: &Path, format: &str) -> Option<Value> {
    let out = Command::cargo_bin("leastrole")
        .expect("binary builds")
        .args([
            "generate",
            dir.to_str().expect("utf-8 path"),
            "--format",
            format,
        ])
        .output()
        .expect("runs");
    if !out.status.success() {
        return None;
    }
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_slice(&out.stdout).expect("the output is YAML");
    Some(long_form(yaml))
}

fn deploy(project: &str, settings: &Settings) -> Option<Deployed> {
    let dir = fixture_projects().join(project);
    let format = native(&dir)?;
    let region = settings
        .region
        .clone()
        .unwrap_or_else(|| "us-east-1".into());
    // A config that does not parse cannot be deployed: nothing to simulate (its oracle
    // describes the plain-folder reading the other test decides).
    let output = leastrole_native(&dir, format)?;
    let mut documents = BTreeMap::new();
    let mut function_names = BTreeMap::new();
    let table = if format == "serverless" {
        let text = std::fs::read_to_string(dir.join("serverless.yml"))
            .or_else(|_| std::fs::read_to_string(dir.join("serverless.yaml")))
            .expect("serverless.yml");
        let config = template_json(&text);
        let stage = settings.stage.clone().unwrap_or_else(|| {
            let s = resolve_value(
                &config["provider"]["stage"],
                &config,
                "dev",
                &region,
                settings,
                0,
            );
            s.as_str()
                .filter(|s| !s.is_empty())
                .unwrap_or("dev")
                .to_string()
        });
        let config = resolve_value(&config, &config, &stage, &region, settings, 0);
        let service = config["service"].as_str().expect("service").to_string();
        let stack = format!("{service}-{stage}");
        let mut template = json!({ "Resources": {} });
        let resources = match &config["resources"] {
            Value::Array(list) => list.clone(),
            other => vec![other.clone()],
        };
        for r in resources {
            for section in ["Resources", "Parameters", "Mappings"] {
                for (k, v) in r[section].as_object().into_iter().flatten() {
                    template[section][k] = v.clone();
                }
            }
        }
        // The framework compiles one WebSocket API for the service's `websocket` events.
        let websocket = config["functions"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(_, f)| f["events"].as_array().into_iter().flatten())
            .any(|e| e.get("websocket").is_some());
        if websocket {
            template["Resources"]["WebsocketsApi"] = json!({
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": { "ProtocolType": "WEBSOCKET" },
            });
        }
        for (name, f) in config["functions"].as_object().into_iter().flatten() {
            let deployed = f["name"]
                .as_str()
                .map_or_else(|| format!("{stack}-{name}"), str::to_string);
            function_names.insert(name.clone(), deployed.clone());
            template["Resources"][serverless_function_id(name)] = json!({
                "Type": "AWS::Lambda::Function",
                "Properties": { "FunctionName": deployed },
            });
        }
        let table = deploy_template(&template, &stack, &region, settings);
        let output = resolve_value(&output, &config, &stage, &region, settings, 0);
        for (name, f) in output["functions"].as_object().into_iter().flatten() {
            let statements = if f["iamRoleStatements"].is_array() {
                &f["iamRoleStatements"]
            } else {
                &f["iam"]["role"]["statements"]
            };
            if statements.is_array() {
                documents.insert(
                    name.clone(),
                    json!({ "Version": "2012-10-17", "Statement": statements }),
                );
            }
        }
        if let Some(statements) = output["provider"]["iam"]["role"]["statements"].as_array() {
            for name in function_names.keys() {
                documents
                    .entry(name.clone())
                    .or_insert_with(|| json!({ "Version": "2012-10-17", "Statement": statements }));
            }
        }
        table
    } else {
        let (template, stack) = if dir.join("cdk.out").is_dir() {
            let file = std::fs::read_dir(dir.join("cdk.out"))
                .expect("cdk.out")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(".template.json"))
                .expect("a template in cdk.out");
            let stack = file
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".template.json"))
                .expect("Stack.template.json")
                .to_string();
            let text = std::fs::read_to_string(&file).expect("the template");
            (serde_json::from_str(&text).expect("JSON"), stack)
        } else {
            let text = std::fs::read_to_string(dir.join("template.yaml"))
                .or_else(|_| std::fs::read_to_string(dir.join("template.yml")))
                .expect("template");
            (
                template_json(&text),
                settings
                    .stack
                    .clone()
                    .unwrap_or_else(|| "sample-stack".into()),
            )
        };
        let table = deploy_template(&template, &stack, &region, settings);
        for (id, r) in template["Resources"].as_object().into_iter().flatten() {
            if matches!(
                r["Type"].as_str(),
                Some("AWS::Lambda::Function" | "AWS::Serverless::Function")
            ) {
                function_names.insert(id.clone(), table[id].clone());
            }
        }
        if format == "sam" {
            for (id, r) in output["Resources"].as_object().into_iter().flatten() {
                if let Some(policy) = r["Properties"]["Policies"].get(0) {
                    documents.insert(id.clone(), policy.clone());
                }
            }
        } else {
            for (key, r) in output.as_object().into_iter().flatten() {
                let Some(id) = key.strip_suffix("Role") else {
                    continue;
                };
                if let Some(doc) = r["Properties"]["Policies"][0].get("PolicyDocument") {
                    documents.insert(id.to_string(), doc.clone());
                }
            }
        }
        table
    };
    let documents = documents
        .into_iter()
        .map(|(name, doc)| {
            let expanded = evaluate(&doc, &|reference| value_of(&table, project, reference));
            (name, expanded)
        })
        .collect();
    Some(Deployed {
        table,
        documents,
        format,
        function_names,
    })
}

/// The deploy table of a project, for the oracle test's placeholders: empty for a project
/// without a template.
pub(super) fn placeholder_table(project: &str, settings: &Settings) -> Table {
    deploy(project, settings)
        .map(|d| d.table)
        .unwrap_or_default()
}

/// The cases of one project's deploy simulation (empty for a project without a template
/// or whose config does not parse).
fn cases(project: &str, expected: &Expected, cases: &mut Vec<Case>) -> bool {
    let Some(deployed) = deploy(project, &expected.deploy) else {
        return false;
    };
    for (name, requests) in &expected.functions {
        let policy = deployed.documents.get(name).unwrap_or_else(|| {
            panic!(
                "{project}: the oracle names function {name}; the {} output has policies for {:?}",
                deployed.format,
                deployed.documents.keys()
            )
        });
        for (list, allowed) in [(&requests.allow, true), (&requests.deny, false)] {
            for r in list {
                let resource = expand_placeholders(&r.resource, &deployed.table, project);
                cases.push(Case {
                    what: format!(
                        "{project} deployed ({}) {name}: {} {resource} ({})",
                        deployed.format, r.action, r.why
                    ),
                    policy: policy.clone(),
                    action: r.action.clone(),
                    resource,
                    allowed,
                });
            }
        }
        // The role leastrole writes carries the function's own logs.
        if deployed.format == "cloudformation"
            && let Some(function) = deployed.function_names.get(name)
        {
            let region = expected.deploy.region.as_deref().unwrap_or("us-east-1");
            let stream = format!(
                "arn:aws:logs:{region}:{ACCOUNT}:log-group:/aws/lambda/{function}:log-stream:2026/01/01/[$LATEST]abc"
            );
            cases.push(Case {
                what: format!("{project} deployed {name}: its own log stream"),
                policy: policy.clone(),
                action: "logs:PutLogEvents".into(),
                resource: stream,
                allowed: true,
            });
        }
    }
    true
}

#[test]
fn deployed_policies_allow_the_code_and_deny_near_misses() {
    if let Err(why) = prepare() {
        super::unavailable(&why);
        return;
    }
    let mut all = Vec::new();
    let mut deployed = Vec::new();
    let mut skipped = Vec::new();
    for project in super::project_names() {
        let expected = super::oracle(&project);
        if cases(&project, &expected, &mut all) {
            deployed.push(project);
        } else {
            skipped.push(project);
        }
    }
    // Only projects without a template (a plain folder; a monorepo's root, whose
    // paste-ready output is one project's at a time), or whose config is deliberately
    // broken, are not deployed.
    for project in &skipped {
        let dir = fixture_projects().join(project);
        assert!(
            native(&dir).is_none() || project.contains("broken"),
            "{project}: its native output could not be generated"
        );
    }
    assert!(deployed.len() >= 10, "deployed only {deployed:?}");
    assert!(all.len() >= 80, "{} cases", all.len());
    assert_decisions(&all);
}

/// The simulation catches a reference whose value does not hold where it is placed: the
/// queue of `sam-queue-url-reference` rendered as `${MainQueue}` (its URL) in an ARN,
/// where `${MainQueue.QueueName}` belongs, denies the code's own request.
#[test]
fn a_queue_url_inside_an_arn_fails_the_deploy_simulation() {
    if let Err(why) = prepare() {
        super::unavailable(&why);
        return;
    }
    let project = "sam-queue-url-reference";
    let expected = super::oracle(project);
    let dir = fixture_projects().join(project);
    let output = leastrole_native(&dir, "sam").expect("generates");
    let text = serde_json::to_string(&output).expect("JSON");
    assert!(
        text.contains("${MainQueue.QueueName}"),
        "the SAM output names the queue by name: {text}"
    );
    // The rendering of the bug: the whole `Ref` (the URL) where the name goes.
    let broken: Value =
        serde_json::from_str(&text.replace("${MainQueue.QueueName}", "${MainQueue}"))
            .expect("JSON");
    let deployed = deploy(project, &expected.deploy).expect("deploys");
    let policy = evaluate(
        &broken["Resources"]["WorkerFunction"]["Properties"]["Policies"][0],
        &|r| value_of(&deployed.table, project, r),
    );
    let requests = &expected.functions["WorkerFunction"].allow;
    let mut cases = Vec::new();
    for r in requests.iter().filter(|r| r.action.starts_with("sqs:")) {
        cases.push(Case {
            what: format!("broken rendering: {} ({})", r.action, r.why),
            policy: policy.clone(),
            action: r.action.clone(),
            resource: expand_placeholders(&r.resource, &deployed.table, project),
            allowed: false,
        });
    }
    assert!(!cases.is_empty(), "the oracle asks about the queue");
    assert_decisions(&cases);
}
