//! Benchmark: the Python front-end on a generated 500-file Lambda project.
//!
//! `cargo bench -p leastrole-lang --bench python_frontend` writes the project into a
//! temporary folder (50 handlers, 150 AWS helper modules, 300 plain-Python modules,
//! with local imports between them), runs `analyze` a few times on every file and
//! prints min/median time, files/s and MB/s. Without `--bench` (as under
//! `cargo test --all-targets`) it only runs once, as a smoke test.
#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const HANDLERS: usize = 50;
const HELPERS: usize = 150;
const PLAIN: usize = 300;

fn handler(i: usize) -> String {
    let a = i % HELPERS;
    let b = (i * 7 + 3) % HELPERS;
    let c = (i * 13 + 5) % PLAIN;
    format!(
        r#""""Handler {i}: reads an upload, stores it, notifies a queue."""
import json
import os
import urllib.parse

import boto3

from aws.store_{a} import save_{a}, Repo{a}
from aws import queue_{b}
from common.text_{c} import normalize_{c}

s3 = boto3.client("s3")
TABLE = os.environ.get("TABLE_{i}", "table-{i}")
BUCKET = f"uploads-{i}-" + os.environ["STAGE"]


def _key(record):
    return urllib.parse.unquote_plus(record["s3"]["object"]["key"])


def handler(event, context):
    results = []
    for record in event.get("Records", []):
        key = normalize_{c}(_key(record))
        obj = s3.get_object(Bucket=BUCKET, Key=key)
        body = json.loads(obj["Body"].read())
        save_{a}({{"id": key, "size": len(body)}})
        Repo{a}(TABLE).archive(key)
        queue_{b}.send({{"key": key}})
        results.append(key)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="done/"):
        results.extend(o["Key"] for o in page.get("Contents", []))
    url = s3.generate_presigned_url("get_object", Params={{"Bucket": BUCKET, "Key": "report.csv"}})
    return {{"statusCode": 200, "body": json.dumps({{"results": results, "url": url}})}}
"#
    )
}

fn helper(k: usize) -> String {
    let c = (k * 3 + 1) % PLAIN;
    if k.is_multiple_of(2) {
        format!(
            r#""""Storage helpers {k}."""
import boto3
from boto3.dynamodb.conditions import Key

from common.text_{c} import normalize_{c}

_ddb = boto3.resource("dynamodb")


class Repo{k}:
    def __init__(self, table_name):
        self.table = _ddb.Table(table_name)
        self.s3 = boto3.client("s3")

    def archive(self, key):
        item = self.table.get_item(Key={{"pk": key}}).get("Item")
        self.s3.put_object(Bucket="archive-{k}", Key="items/%s.json" % key, Body=str(item))

    def query(self, pk):
        return self.table.query(KeyConditionExpression=Key("pk").eq(pk))["Items"]


def save_{k}(item):
    table = _ddb.Table("items-{k}")
    with table.batch_writer() as batch:
        batch.put_item(Item={{"pk": normalize_{c}(item["id"]), **item}})


def _unused_{k}():
    boto3.client("iam").list_roles()
"#
        )
    } else {
        format!(
            r#""""Queue helpers {k}."""
import json
import os

import boto3

sqs = boto3.client("sqs")
QUEUE_URL = os.environ.get("QUEUE_{k}", "https://sqs.us-east-1.amazonaws.com/123456789012/q-{k}")


def send(message, delay=0):
    params = {{"QueueUrl": QUEUE_URL, "MessageBody": json.dumps(message)}}
    if delay:
        params["DelaySeconds"] = delay
    return sqs.send_message(**params)


def save_{k}(item):
    return send(item)


class Repo{k}:
    def __init__(self, name):
        self.name = name

    def archive(self, key):
        send({{"archive": key, "table": self.name}})
"#
        )
    }
}

fn plain(k: usize) -> String {
    let next = (k + 1) % PLAIN;
    let mut out = format!(
        r#""""Text utilities {k} (no AWS)."""
import re
import unicodedata
from dataclasses import dataclass

from common import text_{next} as nxt

_SPACES = re.compile(r"\s+")


@dataclass
class Token{k}:
    text: str
    start: int
    end: int


def normalize_{k}(value):
    value = unicodedata.normalize("NFKC", value)
    return _SPACES.sub(" ", value).strip().lower()

"#
    );
    for f in 0..12 {
        let _ = write!(
            out,
            r#"
def transform_{k}_{f}(items, factor={f}):
    """Scale and filter items."""
    result = []
    for i, item in enumerate(items):
        if i % 3 == {f} % 3:
            continue
        value = item.get("value", 0) * factor
        if value > 100:
            result.append({{"id": item["id"], "value": value, "tag": f"t{{i}}-{f}"}})
        else:
            result.append({{"id": item["id"], "value": -value}})
    return sorted(result, key=lambda r: r["value"])

"#
        );
    }
    out
}

/// Write the project; returns (root, every file, total bytes).
fn write_project() -> (PathBuf, Vec<String>, u64) {
    let root = std::env::temp_dir().join(format!("leastrole-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let mut files = Vec::new();
    let mut bytes = 0u64;
    let mut put = |rel: String, text: String| {
        let path = root.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create bench folder");
        }
        bytes += text.len() as u64;
        std::fs::write(&path, text).expect("write bench file");
        files.push(rel);
    };
    put("aws/__init__.py".into(), String::new());
    put("common/__init__.py".into(), String::new());
    for i in 0..HANDLERS {
        put(format!("handlers/h{i}.py"), handler(i));
    }
    for k in 0..HELPERS - 1 {
        let name = if k.is_multiple_of(2) {
            "store"
        } else {
            "queue"
        };
        put(format!("aws/{name}_{k}.py"), helper(k));
    }
    for k in 0..PLAIN - 1 {
        put(format!("common/text_{k}.py"), plain(k));
    }
    files.sort();
    (root, files, bytes)
}

/// CPU time of this process so far (user + system), from /proc (Linux only).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // Clock ticks are 100 Hz on every Linux configuration Rust supports by default.
    Some(Duration::from_millis((utime + stime) * 10))
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (root, files, bytes) = write_project();
    let runs = if full { 7 } else { 1 };
    let mut times: Vec<Duration> = Vec::new();
    let mut cpu: Vec<Duration> = Vec::new();
    let mut calls = 0;
    let mut modules = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let cpu_start = cpu_time();
        let program = leastrole_lang::analyze(Path::new(&root), &files);
        times.push(start.elapsed());
        if let (Some(a), Some(b)) = (cpu_start, cpu_time()) {
            cpu.push(b.saturating_sub(a));
        }
        calls = program.all_calls().len();
        modules = program.modules.len();
    }
    let _ = std::fs::remove_dir_all(&root);
    times.sort();
    cpu.sort();
    let cpu_median = cpu.get(cpu.len() / 2).copied().unwrap_or_default();
    let min = times.first().copied().unwrap_or_default();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let secs = median.as_secs_f64().max(1e-9);
    println!(
        "python front-end: {} files ({:.2} MB), {modules} modules, {calls} SDK calls",
        files.len(),
        bytes as f64 / 1e6,
    );
    println!(
        "  min {:.1} ms, median {:.1} ms over {runs} runs; {:.0} files/s, {:.1} MB/s (median), {} threads",
        min.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        files.len() as f64 / secs,
        bytes as f64 / 1e6 / secs,
        rayon::current_num_threads(),
    );
    println!(
        "  CPU time (user+system, all threads) median {:.0} ms per run",
        cpu_median.as_secs_f64() * 1e3
    );
}
