//! Unit tests of the Python front-end on generated input: robustness (deep nesting,
//! unreadable files), determinism, and a few focused behaviours.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::facts::{CallKind, Value};
use crate::program::Program;

/// A scratch folder under the target dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("leastrole-py-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let path = self.0.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(path, text).expect("write file");
    }

    fn analyze(&self, entries: &[&str]) -> Program {
        let entries: Vec<String> = entries.iter().map(|e| (*e).to_string()).collect();
        crate::analyze(Path::new(&self.0), &entries)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn analyze_source(name: &str, src: &str) -> Program {
    let dir = Scratch::new(name);
    dir.write("app.py", src);
    dir.analyze(&["app.py"])
}

fn codes(p: &Program) -> Vec<String> {
    p.all_diagnostics()
        .into_iter()
        .map(|d| d.code.clone())
        .collect()
}

#[test]
fn deeply_nested_expressions_do_not_overflow() {
    let depth = 5000;
    let cases = [
        format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth)),
        format!("x = {}{}\n", "[".repeat(depth), "]".repeat(depth)),
        format!("x = {}0{}\n", "{'a': ".repeat(depth), "}".repeat(depth)),
        format!("x = {}'b'\n", "'a' + ".repeat(depth)),
        format!("x = a{}\n", ".b".repeat(depth)),
        format!("x = {}1{}\n", "f(".repeat(depth), ")".repeat(depth)),
        format!(
            "import os\nx = {}'d'{}\n",
            "os.environ.get('A', ".repeat(depth),
            ")".repeat(depth)
        ),
    ];
    for (i, case) in cases.iter().enumerate() {
        let src = format!(
            "import boto3\ns3 = boto3.client('s3')\n{case}\ndef handler(event, context):\n    s3.get_object(Bucket=x, Key='k')\n"
        );
        let program = analyze_source(&format!("deep{i}"), &src);
        let calls = program.all_calls();
        assert_eq!(
            calls.len(),
            1,
            "case {i}: the call after the deep expression is found"
        );
        // The result must serialise without overflowing either.
        assert!(serde_json::to_string(&program).is_ok());
    }
}

#[test]
fn long_assignment_chains_and_deep_defs_are_bounded() {
    let mut src = String::from("import boto3\nc0 = boto3.client('s3')\n");
    for i in 1..3000 {
        src.push_str(&format!("c{i} = c{}\n", i - 1));
    }
    src.push_str("def handler(event, context):\n    c2999.list_buckets()\n");
    let program = analyze_source("chain", &src);
    // Deep chains are cut off (with a diagnostic) rather than overflowing.
    assert!(
        program.all_calls().len() == 1 || codes(&program).iter().any(|c| c == "nesting-too-deep")
    );

    let mut src = String::from("import boto3\n");
    for i in 0..400 {
        src.push_str(&" ".repeat(i));
        src.push_str(&format!("def f{i}():\n"));
    }
    src.push_str(&" ".repeat(400));
    src.push_str("boto3.client('sqs').list_queues()\n");
    let program = analyze_source("defs", &src);
    assert_eq!(program.all_calls().len(), 1);
}

#[test]
fn unreadable_binary_and_missing_files_are_diagnostics() {
    let dir = Scratch::new("unreadable");
    dir.write("bin.py", b"import boto3\0\0\0");
    dir.write(
        "latin.py",
        b"import boto3\nx = '\xe9'\nboto3.client('s3').list_buckets()\n",
    );
    let program = dir.analyze(&["bin.py", "latin.py", "missing.py"]);
    let all = codes(&program);
    assert!(all.iter().any(|c| c == "binary-file"), "{all:?}");
    assert!(all.iter().any(|c| c == "unreadable-file"), "{all:?}");
    assert_eq!(program.all_calls().len(), 1);
}

#[test]
fn output_is_deterministic() {
    let dir = Scratch::new("determinism");
    dir.write(
        "app.py",
        "import boto3\nfrom lib import helper\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    for b in ['x', 'y', 'z']:\n        helper.put(s3, b)\n",
    );
    dir.write(
        "lib/helper.py",
        "def put(client, bucket):\n    client.put_object(Bucket=bucket, Key='k')\n",
    );
    let first = serde_json::to_string(&dir.analyze(&["app.py"])).unwrap_or_default();
    for _ in 0..5 {
        let again = serde_json::to_string(&dir.analyze(&["app.py"])).unwrap_or_default();
        assert_eq!(first, again);
    }
    assert!(first.contains("put_object"));
}

#[test]
fn garbage_input_never_panics() {
    let inputs = [
        "",
        "\n\n\n",
        "def",
        "class",
        "import",
        "from . import",
        "from .. import *",
        "x = f'{'",
        "lambda: (",
        "@\ndef f(): pass",
        "s3 = boto3.client(\n",
        "))))",
        "def f(*, **k): pass",
        "async def f(): await x.y()",
        "match x:\n case {'a': b}: pass",
        "getattr()",
        "getattr(a)",
        "boto3.client()",
        "boto3.resource(1).Bucket()",
        "x: int",
        "a, *b = c",
        "del x[0]",
        "print >>sys.stderr, 'x'",
        "exec 'code'",
        "global x\nx = 1",
        "nonlocal y",
        "yield from z",
        "'%(a)s %' % {}",
        "'{:{}}'.format(1)",
        "from os import environ\nenviron.get()",
        "os.getenv()",
        "[x for x in y if (z := x)]",
    ];
    for (i, src) in inputs.iter().enumerate() {
        let program = analyze_source(&format!("garbage{i}"), src);
        assert!(program.modules.contains_key("app.py") || !program.diagnostics.is_empty());
    }
}

#[test]
fn parameter_bound_at_call_sites_reports_each_object() {
    let program = analyze_source(
        "params",
        "import boto3\n\ndef drain(q):\n    q.purge_queue(QueueUrl='u')\n\ndef handler(event, context):\n    drain(boto3.client('sqs'))\n    drain(boto3.client('sqs', region_name='eu-west-1'))\n",
    );
    let calls = program.all_calls();
    assert_eq!(calls.len(), 1, "the same client from two sites is one call");
    assert!(matches!(&calls[0].call, CallKind::Method { name } if name == "purge_queue"));
}

#[test]
fn fstring_prefix_becomes_concat() {
    let program = analyze_source(
        "fstring",
        "import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    s3.put_object(Bucket='b', Key=f'resized-{event[\"name\"]}')\n",
    );
    let calls = program.all_calls();
    let key = calls[0].params.get("Key").cloned();
    assert_eq!(
        key,
        Some(Value::Concat {
            parts: vec![
                Value::str("resized-"),
                Value::Event {
                    path: "name".into()
                }
            ]
        })
    );
}

#[test]
fn call_chains_do_not_blow_up() {
    let mut src = String::from("import boto3\ns3 = boto3.client('s3')\n");
    for i in 0..40 {
        src.push_str(&format!(
            "def f{i}(x, y):\n    return f{n}(x, y) + f{n}(y, x) + f{n}(x + 'a', y)\n",
            n = i + 1
        ));
    }
    src.push_str("def f40(x, y):\n    return x + y\n");
    src.push_str("def handler(event, context):\n    s3.get_object(Bucket=f0('a', 'b'), Key='k')\n");
    let start = std::time::Instant::now();
    let program = analyze_source("chains", &src);
    assert_eq!(program.all_calls().len(), 1);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn values_built_through_helpers_stay_small() {
    let mut src = String::from("import boto3\ns3 = boto3.client('s3')\n");
    for i in 0..60 {
        src.push_str(&format!(
            "def g{i}(x):\n    return {{'a': g{n}(x), 'b': [g{n}(x), g{n}(x)]}}\n",
            n = i + 1
        ));
    }
    src.push_str("def g60(x):\n    return x\n");
    src.push_str(
        "def handler(event, context):\n    s3.put_object(Bucket='b', Key='k', Metadata=g0('m'))\n",
    );
    let start = std::time::Instant::now();
    let program = analyze_source("wide", &src);
    assert_eq!(program.all_calls().len(), 1);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn self_referencing_values_are_unknown_with_a_reason() {
    let program = analyze_source(
        "selfref",
        "import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    key = 'base'\n    for part in event['parts']:\n        key = key + '/' + part\n    s3.get_object(Bucket='b', Key=key)\n",
    );
    let calls = program.all_calls();
    let keys: Vec<String> = calls
        .iter()
        .filter_map(|c| c.params.get("Key"))
        .map(|v| serde_json::to_string(v).unwrap_or_default())
        .collect();
    assert!(keys.iter().any(|k| k.contains("\"base\"")), "{keys:?}");
    assert!(keys.iter().all(|k| !k.contains("no value")), "{keys:?}");
}

/// Local modules are found through folder listings: a symlinked module is followed, a
/// broken symlink or a name differing in case is not a module (Python matches module
/// names exactly, also on case-insensitive file systems).
#[cfg(unix)]
#[test]
fn imports_follow_symlinks_and_match_names_exactly() {
    let dir = Scratch::new("import-listing");
    dir.write(
        "shared/real_store.py",
        "import boto3\n\ndef put(item):\n    boto3.client('dynamodb').put_item(TableName='t', Item=item)\n",
    );
    dir.write(
        "app/Upper.py",
        "import boto3\n\ndef go():\n    boto3.client('sqs').send_message(QueueUrl='q', MessageBody='b')\n",
    );
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(target, dir.0.join(name)).expect("symlink");
    };
    link("../shared/real_store.py", "app/store.py");
    link("../shared/missing.py", "app/broken.py");
    dir.write(
        "app/handler.py",
        "import store\nimport broken\nimport upper\n\ndef handler(event, context):\n    store.put({})\n    broken.go()\n    upper.go()\n",
    );
    let program = dir.analyze(&["app/handler.py"]);
    let files: Vec<&String> = program.modules.keys().collect();
    assert_eq!(files, ["app/handler.py", "app/store.py"]);
    let methods: Vec<String> = program
        .all_calls()
        .iter()
        .map(|c| format!("{:?}", c.call))
        .collect();
    assert_eq!(methods.len(), 1, "{methods:?}");
    assert!(methods[0].contains("put_item"), "{methods:?}");
}

/// The values of parameter `param` over every call to `method`, sorted, each once.
fn param_values(program: &Program, method: &str, param: &str) -> Vec<Value> {
    let mut out: Vec<Value> = program
        .all_calls()
        .iter()
        .filter(|c| matches!(&c.call, CallKind::Method { name } if name == method))
        .filter_map(|c| lookup(&c.params, param))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A dotted member path into an object value.
fn lookup(v: &Value, path: &str) -> Option<Value> {
    let mut current = v.clone();
    for member in path.split('.') {
        current = current.get(member)?.clone();
    }
    Some(current)
}

fn event(path: &str) -> Value {
    Value::Event { path: path.into() }
}

fn one_of(items: &[&str]) -> Value {
    Value::OneOf {
        items: items.iter().map(|s| Value::str(*s)).collect(),
    }
}

#[test]
fn event_values_are_paths_through_subscripts_loops_and_helpers() {
    let program = analyze_source(
        "event-paths",
        "import boto3\nfrom urllib.parse import unquote_plus\ns3 = boto3.client('s3')\n\ndef process(record):\n    s3.head_object(Bucket=record['s3']['bucket']['name'], Key=unquote_plus(record['s3']['object']['key']))\n\ndef handler(event, context):\n    for r in event['Records']:\n        process(r)\n    first, *rest = event['Records']\n    s3.get_object(Bucket=first['s3']['bucket']['name'], Key=event['Records'][0]['s3']['object']['key'].strip())\n    names = [r['s3']['bucket']['name'] for r in event['Records']]\n    for n in names:\n        s3.head_bucket(Bucket=n)\n    s3.list_objects_v2(Bucket=event.get('detail', {}).get('bucket', {}).get('name'))\n    s3.delete_object(Bucket=event.get('b', 'fallback'), Key=event.get('k', None))\n",
    );
    for (method, param, path) in [
        ("head_object", "Bucket", "Records[].s3.bucket.name"),
        ("head_object", "Key", "Records[].s3.object.key"),
        ("get_object", "Bucket", "Records[].s3.bucket.name"),
        ("get_object", "Key", "Records[].s3.object.key"),
        ("head_bucket", "Bucket", "Records[].s3.bucket.name"),
    ] {
        assert_eq!(
            param_values(&program, method, param),
            [event(path)],
            "{method} {param}"
        );
    }
    // `.get('k', {})` chains: the member path (the `{}` defaults give no name).
    assert_eq!(
        param_values(&program, "list_objects_v2", "Bucket"),
        [event("detail.bucket.name")]
    );
    // `.get('b', 'fallback')`: the member, or the default; a `None` default adds nothing.
    assert_eq!(
        param_values(&program, "delete_object", "Bucket"),
        [Value::str("fallback"), event("b")]
    );
    assert_eq!(param_values(&program, "delete_object", "Key"), [event("k")]);
}

#[test]
fn string_operations_keep_an_event_key_shape_and_others_say_where_from() {
    let program = analyze_source(
        "event-strings",
        "import boto3, json, urllib.parse\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    key = urllib.parse.unquote(str(event['Records'][0]['s3']['object']['key']))\n    s3.put_object(Bucket='out', Key=f'thumbs/{key}', Body=b'')\n    s3.copy_object(Bucket='out', Key='raw/' + key, CopySource='in/k')\n    body = json.loads(event['Records'][0]['body'])\n    s3.get_object(Bucket=body['bucket'], Key=key.split('/')[0])\n    s3.delete_object(Bucket='out', Key=event['n'] + 1)\n",
    );
    let key = event("Records[].s3.object.key");
    assert_eq!(
        param_values(&program, "put_object", "Key"),
        [Value::Concat {
            parts: vec![Value::str("thumbs/"), key.clone()]
        }]
    );
    assert_eq!(
        param_values(&program, "copy_object", "Key"),
        [Value::Concat {
            parts: vec![Value::str("raw/"), key]
        }]
    );
    assert_eq!(
        param_values(&program, "get_object", "Bucket"),
        [Value::unknown("parsed from the event's `Records[].body`")]
    );
    assert_eq!(
        param_values(&program, "get_object", "Key"),
        [Value::unknown(
            "`.split()` of the event's `Records[].s3.object.key`"
        )]
    );
    assert_eq!(
        param_values(&program, "delete_object", "Key"),
        [Value::unknown("`+` of the event's `n`")]
    );
}

#[test]
fn choices_among_known_values_are_each_of_them() {
    let program = analyze_source(
        "choices",
        "import boto3, random\ns3 = boto3.client('s3')\nBY_REGION = {'eu': 'data-eu', 'us': 'data-us'}\nTIERS = ['hot', 'cold']\n\ndef handler(event, context):\n    s3.get_object(Bucket=random.choice(['m-a', 'm-b']), Key='k')\n    s3.head_object(Bucket=BY_REGION[event['region']], Key=TIERS[event['tier']])\n    s3.copy_object(Bucket='z', Key='k', CopySource={'Bucket': 'p' if event else 'q', 'Key': 'k' if event else 'k'})\n",
    );
    // At the top of a call, each alternative is a call of its own.
    assert_eq!(
        param_values(&program, "get_object", "Bucket"),
        [Value::str("m-a"), Value::str("m-b")]
    );
    assert_eq!(
        param_values(&program, "head_object", "Bucket"),
        [Value::str("data-eu"), Value::str("data-us")]
    );
    let keys = param_values(&program, "head_object", "Key");
    assert!(keys.contains(&Value::str("hot")) && keys.contains(&Value::str("cold")));
    // Inside a value, one `OneOf`; equal items once, and one item is just that value.
    assert_eq!(
        param_values(&program, "copy_object", "CopySource.Bucket"),
        [one_of(&["p", "q"])]
    );
    assert_eq!(
        param_values(&program, "copy_object", "CopySource.Key"),
        [Value::str("k")]
    );
}

/// A helper `save(bucket)` called from `n` sites with buckets `b0`…, and its bucket.
fn helper_with_sites(n: usize) -> Vec<Value> {
    let mut src = String::from(
        "import boto3\ns3 = boto3.client('s3')\n\ndef save(bucket):\n    s3.put_object(Bucket=bucket, Key='k', Body=b'')\n\ndef handler(event, context):\n",
    );
    for i in 0..n {
        src.push_str(&format!("    save('b{i}')\n"));
    }
    let program = analyze_source(&format!("sites-{n}"), &src);
    param_values(&program, "put_object", "Bucket")
}

#[test]
fn a_helper_called_with_many_arguments_takes_one_of_them() {
    let names: Vec<String> = (0..10).map(|i| format!("b{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(helper_with_sites(10), [one_of(&names)]);
    // Past the bound, unknown with the reason.
    let buckets = helper_with_sites(20);
    assert!(
        matches!(buckets.as_slice(), [Value::Unknown { reason }] if reason.contains("possible values")),
        "{buckets:?}"
    );
}

#[test]
fn computed_dict_keys_are_a_map() {
    let program = analyze_source(
        "computed-keys",
        "import boto3, os\nddb = boto3.client('dynamodb')\nTABLE = os.environ['TABLE']\n\ndef handler(event, context):\n    ddb.batch_write_item(RequestItems={TABLE: [], 'audit': []})\n",
    );
    assert_eq!(
        param_values(&program, "batch_write_item", "RequestItems"),
        [Value::Map {
            entries: vec![
                (Value::str("audit"), Value::List { items: Vec::new() }),
                (
                    Value::Env {
                        name: "TABLE".into(),
                        default: None
                    },
                    Value::List { items: Vec::new() }
                ),
            ]
        }]
    );
}

#[test]
fn sdk_results_that_name_a_resource_are_that_resource() {
    let program = analyze_source(
        "sdk-results",
        "import boto3\nsqs = boto3.client('sqs')\nlam = boto3.client('lambda')\n\ndef handler(event, context):\n    url = sqs.get_queue_url(QueueName='jobs')['QueueUrl']\n    sqs.send_message(QueueUrl=url, MessageBody='m')\n    other = sqs.get_queue_url(QueueName='q', QueueOwnerAWSAccountId='444455556666')['QueueUrl']\n    sqs.delete_message(QueueUrl=other, ReceiptHandle='r')\n    arn = lam.get_function(FunctionName='worker')['Configuration']['FunctionArn']\n    lam.invoke(FunctionName=arn)\n",
    );
    assert_eq!(
        param_values(&program, "send_message", "QueueUrl"),
        [Value::Concat {
            parts: vec![
                Value::unknown("the queue URL's host and account"),
                Value::str("/jobs")
            ]
        }]
    );
    assert_eq!(
        param_values(&program, "delete_message", "QueueUrl"),
        [Value::unknown("the URL of a queue of another account")]
    );
    assert_eq!(
        param_values(&program, "invoke", "FunctionName"),
        [Value::Concat {
            parts: vec![
                Value::unknown("the function ARN's partition, region and account"),
                Value::str(":function:worker")
            ]
        }]
    );
}

/// A plain folder of many small projects: every folder holding a Python file is
/// searched for absolute imports, yet resolution lists only the folders it needs, each
/// once: the bases themselves and the one package it finds, never `<base>/requests/`
/// or `<base>/models/` under bases that have no such folder (each a failed open, for
/// every distinct name times every base).
#[test]
fn absolute_imports_list_only_folders_that_exist() {
    let dir = Scratch::new("import-bases");
    let mut entries = Vec::new();
    for p in 0..30 {
        let rel = format!("org_{}/proj_{p}/handler.py", p % 3);
        dir.write(
            &rel,
            format!(
                "import requests\nimport proj{p}_core.settings\nfrom models.item import Item\nfrom common.log import summarize\n\ndef handler(event, context):\n    return summarize(Item())\n"
            ),
        );
        entries.push(rel);
    }
    dir.write("org_1/proj_1/models/__init__.py", "");
    dir.write("org_1/proj_1/models/item.py", "class Item:\n    pass\n");
    dir.write("common/__init__.py", "");
    dir.write(
        "common/log.py",
        "import boto3\n\ndef summarize(x):\n    boto3.client('sns').publish(TopicArn='t', Message='m')\n",
    );
    let sources = crate::Sources::default();
    let program = crate::analyze_with(&sources, Path::new(&dir.0), &entries);
    // Found where they are: `common` at the root for everyone, `models` through the
    // base that has it (the first base holding it, as before).
    let files: Vec<&String> = program.modules.keys().collect();
    assert!(files.contains(&&"common/log.py".to_string()), "{files:?}");
    assert!(
        files.contains(&&"org_1/proj_1/models/item.py".to_string()),
        "{files:?}"
    );
    let mut expected: Vec<String> = (0..30).map(|p| format!("org_{}/proj_{p}", p % 3)).collect();
    expected.extend(["", "common", "org_1/proj_1/models"].map(String::from));
    expected.sort();
    assert_eq!(sources.listed(), expected);
}

/// A callback's call sites are found in a second round, through the parameter of the
/// helper that calls it (`run(fn, name)` calls `fn(name)`); a module that read that
/// parameter in the first round must be evaluated again for them.
#[test]
fn a_callback_passed_to_a_helper_takes_the_helpers_arguments() {
    let dir = Scratch::new("callback-sites");
    dir.write(
        "app.py",
        "import boto3\nfrom helpers import run\n\ns3 = boto3.client('s3')\n\ndef work(bucket):\n    s3.list_objects_v2(Bucket=bucket)\n\ndef handler(event, context):\n    run(work, 'bucket-a')\n",
    );
    dir.write("helpers.py", "def run(fn, name):\n    fn(name)\n");
    let program = dir.analyze(&["app.py"]);
    assert_eq!(
        param_values(&program, "list_objects_v2", "Bucket"),
        vec![Value::str("bucket-a")]
    );
}

// --- the text scan of a large folder's first pass (issue 20) ---------------------------

use super::imports::{ImportStmt, parse_import, scan_imports};

/// What an import statement loads, comparable between the parser's and the scan's.
fn shape(stmt: &ImportStmt) -> (usize, Vec<String>, bool, bool, Option<String>) {
    (
        stmt.level,
        stmt.module.clone(),
        stmt.is_from,
        stmt.star,
        stmt.alias.clone(),
    )
}

/// Every import statement the parser finds in `text` is one the scan finds, with at
/// least its names. Returns how many the parser found.
fn scan_covers_parse(text: &str) -> usize {
    let Some(tree) = crate::syntax::parse(crate::syntax::Grammar::Python, text) else {
        return 0;
    };
    let scanned = scan_imports(text);
    let mut found = 0;
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if matches!(node.kind(), "import_statement" | "import_from_statement") {
            for stmt in parse_import(text, node) {
                found += 1;
                let covered = scanned.iter().any(|s| {
                    shape(s) == shape(&stmt) && stmt.names.iter().all(|n| s.names.contains(n))
                });
                assert!(covered, "{stmt:?} not found by the scan of:\n{text}");
            }
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return found;
            }
        }
    }
}

#[test]
fn the_text_scan_finds_every_import_the_parser_finds_in_the_fixtures() {
    let mut found = 0;
    for (grammar, text) in crate::syntax::fixture_sources() {
        if grammar == crate::syntax::Grammar::Python {
            found += scan_covers_parse(&text);
        }
    }
    assert!(found > 100, "only {found} imports in the Python fixtures");
}

#[test]
fn the_text_scan_reads_imports_however_they_are_written() {
    let text = r##"
"""Docstring: import notastring, from nowhere import nothing."""
import a.b as ab, c  # import commented
from .. import (d as dd,  # a comment inside the list
    e,
)
from .f.g import \
    h
if x: import i; from j import *
try:
    from k import l
except ImportError:  # 'quoted' in a comment
    l = None
s = 'it\'s "#" # import notastring'; import m
t = f"{x!r} import notastring"
def gen():
    yield from n
    raise E from o
"""
import notastring
"""
"##;
    assert_eq!(scan_covers_parse(text), 8);
    let modules: Vec<String> = scan_imports(text)
        .iter()
        .map(|s| format!("{}{}", ".".repeat(s.level), s.module.join(".")))
        .collect();
    assert_eq!(
        modules,
        ["a.b", "c", "..", ".f.g", "i", "j", "k", "m"],
        "statements outside strings and comments, and only imports"
    );
}

/// `dir`'s `entries` analysed as one unit twice, its evaluators sharing results across
/// frame stacks and not: each program, and the expressions its facts round evaluated.
fn shared_and_not(dir: &Path, entries: &[String]) -> [(Program, u64); 2] {
    crate::on_analysis_threads(|| {
        let sources = crate::Sources::default();
        [true, false].map(|share| {
            let unit = super::Unit::new(&sources, dir, entries, &[]);
            let unit = if share { unit } else { unit.without_sharing() };
            let program = unit.analyze(entries);
            (program, unit.evaluated())
        })
    })
}

/// [`shared_and_not`] on a case built so that sharing saves most of the work: the same
/// program either way, and fewer than half the expressions evaluated with sharing.
/// Returns the program.
fn shared_halves_the_work(dir: &Path, entries: &[String]) -> Program {
    let [(shared, with), (alone, without)] = shared_and_not(dir, entries);
    assert_eq!(shared, alone);
    assert!(
        with * 2 < without,
        "{with} expressions evaluated with sharing, {without} without"
    );
    shared
}

/// A call's request parameter `name`, when it is a string.
fn str_param<'c>(call: &'c crate::facts::SdkCall, name: &str) -> Option<&'c str> {
    match &call.params {
        Value::Object { entries, .. } => entries.get(name).and_then(Value::as_str),
        _ => None,
    }
}

/// The Python files of a fixture folder: its `handler.py`, else every top-level one.
fn python_entries(dir: &Path) -> Vec<String> {
    if dir.join("handler.py").is_file() {
        return vec!["handler.py".to_string()];
    }
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|f| f.ends_with(".py"))
        .collect();
    files.sort();
    files
}

/// A result computed under a frame (a call's result evaluated with the callee's
/// parameters bound) that reads nothing of the frame serves every frame: the same
/// program on every Python fixture and fixture project, no more work on any, and less
/// in all.
#[test]
fn sharing_results_across_frames_changes_no_analysis() {
    let folders = crate::syntax::fixture_folders(&["python"], &["python", "projects", "hostile"]);
    let (mut analysed, mut with, mut without) = (0, 0, 0);
    for dir in &folders {
        let entries = python_entries(dir);
        if entries.is_empty() {
            continue;
        }
        let [(shared, shared_steps), (alone, alone_steps)] = shared_and_not(dir, &entries);
        assert_eq!(shared, alone, "{}", dir.display());
        assert!(shared_steps <= alone_steps, "{}", dir.display());
        analysed += 1;
        with += shared_steps;
        without += alone_steps;
    }
    assert!(analysed >= 15, "only {analysed} folders with Python files");
    assert!(
        with < without,
        "sharing saved nothing: {with} and {without} expressions"
    );
}

/// A module-level table read by a helper whose result is evaluated at each of its
/// calls is evaluated once, not once per call, and the table names are still found.
#[test]
fn a_module_level_name_read_under_many_calls_is_evaluated_once() {
    let kinds: Vec<String> = (0..30).map(|i| format!("kind{i}")).collect();
    let mut src = String::from(
        "import boto3\nddb = boto3.resource('dynamodb')\nPREFIX = 'app-'\nTABLES = {\n",
    );
    for kind in &kinds {
        src.push_str(&format!("    '{kind}': '{kind}-table',\n"));
    }
    src.push_str("}\n\ndef table_name(kind):\n    return PREFIX + TABLES[kind]\n\n");
    src.push_str("def handler(event, context):\n");
    for kind in &kinds {
        src.push_str(&format!(
            "    ddb.Table(table_name('{kind}')).get_item(Key={{'id': event['id']}})\n"
        ));
    }
    let dir = Scratch::new("shared-frames");
    dir.write("app.py", &src);
    let shared = shared_halves_the_work(&dir.0, &["app.py".to_string()]);
    let tables: BTreeSet<String> = shared
        .all_calls()
        .iter()
        .filter_map(|c| match &c.call {
            CallKind::Resource { path, .. } => path.first().and_then(|step| {
                step.args
                    .first()
                    .and_then(Value::as_str)
                    .map(str::to_string)
            }),
            _ => None,
        })
        .collect();
    let expected: BTreeSet<String> = kinds.iter().map(|k| format!("app-{k}-table")).collect();
    assert_eq!(tables, expected);
}

/// A class `Store` (`base.py`) whose constructor keeps its `bucket`, `make` as
/// `make.py` (its call sites), and twelve modules `readerNN.py`, each with an S3 client
/// and a subclass `ReaderN` whose body is `reader(N)`. Returns the entries.
fn store_and_readers(dir: &Scratch, make: &str, reader: impl Fn(usize) -> String) -> Vec<String> {
    dir.write(
        "base.py",
        "class Store:\n    def __init__(self, bucket):\n        self.bucket = bucket\n",
    );
    dir.write("make.py", make);
    let mut entries = vec!["make.py".to_string()];
    for k in 0..12 {
        dir.write(
            &format!("reader{k:02}.py"),
            format!(
                "import boto3\nfrom base import Store\n\ns3 = boto3.client('s3')\n\n\n\
                 class Reader{k}(Store):\n{}",
                reader(k)
            ),
        );
        entries.push(format!("reader{k:02}.py"));
    }
    entries
}

/// The union of what forty call sites pass to a base class's constructor, read through
/// `self.bucket` by twelve modules, is computed once for them all, and each module's
/// call still gets the buckets (as without sharing).
#[test]
fn a_much_called_functions_parameter_is_evaluated_once_for_all_modules() {
    let dir = Scratch::new("hot-params");
    let mut make = String::from("from base import Store\n\n\ndef stores():\n    return [\n");
    for i in 0..40 {
        make.push_str(&format!("        Store('bucket-{}'),\n", i % 4));
    }
    make.push_str("    ]\n");
    let entries = store_and_readers(&dir, &make, |k| {
        format!(
            "    def read(self):\n        return s3.get_object(Bucket=self.bucket, Key='k{k}')\n"
        )
    });
    let shared = shared_halves_the_work(&dir.0, &entries);
    // Each module's call, once per bucket.
    let mut buckets: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for call in shared.all_calls() {
        assert_eq!(
            call.call,
            CallKind::Method {
                name: "get_object".into()
            }
        );
        let bucket = str_param(call, "Bucket").unwrap_or_else(|| panic!("a bucket name: {call:?}"));
        buckets.entry(&call.location.file).or_default().push(bucket);
    }
    assert_eq!(buckets.len(), 12, "{buckets:?}");
    for names in buckets.values_mut() {
        names.sort_unstable();
        assert_eq!(names, &["bucket-0", "bucket-1", "bucket-2", "bucket-3"]);
    }
}

/// The same, read under frames: each module's `read` has two call sites, so its calls
/// are collected once per site with the site's arguments bound, and `self.bucket` is
/// evaluated under that frame. The union reads the parameters of the functions that
/// call the constructor, so a union computed outside frames does not hold there; one
/// computed under a frame of no function is shared (no open frame is a function whose
/// parameters it reads), and the calls still get the buckets.
#[test]
fn a_much_called_functions_parameter_is_shared_under_frames_too() {
    let dir = Scratch::new("hot-params-framed");
    // Each site passes a parameter of its own function, so the union reads the
    // parameters of forty functions (none of them `read`): without sharing, each frame
    // of `read` computes it again.
    let mut make = String::from("from base import Store\n");
    for i in 0..40 {
        make.push_str(&format!(
            "\n\ndef make{i}(name):\n    return Store(name)\n\n\nmake{i}('bucket-{}')\n",
            i % 4
        ));
    }
    let mut entries = store_and_readers(&dir, &make, |k| {
        format!(
            "    def read(self, key):\n        \
             return s3.get_object(Bucket=self.bucket, Key=key)\n\n\n\
             def handler(event, context):\n    reader = Reader{k}('bucket-0')\n    \
             reader.read('a{k}')\n    reader.read('b{k}')\n"
        )
    });
    // A function that calls the constructor itself: under its frames the union holds
    // the one name the frame binds, not both its sites' (a frame binds what the union
    // reads, so the shared union is not used there).
    dir.write(
        "special.py",
        "import boto3\nfrom base import Store\n\ns3 = boto3.client('s3')\n\n\n\
         def fetch(name):\n    store = Store(name)\n    \
         return s3.get_object(Bucket=store.bucket, Key=name)\n\n\n\
         fetch('special-a')\nfetch('special-b')\n",
    );
    entries.push("special.py".to_string());
    let shared = shared_halves_the_work(&dir.0, &entries);
    let special: BTreeSet<(&str, &str)> = shared
        .all_calls()
        .into_iter()
        .filter(|c| c.location.file == "special.py")
        .filter_map(|c| Some((str_param(c, "Bucket")?, str_param(c, "Key")?)))
        .collect();
    assert!(special.contains(&("special-a", "special-a")), "{special:?}");
    assert!(special.contains(&("bucket-2", "special-b")), "{special:?}");
    assert!(
        !special.contains(&("special-b", "special-a")),
        "{special:?}"
    );
    // Each reader module's call, once per bucket and key.
    let mut calls: BTreeMap<&str, BTreeSet<(&str, &str)>> = BTreeMap::new();
    for call in shared.all_calls() {
        if call.location.file == "special.py" {
            continue;
        }
        let (Some(bucket), Some(key)) = (str_param(call, "Bucket"), str_param(call, "Key")) else {
            panic!("a bucket and a key: {call:?}");
        };
        calls
            .entry(&call.location.file)
            .or_default()
            .insert((bucket, key));
    }
    assert_eq!(calls.len(), 12, "{calls:?}");
    for (file, pairs) in &calls {
        let k = file.trim_start_matches("reader").trim_end_matches(".py");
        let k: usize = k.parse().expect("a reader's number");
        // `special.py`'s two sites reach the readers' union unbound.
        let buckets = [
            "bucket-0",
            "bucket-1",
            "bucket-2",
            "bucket-3",
            "special-a",
            "special-b",
        ];
        let expected: BTreeSet<(&str, String)> = buckets
            .iter()
            .flat_map(|b| [(*b, format!("a{k}")), (*b, format!("b{k}"))])
            .collect();
        let got: BTreeSet<(&str, String)> = pairs
            .iter()
            .map(|(b, key)| (*b, (*key).to_string()))
            .collect();
        assert_eq!(got, expected, "{file}");
    }
}

/// A request helper as moto writes it: `setup` keeps a query string built from its
/// `request` parameter (by a helper that calls itself and reads a name twice), and
/// `get_param` reads it; `handle` calls `get_param` thirty times with different
/// arguments, so each call's result is evaluated under a frame of `get_param`. The
/// query string read there takes `setup`'s call-site union (no frame binds
/// `request`), cuts only a cycle it started itself, and reads only frames it opened
/// itself: it is evaluated once for all thirty frames. Under a frame of `setup` (its
/// body is evaluated once per call site), at the same frame level, that frame's
/// request is read instead.
#[test]
fn a_result_is_shared_across_frames_whatever_it_reads_of_what_it_opened_itself() {
    let dir = Scratch::new("shared-own-frames");
    let mut app = String::from(
        "import boto3\n\ns3 = boto3.client('s3')\n\n\n\
         def flatten(prefix, body):\n    p = prefix\n    if p:\n        \
         return {'b': body, 'prefix': [p, p, p, p, p, p, p, p, p, p]}\n    \
         return flatten(p, p)\n\n\n\
         class Response:\n    def handle(self):\n",
    );
    for i in 0..30 {
        app.push_str(&format!(
            "        s3.get_object(Bucket=self.get_param('b', {i}), Key='k{i}')\n"
        ));
    }
    app.push_str(
        "\n    def setup(self, request):\n        \
         self.querystring = flatten('b', request['b'])\n        \
         return s3.head_bucket(Bucket=self.querystring['b'], Key=request['b'])\n\n    \
         def get_param(self, name, default=None):\n        return self.querystring[name]\n\n\n\
         Response().setup({'b': 'bucket-x'})\nResponse().setup({'b': 'bucket-y'})\n",
    );
    dir.write("app.py", &app);
    let entries = ["app.py".to_string()];
    let shared = shared_halves_the_work(&dir.0, &entries);
    // Under each frame of `setup`, the bucket of its own request (the key), not the
    // other's: a frame of `setup` binds what the shared query string left unbound.
    let pairs: BTreeSet<(&str, &str)> = shared
        .all_calls()
        .into_iter()
        .filter(|c| matches!(&c.call, CallKind::Method { name } if name == "head_bucket"))
        .filter_map(|c| Some((str_param(c, "Bucket")?, str_param(c, "Key")?)))
        .filter(|(bucket, _)| bucket.starts_with("bucket-"))
        .collect();
    assert_eq!(
        pairs,
        BTreeSet::from([("bucket-x", "bucket-x"), ("bucket-y", "bucket-y")])
    );
    // In `handle`, the union of `setup`'s call sites, in each of the thirty calls.
    let buckets = param_values(&shared, "get_object", "Bucket");
    assert!(buckets.contains(&Value::str("bucket-x")), "{buckets:?}");
    assert!(buckets.contains(&Value::str("bucket-y")), "{buckets:?}");
    assert_eq!(param_values(&shared, "get_object", "Key").len(), 30);
}
