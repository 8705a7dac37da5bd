//! Benchmark: the JavaScript/TypeScript front-end on a generated 2,000-file project.
//!
//! `cargo bench -p leastrole-lang --bench js_frontend` writes the project into a
//! temporary folder (200 services, each a TypeScript or JavaScript handler with nine
//! local modules: v3 and v2 clients, a repository class, helpers, constants, a
//! re-exporting index), runs `analyze` on every file a few times and prints min/median
//! time, files/s and MB/s. Without `--bench` (as under `cargo test --all-targets`) it
//! runs once, as a smoke test.
#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SERVICES: usize = 200;

fn ts_handler(i: usize) -> String {
    format!(
        r#"// Service {i}: stores uploads, publishes events, presigns downloads.
import {{ S3Client, GetObjectCommand, PutObjectCommand }} from '@aws-sdk/client-s3';
import {{ getSignedUrl }} from '@aws-sdk/s3-request-presigner';
import type {{ APIGatewayProxyHandler, S3Event }} from 'aws-lambda';
import {{ OrderRepo, type Order }} from './repo.js';
import {{ publish }} from './events';
import {{ BUCKET, PREFIX }} from './config';
import {{ normalizeKey, chunk }} from './util/strings';
import {{ metrics }} from './util/metrics';
import * as queue from './queue';

const s3 = new S3Client({{ region: process.env.AWS_REGION }});
const repo = new OrderRepo(process.env.TABLE_{i} ?? 'orders-{i}');

async function processRecord(record: S3Event['Records'][number]): Promise<Order> {{
  const key = normalizeKey(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')));
  const obj = await s3.send(new GetObjectCommand({{ Bucket: BUCKET, Key: key }}));
  const body = JSON.parse(await obj.Body!.transformToString()) as Order;
  await repo.save({{ ...body, id: key }});
  await s3.send(new PutObjectCommand({{ Bucket: BUCKET, Key: `${{PREFIX}}/done/${{key}}`, Body: 'ok' }}));
  return body;
}}

export const handler: APIGatewayProxyHandler = async (event) => {{
  const records = (event as unknown as S3Event).Records ?? [];
  const orders: Order[] = [];
  for (const batch of chunk(records, 10)) {{
    orders.push(...(await Promise.all(batch.map(processRecord))));
  }}
  await publish('orders.processed', {{ count: orders.length }});
  await queue.enqueue(orders.map((o) => o.id));
  metrics.count('processed', orders.length);
  const url = await getSignedUrl(s3, new GetObjectCommand({{ Bucket: BUCKET, Key: `${{PREFIX}}/report.csv` }}), {{ expiresIn: 900 }});
  return {{ statusCode: 200, body: JSON.stringify({{ url, orders: orders.length }}) }};
}};
"#
    )
}

fn js_handler(i: usize) -> String {
    format!(
        r#"// Service {i}: CommonJS handler on SDK v2.
'use strict';
const AWS = require('aws-sdk');
const {{ OrderRepo }} = require('./repo');
const {{ publish }} = require('./events');
const {{ BUCKET, PREFIX }} = require('./config');
const {{ normalizeKey, chunk }} = require('./util/strings');
const {{ metrics }} = require('./util/metrics');
const queue = require('./queue');

const s3 = new AWS.S3({{ signatureVersion: 'v4' }});
const repo = new OrderRepo(process.env.TABLE_{i} || 'orders-{i}');

async function processRecord(record) {{
  const key = normalizeKey(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')));
  const obj = await s3.getObject({{ Bucket: BUCKET, Key: key }}).promise();
  const body = JSON.parse(obj.Body.toString('utf-8'));
  await repo.save(Object.assign({{}}, body, {{ id: key }}));
  await s3.putObject({{ Bucket: BUCKET, Key: PREFIX + '/done/' + key, Body: 'ok' }}).promise();
  return body;
}}

exports.handler = async (event) => {{
  const orders = [];
  for (const batch of chunk(event.Records || [], 10)) {{
    orders.push(...(await Promise.all(batch.map(processRecord))));
  }}
  await publish('orders.processed', {{ count: orders.length }});
  await queue.enqueue(orders.map((o) => o.id));
  metrics.count('processed', orders.length);
  const url = s3.getSignedUrl('getObject', {{ Bucket: BUCKET, Key: PREFIX + '/report.csv', Expires: 900 }});
  return {{ statusCode: 200, body: JSON.stringify({{ url, orders: orders.length }}) }};
}};
"#
    )
}

const TS_REPO: &str = r#"// A DynamoDB repository on lib-dynamodb.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export interface Order { id: string; total?: number; status?: string; items?: string[] }

export class OrderRepo {
  private readonly doc: DynamoDBDocumentClient;

  constructor(private readonly table: string) {
    this.doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(id: string): Promise<Order | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { id } }));
    return out.Item as Order | undefined;
  }

  async save(order: Order): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: order, ConditionExpression: 'attribute_not_exists(id)' }));
  }

  async setStatus(id: string, status: string): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.table,
      Key: { id },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status },
    }));
  }

  async byStatus(status: string): Promise<Order[]> {
    const out = await this.doc.send(new QueryCommand({ TableName: this.table, IndexName: 'byStatus', KeyConditionExpression: '#s = :s' }));
    return (out.Items ?? []) as Order[];
  }
}
"#;

const JS_REPO: &str = r#"// A DynamoDB repository on the v2 DocumentClient.
const AWS = require('aws-sdk');

class OrderRepo {
  constructor(table) {
    this.table = table;
    this.doc = new AWS.DynamoDB.DocumentClient({ convertEmptyValues: true });
  }

  async get(id) {
    const out = await this.doc.get({ TableName: this.table, Key: { id } }).promise();
    return out.Item;
  }

  async save(order) {
    await this.doc.put({ TableName: this.table, Item: order, ConditionExpression: 'attribute_not_exists(id)' }).promise();
  }

  async setStatus(id, status) {
    await this.doc.update({
      TableName: this.table,
      Key: { id },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status },
    }).promise();
  }
}

module.exports = { OrderRepo };
"#;

const TS_EVENTS: &str = r#"// EventBridge publishing.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

const eb = new EventBridgeClient({});
const BUS = process.env.EVENT_BUS ?? 'default';

export async function publish(type: string, detail: Record<string, unknown>): Promise<void> {
  await eb.send(new PutEventsCommand({ Entries: [{ EventBusName: BUS, Source: 'orders', DetailType: type, Detail: JSON.stringify(detail) }] }));
}
"#;

const JS_EVENTS: &str = r#"// EventBridge publishing (v2).
const AWS = require('aws-sdk');
const eb = new AWS.EventBridge();
const BUS = process.env.EVENT_BUS || 'default';

exports.publish = async (type, detail) => {
  await eb.putEvents({ Entries: [{ EventBusName: BUS, Source: 'orders', DetailType: type, Detail: JSON.stringify(detail) }] }).promise();
};
"#;

const TS_QUEUE: &str = r#"// SQS batches.
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { chunk } from './util/strings';

const sqs = new SQSClient({});

export async function enqueue(ids: string[]): Promise<void> {
  for (const part of chunk(ids, 10)) {
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: process.env.QUEUE_URL,
      Entries: part.map((id, n) => ({ Id: String(n), MessageBody: id })),
    }));
  }
}
"#;

const JS_QUEUE: &str = r#"// SQS batches (v2).
const AWS = require('aws-sdk');
const { chunk } = require('./util/strings');
const sqs = new AWS.SQS();

async function enqueue(ids) {
  for (const part of chunk(ids, 10)) {
    await sqs.sendMessageBatch({ QueueUrl: process.env.QUEUE_URL, Entries: part.map((id, n) => ({ Id: String(n), MessageBody: id })) }).promise();
  }
}

module.exports = { enqueue };
"#;

const CONFIG: &str = r#"// Configuration from the environment.
export const STAGE = process.env.STAGE ?? 'dev';
export const BUCKET = `orders-${STAGE}-uploads`;
export const PREFIX = 'processed';
export const LIMITS = { maxItems: 100, maxBytes: 1048576, retry: true };
"#;

const JS_CONFIG: &str = r#"// Configuration from the environment.
const STAGE = process.env.STAGE || 'dev';
module.exports = { STAGE, BUCKET: 'orders-' + STAGE + '-uploads', PREFIX: 'processed' };
"#;

const STRINGS: &str = r#"// String and list helpers (no AWS).
export function normalizeKey(key: string): string {
  return key.trim().toLowerCase().replace(/[^a-z0-9/._-]/g, '-');
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

export const pad = (n: number, width = 4): string => String(n).padStart(width, '0');

export function slug(parts: Array<string | number>): string {
  return parts.map((p) => (typeof p === 'number' ? pad(p) : normalizeKey(p))).join('/');
}
"#;

const JS_STRINGS: &str = r#"// String and list helpers (no AWS).
function normalizeKey(key) {
  return key.trim().toLowerCase().replace(/[^a-z0-9/._-]/g, '-');
}

function chunk(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

module.exports = { normalizeKey, chunk };
"#;

const METRICS: &str = r#"// CloudWatch embedded metrics (log lines, no API calls).
export const metrics = {
  count(name: string, value: number): void {
    console.log(JSON.stringify({ _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: 'orders', Metrics: [{ Name: name }] }] }, [name]: value }));
  },
  timing(name: string, ms: number): void {
    this.count(`${name}.ms`, ms);
  },
};
"#;

const JS_METRICS: &str = r#"// CloudWatch embedded metrics (log lines, no API calls).
exports.metrics = {
  count(name, value) {
    console.log(JSON.stringify({ _aws: { Timestamp: Date.now() }, [name]: value }));
  },
};
"#;

const INDEX: &str = r#"// The service's public surface.
export { handler } from './handler';
export { OrderRepo } from './repo';
export * from './config';
"#;

const JS_INDEX: &str = r#"// The service's public surface.
module.exports = { ...require('./handler'), ...require('./config') };
"#;

/// The generated files: (relative path, text).
fn project() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for i in 0..SERVICES {
        let dir = format!("services/svc{i:03}");
        if i % 2 == 0 {
            files.push((format!("{dir}/handler.ts"), ts_handler(i)));
            for (name, text) in [
                ("repo.ts", TS_REPO),
                ("events.ts", TS_EVENTS),
                ("queue.ts", TS_QUEUE),
                ("config.ts", CONFIG),
                ("util/strings.ts", STRINGS),
                ("util/metrics.ts", METRICS),
                ("index.ts", INDEX),
                (
                    "types.ts",
                    "// Shared types.\nexport type Id = string;\nexport interface Page<T> { items: T[]; next?: string }\n",
                ),
                (
                    "constants.ts",
                    "// Constants.\nexport const VERSION = '1.0.0';\nexport const RETRIES = 3;\n",
                ),
            ] {
                files.push((format!("{dir}/{name}"), text.to_string()));
            }
        } else {
            files.push((format!("{dir}/handler.js"), js_handler(i)));
            for (name, text) in [
                ("repo.js", JS_REPO),
                ("events.js", JS_EVENTS),
                ("queue.js", JS_QUEUE),
                ("config.js", JS_CONFIG),
                ("util/strings.js", JS_STRINGS),
                ("util/metrics.js", JS_METRICS),
                ("index.js", JS_INDEX),
                (
                    "types.js",
                    "// Shared JSDoc types.\n/** @typedef {string} Id */\nmodule.exports = {};\n",
                ),
                (
                    "constants.js",
                    "// Constants.\nexports.VERSION = '1.0.0';\nexports.RETRIES = 3;\n",
                ),
            ] {
                files.push((format!("{dir}/{name}"), text.to_string()));
            }
        }
    }
    files
}

fn write_project(root: &Path, files: &[(String, String)]) -> u64 {
    let mut bytes = 0;
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create bench folder");
        }
        std::fs::write(&path, text).expect("write bench file");
        bytes += text.len() as u64;
    }
    bytes
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let root: PathBuf =
        std::env::temp_dir().join(format!("leastrole-js-bench-{}", std::process::id()));
    let files = project();
    let bytes = write_project(&root, &files);
    let entries: Vec<String> = files.iter().map(|(rel, _)| rel.clone()).collect();

    let runs = if benching { 10 } else { 1 };
    let mut times: Vec<Duration> = Vec::new();
    let mut calls = 0;
    let mut modules = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let program = leastrole_lang::analyze(&root, &entries);
        times.push(start.elapsed());
        calls = program.all_calls().len();
        modules = program.modules.len();
    }
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(modules, files.len(), "every generated file is analysed");
    assert!(calls > 0, "the generated project has SDK calls");

    times.sort();
    let min = times.first().copied().unwrap_or_default();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let secs = median.as_secs_f64().max(1e-9);
    println!(
        "js_frontend: {} files, {:.1} MB, {calls} SDK calls; min {:.1} ms, median {:.1} ms; {:.0} files/s, {:.1} MB/s (median, {} threads)",
        files.len(),
        bytes as f64 / 1e6,
        min.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        files.len() as f64 / secs,
        bytes as f64 / 1e6 / secs,
        rayon::current_num_threads(),
    );
}
