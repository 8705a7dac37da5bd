//! The framework config loader on arbitrary text: the first byte picks the file
//! (`serverless.yml`, `template.yaml` with the SAM transform prepended, `serverless.json`,
//! `template.json`, or a CDK `cdk.out/Stack.template.json`), the rest is its content,
//! next to a handler file. Discovery (YAML/JSON parsing, CloudFormation tags, Serverless
//! variables, intrinsic evaluation) must turn anything into functions and diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let Ok(dir) = tempfile::tempdir() else { return };
    let root = dir.path();
    let (file, prefix): (&str, &[u8]) = match first % 5 {
        0 => ("serverless.yml", b""),
        1 => ("template.yaml", b"Transform: AWS::Serverless-2016-10-31\n"),
        2 => ("serverless.json", b""),
        3 => ("template.json", b""),
        _ => ("cdk.out/Stack.template.json", b""),
    };
    let mut text = prefix.to_vec();
    text.extend_from_slice(rest);
    let path = root.join(file);
    if let Some(parent) = path.parent()
        && std::fs::create_dir_all(parent).is_err()
    {
        return;
    }
    let handler = b"import os\nimport boto3\n\ndef handler(event, context):\n    boto3.client('s3').get_object(Bucket=os.environ['B'], Key='k')\n";
    if std::fs::write(&path, &text).is_err()
        || std::fs::write(root.join("app.py"), handler).is_err()
        || std::fs::write(root.join("handler.py"), handler).is_err()
    {
        return;
    }
    let options = leastrole_project::DiscoverOptions::default();
    let discovery = leastrole_project::discover(root, &options);
    let _ = format!("{discovery:?}");
});
