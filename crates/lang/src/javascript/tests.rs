//! Robustness and unit tests of the JavaScript front-end that need no fixture file.

use std::path::Path;

use crate::program::Program;

/// Analyse one in-memory file (written to a temporary folder).
fn run(name: &str, text: &str) -> Program {
    let dir = std::env::temp_dir().join(format!(
        "leastrole-js-test-{}-{}",
        std::process::id(),
        name.replace(['/', '.'], "_")
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join(name), text).expect("write");
    let program = crate::analyze(&dir, &[name.to_string()]);
    let _ = std::fs::remove_dir_all(&dir);
    program
}

fn codes(p: &Program) -> Vec<String> {
    p.all_diagnostics()
        .into_iter()
        .map(|d| d.code.clone())
        .collect()
}

#[test]
fn deeply_nested_code_is_cut_off_with_a_diagnostic() {
    let depth = 20_000;
    let text = format!(
        "const AWS = require('aws-sdk');\nconst s3 = new AWS.S3();\nconst x = {}1{};\nexports.handler = async () => s3.getObject({{ Bucket: 'b', Key: 'k' }}).promise();\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let p = run("deep.js", &text);
    assert!(codes(&p).iter().any(|c| c == "too-deep"), "{:?}", codes(&p));
    assert_eq!(p.all_calls().len(), 1);
}

#[test]
fn long_concatenation_does_not_overflow() {
    let text = format!(
        "const {{ S3Client, PutObjectCommand }} = require('@aws-sdk/client-s3');\nconst c = new S3Client({{}});\nconst key = 'a'{};\nexports.handler = () => c.send(new PutObjectCommand({{ Bucket: 'b', Key: key }}));\n",
        " + 'a'".repeat(30_000)
    );
    let p = run("concat.js", &text);
    assert_eq!(p.all_calls().len(), 1);
}

#[test]
fn long_chains_of_functions_and_classes_are_bounded() {
    let n = 5_000;
    let mut text = String::from("const AWS = require('aws-sdk');\nconst s3 = new AWS.S3();\n");
    for i in 0..n {
        text.push_str(&format!("function f{i}() {{ return f{}(); }}\n", i + 1));
        text.push_str(&format!("class C{i} extends C{} {{}}\n", (i + 1) % n));
    }
    text.push_str(&format!(
        "function f{n}() {{ return s3.listBuckets().promise(); }}\n"
    ));
    text.push_str("exports.handler = () => { new C0(); return f0(); };\n");
    let p = run("chain.js", &text);
    assert_eq!(p.all_calls().len(), 1);
}

#[test]
fn garbage_never_panics() {
    let samples = [
        "",
        "\u{feff}",
        "}}}{{{",
        "export default",
        "import { from '",
        "new new new new",
        "a.b.c.d.e.f.send(new (class extends null {})())",
        "module.exports = module.exports = exports = 1",
        "const {a: {b: [c = d.e] = []} = {}} = process.env",
        "class A { constructor() { this.x = new this.constructor(); } m() { return this.m(); } }",
        "function f() { return f(); } f(); const g = () => g(); g();",
        "const x = require(`./${a}`); import(x);",
        "export * from './nope'; export { a as b } from '../../../outside';",
        "for await (const [a, {b}] of paginateX({client}, {})) {}",
        "@decorator class X { @dec() m(@p x: string) {} }",
        "let a: <T>(x: T) => T = <T,>(x: T) => x as unknown as T satisfies any;",
    ];
    for (i, s) in samples.iter().enumerate() {
        for ext in ["js", "ts", "tsx"] {
            let _ = run(&format!("g{i}.{ext}"), s);
        }
    }
}

#[test]
fn missing_entry_is_a_diagnostic() {
    let p = crate::analyze(Path::new("/nonexistent-leastrole"), &["a.js".to_string()]);
    assert!(p.modules.is_empty());
    assert_eq!(codes(&p), vec!["unreadable-file".to_string()]);
}

#[test]
fn import_cycle_terminates() {
    let dir = std::env::temp_dir().join(format!("leastrole-js-cycle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("a.js"),
        "import { b } from './b.js';\nimport AWS from 'aws-sdk';\nexport const s3 = new AWS.S3();\nexport const handler = () => b();\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("b.js"),
        "import { s3 } from './a.js';\nexport function b() { return s3.listBuckets().promise(); }\n",
    )
    .expect("write");
    let p = crate::analyze(&dir, &["a.js".to_string()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(p.modules.len(), 2);
    let handler = p
        .modules
        .get("a.js")
        .and_then(|m| m.functions.get("handler"))
        .expect("handler");
    assert!(handler.callees.iter().any(|c| c.0 == "b.js#b"));
    // The second pass over the cycle resolves the client `b.js` imports from `a.js`.
    assert_eq!(p.all_calls().len(), 1);
}

#[test]
fn values_cross_modules_whose_trees_and_exports_were_dropped() {
    // `c.js` makes the client, `b.js` passes its factory on, `a.js` calls it: `c.js`'s
    // exports must outlive the analysis of `b.js` (its importer) for `a.js` to use them.
    // `d.js`, an entry nobody imports, keeps nothing for others.
    let dir = std::env::temp_dir().join(format!("leastrole-js-chain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let files = [
        (
            "a.js",
            "const { make } = require('./b');\nexports.handler = async () => make().listBuckets().promise();\n",
        ),
        (
            "b.js",
            "const c = require('./c');\nexports.make = c.make;\n",
        ),
        (
            "c.js",
            "const AWS = require('aws-sdk');\nexports.make = () => new AWS.S3();\n",
        ),
        (
            "d.js",
            "const AWS = require('aws-sdk');\nexports.handler = async () => new AWS.SQS().listQueues().promise();\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    let p = crate::analyze(&dir, &["a.js".to_string(), "d.js".to_string()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(p.modules.len(), 4);
    let mut found: Vec<(String, String)> = p
        .all_calls()
        .into_iter()
        .map(|c| (c.location.file.clone(), format!("{:?}", c.call)))
        .collect();
    found.sort();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, "a.js");
    assert!(found[0].1.contains("listBuckets"), "{found:?}");
    assert_eq!(found[1].0, "d.js");
    assert!(found[1].1.contains("listQueues"), "{found:?}");
}

// --- values read from the event, and values the code computes (issue 16) -----------------

use crate::facts::Value;

/// The parameter `param` of every call to `op` (a v3 command or a v2 method), in
/// source order.
fn param_values(p: &Program, op: &str, param: &str) -> Vec<Value> {
    let mut calls = p.all_calls();
    calls.sort_by_key(|c| (c.location.line, c.location.column));
    calls
        .into_iter()
        .filter(|c| match &c.call {
            crate::facts::CallKind::Command { name } | crate::facts::CallKind::Method { name } => {
                name == op
            }
            _ => false,
        })
        .map(|c| {
            c.params
                .get(param)
                .cloned()
                .unwrap_or(Value::unknown("absent"))
        })
        .collect()
}

fn event(path: &str) -> Value {
    Value::Event {
        path: path.to_string(),
    }
}

fn one_of(items: Vec<Value>) -> Value {
    Value::OneOf { items }
}

/// A v3 S3 client, `s3`; each test writes `s3.send(new GetObjectCommand(…))` once per
/// value it checks (a shared helper's parameter would be one of all of them).
const V3_S3: &str = "const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');\nconst s3 = new S3Client({});\n";

#[test]
fn event_members_keep_their_path() {
    for ext in ["js", "ts"] {
        let text = "const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const s3 = new S3Client({});
exports.handler = async (event) => {
  await s3.send(new GetObjectCommand({ Bucket: event.Records[0].s3.bucket.name, Key: event['detail'].key }));
  await s3.send(new GetObjectCommand({ Bucket: event?.detail?.bucket?.name, Key: event.Records[i].s3.object.key }));
  const body = typeof event.body === 'string' ? JSON.parse(event.body) : event.body;
  await s3.send(new GetObjectCommand({ Bucket: body.bucket, Key: 'body' }));
  const { name = 'default-bucket' } = event.detail.bucket;
  await s3.send(new GetObjectCommand({ Bucket: name, Key: 'destructured default' }));
  const { Records } = event;
  const [record] = event.Records;
  await s3.send(new GetObjectCommand({ Bucket: Records[0].s3.bucket.name, Key: record.s3.object.key }));
};
";
        let p = run(&format!("members.{ext}"), text);
        assert_eq!(
            param_values(&p, "GetObjectCommand", "Bucket"),
            vec![
                event("Records[].s3.bucket.name"),
                event("detail.bucket.name"),
                one_of(vec![
                    Value::unknown("parsed from the event's `body`"),
                    event("body.bucket")
                ]),
                one_of(vec![
                    event("detail.bucket.name"),
                    Value::str("default-bucket")
                ]),
                event("Records[].s3.bucket.name"),
            ],
            "{ext}"
        );
        assert_eq!(
            param_values(&p, "GetObjectCommand", "Key"),
            vec![
                event("detail.key"),
                event("Records[].s3.object.key"),
                Value::str("body"),
                Value::str("destructured default"),
                event("Records[].s3.object.key"),
            ],
            "{ext}"
        );
    }
}

#[test]
fn loops_callbacks_and_helpers_see_the_record() {
    for ext in ["js", "ts"] {
        let text = "const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const s3 = new S3Client({});
async function fetchRecord(record) {
  await s3.send(new GetObjectCommand({ Bucket: record.s3.bucket.name, Key: 'helper' }));
}
async function fetchKey(rec) {
  await s3.send(new GetObjectCommand({ Bucket: 'each', Key: rec.s3.object.key }));
}
exports.handler = async (event) => {
  for (const record of event.Records) {
    await s3.send(new GetObjectCommand({ Bucket: record.s3.bucket.name, Key: 'loop' }));
    await fetchRecord(record);
  }
  await Promise.all(event.Records.map(async (r) => s3.send(new GetObjectCommand({ Bucket: r.s3.bucket.name, Key: 'map' }))));
  event.Records.forEach(({ s3: { bucket: { name } } }) => s3.send(new GetObjectCommand({ Bucket: name, Key: 'forEach' })));
  event.Records.forEach(fetchKey);
};
";
        let p = run(&format!("loops.{ext}"), text);
        let bucket = event("Records[].s3.bucket.name");
        let mut buckets = param_values(&p, "GetObjectCommand", "Bucket");
        buckets.sort();
        assert_eq!(
            buckets,
            vec![
                Value::str("each"),
                event("Records[].s3.bucket.name"),
                event("Records[].s3.bucket.name"),
                event("Records[].s3.bucket.name"),
                event("Records[].s3.bucket.name"),
            ],
            "{ext}"
        );
        assert!(buckets.contains(&bucket));
        assert!(
            param_values(&p, "GetObjectCommand", "Key").contains(&event("Records[].s3.object.key")),
            "{ext}"
        );
    }
}

#[test]
fn string_operations_keep_the_key_shape() {
    for ext in ["js", "ts"] {
        let text = format!(
            "{V3_S3}exports.handler = async (event) => {{
  const record = event.Records[0];
  const key = decodeURIComponent(record.s3.object.key.replace(/\\+/g, ' '));
  await s3.send(new GetObjectCommand({{ Bucket: 'a', Key: key }}));
  await s3.send(new GetObjectCommand({{ Bucket: 'b', Key: decodeURIComponent(record.s3.object.key) }}));
  await s3.send(new GetObjectCommand({{ Bucket: 'c', Key: String(record.s3.object.key).trim() }}));
  await s3.send(new GetObjectCommand({{ Bucket: 'd', Key: `processed/${{record.s3.object.key}}` }}));
  await s3.send(new GetObjectCommand({{ Bucket: 'e', Key: 'raw/' + record.s3.object.key }}));
  await s3.send(new GetObjectCommand({{ Bucket: 'f', Key: record.s3.object.key.replace('uploads/', 'thumbs/') }}));
  await s3.send(new GetObjectCommand({{ Bucket: 'g', Key: JSON.parse(record.body).key }}));
  await s3.send(new GetObjectCommand({{ Bucket: 'h', Key: event.detail.bucket ?? 'fallback' }}));
}};
"
        );
        let p = run(&format!("strings.{ext}"), &text);
        let key = event("Records[].s3.object.key");
        let got = param_values(&p, "GetObjectCommand", "Key");
        assert_eq!(got.len(), 8, "{ext}: {got:?}");
        assert_eq!(got[0], key, "{ext}");
        assert_eq!(got[1], key, "{ext}");
        assert_eq!(got[2], key, "{ext}");
        assert_eq!(
            got[3],
            Value::Concat {
                parts: vec![Value::str("processed/"), key.clone()]
            },
            "{ext}"
        );
        assert_eq!(
            got[4],
            Value::Concat {
                parts: vec![Value::str("raw/"), key.clone()]
            },
            "{ext}"
        );
        assert_eq!(
            got[5],
            Value::unknown("result of `.replace()` on the event's `Records[].s3.object.key`"),
            "{ext}"
        );
        assert_eq!(
            got[6],
            Value::unknown("parsed from the event's `Records[].body`"),
            "{ext}"
        );
        assert_eq!(
            got[7],
            one_of(vec![event("detail.bucket"), Value::str("fallback")]),
            "{ext}"
        );
    }
}

#[test]
fn choices_among_known_values_are_one_of_them() {
    for ext in ["js", "ts"] {
        let text = format!(
            "{V3_S3}const BUCKETS = ['red', 'green', 'blue'];
const TABLES = {{ a: 'alpha', b: 'beta' }};
function read(bucket) {{
  return s3.send(new GetObjectCommand({{ Bucket: bucket, Key: 'k' }}));
}}
exports.handler = async (event) => {{
  await s3.send(new GetObjectCommand({{ Bucket: event.prod ? 'live' : 'test', Key: 'cond' }}));
  await s3.send(new GetObjectCommand({{ Bucket: event.flag ? 'same' : 'same', Key: 'same' }}));
  await s3.send(new GetObjectCommand({{ Bucket: BUCKETS[Math.floor(Math.random() * BUCKETS.length)], Key: 'random' }}));
  await s3.send(new GetObjectCommand({{ Bucket: TABLES[event.kind], Key: 'table' }}));
  await read('first');
  await read('second');
}};
"
        );
        let p = run(&format!("choices.{ext}"), &text);
        let got = param_values(&p, "GetObjectCommand", "Bucket");
        assert!(
            got.contains(&one_of(vec![Value::str("live"), Value::str("test")])),
            "{ext}: {got:?}"
        );
        assert!(got.contains(&one_of(vec![
            Value::str("red"),
            Value::str("green"),
            Value::str("blue")
        ])));
        assert!(got.contains(&one_of(vec![Value::str("alpha"), Value::str("beta")])));
        assert!(got.contains(&one_of(vec![Value::str("first"), Value::str("second")])));
        assert!(
            !got.iter().any(|v| matches!(v, Value::Unknown { .. })),
            "{got:?}"
        );
    }
}

#[test]
fn a_helper_called_with_many_values_is_unknown_past_the_bound() {
    let mut text = String::from(V3_S3);
    text.push_str("function read(bucket) { return s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })); }\nexports.handler = async () => {\n");
    for i in 0..20 {
        text.push_str(&format!("  await read('b{i}');\n"));
    }
    text.push_str("};\n");
    let p = run("many.js", &text);
    let got = param_values(&p, "GetObjectCommand", "Bucket");
    assert!(
        matches!(&got[..], [Value::Unknown { reason }] if reason.contains("more than 16 values")),
        "{got:?}"
    );
    // The same bound for an item of a long literal array.
    let names: Vec<String> = (0..20).map(|i| format!("'b{i}'")).collect();
    let text = format!(
        "{V3_S3}const NAMES = [{}];\nexports.handler = async (event) => s3.send(new GetObjectCommand({{ Bucket: NAMES[event.i], Key: 'k' }}));\n",
        names.join(", ")
    );
    let p = run("many_items.js", &text);
    let got = param_values(&p, "GetObjectCommand", "Bucket");
    assert!(
        matches!(&got[..], [Value::Unknown { reason }] if reason.contains("more than 16 values")),
        "{got:?}"
    );
}

#[test]
fn queue_url_and_function_arn_from_the_sdk_name_the_resource() {
    let v3 = "const { SQSClient, GetQueueUrlCommand, SendMessageCommand } = require('@aws-sdk/client-sqs');
const { LambdaClient, GetFunctionCommand, InvokeCommand } = require('@aws-sdk/client-lambda');
const sqs = new SQSClient({});
const lambda = new LambdaClient({});
exports.handler = async () => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'jobs' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
  const fn = await lambda.send(new GetFunctionCommand({ FunctionName: process.env.WORKER }));
  await lambda.send(new InvokeCommand({ FunctionName: fn.Configuration.FunctionArn }));
};
";
    let p = run("results_v3.js", v3);
    assert_eq!(
        param_values(&p, "SendMessageCommand", "QueueUrl"),
        vec![Value::str("jobs")]
    );
    assert_eq!(
        param_values(&p, "InvokeCommand", "FunctionName"),
        vec![Value::Env {
            name: "WORKER".into(),
            default: None
        }]
    );
    let v2 = "const AWS = require('aws-sdk');
const sqs = new AWS.SQS();
exports.handler = async () => {
  const url = (await sqs.getQueueUrl({ QueueName: 'jobs' }).promise()).QueueUrl;
  await sqs.sendMessage({ QueueUrl: url, MessageBody: 'x' }).promise();
  const page = await sqs.listQueues({}).promise();
  await sqs.sendMessage({ QueueUrl: page.QueueUrls[0], MessageBody: 'y' }).promise();
};
";
    let p = run("results_v2.ts", v2);
    let got = param_values(&p, "sendMessage", "QueueUrl");
    assert_eq!(got[0], Value::str("jobs"));
    assert!(matches!(got[1], Value::Unknown { .. }), "{got:?}");
}

#[test]
fn computed_object_keys_are_a_map() {
    let text =
        "const { DynamoDBClient, BatchWriteItemCommand } = require('@aws-sdk/client-dynamodb');
const db = new DynamoDBClient({});
const FIXED = 'fixed';
exports.handler = async (event) => {
  const tableName = process.env.TABLE;
  await db.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: [] } }));
  await db.send(new BatchWriteItemCommand({ RequestItems: { [FIXED]: [], ['lit']: [] } }));
};
";
    let p = run("computed.js", text);
    let got = param_values(&p, "BatchWriteItemCommand", "RequestItems");
    assert_eq!(
        got[0],
        Value::Map {
            entries: vec![(
                Value::Env {
                    name: "TABLE".into(),
                    default: None
                },
                Value::List { items: vec![] }
            )]
        }
    );
    assert_eq!(
        got[1],
        Value::object([
            ("fixed", Value::List { items: vec![] }),
            ("lit", Value::List { items: vec![] })
        ])
    );
}

#[test]
fn the_handler_event_ignores_a_default_and_other_callbacks_named_event_are_not_it() {
    let text = format!(
        "{V3_S3}const bus = require('./bus');
exports.handler = async (event = {{}}) => {{
  await s3.send(new GetObjectCommand({{ Bucket: event.bucket, Key: 'a' }}));
  bus.on('x', (event) => s3.send(new GetObjectCommand({{ Bucket: event.bucket, Key: 'b' }})));
}};
"
    );
    let p = run("defaults.ts", &text);
    assert_eq!(
        param_values(&p, "GetObjectCommand", "Bucket"),
        vec![event("bucket"), Value::unknown("from the event")]
    );
}

#[test]
fn a_huge_literal_array_indexed_at_run_time_is_cheap_and_unknown() {
    let names: Vec<String> = (0..50_000).map(|i| format!("'b{i}'")).collect();
    let text = format!(
        "{V3_S3}const NAMES = [{}];\nexports.handler = async (event) => s3.send(new GetObjectCommand({{ Bucket: NAMES[event.i] ?? NAMES[event.j], Key: event.ok ? 'k' : undefined }}));\n",
        names.join(", ")
    );
    let start = std::time::Instant::now();
    let p = run("huge_items.js", &text);
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    assert!(matches!(
        &param_values(&p, "GetObjectCommand", "Bucket")[..],
        [Value::Unknown { reason }] if reason.contains("more than 16 values")
    ));
    // `undefined` names nothing: the other alternative is the value.
    assert_eq!(
        param_values(&p, "GetObjectCommand", "Key"),
        vec![Value::str("k")]
    );
}

/// The JavaScript and TypeScript files under `dir`, relative to it, sorted.
fn script_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in read.flatten() {
            let path = entry.path();
            if path.is_dir() && path.file_name().is_some_and(|n| n != "node_modules") {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir)
                && let Some(rel) = rel.to_str()
                && super::language_of(rel).is_ok()
            {
                out.push(rel.replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// A folder's calls, diagnostics and files, each sorted.
type Sorted = (Vec<crate::SdkCall>, Vec<crate::Diagnostic>, Vec<String>);

fn sorted(mut facts: crate::FolderFacts) -> Sorted {
    facts.calls.sort();
    facts.diagnostics.sort();
    facts.files.sort();
    (facts.calls, facts.diagnostics, facts.files)
}

/// What `entries` of `dir` give as a folder too large to parse first (`analyze_folder`
/// with `lean`), and whether the plan from the text applied (the modules were parsed in
/// their waves), with what the whole program of the same entries gives.
fn lean_and_whole(dir: &Path, entries: &[String]) -> (Sorted, bool, Sorted) {
    crate::on_analysis_threads(|| {
        let sources = crate::Sources::default();
        let planned = super::analyze_planned(&sources, dir, entries, &[]).is_some();
        let lean = sorted(super::analyze_folder(&sources, dir, entries, true));
        let whole = super::analyze(&sources, dir, entries, &[]);
        (lean, planned, sorted(whole.into()))
    })
}

/// Every fixture folder with scripts, its every script an entry (as in a plain folder):
/// parsed in their waves, the modules give what they give parsed first, and the plan
/// applies to nearly every folder.
#[test]
fn modules_parsed_in_their_waves_give_what_parsing_first_gives() {
    let folders =
        crate::syntax::fixture_folders(&["javascript", "typescript"], &["projects", "hostile"]);
    let (mut applied, mut fell_back, mut calls) = (0, 0, 0);
    for dir in &folders {
        let entries = script_files(dir);
        if entries.is_empty() {
            continue;
        }
        let (lean, planned, whole) = lean_and_whole(dir, &entries);
        assert_eq!(lean, whole, "{}", dir.display());
        if planned {
            applied += 1;
            calls += lean.0.len();
        } else {
            fell_back += 1;
        }
    }
    assert!(applied >= 15, "the plan applied to {applied} folders only");
    assert!(calls > 50, "only {calls} calls where the plan applied");
    assert!(fell_back <= applied / 4, "{fell_back} folders fell back");
}

/// The plan does not apply, and `analyze` is used, when the text's imports form a cycle
/// or reach a file that is not an entry; it applies when the text only names a file the
/// code does not import, and the result is the same.
#[test]
fn the_wave_plan_from_the_text_applies_only_where_it_gives_the_same_result() {
    let dir = std::env::temp_dir().join(format!("leastrole-js-lean-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).expect("write");
    write(
        "a.js",
        "const { make } = require('./b');\nconst other = './c.js';\nexports.handler = async () => make().listBuckets().promise();\n",
    );
    write(
        "b.js",
        "const AWS = require('aws-sdk');\nexports.make = () => new AWS.S3();\n",
    );
    write("c.js", "exports.unused = 1;\n");
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    // `./c.js` is a string, not an import, and c.js is an entry: the plan applies.
    let (lean, planned, whole) = lean_and_whole(&dir, &names(&["a.js", "b.js", "c.js"]));
    assert!(planned);
    assert_eq!(lean, whole);
    assert_eq!(lean.0.len(), 1);
    // c.js is not an entry: the text reaches a file the analysis does not.
    let (lean, planned, whole) = lean_and_whole(&dir, &names(&["a.js", "b.js"]));
    assert!(!planned);
    assert_eq!(lean, whole);
    assert!(!lean.2.contains(&"c.js".to_string()));
    // c.js's string and a.js's make a cycle in the text.
    write("c.js", "const back = './a';\n");
    let (lean, planned, whole) = lean_and_whole(&dir, &names(&["a.js", "b.js", "c.js"]));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!planned);
    assert_eq!(lean, whole);
}

/// Trees leave out the tokens the front-end never reads (`syntax::KEPT_SCRIPT_TOKENS`):
/// every JavaScript and TypeScript file of the fixtures gives the same specifiers,
/// syntax errors, facts and exports on a tree that keeps every token.
#[test]
fn leaving_unread_tokens_out_of_trees_changes_no_analysis() {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use crate::source::ParsedSource;
    use crate::syntax::{self, Grammar};

    let analysed = |grammar: Grammar, text: &str, whole: bool| {
        let file = match grammar {
            Grammar::JavaScript => "fixture.js",
            Grammar::Tsx => "fixture.tsx",
            _ => "fixture.ts",
        };
        let tree = if whole {
            syntax::parse_whole(grammar, text)
        } else {
            syntax::parse(grammar, text)
        };
        let Some(tree) = tree else {
            panic!("no tree for {file}");
        };
        let root = tree.root_node();
        let diags = super::parse::syntax_errors(root, file, text);
        let specifiers = super::resolve::specifiers(root, text);
        let specs: BTreeMap<String, super::Resolved> = specifiers
            .iter()
            .filter(|spec| super::is_local(spec))
            .map(|spec| {
                (
                    spec.clone(),
                    super::Resolved::Missing("not in this test".into()),
                )
            })
            .collect();
        let parsed = super::Parsed {
            source: Arc::new(ParsedSource {
                text: text.to_string(),
                tree,
                diagnostics: Vec::new(),
            }),
            language: super::language_of(file).expect("a script file"),
            specs,
            diags,
        };
        let (out, published) = super::analyze_module(
            file,
            &parsed,
            &super::Deps::new(&super::Publications::new()),
            true,
        );
        format!(
            "{specifiers:?}\n{:?}\n{out:?}\n{:?} {:?} {:?} {:?}",
            parsed.diags,
            published.exports,
            published.cjs,
            published.functions,
            published.star_packages
        )
    };
    let mut checked = 0;
    let mut with_calls = 0;
    for (grammar, text) in syntax::fixture_sources() {
        if grammar == Grammar::Python {
            continue;
        }
        let lean = analysed(grammar, &text, false);
        assert_eq!(lean, analysed(grammar, &text, true), "{text}");
        checked += 1;
        with_calls += usize::from(lean.contains("SdkCall"));
    }
    assert!(checked > 50, "only {checked} fixture files");
    assert!(
        with_calls > 30,
        "only {with_calls} fixture files with SDK calls"
    );
}

/// Each module's results in `dir` with `entries`, analysed in `order`, and how many
/// analyses were dropped and run again.
fn analysed_in(dir: &Path, entries: &[String], order: super::Order) -> (String, usize) {
    crate::on_analysis_threads(|| {
        let sources = crate::Sources::default();
        let (parsed, _) = super::load(&sources, dir, entries, &[]);
        let ran = super::analyze_parsed(parsed, &super::entry_set(entries), order);
        (format!("{:#?}", ran.outs), ran.reruns)
    })
}

/// Every fixture folder with scripts, its every script an entry: run in rounds, each
/// module gives what it gives when the modules run one at a time in the plan's order.
#[test]
fn modules_run_in_rounds_give_what_the_plan_order_gives() {
    let folders =
        crate::syntax::fixture_folders(&["javascript", "typescript"], &["projects", "hostile"]);
    let mut compared = 0;
    for dir in &folders {
        let entries = script_files(dir);
        if entries.is_empty() {
            continue;
        }
        let (rounds, _) = analysed_in(dir, &entries, super::Order::Rounds);
        let (in_order, reruns) = analysed_in(dir, &entries, super::Order::InPlanOrder);
        assert!(rounds == in_order, "{}", dir.display());
        assert_eq!(reruns, 0, "{}", dir.display());
        compared += 1;
    }
    assert!(compared >= 15, "only {compared} folders");
}

/// The handler reads `b.js` through `a.js`'s export without importing it, before `b.js`
/// (of an earlier wave) is analysed: its result is dropped, and it runs again once
/// `b.js` is and gives what the plan order gives; once in each pass over the cycles.
/// The bucket is known only to the second pass's `b.js`: a read of `b.js` answered from
/// the first pass would not have it.
#[test]
fn a_module_that_reads_one_not_analysed_yet_runs_again() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/javascript/import_cycle_read_through_export");
    let entries = script_files(&dir);
    let (rounds, reruns) = analysed_in(&dir, &entries, super::Order::Rounds);
    let (in_order, _) = analysed_in(&dir, &entries, super::Order::InPlanOrder);
    assert_eq!(reruns, 2);
    assert!(rounds == in_order);
    assert!(rounds.contains("\"reports-archive\""), "{rounds}");
}
