//! A validated service table with the reverse indexes the front-ends' names need.

use std::collections::BTreeMap;

use crate::schema::{Operation, ServiceTable, Waiter};

/// One AWS service, validated, with lookups by every SDK's operation name.
#[derive(Debug)]
pub struct Service {
    table: ServiceTable,
    by_boto3: BTreeMap<String, String>,
    by_js: BTreeMap<String, String>,
    by_v3_command: BTreeMap<String, String>,
    waiter_by_boto3: BTreeMap<String, String>,
}

impl Service {
    /// Wrap a table that [`crate::check::table`] accepted.
    pub(crate) fn new(table: ServiceTable) -> Self {
        let mut by_boto3 = BTreeMap::new();
        let mut by_js = BTreeMap::new();
        let mut by_v3_command = BTreeMap::new();
        for (name, op) in &table.operations {
            by_boto3.insert(op.boto3.clone(), name.clone());
            by_js.insert(op.js.clone(), name.clone());
            if let Some(cmd) = &op.v3_command {
                by_v3_command.insert(cmd.clone(), name.clone());
            }
        }
        let waiter_by_boto3 = table
            .waiters
            .iter()
            .map(|(name, w)| (w.boto3.clone(), name.clone()))
            .collect();
        Service {
            table,
            by_boto3,
            by_js,
            by_v3_command,
            waiter_by_boto3,
        }
    }

    pub fn table(&self) -> &ServiceTable {
        &self.table
    }

    /// botocore name (`s3`).
    pub fn name(&self) -> &str {
        &self.table.service
    }

    pub fn iam_prefix(&self) -> &str {
        &self.table.iam_prefix
    }

    /// An operation by its API name (`GetObject`).
    pub fn operation(&self, name: &str) -> Option<(&str, &Operation)> {
        self.table
            .operations
            .get_key_value(name)
            .map(|(k, v)| (k.as_str(), v))
    }

    /// An operation by its boto3 method name (`get_object`).
    pub fn by_boto3(&self, method: &str) -> Option<(&str, &Operation)> {
        self.operation(self.by_boto3.get(method)?)
    }

    /// An operation by its JS method name (`getObject`), v2 or v3 aggregated.
    pub fn by_js(&self, method: &str) -> Option<(&str, &Operation)> {
        self.operation(self.by_js.get(method)?)
    }

    /// An operation by its v3 command class (`GetObjectCommand`).
    pub fn by_v3_command(&self, command: &str) -> Option<(&str, &Operation)> {
        self.operation(self.by_v3_command.get(command)?)
    }

    /// A waiter by botocore name (`ObjectExists`) or boto3 name (`object_exists`).
    pub fn waiter(&self, name: &str) -> Option<(&str, &Waiter)> {
        let key = self.waiter_by_boto3.get(name).map_or(name, String::as_str);
        self.table
            .waiters
            .get_key_value(key)
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Every boto3 method name, sorted (for "did you mean").
    pub fn boto3_methods(&self) -> impl Iterator<Item = &str> {
        self.by_boto3.keys().map(String::as_str)
    }

    /// Every JS method name, sorted.
    pub fn js_methods(&self) -> impl Iterator<Item = &str> {
        self.by_js.keys().map(String::as_str)
    }

    /// Every v3 command class, sorted.
    pub fn v3_commands(&self) -> impl Iterator<Item = &str> {
        self.by_v3_command.keys().map(String::as_str)
    }
}
