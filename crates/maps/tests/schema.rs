//! One schema for the tables: `service-maps/schema/tables.schema.json` (JSON Schema, also
//! what the generator validates every table against) and `crates/maps/src/schema.rs` (the
//! serde types the loader reads) must describe the same files. Every committed table
//! validates against the schema and deserializes with the serde types; both reject an
//! unknown or misspelled field; and every schema object lists exactly the fields its serde
//! type has (checked on instances with every optional field set), with the same enum values.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use leastrole_maps::schema::{
    AccessLevel, ActionRule, Binding, Boto3Collection, Boto3Param, Boto3Request, Boto3Resource,
    Boto3Resources, Boto3ServiceResources, Boto3SubResource, Boto3Waiter, Condition, Helper,
    HelperCall, HelperTable, IamAction, IamPrefixTable, IamResourceType, Index, IndexEntry,
    NotNeeded, Operation, Origin, OriginKind, Parser, ResourceRule, SdkNames, ServiceTable, Waiter,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn maps_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../service-maps")
}

fn schema_doc() -> Value {
    let path = maps_dir().join("schema/tables.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// The compiled schema, one entry per `$defs` name.
struct Schema {
    schemas: boon::Schemas,
    defs: BTreeMap<String, boon::SchemaIndex>,
}

impl Schema {
    fn load() -> Self {
        let doc = schema_doc();
        let names: Vec<String> = doc["$defs"]
            .as_object()
            .expect("$defs")
            .keys()
            .cloned()
            .collect();
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler
            .add_resource("tables.schema.json", doc)
            .expect("schema resource");
        let defs = names
            .into_iter()
            .map(|n| {
                let index = compiler
                    .compile(&format!("tables.schema.json#/$defs/{n}"), &mut schemas)
                    .unwrap_or_else(|e| panic!("$defs/{n}: {e:#}"));
                (n, index)
            })
            .collect();
        Schema { schemas, defs }
    }

    fn check(&self, def: &str, value: &Value) -> Result<(), String> {
        let index = *self
            .defs
            .get(def)
            .unwrap_or_else(|| panic!("no $defs/{def}"));
        self.schemas
            .validate(value, index)
            .map_err(|e| format!("{e:#}"))
    }
}

fn read(path: &Path) -> (String, Value) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (text, value)
}

/// Both readers on one table: the schema definition `def` and the serde type `T`.
fn both<T: DeserializeOwned>(
    schema: &Schema,
    def: &str,
    value: &Value,
) -> (Result<(), String>, Result<(), String>) {
    let by_schema = schema.check(def, value);
    let by_serde = serde_json::from_value::<T>(value.clone())
        .map(|_| ())
        .map_err(|e| e.to_string());
    (by_schema, by_serde)
}

/// Every committed table of one kind, with its schema definition and serde type.
fn check_files<T: DeserializeOwned>(
    schema: &Schema,
    def: &str,
    files: &[PathBuf],
    problems: &mut Vec<String>,
) -> usize {
    for path in files {
        let (_, value) = read(path);
        let (by_schema, by_serde) = both::<T>(schema, def, &value);
        if let Err(e) = by_schema {
            problems.push(format!(
                "{}: not a {def} by the schema: {e}",
                path.display()
            ));
        }
        if let Err(e) = by_serde {
            problems.push(format!("{}: not a {def} by schema.rs: {e}", path.display()));
        }
    }
    files.len()
}

fn json_files(sub: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(maps_dir().join(sub))
        .expect("folder exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_committed_table_validates_against_the_schema_and_deserializes() {
    let schema = Schema::load();
    let mut problems = Vec::new();
    let helpers = maps_dir().join("helpers");
    let services = check_files::<ServiceTable>(
        &schema,
        "ServiceTable",
        &json_files("services"),
        &mut problems,
    );
    let prefixes =
        check_files::<IamPrefixTable>(&schema, "IamPrefixTable", &json_files("iam"), &mut problems);
    check_files::<Index>(
        &schema,
        "Index",
        &[maps_dir().join("index.json")],
        &mut problems,
    );
    let helper_tables: Vec<PathBuf> = ["boto3", "js-v2", "js-v3"]
        .iter()
        .map(|sdk| helpers.join(format!("{sdk}.json")))
        .collect();
    check_files::<HelperTable>(&schema, "HelperTable", &helper_tables, &mut problems);
    check_files::<Boto3Resources>(
        &schema,
        "Boto3Resources",
        &[helpers.join("boto3-resources.json")],
        &mut problems,
    );
    // Every file in helpers/ is one of those four.
    assert_eq!(
        json_files("helpers").len(),
        4,
        "a helpers/ file this test does not know"
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        services > 400 && prefixes > 400,
        "{services} services, {prefixes} prefixes"
    );
}

fn s3_table() -> Value {
    read(&maps_dir().join("services/s3.json")).1
}

/// What a mutation breaks, and the mutation.
type Mutation = (&'static str, fn(&mut Value));

/// A misspelled or unknown field anywhere in a table is an error for both readers.
#[test]
fn an_unknown_or_misspelled_field_is_rejected_by_both() {
    let schema = Schema::load();
    let base = s3_table();
    let mutations: [Mutation; 11] = [
        ("top-level field", |t| t["titel"] = json!("S3")),
        ("sdk field", |t| t["sdk"]["js_v3_verifed"] = json!(true)),
        ("operation field", |t| {
            t["operations"]["GetObject"]["paginater"] = json!(true)
        }),
        ("action field", |t| {
            t["operations"]["GetObject"]["actions"][0]["notes"] = json!("x")
        }),
        ("resource field", |t| {
            t["operations"]["GetObject"]["actions"][0]["resources"][0]["binds"] = json!({})
        }),
        ("parsed binding field", |t| {
            t["operations"]["CopyObject"]["actions"][0]["resources"][0]["bind"]["BucketName"] =
                json!({"param": "CopySource", "parse": "s3-copy-source-bucket", "parser": "x"})
        }),
        ("defaulted binding field", |t| {
            t["operations"]["CopyObject"]["actions"][0]["resources"][0]["bind"]["BucketName"] =
                json!({"param": "Bucket", "default": "b", "defaults": "x"})
        }),
        ("prefixed binding field", |t| {
            t["operations"]["CopyObject"]["actions"][0]["resources"][0]["bind"]["BucketName"] =
                json!({"param": "Bucket", "prefix": "b/", "prefixes": "x"})
        }),
        ("constant binding field", |t| {
            t["operations"]["CopyObject"]["actions"][0]["resources"][0]["bind"]["BucketName"] =
                json!({"constant": "b", "param": "Bucket"})
        }),
        ("condition field", |t| {
            t["operations"]["GetObject"]["actions"][0]["when"] =
                json!({"equals": {"param": "Key", "values": ["a"], "value": "a"}})
        }),
        ("condition with two kinds", |t| {
            t["operations"]["GetObject"]["actions"][0]["when"] =
                json!({"present": "Key", "absent": "VersionId"})
        }),
    ];
    let (ok_schema, ok_serde) = both::<ServiceTable>(&schema, "ServiceTable", &base);
    assert_eq!(
        (ok_schema, ok_serde),
        (Ok(()), Ok(())),
        "services/s3.json itself"
    );
    for (what, mutate) in mutations {
        let mut bad = base.clone();
        mutate(&mut bad);
        assert_ne!(bad, base, "{what}: the mutation changed nothing");
        let (by_schema, by_serde) = both::<ServiceTable>(&schema, "ServiceTable", &bad);
        assert!(by_schema.is_err(), "{what}: the schema accepts it");
        assert!(by_serde.is_err(), "{what}: schema.rs accepts it");
    }
}

// Every variant of each enum; the matches have no wildcard, so a new variant does not
// compile until it is listed here (and then the schema's enum must list it too).
fn access_levels() -> Vec<AccessLevel> {
    let all = vec![
        AccessLevel::List,
        AccessLevel::Read,
        AccessLevel::Write,
        AccessLevel::Tagging,
        AccessLevel::PermissionsManagement,
    ];
    for a in &all {
        match a {
            AccessLevel::List
            | AccessLevel::Read
            | AccessLevel::Write
            | AccessLevel::Tagging
            | AccessLevel::PermissionsManagement => {}
        }
    }
    all
}

fn origin_kinds() -> Vec<OriginKind> {
    let all = vec![
        OriginKind::ServiceReference,
        OriginKind::SameName,
        OriginKind::Override,
        OriginKind::Unmapped,
        OriginKind::Unsigned,
    ];
    for k in &all {
        match k {
            OriginKind::ServiceReference
            | OriginKind::SameName
            | OriginKind::Override
            | OriginKind::Unmapped
            | OriginKind::Unsigned => {}
        }
    }
    all
}

fn parsers() -> Vec<Parser> {
    let all = vec![
        Parser::S3CopySourceBucket,
        Parser::S3CopySourceKey,
        Parser::LambdaFunctionName,
        Parser::LambdaQualifier,
        Parser::ArnLastSegment,
        Parser::KmsKeyId,
        Parser::KmsAliasName,
        Parser::SqsQueueUrlName,
        Parser::SsmParameterName,
        Parser::SecretsmanagerSecretName,
        Parser::S3UriBucket,
        Parser::S3UriKey,
    ];
    for p in &all {
        match p {
            Parser::S3CopySourceBucket
            | Parser::S3CopySourceKey
            | Parser::LambdaFunctionName
            | Parser::LambdaQualifier
            | Parser::ArnLastSegment
            | Parser::KmsKeyId
            | Parser::KmsAliasName
            | Parser::SqsQueueUrlName
            | Parser::SsmParameterName
            | Parser::SecretsmanagerSecretName
            | Parser::S3UriBucket
            | Parser::S3UriKey => {}
        }
    }
    all
}

fn conditions() -> Vec<Condition> {
    let all = vec![
        Condition::Present("Key".into()),
        Condition::Absent("VersionId".into()),
        Condition::Equals {
            param: "Mode".into(),
            values: vec!["A".into()],
        },
        Condition::StartsWith {
            param: "Statement".into(),
            prefixes: vec!["SELECT".into()],
        },
        Condition::Option("kms".into()),
        Condition::All(vec![Condition::Present("A".into())]),
        Condition::Any(vec![Condition::Absent("A".into())]),
    ];
    for c in &all {
        match c {
            Condition::Present(_)
            | Condition::Absent(_)
            | Condition::Equals { .. }
            | Condition::StartsWith { .. }
            | Condition::Option(_)
            | Condition::All(_)
            | Condition::Any(_) => {}
        }
    }
    all
}

fn s(x: &str) -> String {
    x.to_string()
}

fn some(x: &str) -> Option<String> {
    Some(x.to_string())
}

fn map<V>(k: &str, v: V) -> BTreeMap<String, V> {
    BTreeMap::from([(k.to_string(), v)])
}

fn param() -> Boto3Param {
    Boto3Param {
        target: s("Bucket"),
        source: s("identifier"),
        name: some("Name"),
        value: Some(json!("v")),
        path: some("Contents[].Key"),
    }
}

fn request() -> Boto3Request {
    Boto3Request {
        operation: s("ListObjects"),
        params: vec![param()],
    }
}

fn resource() -> Boto3Resource {
    Boto3Resource {
        identifiers: vec![s("Name")],
        load: Some(request()),
        attributes: vec![s("creation_date")],
        actions: map("delete", request()),
        batch_actions: map("delete", request()),
        waiters: map("wait_until_exists", waiter()),
        has: map("Object", sub_resource()),
        collections: map("objects", collection()),
    }
}

fn waiter() -> Boto3Waiter {
    Boto3Waiter {
        waiter: s("BucketExists"),
        params: vec![param()],
    }
}

fn sub_resource() -> Boto3SubResource {
    Boto3SubResource {
        resource: s("Object"),
        identifiers: vec![param()],
    }
}

fn collection() -> Boto3Collection {
    Boto3Collection {
        resource: s("ObjectSummary"),
        request: request(),
        identifiers: vec![param()],
    }
}

fn resource_rule() -> ResourceRule {
    ResourceRule {
        resource_type: s("object"),
        arn: s("arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
        bind: BTreeMap::from([
            (s("BucketName"), Binding::Path(s("Bucket"))),
            (
                s("ObjectName"),
                Binding::Parsed {
                    param: s("CopySource"),
                    parse: Parser::S3CopySourceKey,
                },
            ),
            (
                s("VersionId"),
                Binding::Defaulted {
                    param: s("Version"),
                    default: s("default"),
                },
            ),
            (
                s("Path"),
                Binding::Prefixed {
                    param: s("Key"),
                    prefix: s("in/"),
                },
            ),
            (
                s("Method"),
                Binding::Constant {
                    constant: s("POST"),
                },
            ),
        ]),
        unbound: map("Other", s("why")),
        arn_param: some("Arn"),
    }
}

fn action_rule() -> ActionRule {
    ActionRule {
        action: s("s3:GetObject"),
        access: AccessLevel::Read,
        resources: vec![resource_rule()],
        when: Some(Condition::Present(s("Key"))),
        note: some("why"),
    }
}

fn operation() -> Operation {
    Operation {
        boto3: s("get_object"),
        js: s("getObject"),
        v3_command: some("GetObjectCommand"),
        paginator: true,
        js_paginator: true,
        actions: vec![action_rule()],
        not_needed: vec![not_needed()],
        unmapped: some("why"),
        no_permission: some("why"),
        origin: origin(),
    }
}

fn origin() -> Origin {
    Origin {
        kind: OriginKind::Override,
        source: some("https://docs.aws.amazon.com/"),
    }
}

fn not_needed() -> NotNeeded {
    NotNeeded {
        action: s("s3:GetObjectVersion"),
        reason: s("why"),
    }
}

fn service_waiter() -> Waiter {
    Waiter {
        operation: s("HeadObject"),
        boto3: s("object_exists"),
        js_v3: true,
        js_v2: some("objectExists"),
    }
}

fn sdk_names() -> SdkNames {
    SdkNames {
        boto3: s("s3"),
        js_v2: some("S3"),
        js_v2_module: some("s3"),
        js_v3_package: some("@aws-sdk/client-s3"),
        js_v3_client: some("S3Client"),
        js_v3_aggregated: some("S3"),
        js_v3_verified: true,
    }
}

fn helper_call() -> HelperCall {
    HelperCall {
        operation: s("PutObject"),
        args: map("Bucket", s("Bucket")),
        spread: some("ExtraArgs"),
        when: Some(Condition::Option(s("kms"))),
    }
}

fn helper() -> Helper {
    Helper {
        service: s("s3"),
        params: vec![s("Filename")],
        calls: vec![helper_call()],
        source: s("boto3/s3/inject.py"),
        note: some("why"),
    }
}

fn iam_action() -> IamAction {
    IamAction {
        access: AccessLevel::Read,
        resources: vec![s("object")],
    }
}

fn iam_resource_type() -> IamResourceType {
    IamResourceType {
        arns: vec![s("arn:${Partition}:s3:::${BucketName}")],
    }
}

fn index_entry() -> IndexEntry {
    IndexEntry {
        iam_prefix: s("s3"),
        js_v2: some("S3"),
        js_v2_module: some("s3"),
        js_v3_package: some("@aws-sdk/client-s3"),
        operations: 3,
        mapped: 2,
        unmapped: 1,
    }
}

fn to_json<T: Serialize>(x: &T) -> Value {
    serde_json::to_value(x).expect("serializes")
}

/// Every schema type with every optional field set, as serde writes it, by `$defs` name.
fn full_instances() -> BTreeMap<&'static str, Value> {
    BTreeMap::from([
        (
            "ServiceTable",
            to_json(&ServiceTable {
                schema: 1,
                service: s("s3"),
                api_version: s("2006-03-01"),
                iam_prefix: s("s3"),
                title: some("Amazon S3"),
                sdk: sdk_names(),
                operations: map("GetObject", operation()),
                waiters: map("ObjectExists", service_waiter()),
            }),
        ),
        ("SdkNames", to_json(&sdk_names())),
        ("Operation", to_json(&operation())),
        ("Origin", to_json(&origin())),
        ("ActionRule", to_json(&action_rule())),
        ("ResourceRule", to_json(&resource_rule())),
        ("NotNeeded", to_json(&not_needed())),
        ("Waiter", to_json(&service_waiter())),
        (
            "IamPrefixTable",
            to_json(&IamPrefixTable {
                schema: 1,
                prefix: s("s3"),
                title: some("Amazon S3"),
                actions: map("GetObject", iam_action()),
                resources: map("bucket", iam_resource_type()),
            }),
        ),
        ("IamAction", to_json(&iam_action())),
        ("IamResourceType", to_json(&iam_resource_type())),
        (
            "Index",
            to_json(&Index {
                schema: 1,
                services: map("s3", index_entry()),
            }),
        ),
        ("IndexEntry", to_json(&index_entry())),
        (
            "HelperTable",
            to_json(&HelperTable {
                schema: 1,
                sdk: s("boto3"),
                helpers: map("s3.client.upload_file", helper()),
            }),
        ),
        ("Helper", to_json(&helper())),
        ("HelperCall", to_json(&helper_call())),
        (
            "Boto3Resources",
            to_json(&Boto3Resources {
                schema: 1,
                services: map(
                    "s3",
                    Boto3ServiceResources {
                        service: resource(),
                        resources: map("Bucket", resource()),
                    },
                ),
            }),
        ),
        (
            "Boto3ServiceResources",
            to_json(&Boto3ServiceResources {
                service: resource(),
                resources: map("Bucket", resource()),
            }),
        ),
        ("Boto3Resource", to_json(&resource())),
        ("Boto3Request", to_json(&request())),
        ("Boto3Param", to_json(&param())),
        ("Boto3Waiter", to_json(&waiter())),
        ("Boto3SubResource", to_json(&sub_resource())),
        ("Boto3Collection", to_json(&collection())),
    ])
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn enum_values(def: &Value) -> BTreeSet<String> {
    def["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("not an enum: {def}"))
        .iter()
        .map(Value::to_string)
        .collect()
}

#[test]
fn every_schema_object_lists_exactly_the_fields_of_its_serde_type() {
    let schema = Schema::load();
    let doc = schema_doc();
    let defs = doc["$defs"].as_object().expect("$defs");
    let instances = full_instances();
    let mut problems = Vec::new();
    for (name, def) in defs {
        if let Some(props) = def.get("properties") {
            let Some(instance) = instances.get(name.as_str()) else {
                problems.push(format!("$defs/{name}: no serde instance in this test"));
                continue;
            };
            let (in_schema, in_serde) = (keys(props), keys(instance));
            if in_schema != in_serde {
                problems.push(format!(
                    "$defs/{name}: only in the schema {:?}, only in schema.rs {:?}",
                    in_schema.difference(&in_serde).collect::<Vec<_>>(),
                    in_serde.difference(&in_schema).collect::<Vec<_>>()
                ));
            }
            let required: BTreeSet<String> = def["required"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            // A required field is one serde cannot default: removing it must fail serde.
            for field in &in_schema {
                let mut partial = instance.clone();
                partial.as_object_mut().expect("object").remove(field);
                let serde_needs = deserializes(name, &partial) == Some(false);
                if serde_needs != required.contains(field) {
                    problems.push(format!(
                        "$defs/{name}.{field}: required in the schema {}, required by schema.rs {serde_needs}",
                        required.contains(field)
                    ));
                }
            }
        }
        if let Some(instance) = instances.get(name.as_str())
            && let Err(e) = schema.check(name, instance)
        {
            problems.push(format!("$defs/{name} rejects what schema.rs writes: {e}"));
        }
    }
    let serialized = |xs: Vec<Value>| {
        xs.iter()
            .map(Value::to_string)
            .collect::<BTreeSet<String>>()
    };
    for (name, values) in [
        (
            "AccessLevel",
            serialized(access_levels().iter().map(to_json).collect()),
        ),
        (
            "Parser",
            serialized(parsers().iter().map(to_json).collect()),
        ),
    ] {
        if enum_values(&defs[name]) != values {
            problems.push(format!(
                "$defs/{name}: the values differ from schema.rs {values:?}"
            ));
        }
    }
    let kinds = serialized(origin_kinds().iter().map(to_json).collect());
    if enum_values(&defs["Origin"]["properties"]["kind"]) != kinds {
        problems.push(format!(
            "$defs/Origin.kind: the values differ from schema.rs {kinds:?}"
        ));
    }
    // Each condition variant is one `oneOf` branch keyed by its serde name.
    let branches: BTreeSet<String> = defs["Condition"]["oneOf"]
        .as_array()
        .expect("Condition oneOf")
        .iter()
        .flat_map(|b| keys(&b["properties"]))
        .collect();
    let variants: BTreeSet<String> = conditions()
        .iter()
        .flat_map(|c| keys(&to_json(c)))
        .collect();
    if branches != variants {
        problems.push(format!(
            "$defs/Condition: branches {branches:?}, schema.rs {variants:?}"
        ));
    }
    for c in conditions() {
        if let Err(e) = schema.check("Condition", &to_json(&c)) {
            problems.push(format!("$defs/Condition rejects {c:?}: {e}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Whether serde reads `value` as the type of `$defs/<name>` (None: no such type here).
fn deserializes(name: &str, value: &Value) -> Option<bool> {
    fn ok<T: DeserializeOwned>(v: &Value) -> Option<bool> {
        Some(serde_json::from_value::<T>(v.clone()).is_ok())
    }
    match name {
        "ServiceTable" => ok::<ServiceTable>(value),
        "SdkNames" => ok::<SdkNames>(value),
        "Operation" => ok::<Operation>(value),
        "Origin" => ok::<Origin>(value),
        "ActionRule" => ok::<ActionRule>(value),
        "ResourceRule" => ok::<ResourceRule>(value),
        "NotNeeded" => ok::<NotNeeded>(value),
        "Waiter" => ok::<Waiter>(value),
        "IamPrefixTable" => ok::<IamPrefixTable>(value),
        "IamAction" => ok::<IamAction>(value),
        "IamResourceType" => ok::<IamResourceType>(value),
        "Index" => ok::<Index>(value),
        "IndexEntry" => ok::<IndexEntry>(value),
        "HelperTable" => ok::<HelperTable>(value),
        "Helper" => ok::<Helper>(value),
        "HelperCall" => ok::<HelperCall>(value),
        "Boto3Resources" => ok::<Boto3Resources>(value),
        "Boto3ServiceResources" => ok::<Boto3ServiceResources>(value),
        "Boto3Resource" => ok::<Boto3Resource>(value),
        "Boto3Request" => ok::<Boto3Request>(value),
        "Boto3Param" => ok::<Boto3Param>(value),
        "Boto3Waiter" => ok::<Boto3Waiter>(value),
        "Boto3SubResource" => ok::<Boto3SubResource>(value),
        "Boto3Collection" => ok::<Boto3Collection>(value),
        _ => None,
    }
}
