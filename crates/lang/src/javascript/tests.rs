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
