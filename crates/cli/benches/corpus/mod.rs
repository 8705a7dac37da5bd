//! A generated, realistic Lambda monorepo for the `scale` benchmark.
//!
//! `write(root, n, seed)` writes `n` source files: Python, JavaScript and TypeScript in
//! the proportion 45/35/20, about 80% handlers (`functions/svc_*/h*.py`,
//! `src/svc_*/h*.js|ts`) and 20% shared modules (`lib/pyutil_*.py`, `lib/jsutil_*.js`,
//! `lib/tsutil_*.ts`) that handlers and other shared modules import. SDK usage varies:
//! boto3 clients and resources, paginators, `upload_file`, collections; JS v2 clients
//! and `DocumentClient`, v3 clients, paginators and `lib-dynamodb`; bucket, table, queue
//! and topic names from environment variables. Every file also carries ordinary code
//! (classes, loops, string handling) so that files average about 1.6 KB. The output
//! depends only on `n` and `seed`.

use std::fmt::Write as _;
use std::path::Path;

pub mod nested;

/// splitmix64: small, deterministic, good enough to vary templates.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).unwrap_or(0)
    }
}

/// What the generator wrote.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Every source file, relative to the root.
    pub files: Vec<String>,
    pub bytes: u64,
    /// Handlers: (file, runtime, environment variable names the handler reads).
    pub handlers: Vec<Handler>,
}

#[derive(Debug, Clone)]
pub struct Handler {
    pub file: String,
    pub runtime: &'static str,
    pub env: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Py,
    Js,
    Ts,
}

const SERVICES: usize = 50;

/// Write the corpus under `root` (created if needed).
pub fn write(root: &Path, n: usize, seed: u64) -> std::io::Result<Corpus> {
    let mut rng = Rng::new(seed);
    let n_py = n * 45 / 100;
    let n_js = n * 35 / 100;
    let n_ts = n - n_py - n_js;
    let mut corpus = Corpus::default();
    let put = |corpus: &mut Corpus, rel: String, text: String| -> std::io::Result<()> {
        let path = root.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        corpus.bytes += text.len() as u64;
        std::fs::write(&path, text)?;
        corpus.files.push(rel);
        Ok(())
    };
    for (lang, count) in [(Lang::Py, n_py), (Lang::Js, n_js), (Lang::Ts, n_ts)] {
        // One shared module for four handlers (at least one).
        let shared = (count / 5).max(1).min(count);
        let handlers = count - shared;
        if lang == Lang::Py {
            put(&mut corpus, "lib/__init__.py".into(), String::new())?;
        }
        for k in 0..shared.saturating_sub(usize::from(lang == Lang::Py)) {
            let target = 700 + rng.below(1400);
            let (rel, text) = match lang {
                Lang::Py => (format!("lib/pyutil_{k}.py"), py_shared(&mut rng, k, target)),
                Lang::Js => (format!("lib/jsutil_{k}.js"), js_shared(&mut rng, k, target)),
                Lang::Ts => (format!("lib/tsutil_{k}.ts"), ts_shared(&mut rng, k, target)),
            };
            put(&mut corpus, rel, text)?;
        }
        let shared = shared.saturating_sub(usize::from(lang == Lang::Py)).max(1);
        for i in 0..handlers {
            let target = 700 + rng.below(1400);
            let svc = i % SERVICES;
            let (rel, text, env, runtime) = match lang {
                Lang::Py => {
                    let (text, env) = py_handler(&mut rng, i, shared, target);
                    (
                        format!("functions/svc_{svc}/h{i}.py"),
                        text,
                        env,
                        "python3.12",
                    )
                }
                Lang::Js => {
                    let (text, env) = js_handler(&mut rng, i, shared, target);
                    (format!("src/svc_{svc}/h{i}.js"), text, env, "nodejs20.x")
                }
                Lang::Ts => {
                    let (text, env) = ts_handler(&mut rng, i, shared, target);
                    (format!("src/svc_{svc}/t{i}.ts"), text, env, "nodejs20.x")
                }
            };
            corpus.handlers.push(Handler {
                file: rel.clone(),
                runtime,
                env,
            });
            put(&mut corpus, rel, text)?;
        }
    }
    Ok(corpus)
}

/// A Serverless Framework config naming `functions` handlers of the corpus, spread
/// evenly over it, each with the environment variables its code reads.
pub fn serverless_yml(corpus: &Corpus, functions: usize) -> String {
    let mut out = String::from(
        "service: bench\nframeworkVersion: '4'\n\nprovider:\n  name: aws\n  runtime: python3.12\n  region: us-east-1\n\nfunctions:\n",
    );
    let step = (corpus.handlers.len() / functions.max(1)).max(1);
    for (j, h) in corpus
        .handlers
        .iter()
        .step_by(step)
        .take(functions)
        .enumerate()
    {
        let stem = h.file.rsplit_once('.').map_or(h.file.as_str(), |(s, _)| s);
        let _ = write!(
            out,
            "  fn{j}:\n    handler: {stem}.handler\n    runtime: {}\n",
            h.runtime
        );
        if !h.env.is_empty() {
            out.push_str("    environment:\n");
            for name in &h.env {
                let value = name.to_lowercase().replace('_', "-");
                let _ = writeln!(out, "      {name}: bench-${{sls:stage}}-{value}");
            }
        }
    }
    out
}

// ---------------------------------------------------------------- Python

fn py_shared(rng: &mut Rng, k: usize, target: usize) -> String {
    let mut out = format!("\"\"\"Shared helpers {k}.\"\"\"\nimport json\nimport re\n");
    let dep = (k > 0).then(|| rng.below(k));
    if let Some(j) = dep {
        let _ = writeln!(out, "from lib.pyutil_{j} import transform_{j}");
    }
    let aws = k.is_multiple_of(3);
    if aws {
        out.push_str("\nimport boto3\n\n_ddb = boto3.resource(\"dynamodb\")\n");
    }
    let _ = write!(
        out,
        r#"
_WORD = re.compile(r"[A-Za-z0-9]+")


def transform_{k}(data):
    """Normalise a payload."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    words = _WORD.findall(str(data))
    return {{"words": [w.lower() for w in words], "count": len(words)}}


def summarize(keys):
    return {{"statusCode": 200, "body": json.dumps(sorted(keys))}}

"#
    );
    if aws {
        let _ = write!(
            out,
            r#"
def save_record_{k}(table_name, item):
    _ddb.Table(table_name).put_item(Item=item)
    return item["pk"]
"#
        );
    } else {
        let _ = write!(
            out,
            r#"
_MEMORY = {{}}


def save_record_{k}(table_name, item):
    _MEMORY.setdefault(table_name, []).append(item)
    return item.get("pk")
"#
        );
    }
    if let Some(j) = dep {
        let _ = write!(
            out,
            "\n\ndef chained_{k}(data):\n    return transform_{j}(data)\n"
        );
    }
    py_filler(rng, &mut out, k, target);
    out
}

fn py_handler(rng: &mut Rng, i: usize, shared: usize, target: usize) -> (String, Vec<String>) {
    let a = rng.below(shared);
    let b = rng.below(shared);
    let mut env = Vec::new();
    let mut out = format!(
        "\"\"\"Handler {i}.\"\"\"\nimport json\nimport os\n\nimport boto3\n\nfrom lib.pyutil_{a} import transform_{a}, save_record_{a}\nfrom lib import pyutil_{b} as helpers\n"
    );
    match rng.below(5) {
        0 => {
            env.push(format!("BUCKET_{i}"));
            let _ = write!(
                out,
                r#"
s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET_{i}"]


def handler(event, context):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="in/"):
        for obj in page.get("Contents", []):
            keys.append(obj["Key"])
    body = s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()
    s3.put_object(Bucket=BUCKET, Key="out/{i}.json", Body=json.dumps(transform_{a}(body)))
    return helpers.summarize(keys)
"#
            );
        }
        1 => {
            env.push(format!("TABLE_{i}"));
            let _ = write!(
                out,
                r#"from boto3.dynamodb.conditions import Key

table = boto3.resource("dynamodb").Table(os.environ.get("TABLE_{i}", "orders-{i}"))


def handler(event, context):
    pk = event["pathParameters"]["id"]
    item = table.get_item(Key={{"pk": pk}}).get("Item")
    if item is None:
        table.put_item(Item={{"pk": pk, "status": "new", "words": transform_{a}(pk)}})
    rows = table.query(KeyConditionExpression=Key("pk").eq(pk))["Items"]
    return helpers.summarize([r["pk"] for r in rows])
"#
            );
        }
        2 => {
            env.push("QUEUE_URL".into());
            env.push(format!("REPORT_BUCKET_{i}"));
            let _ = write!(
                out,
                r#"
s3 = boto3.client("s3")
sqs = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]


def handler(event, context):
    path = "/tmp/report-{i}.csv"
    with open(path, "w") as fh:
        for record in event.get("Records", []):
            fh.write(",".join(str(v) for v in record.values()) + "\n")
    s3.upload_file(path, os.environ["REPORT_BUCKET_{i}"], "reports/{i}.csv")
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps({{"report": path}}))
    return helpers.summarize([path])
"#
            );
        }
        3 => {
            env.push(format!("ARCHIVE_BUCKET_{i}"));
            env.push("TOPIC_ARN".into());
            let _ = write!(
                out,
                r#"
s3 = boto3.resource("s3")
sns = boto3.client("sns")


def handler(event, context):
    bucket = s3.Bucket(os.environ["ARCHIVE_BUCKET_{i}"])
    total = 0
    for obj in bucket.objects.filter(Prefix="daily/"):
        total += obj.size
    sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message=json.dumps({{"total": total}}))
    return helpers.summarize([str(total)])
"#
            );
        }
        _ => {
            env.push(format!("TABLE_{i}"));
            let _ = write!(
                out,
                r#"

def handler(event, context):
    item = {{"pk": event.get("id", "none"), "data": transform_{a}(event.get("body", ""))}}
    save_record_{a}(os.environ["TABLE_{i}"], item)
    return helpers.summarize([item["pk"]])
"#
            );
        }
    }
    py_filler(rng, &mut out, i, target);
    (out, env)
}

fn py_filler(rng: &mut Rng, out: &mut String, k: usize, target: usize) {
    let mut f = 0;
    while out.len() < target {
        f += 1;
        let n = rng.below(90) + 10;
        match rng.below(4) {
            0 => {
                let _ = write!(
                    out,
                    r#"

def score_{k}_{f}(items, factor={n}):
    """Scale and filter items."""
    result = []
    for i, item in enumerate(items):
        if i % 3 == 0:
            continue
        value = item.get("value", 0) * factor
        if value > {n}:
            result.append({{"id": item["id"], "value": value, "tag": f"t{{i}}-{f}"}})
    return sorted(result, key=lambda r: r["value"])
"#
                );
            }
            1 => {
                let _ = write!(
                    out,
                    r#"

class Order{k}x{f}:
    def __init__(self, order_id, lines):
        self.order_id = order_id
        self.lines = list(lines)

    def total(self):
        return sum(line["qty"] * line["price"] for line in self.lines)

    def describe(self):
        return "order %s: %d lines, total %.2f" % (self.order_id, len(self.lines), self.total())
"#
                );
            }
            2 => {
                let _ = write!(
                    out,
                    r#"

def slug_{k}_{f}(title):
    words = []
    for word in title.strip().split():
        word = "".join(c for c in word.lower() if c.isalnum())
        if word and len(word) < {n}:
            words.append(word)
    return "-".join(words)[:64]
"#
                );
            }
            _ => {
                let _ = write!(
                    out,
                    r#"

def parse_line_{k}_{f}(line):
    parts = [p.strip() for p in line.split(",")]
    if len(parts) < 3:
        raise ValueError("bad line: " + line)
    name, qty, price = parts[0], int(parts[1]), float(parts[2])
    return {{"name": name.title(), "qty": qty, "price": round(price * {n} / 100, 2)}}
"#
                );
            }
        }
    }
}

// ---------------------------------------------------------------- JavaScript

fn js_shared(rng: &mut Rng, k: usize, target: usize) -> String {
    let mut out = format!("\"use strict\";\n// Shared helpers {k}.\n");
    if k > 0 {
        let j = rng.below(k);
        let _ = writeln!(out, "const {{ format{j} }} = require(\"./jsutil_{j}\");");
    }
    let aws = k.is_multiple_of(3);
    if aws {
        out.push_str(
            "const AWS = require(\"aws-sdk\");\nconst docs = new AWS.DynamoDB.DocumentClient();\n",
        );
    }
    let _ = write!(
        out,
        r#"
function format{k}(value) {{
  const text = String(value).trim();
  return text.replace(/\s+/g, " ").toLowerCase();
}}

async function saveRecord{k}(tableName, item) {{
"#
    );
    if aws {
        out.push_str("  await docs.put({ TableName: tableName, Item: item }).promise();\n");
    } else {
        out.push_str("  memory.push({ tableName, item });\n");
    }
    let _ = write!(
        out,
        r#"  return item.pk;
}}

const memory = [];

module.exports = {{ format{k}, saveRecord{k} }};
"#
    );
    js_filler(rng, &mut out, k, target, false);
    out
}

fn js_handler(rng: &mut Rng, i: usize, shared: usize, target: usize) -> (String, Vec<String>) {
    let a = rng.below(shared);
    let mut env = Vec::new();
    let mut out = format!(
        "\"use strict\";\n// Handler {i}.\nconst {{ format{a}, saveRecord{a} }} = require(\"../../lib/jsutil_{a}\");\n"
    );
    match rng.below(5) {
        0 => {
            env.push(format!("BUCKET_{i}"));
            let _ = write!(
                out,
                r#"const {{ S3Client, GetObjectCommand, PutObjectCommand, paginateListObjectsV2 }} = require("@aws-sdk/client-s3");

const s3 = new S3Client({{}});
const BUCKET = process.env.BUCKET_{i};

exports.handler = async (event) => {{
  const keys = [];
  for await (const page of paginateListObjectsV2({{ client: s3 }}, {{ Bucket: BUCKET, Prefix: "in/" }})) {{
    for (const obj of page.Contents || []) keys.push(obj.Key);
  }}
  const got = await s3.send(new GetObjectCommand({{ Bucket: BUCKET, Key: keys[0] }}));
  const body = format{a}(await got.Body.transformToString());
  await s3.send(new PutObjectCommand({{ Bucket: BUCKET, Key: `out/${{keys.length}}.txt`, Body: body }}));
  return {{ statusCode: 200, body }};
}};
"#
            );
        }
        1 => {
            env.push(format!("TABLE_{i}"));
            let _ = write!(
                out,
                r#"const AWS = require("aws-sdk");

const db = new AWS.DynamoDB.DocumentClient();

exports.handler = async (event) => {{
  const pk = format{a}(event.pathParameters.id);
  await db.put({{ TableName: process.env.TABLE_{i}, Item: {{ pk, status: "new" }} }}).promise();
  const res = await db
    .query({{ TableName: process.env.TABLE_{i}, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: {{ ":p": pk }} }})
    .promise();
  return {{ statusCode: 200, body: JSON.stringify(res.Items) }};
}};
"#
            );
        }
        2 => {
            env.push(format!("UPLOAD_BUCKET_{i}"));
            let _ = write!(
                out,
                r#"const AWS = require("aws-sdk");

const s3 = new AWS.S3();

exports.handler = async (event) => {{
  const key = `uploads/${{format{a}(event.name)}}`;
  const head = await s3.getObject({{ Bucket: process.env.UPLOAD_BUCKET_{i}, Key: key }}).promise();
  await s3.upload({{ Bucket: process.env.UPLOAD_BUCKET_{i}, Key: key + ".bak", Body: head.Body }}).promise();
  return {{ statusCode: 204 }};
}};
"#
            );
        }
        3 => {
            env.push(format!("TABLE_{i}"));
            let _ = write!(
                out,
                r#"const {{ DynamoDBClient }} = require("@aws-sdk/client-dynamodb");
const {{ DynamoDBDocumentClient, GetCommand, PutCommand }} = require("@aws-sdk/lib-dynamodb");

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({{}}));

exports.handler = async (event) => {{
  const TableName = process.env.TABLE_{i};
  const found = await doc.send(new GetCommand({{ TableName, Key: {{ pk: event.id }} }}));
  if (!found.Item) {{
    await doc.send(new PutCommand({{ TableName, Item: {{ pk: event.id, name: format{a}(event.name) }} }}));
  }}
  return found.Item || null;
}};
"#
            );
        }
        _ => {
            env.push("QUEUE_URL".into());
            env.push(format!("TABLE_{i}"));
            let _ = write!(
                out,
                r#"const {{ SQSClient, SendMessageCommand }} = require("@aws-sdk/client-sqs");

const sqs = new SQSClient({{}});

exports.handler = async (event) => {{
  for (const record of event.Records) {{
    const item = {{ pk: record.messageId, body: format{a}(record.body) }};
    await saveRecord{a}(process.env.TABLE_{i}, item);
    await sqs.send(new SendMessageCommand({{ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(item) }}));
  }}
}};
"#
            );
        }
    }
    js_filler(rng, &mut out, i, target, false);
    (out, env)
}

fn js_filler(rng: &mut Rng, out: &mut String, k: usize, target: usize, ts: bool) {
    let mut f = 0;
    let (num, arr, s) = if ts {
        (
            ": number",
            ": Array<{ id: string; value: number }>",
            ": string",
        )
    } else {
        ("", "", "")
    };
    while out.len() < target {
        f += 1;
        let n = rng.below(90) + 10;
        match rng.below(4) {
            0 => {
                let _ = write!(
                    out,
                    r#"
function score{k}x{f}(items{arr}, factor{num} = {n}) {{
  const result = [];
  for (let i = 0; i < items.length; i += 1) {{
    if (i % 3 === 0) continue;
    const value = (items[i].value || 0) * factor;
    if (value > {n}) result.push({{ id: items[i].id, value, tag: `t${{i}}-{f}` }});
  }}
  return result.sort((a, b) => a.value - b.value);
}}
"#
                );
            }
            1 => {
                let _ = write!(
                    out,
                    r#"
class Order{k}x{f} {{
  constructor(orderId{s}, lines{arr}) {{
    this.orderId = orderId;
    this.lines = [...lines];
  }}

  total() {{
    return this.lines.reduce((sum, line) => sum + line.value * {n}, 0);
  }}

  describe() {{
    return `order ${{this.orderId}}: ${{this.lines.length}} lines, total ${{this.total().toFixed(2)}}`;
  }}
}}
"#
                );
            }
            2 => {
                let _ = write!(
                    out,
                    r#"
function slug{k}x{f}(title{s}) {{
  return title
    .trim()
    .split(/\s+/)
    .map((w) => w.toLowerCase().replace(/[^a-z0-9]/g, ""))
    .filter((w) => w.length > 0 && w.length < {n})
    .join("-")
    .slice(0, 64);
}}
"#
                );
            }
            _ => {
                let _ = write!(
                    out,
                    r#"
function parseLine{k}x{f}(line{s}) {{
  const parts = line.split(",").map((p) => p.trim());
  if (parts.length < 3) throw new Error("bad line: " + line);
  const [name, qty, price] = parts;
  return {{ name: name.toUpperCase(), qty: parseInt(qty, 10), price: Math.round(parseFloat(price) * {n}) / 100 }};
}}
"#
                );
            }
        }
    }
}

// ---------------------------------------------------------------- TypeScript

fn ts_shared(rng: &mut Rng, k: usize, target: usize) -> String {
    let mut out = format!("// Shared helpers {k}.\n");
    if k > 0 {
        let j = rng.below(k);
        let _ = writeln!(out, "import {{ format{j} }} from \"./tsutil_{j}\";");
    }
    let aws = k.is_multiple_of(3);
    if aws {
        out.push_str("import { SNSClient, PublishCommand } from \"@aws-sdk/client-sns\";\n\nconst sns = new SNSClient({});\n");
    }
    let _ = write!(
        out,
        r#"
export interface Event{k} {{
  id: string;
  body?: string;
  tags: string[];
}}

export function format{k}(value: unknown): string {{
  return String(value).trim().replace(/\s+/g, " ").toLowerCase();
}}

export async function notify{k}(topicArn: string, event: Event{k}): Promise<void> {{
"#
    );
    if aws {
        out.push_str(
            "  await sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(event) }));\n",
        );
    } else {
        out.push_str("  console.log(topicArn, event.id, event.tags.join(\",\"));\n");
    }
    out.push_str("}\n");
    js_filler(rng, &mut out, k, target, true);
    out
}

fn ts_handler(rng: &mut Rng, i: usize, shared: usize, target: usize) -> (String, Vec<String>) {
    let a = rng.below(shared);
    let mut env = Vec::new();
    let mut out = format!(
        "// Handler {i}.\nimport type {{ Handler }} from \"aws-lambda\";\nimport {{ format{a}, notify{a} }} from \"../../lib/tsutil_{a}\";\n"
    );
    match rng.below(3) {
        0 => {
            env.push(format!("BUCKET_{i}"));
            env.push("TOPIC_ARN".into());
            let _ = write!(
                out,
                r#"import {{ S3Client, GetObjectCommand, ListObjectsV2Command }} from "@aws-sdk/client-s3";

const s3 = new S3Client({{}});
const bucket = process.env.BUCKET_{i} as string;

export const handler: Handler = async (event) => {{
  const listed = await s3.send(new ListObjectsV2Command({{ Bucket: bucket, Prefix: "in/" }}));
  const first = listed.Contents?.[0]?.Key ?? "none";
  const obj = await s3.send(new GetObjectCommand({{ Bucket: bucket, Key: first }}));
  await notify{a}(process.env.TOPIC_ARN as string, {{ id: first, tags: [format{a}(obj.ContentType)] }});
  return {{ statusCode: 200 }};
}};
"#
            );
        }
        1 => {
            env.push(format!("TABLE_{i}"));
            let _ = write!(
                out,
                r#"import {{ DynamoDBClient, QueryCommand, PutItemCommand }} from "@aws-sdk/client-dynamodb";

const ddb = new DynamoDBClient({{}});

export const handler: Handler = async (event: {{ id: string }}) => {{
  const TableName = process.env.TABLE_{i}!;
  const res = await ddb.send(
    new QueryCommand({{ TableName, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: {{ ":p": {{ S: event.id }} }} }}),
  );
  if (!res.Items?.length) {{
    await ddb.send(new PutItemCommand({{ TableName, Item: {{ pk: {{ S: format{a}(event.id) }} }} }}));
  }}
  return res.Count ?? 0;
}};
"#
            );
        }
        _ => {
            env.push("TOPIC_ARN".into());
            let _ = write!(
                out,
                r#"
export const handler: Handler = async (event: {{ Records: Array<{{ body: string }}> }}) => {{
  for (const record of event.Records) {{
    await notify{a}(process.env.TOPIC_ARN as string, {{ id: format{a}(record.body), tags: [] }});
  }}
}};
"#
            );
        }
    }
    js_filler(rng, &mut out, i, target, true);
    (out, env)
}
