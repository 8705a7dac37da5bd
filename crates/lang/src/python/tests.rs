//! Unit tests of the Python front-end on generated input: robustness (deep nesting,
//! unreadable files), determinism, and a few focused behaviours.

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
            parts: vec![Value::str("resized-"), Value::unknown("from the event")]
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
