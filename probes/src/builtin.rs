//! The built-in probes, assembled from the configuration.
//!
//! Registry order is merge order (see [`crate::registry`]): host-side probes first, then
//! directory and cloud probes, then extensions and imports.

use crate::config::CollectConfig;
use crate::exec::ExecProbe;
use crate::files::FilesProbe;
use crate::graph::GraphProbe;
use crate::import::ImportProbe;
use crate::ldap::LdapProbe;
use crate::network::NetworkProbe;
use crate::registry::Registry;
use crate::windows::{Area, WindowsProbe};

pub use crate::defaults::Defaults;

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
