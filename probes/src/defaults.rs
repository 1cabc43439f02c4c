//! The knowledge base's reference data (`rules/data/*.yaml`) as probes use it: endpoint tables,
//! error vocabularies. A leaf module: the probes read it, the registry ([`crate::builtin`]) hands
//! it to them.

use std::collections::BTreeMap;

use serde_json::Value;

/// Reference data the knowledge base ships (`rules/data/*.yaml`) that probes use as defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defaults {
    /// Text of each data file, by name without extension (`endpoints`, `cloud_sync_errors`…).
    pub data: BTreeMap<String, String>,
}

impl Defaults {
    /// A data file parsed as YAML, if the knowledge base has it and it parses.
    #[must_use]
    pub fn yaml(&self, name: &str) -> Option<Value> {
        self.data.get(name).and_then(|text| serde_saphyr::from_str::<Value>(text).ok())
    }

    /// Error codes of `data/cloud_sync_errors.yaml` (`errors[].code`): the vocabulary trace-log
    /// lines are matched against.
    #[must_use]
    pub fn cloud_sync_error_codes(&self) -> Vec<String> {
        let Some(data) = self.yaml("cloud_sync_errors") else { return Vec::new() };
        data.get("errors")
            .and_then(Value::as_array)
            .map(|errors| {
                errors.iter().filter_map(|e| e.get("code").and_then(Value::as_str)).map(str::to_owned).collect()
            })
            .unwrap_or_default()
    }
}
