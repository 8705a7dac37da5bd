//! Where tables come from (embedded, or a user folder layered on top) and the lazy,
//! thread-safe cache that parses and validates each one once.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;

use crate::check;
use crate::error::MapsError;
use crate::schema::{
    Boto3Resources, Helper, HelperTable, IamAction, IamPrefixTable, Index, IndexEntry,
    SCHEMA_VERSION,
};
use crate::service::Service;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Raw table text by name, one map per table family.
#[derive(Debug, Default)]
struct Texts {
    services: BTreeMap<String, Text>,
    iam: BTreeMap<String, Text>,
    helpers: BTreeMap<String, Text>,
    index: Option<Text>,
}

#[derive(Debug, Clone)]
enum Text {
    Static(&'static str),
    Owned(Arc<str>),
}

impl Text {
    fn as_str(&self) -> &str {
        match self {
            Text::Static(s) => s,
            Text::Owned(s) => s,
        }
    }
}

type Cell<T> = OnceLock<Result<Arc<T>, MapsError>>;

/// The service maps: lookups by SDK names, parsed lazily per table.
#[derive(Debug)]
pub struct Maps {
    texts: Texts,
    services: BTreeMap<String, Cell<Service>>,
    iam: BTreeMap<String, Cell<IamPrefixTable>>,
    helpers: BTreeMap<String, Cell<HelperTable>>,
    boto3_resources: Cell<Boto3Resources>,
    index: Cell<Index>,
}

impl Maps {
    /// The tables compiled into this binary.
    pub fn embedded() -> &'static Maps {
        static MAPS: OnceLock<Maps> = OnceLock::new();
        MAPS.get_or_init(|| Maps::from_texts(embedded_texts()))
    }

    /// The embedded tables with the tables in `dir` (same layout as `service-maps/`:
    /// `services/`, `iam/`, `helpers/`, `index.json`) taking precedence, file by file.
    /// The index is rebuilt from the services when `dir` adds services and has no
    /// `index.json` of its own.
    pub fn with_overlay(dir: &Path) -> Result<Maps, MapsError> {
        let mut texts = embedded_texts();
        let io = |path: &Path, e: std::io::Error| MapsError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        if !dir.is_dir() {
            return Err(MapsError::Io {
                path: dir.display().to_string(),
                message: "not a folder".into(),
            });
        }
        for (sub, family) in [
            ("services", &mut texts.services),
            ("iam", &mut texts.iam),
            ("helpers", &mut texts.helpers),
        ] {
            let sub_dir = dir.join(sub);
            if !sub_dir.is_dir() {
                continue;
            }
            let entries = std::fs::read_dir(&sub_dir).map_err(|e| io(&sub_dir, e))?;
            for entry in entries {
                let path = entry.map_err(|e| io(&sub_dir, e))?.path();
                let Some(stem) = path
                    .extension()
                    .filter(|e| *e == "json")
                    .and(path.file_stem())
                    .and_then(|s| s.to_str())
                else {
                    continue;
                };
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                family.insert(stem.to_string(), Text::Owned(text.into()));
            }
        }
        let index = dir.join("index.json");
        if index.is_file() {
            let text = std::fs::read_to_string(&index).map_err(|e| io(&index, e))?;
            texts.index = Some(Text::Owned(text.into()));
        }
        Ok(Maps::from_texts(texts))
    }

    fn from_texts(texts: Texts) -> Maps {
        Maps {
            services: cells(&texts.services),
            iam: cells(&texts.iam),
            helpers: cells(&texts.helpers),
            boto3_resources: OnceLock::new(),
            index: OnceLock::new(),
            texts,
        }
    }

    /// botocore names of every service, sorted.
    pub fn service_names(&self) -> impl Iterator<Item = &str> {
        self.services.keys().map(String::as_str)
    }

    /// One service by botocore name (`s3`), which is also its boto3 client name.
    pub fn service(&self, name: &str) -> Result<Option<Arc<Service>>, MapsError> {
        let Some(cell) = self.services.get(name) else {
            return Ok(None);
        };
        cell.get_or_init(|| {
            let text = self.texts.services.get(name).map_or("", |t| t.as_str());
            let table = parse(name, text)?;
            check::table(name, &table)?;
            Ok(Arc::new(Service::new(table)))
        })
        .clone()
        .map(Some)
    }

    /// The summary index (iam prefix, SDK names, counts per service).
    pub fn index(&self) -> Result<Arc<Index>, MapsError> {
        self.index
            .get_or_init(|| match &self.texts.index {
                Some(text) => {
                    let index: Index = parse("index", text.as_str())?;
                    check_schema("index", index.schema)?;
                    Ok(Arc::new(index))
                }
                None => self.build_index().map(Arc::new),
            })
            .clone()
    }

    /// Rebuild the index by loading every service (only used when no index is shipped).
    fn build_index(&self) -> Result<Index, MapsError> {
        let mut services = BTreeMap::new();
        for name in self.service_names() {
            let Some(service) = self.service(name)? else {
                continue;
            };
            let t = service.table();
            let mapped = t
                .operations
                .values()
                .filter(|o| o.unmapped.is_none())
                .count();
            services.insert(
                name.to_string(),
                IndexEntry {
                    iam_prefix: t.iam_prefix.clone(),
                    js_v2: t.sdk.js_v2.clone(),
                    js_v2_module: t.sdk.js_v2_module.clone(),
                    js_v3_package: t.sdk.js_v3_package.clone(),
                    operations: t.operations.len(),
                    mapped,
                    unmapped: t.operations.len() - mapped,
                },
            );
        }
        Ok(Index {
            schema: SCHEMA_VERSION,
            services,
        })
    }

    /// The service a boto3 `client(...)`/`resource(...)` name denotes.
    pub fn service_for_boto3(&self, client: &str) -> Result<Option<Arc<Service>>, MapsError> {
        self.service(client)
    }

    /// The service a JS v2 class (`S3`, `DynamoDB`) or module id (`aws-sdk/clients/s3`'s
    /// `s3`) denotes.
    pub fn service_for_js_v2(
        &self,
        class_or_module: &str,
    ) -> Result<Option<Arc<Service>>, MapsError> {
        let index = self.index()?;
        let found = index.services.iter().find(|(_, e)| {
            e.js_v2.as_deref() == Some(class_or_module)
                || e.js_v2_module.as_deref() == Some(class_or_module)
        });
        match found {
            Some((name, _)) => self.service(name),
            None => Ok(None),
        }
    }

    /// The service a JS v3 package (`@aws-sdk/client-s3`) denotes.
    pub fn service_for_js_v3(&self, package: &str) -> Result<Option<Arc<Service>>, MapsError> {
        let index = self.index()?;
        let found = index
            .services
            .iter()
            .find(|(_, e)| e.js_v3_package.as_deref() == Some(package));
        match found {
            Some((name, _)) => self.service(name),
            None => Ok(None),
        }
    }

    /// Every action and resource type of one IAM prefix (`s3`).
    pub fn iam_prefix(&self, prefix: &str) -> Result<Option<Arc<IamPrefixTable>>, MapsError> {
        let Some(cell) = self.iam.get(prefix) else {
            return Ok(None);
        };
        cell.get_or_init(|| {
            let table: IamPrefixTable = parse(
                prefix,
                self.texts.iam.get(prefix).map_or("", |t| t.as_str()),
            )?;
            check_schema(prefix, table.schema)?;
            if table.prefix != prefix {
                return Err(MapsError::invalid(
                    prefix,
                    format!("names prefix `{}`", table.prefix),
                ));
            }
            Ok(Arc::new(table))
        })
        .clone()
        .map(Some)
    }

    /// IAM prefixes with an action list, sorted.
    pub fn iam_prefixes(&self) -> impl Iterator<Item = &str> {
        self.iam.keys().map(String::as_str)
    }

    /// An IAM action (`s3:GetObject`, matched case-insensitively as IAM does) with its
    /// canonical name.
    pub fn iam_action(&self, action: &str) -> Result<Option<(String, IamAction)>, MapsError> {
        let Some((prefix, name)) = crate::split_action(action) else {
            return Ok(None);
        };
        let prefix = prefix.to_ascii_lowercase();
        let Some(table) = self.iam_prefix(&prefix)? else {
            return Ok(None);
        };
        let found = table.actions.get_key_value(name).or_else(|| {
            table
                .actions
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
        });
        Ok(found.map(|(k, v)| (format!("{prefix}:{k}"), v.clone())))
    }

    /// An SDK helper table (`boto3`, `js-v2`, `js-v3`).
    pub fn helper_table(&self, sdk: &str) -> Result<Option<Arc<HelperTable>>, MapsError> {
        let Some(cell) = self.helpers.get(sdk) else {
            return Ok(None);
        };
        cell.get_or_init(|| {
            let table: HelperTable =
                parse(sdk, self.texts.helpers.get(sdk).map_or("", |t| t.as_str()))?;
            check_schema(sdk, table.schema)?;
            Ok(Arc::new(table))
        })
        .clone()
        .map(Some)
    }

    /// One helper: `helper("boto3", "s3.client.upload_file")`.
    pub fn helper(&self, sdk: &str, key: &str) -> Result<Option<Helper>, MapsError> {
        Ok(self
            .helper_table(sdk)?
            .and_then(|t| t.helpers.get(key).cloned()))
    }

    /// boto3 resource models (`boto3.resource('s3')`).
    pub fn boto3_resources(&self) -> Result<Arc<Boto3Resources>, MapsError> {
        self.boto3_resources
            .get_or_init(|| {
                let name = "boto3-resources";
                let table: Boto3Resources = match self.texts.helpers.get(name) {
                    Some(text) => parse(name, text.as_str())?,
                    None => Boto3Resources {
                        schema: SCHEMA_VERSION,
                        services: BTreeMap::new(),
                    },
                };
                check_schema(name, table.schema)?;
                Ok(Arc::new(table))
            })
            .clone()
    }
}

fn cells<T>(texts: &BTreeMap<String, Text>) -> BTreeMap<String, Cell<T>> {
    texts.keys().map(|k| (k.clone(), OnceLock::new())).collect()
}

fn embedded_texts() -> Texts {
    let family = |list: &'static [(&'static str, &'static str)]| {
        list.iter()
            .map(|(k, v)| (k.to_string(), Text::Static(v)))
            .collect()
    };
    Texts {
        services: family(embedded::SERVICES),
        iam: family(embedded::IAM),
        helpers: family(embedded::HELPERS),
        index: embedded::INDEX.map(Text::Static),
    }
}

fn parse<T: DeserializeOwned>(table: &str, text: &str) -> Result<T, MapsError> {
    serde_json::from_str(text).map_err(|e| MapsError::Parse {
        table: table.to_string(),
        message: e.to_string(),
    })
}

fn check_schema(table: &str, found: u32) -> Result<(), MapsError> {
    if found == SCHEMA_VERSION {
        Ok(())
    } else {
        Err(MapsError::SchemaVersion {
            table: table.to_string(),
            found,
            expected: SCHEMA_VERSION,
        })
    }
}

/// The SAM policy templates, as JSON text: `aws-sam-translator`'s
/// `policy_templates_data/policy_templates.json` (`{"Templates": {name: {"Definition",
/// "Parameters", "Description"}}, "Version"}`), pinned in `service-maps/SOURCES.json`.
pub fn sam_policy_templates() -> &'static str {
    embedded::SAM_POLICY_TEMPLATES
}

/// The embedded AWS managed policies, one JSON line each, sorted by name:
/// `{"name", "arn", "version", "document": {"Statement": [...]}}`, the latest version of
/// every AWS managed policy but the service-linked role ones, statements normalized (see
/// `service-maps/generator/declared_data.py`).
pub fn aws_managed_policy_lines() -> impl Iterator<Item = &'static str> {
    embedded::AWS_MANAGED_POLICIES
        .lines()
        .filter(|l| !l.is_empty())
}

/// One embedded AWS managed policy by its name (`AWSLambdaBasicExecutionRole`), as its
/// JSON line (see [`aws_managed_policy_lines`]); only that line needs parsing.
pub fn aws_managed_policy(name: &str) -> Option<&'static str> {
    aws_managed_policy_lines().find(|line| {
        // Every line starts with its name; names need no JSON escapes (the generator
        // checks).
        line.strip_prefix("{\"name\":\"")
            .and_then(|rest| rest.strip_prefix(name))
            .is_some_and(|rest| rest.starts_with("\","))
    })
}
