//! Validation of tables: once per table at load ([`table`], which lives in `check` so the
//! loader does not depend on this module), and across tables ([`all`], run by the test suite
//! and `leastrole maps --validate`).

pub use crate::check::{ENVIRONMENT_PLACEHOLDERS, placeholders, table};
use crate::store::Maps;

/// Cross-table checks over every table of `maps`; returns every problem found (empty
/// when all is well): tables that fail to load, actions missing from the IAM action list,
/// resource types missing from the prefix's resource list, helpers naming unknown
/// services or operations.
pub fn all(maps: &Maps) -> Vec<String> {
    let mut problems = Vec::new();
    let names: Vec<String> = maps.service_names().map(str::to_string).collect();
    for name in &names {
        let service = match maps.service(name) {
            Ok(Some(s)) => s,
            Ok(None) => continue,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        for (op_name, op) in &service.table().operations {
            for rule in &op.actions {
                match maps.iam_action(&rule.action) {
                    Ok(Some((canonical, _))) if canonical != rule.action => problems.push(format!(
                        "{name} {op_name}: `{}` is spelled `{canonical}` in the IAM data",
                        rule.action
                    )),
                    Ok(Some(_)) => {}
                    Ok(None) => problems.push(format!(
                        "{name} {op_name}: `{}` is not in the IAM action list",
                        rule.action
                    )),
                    Err(e) => problems.push(e.to_string()),
                }
            }
        }
    }
    for sdk in ["boto3", "js-v2", "js-v3"] {
        let table = match maps.helper_table(sdk) {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        for (key, helper) in &table.helpers {
            match maps.service(&helper.service) {
                Ok(Some(service)) => {
                    for call in &helper.calls {
                        if service.operation(&call.operation).is_none() {
                            problems.push(format!(
                                "helper {sdk} {key}: {} has no operation {}",
                                helper.service, call.operation
                            ));
                        }
                    }
                }
                Ok(None) => problems.push(format!(
                    "helper {sdk} {key}: unknown service {}",
                    helper.service
                )),
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    problems
}
