//! The built-in probes, assembled from the configuration.
//!
//! Registry order is merge order (see [`crate::registry`]): host-side probes first, then
//! directory and cloud probes, then extensions and imports.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::config::CollectConfig;
use crate::files::FilesProbe;
use crate::registry::Registry;

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

/// Every built-in probe, configured.
#[must_use]
pub fn registry(config: &CollectConfig, defaults: &Defaults) -> Registry {
    let mut registry = Registry::new();
    registry.add(FilesProbe::new(config.files.clone(), defaults));
    registry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_comes_from_the_kb_data() {
        let mut defaults = Defaults::default();
        defaults.data.insert(
            "cloud_sync_errors".into(),
            "errors:\n  - { code: TimeOut }\n  - { code: HybridIdentityServiceNoActiveAgents }\n".into(),
        );
        assert_eq!(defaults.cloud_sync_error_codes(), ["TimeOut", "HybridIdentityServiceNoActiveAgents"]);
        assert!(Defaults::default().cloud_sync_error_codes().is_empty());
    }
}
