//! The built-in probes, assembled from the configuration.
//!
//! Registry order is merge order (see [`crate::registry`]): host-side probes first, then
//! directory and cloud probes, then extensions and imports.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::config::CollectConfig;
use crate::exec::ExecProbe;
use crate::files::FilesProbe;
use crate::graph::GraphProbe;
use crate::import::ImportProbe;
use crate::ldap::LdapProbe;
use crate::network::NetworkProbe;
use crate::registry::Registry;
use crate::windows::{Area, WindowsProbe};

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

/// Every built-in probe, configured. `selection` is the `--probe` list: a probe that needs a
/// configuration section but has a safe default (`network`, on the knowledge base's endpoint
/// table) runs without its section only when selected explicitly.
#[must_use]
pub fn registry(config: &CollectConfig, defaults: &Defaults, selection: &[String]) -> Registry {
    let explicit = |id: &str| selection.iter().any(|s| s == id);
    let mut registry = Registry::new();
    for area in Area::ALL {
        registry.add(WindowsProbe::new(area));
    }
    registry.add(FilesProbe::new(config.files.clone(), defaults));
    registry.add(NetworkProbe::new(config.network.clone(), config.proxy.clone(), defaults, explicit("network")));
    registry.add(LdapProbe::new(config.ldap.clone()));
    registry.add(GraphProbe::new(config.graph.clone(), config.proxy.clone()));
    for extension in &config.exec {
        registry.add(ExecProbe::new(extension.clone()));
    }
    registry.add(ImportProbe::new(config.import.clone()));
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
