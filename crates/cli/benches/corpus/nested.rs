//! The second corpus shape: a folder of many small projects, as a repository of
//! examples or a team's collection of functions is laid out.
//!
//! `write(root, n, seed)` writes about `n` source files in small projects (three to
//! six files each) nested two to five folders deep (`org_*/team_*/area_*/part_*/`),
//! each with its own `requirements.txt` (Python) or `package.json` (JavaScript,
//! TypeScript), and no project configuration: the folder is one plain unit, as the
//! real folder of issue 20 was. Shared code sits at several depths (`shared/` at the
//! top, `common/` in each organisation and team folder). Imports are what such
//! projects write: own-folder modules and `./lib/…` that exist, shared folders reached
//! by `../..` (some there, some not), bare imports of packages that are not in the
//! folder (`requests`, `lodash`, each project's own installed package name), and
//! relative imports that miss. File bodies come from the first shape's generators'
//! filler, so files average about 1.6 KB. The output depends only on `n` and `seed`.

use std::fmt::Write as _;
use std::path::Path;

use super::{Corpus, Handler, Rng, js_filler, py_filler};

/// The folders of project `p`: two to five deep, the last one the project's own.
fn project_dir(p: usize) -> String {
    let depth = 2 + p % 4;
    let mut parts = vec![
        format!("org_{}", p % 7),
        format!("team_{}", (p / 7) % 5),
        format!("area_{}", (p / 35) % 4),
        format!("part_{}", (p / 140) % 3),
    ];
    parts.truncate(depth - 1);
    parts.push(format!("proj_{p}"));
    parts.join("/")
}

/// Write the corpus under `root` (created if needed).
pub fn write(root: &Path, n: usize, seed: u64) -> std::io::Result<Corpus> {
    let mut rng = Rng::new(seed);
    let mut corpus = Corpus::default();
    let put = |corpus: &mut Corpus, rel: String, text: String| -> std::io::Result<()> {
        let path = root.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if rel.ends_with(".py") || rel.ends_with(".js") || rel.ends_with(".ts") {
            corpus.bytes += text.len() as u64;
            corpus.files.push(rel);
        }
        std::fs::write(&path, text)?;
        Ok(())
    };
    let target = |rng: &mut Rng| 700 + rng.below(1400);
    // Shared code at the top and in every organisation and team folder.
    let mut shared_dirs = vec![String::from("shared")];
    for o in 0..7 {
        shared_dirs.push(format!("org_{o}/common"));
        for t in 0..5 {
            shared_dirs.push(format!("org_{o}/team_{t}/common"));
        }
    }
    let mut p = 0;
    for (k, dir) in shared_dirs.iter().enumerate() {
        if corpus.files.len() >= n {
            break;
        }
        // Only some folders have both languages: a `../common/log` may miss.
        let t = target(&mut rng);
        put(&mut corpus, format!("{dir}/__init__.py"), String::new())?;
        put(
            &mut corpus,
            format!("{dir}/log.py"),
            py_shared(&mut rng, k, t),
        )?;
        if k.is_multiple_of(2) {
            let t = target(&mut rng);
            put(
                &mut corpus,
                format!("{dir}/log.js"),
                js_shared(&mut rng, k, t),
            )?;
        }
    }
    while corpus.files.len() < n {
        let dir = project_dir(p);
        let kind = p % 20;
        if kind < 9 {
            python_project(&mut corpus, &put, &mut rng, &dir, p, n)?;
        } else {
            javascript_project(&mut corpus, &put, &mut rng, &dir, p, n, kind >= 16)?;
        }
        p += 1;
    }
    Ok(corpus)
}

type Put<'a> = dyn Fn(&mut Corpus, String, String) -> std::io::Result<()> + 'a;

fn python_project(
    corpus: &mut Corpus,
    put: &Put<'_>,
    rng: &mut Rng,
    dir: &str,
    p: usize,
    n: usize,
) -> std::io::Result<()> {
    put(
        corpus,
        format!("{dir}/requirements.txt"),
        format!("boto3\nrequests\nproj{p}-core\n"),
    )?;
    let mut env = vec![format!("TABLE_{p}")];
    let mut handler = format!(
        r#""""Project {p}: handler."""
import json
import os

import boto3
import requests
from proj{p}_core import settings
from utils import clean_{p}
from db import save_{p}
from common.log import summarize
import config
"#
    );
    let models = p.is_multiple_of(3);
    if models {
        handler.push_str("from models.item import Item\n");
    }
    match p % 4 {
        0 => {
            env.push(format!("BUCKET_{p}"));
            let _ = write!(
                handler,
                r#"
s3 = boto3.client("s3")


def handler(event, context):
    key = clean_{p}(event["key"])
    body = s3.get_object(Bucket=os.environ["BUCKET_{p}"], Key=key)["Body"].read()
    save_{p}(os.environ["TABLE_{p}"], {{"pk": key, "size": len(body)}})
    requests.post(settings.HOOK, data=body)
    return summarize([key])
"#
            );
        }
        1 => {
            env.push("QUEUE_URL".into());
            let _ = write!(
                handler,
                r#"
sqs = boto3.client("sqs")


def handler(event, context):
    for record in event.get("Records", []):
        item = {{"pk": clean_{p}(record["body"])}}
        save_{p}(os.environ["TABLE_{p}"], item)
        sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(item))
    return summarize([config.NAME])
"#
            );
        }
        _ => {
            let _ = write!(
                handler,
                r#"

def handler(event, context):
    item = {{"pk": clean_{p}(event.get("id", "none"))}}
    save_{p}(os.environ["TABLE_{p}"], item)
    return summarize([item["pk"]])
"#
            );
        }
    }
    let t = 700 + rng.below(1400);
    py_filler(rng, &mut handler, p, t);
    corpus.handlers.push(Handler {
        file: format!("{dir}/handler.py"),
        runtime: "python3.12",
        env,
    });
    put(corpus, format!("{dir}/handler.py"), handler)?;
    if corpus.files.len() >= n {
        return Ok(());
    }
    let mut utils = format!(
        "\"\"\"Project {p}: helpers.\"\"\"\nimport re\n\nfrom .db import save_{p}\n\n\ndef clean_{p}(value):\n    return re.sub(r\"\\s+\", \" \", str(value)).strip()\n"
    );
    let t = 700 + rng.below(1400);
    py_filler(rng, &mut utils, p, t);
    put(corpus, format!("{dir}/utils.py"), utils)?;
    if corpus.files.len() >= n {
        return Ok(());
    }
    let mut db = format!(
        "\"\"\"Project {p}: storage.\"\"\"\nimport boto3\n\n_table = None\n\n\ndef save_{p}(table_name, item):\n    boto3.resource(\"dynamodb\").Table(table_name).put_item(Item=item)\n    return item[\"pk\"]\n"
    );
    let t = 700 + rng.below(1400);
    py_filler(rng, &mut db, p, t);
    put(corpus, format!("{dir}/db.py"), db)?;
    if models && corpus.files.len() < n {
        put(corpus, format!("{dir}/models/__init__.py"), String::new())?;
        let mut item = format!(
            "\"\"\"Project {p}: the item model.\"\"\"\nfrom ..db import save_{p}\nfrom ...shared.log import summarize\n\n\nclass Item:\n    def __init__(self, pk):\n        self.pk = pk\n\n    def save(self, table):\n        return save_{p}(table, {{\"pk\": self.pk}})\n"
        );
        let t = 700 + rng.below(1400);
        py_filler(rng, &mut item, p, t);
        put(corpus, format!("{dir}/models/item.py"), item)?;
    }
    if p.is_multiple_of(5) && corpus.files.len() < n {
        let mut test = format!(
            "\"\"\"Project {p}: tests.\"\"\"\nimport pytest\nfrom moto import mock_aws\n\nfrom handler import handler\n\n\ndef test_handler():\n    assert handler({{\"id\": \"x\"}}, None)\n"
        );
        let t = 700 + rng.below(1400);
        py_filler(rng, &mut test, p, t);
        put(corpus, format!("{dir}/tests/test_handler.py"), test)?;
    }
    Ok(())
}

fn javascript_project(
    corpus: &mut Corpus,
    put: &Put<'_>,
    rng: &mut Rng,
    dir: &str,
    p: usize,
    n: usize,
    ts: bool,
) -> std::io::Result<()> {
    put(
        corpus,
        format!("{dir}/package.json"),
        format!(
            "{{\n  \"name\": \"proj-{p}\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {{ \"lodash\": \"^4\", \"@aws-sdk/client-s3\": \"^3\" }}\n}}\n"
        ),
    )?;
    let ext = if ts { "ts" } else { "js" };
    let src = if ts {
        format!("{dir}/src")
    } else {
        dir.to_string()
    };
    let up = if ts { "../" } else { "" };
    let env = vec![format!("BUCKET_{p}")];
    let mut handler = if ts {
        format!(
            r#"// Project {p}: handler.
import {{ S3Client, PutObjectCommand }} from "@aws-sdk/client-s3";
import _ from "lodash";
import {{ clean{p} }} from "./lib/util";
import {{ save{p} }} from "./lib/db";
import {{ format0 }} from "../../common/log";
import {{ settings }} from "./config";
import {{ v4 }} from "uuid";

const s3 = new S3Client({{}});

export const handler = async (event: {{ body?: string }}) => {{
  const body = clean{p}(_.trim(event.body || ""));
  await s3.send(new PutObjectCommand({{ Bucket: process.env.BUCKET_{p}, Key: v4(), Body: format0(body) }}));
  await save{p}(settings.table, {{ pk: body }});
  return {{ statusCode: 200 }};
}};
"#
        )
    } else {
        format!(
            r#""use strict";
// Project {p}: handler.
const AWS = require("aws-sdk");
const _ = require("lodash");
const {{ clean{p} }} = require("./lib/util");
const {{ save{p} }} = require("./lib/db");
const {{ format0 }} = require("{up}../common/log");
const config = require("./config.json");
const missing = require("./helpers");

const s3 = new AWS.S3();

exports.handler = async (event) => {{
  const body = clean{p}(_.trim(event.body || ""));
  await s3.putObject({{ Bucket: process.env.BUCKET_{p}, Key: config.key, Body: format0(body) }}).promise();
  await save{p}(missing.table, {{ pk: body }});
  return {{ statusCode: 200 }};
}};
"#
        )
    };
    let t = 700 + rng.below(1400);
    js_filler(rng, &mut handler, p, t, ts);
    corpus.handlers.push(Handler {
        file: format!("{src}/index.{ext}"),
        runtime: "nodejs20.x",
        env,
    });
    put(corpus, format!("{src}/index.{ext}"), handler)?;
    if corpus.files.len() >= n {
        return Ok(());
    }
    let mut util = if ts {
        format!(
            "// Project {p}: helpers.\nimport {{ format1 }} from \"../../../../shared/log\";\n\nexport function clean{p}(value: string): string {{\n  return format1(value).trim();\n}}\n"
        )
    } else {
        format!(
            "\"use strict\";\n// Project {p}: helpers.\nconst {{ format1 }} = require(\"../../../shared/log\");\n\nfunction clean{p}(value) {{\n  return format1(value).trim();\n}}\n\nmodule.exports = {{ clean{p} }};\n"
        )
    };
    let t = 700 + rng.below(1400);
    js_filler(rng, &mut util, p, t, ts);
    put(corpus, format!("{src}/lib/util.{ext}"), util)?;
    if corpus.files.len() >= n {
        return Ok(());
    }
    let mut db = if ts {
        format!(
            "// Project {p}: storage.\nimport {{ DynamoDBClient }} from \"@aws-sdk/client-dynamodb\";\nimport {{ DynamoDBDocumentClient, PutCommand }} from \"@aws-sdk/lib-dynamodb\";\n\nconst docs = DynamoDBDocumentClient.from(new DynamoDBClient({{}}));\n\nexport async function save{p}(table: string, item: Record<string, unknown>): Promise<void> {{\n  await docs.send(new PutCommand({{ TableName: table, Item: item }}));\n}}\n"
        )
    } else {
        format!(
            "\"use strict\";\n// Project {p}: storage.\nconst AWS = require(\"aws-sdk\");\nconst docs = new AWS.DynamoDB.DocumentClient();\n\nasync function save{p}(table, item) {{\n  await docs.put({{ TableName: table, Item: item }}).promise();\n}}\n\nmodule.exports = {{ save{p} }};\n"
        )
    };
    let t = 700 + rng.below(1400);
    js_filler(rng, &mut db, p, t, ts);
    put(corpus, format!("{src}/lib/db.{ext}"), db)?;
    if p.is_multiple_of(4) && corpus.files.len() < n {
        let mut test = format!(
            "// Project {p}: tests.\nconst {{ handler }} = require(\"{up}../index\");\nconst sinon = require(\"sinon\");\n\ntest(\"handler\", async () => {{\n  sinon.stub();\n  await handler({{ body: \"x\" }});\n}});\n"
        );
        let t = 700 + rng.below(1400);
        js_filler(rng, &mut test, p, t, false);
        put(corpus, format!("{dir}/test/handler.test.js"), test)?;
    }
    Ok(())
}

fn py_shared(rng: &mut Rng, k: usize, target: usize) -> String {
    let mut out = format!(
        "\"\"\"Shared logging {k}.\"\"\"\nimport json\nimport logging\n\n\ndef summarize(keys):\n    logging.info(\"%d keys\", len(keys))\n    return {{\"statusCode\": 200, \"body\": json.dumps(sorted(keys))}}\n"
    );
    py_filler(rng, &mut out, k, target);
    out
}

fn js_shared(rng: &mut Rng, k: usize, target: usize) -> String {
    let mut out = format!(
        "\"use strict\";\n// Shared logging {k}.\nfunction format0(value) {{\n  return String(value);\n}}\n\nfunction format1(value) {{\n  return String(value).toLowerCase();\n}}\n\nmodule.exports = {{ format0, format1 }};\n"
    );
    js_filler(rng, &mut out, k, target, false);
    out
}
