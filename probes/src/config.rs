//! The `collect` configuration file (YAML): which tenant, which LDAP server, which endpoints,
//! which proxy, where files are, and per-probe time limits. Every section is optional; a probe
//! whose section is missing (and that has no safe default) is `skipped` as "not configured".
//!
//! Secrets are never written in the file: the file names an environment variable or a file
//! holding them (`secret_env`, `secret_file`, `password_env`, `password_file`).
//!
//! # Example
//!
//! ```
//! use syncdoctor_probes::config::CollectConfig;
//!
//! let config = CollectConfig::from_yaml_str("timeout_seconds: 30\ntimeouts: { network: 90 }\n", "inline")?;
//! assert_eq!(config.timeout_seconds, Some(30));
//! # Ok::<(), syncdoctor_probes::config::ConfigError>(())
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::secret::{Secret, SecretSource, resolve};

/// Longest time limit a probe may be given: one day.
pub const MAX_TIMEOUT_SECONDS: u64 = 86_400;

/// Largest output cap an extension may be given: 1 GiB.
pub const MAX_OUTPUT_BYTES: u64 = 1 << 30;

/// `$id` of the configuration schema.
pub const CONFIG_SCHEMA_ID: &str = "https://syncdoctor.invalid/schema/config.schema.json";

/// The whole configuration file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectConfig {
    /// Time limit of each probe, in seconds (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// Time limits of single probes, in seconds, by probe id (e.g. `network: 120`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub timeouts: BTreeMap<String, u64>,
    /// Proxy the network and Graph probes go through, as the sync product does
    /// (`http://proxy.contoso.com:8080`); direct connections when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Paths of the product files (`files` probe); on Windows the standard locations are read
    /// without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<crate::files::FilesConfig>,
    /// Endpoints, DNS and TLS checks (`network` probe); skipped without it unless selected
    /// explicitly with `--probe network`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<crate::network::NetworkConfig>,
    /// Extension programs (`exec.<name>` probes) printing `{"facts": {…}}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exec: Vec<crate::exec::ExecConfig>,
    /// On-premises Active Directory over LDAP (`ldap` probe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldap: Option<crate::ldap::LdapConfig>,
    /// Microsoft Graph (`graph` probe): tenant, app id and where its secret is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph: Option<crate::graph::GraphConfig>,
    /// Offline exports to import (`import` probe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import: Option<crate::import::ImportConfig>,
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct ConfigError {
    /// File (or other origin) of the configuration.
    pub origin: String,
    /// What is wrong, with line and column when known.
    pub message: String,
}

impl CollectConfig {
    /// Reads a configuration file.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when the file cannot be read or is not a valid configuration.
    pub fn from_path(path: &Path) -> Result<Self, ConfigError> {
        let text = syncdoctor_engine::text_file::read_located(path, 16 << 20).map_err(|d| ConfigError {
            origin: path.display().to_string(),
            message: d.to_string().trim_start_matches(&format!("{}:", path.display())).trim().to_owned(),
        })?;
        let mut config = Self::from_yaml_str(&text, &path.display().to_string())?;
        config.resolve_relative_to(path.parent().unwrap_or_else(|| Path::new(".")));
        Ok(config)
    }

    /// Parses configuration text (YAML, or JSON, which is YAML).
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the line and column of the first problem.
    pub fn from_yaml_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let config: Self = serde_saphyr::from_str(text)
            .map_err(|e| ConfigError { origin: origin.to_owned(), message: e.to_string() })?;
        config.check_values(text, origin)?;
        Ok(config)
    }

    /// Checks the values serde cannot: ranges and NUL bytes, located at the line where the key
    /// is written (so a typo cannot overflow a clock, wrap a cap to zero or reach `exec`).
    fn check_values(&self, text: &str, origin: &str) -> Result<(), ConfigError> {
        let mut problems: Vec<(String, String)> = Vec::new();
        let range = |key: &str, value: u64, low: u64, high: u64| {
            (value < low || value > high)
                .then(|| (key.to_owned(), format!("`{key}` is {value}; it must be between {low} and {high}")))
        };
        if let Some(seconds) = self.timeout_seconds {
            problems.extend(range("timeout_seconds", seconds, 1, MAX_TIMEOUT_SECONDS));
        }
        for (probe, seconds) in &self.timeouts {
            problems.extend(range(probe, *seconds, 1, MAX_TIMEOUT_SECONDS));
        }
        for exec in &self.exec {
            if let Some(cap) = exec.max_output_bytes {
                problems.extend(range("max_output_bytes", u64::try_from(cap).unwrap_or(u64::MAX), 1, MAX_OUTPUT_BYTES));
            }
            let nul = exec.name.contains('\0')
                || exec.command.as_os_str().as_encoded_bytes().contains(&0)
                || exec.args.iter().any(|a| a.contains('\0'));
            if nul {
                problems.push((
                    "name".to_owned(),
                    format!("exec `{}`: a NUL byte in its name, command or arguments", exec.name.escape_default()),
                ));
            }
        }
        let Some((key, message)) = problems.into_iter().next() else { return Ok(()) };
        let at = text.lines().enumerate().find_map(|(i, line)| {
            let column = line.find(&format!("{key}:"))?;
            Some(format!("line {} column {}: ", i + 1, column + 1))
        });
        Err(ConfigError { origin: origin.to_owned(), message: format!("{}{message}", at.unwrap_or_default()) })
    }

    /// The time limit of one probe.
    #[must_use]
    pub fn timeout_for(&self, probe: &str) -> Duration {
        let seconds = self.timeouts.get(probe).copied().or(self.timeout_seconds).unwrap_or(60);
        Duration::from_secs(seconds.max(1))
    }

    /// The time limits of every probe named in `timeouts`.
    #[must_use]
    pub fn timeouts(&self) -> BTreeMap<String, Duration> {
        self.timeouts.keys().map(|id| (id.clone(), self.timeout_for(id))).collect()
    }

    /// Makes relative paths in the file relative to the file's folder.
    fn resolve_relative_to(&mut self, base: &Path) {
        if let Some(files) = &mut self.files {
            files.resolve_relative_to(base);
        }
        if let Some(network) = &mut self.network {
            network.resolve_relative_to(base);
        }
        if let Some(ldap) = &mut self.ldap {
            ldap.resolve_relative_to(base);
        }
        if let Some(graph) = &mut self.graph {
            graph.resolve_relative_to(base);
        }
        for exec in &mut self.exec {
            exec.resolve_relative_to(base);
        }
        if let Some(import) = &mut self.import {
            import.resolve_relative_to(base);
        }
    }

    /// The JSON Schema (draft 2020-12) of the configuration file.
    #[must_use]
    pub fn schema() -> serde_json::Value {
        let mut schema = schemars::generate::SchemaSettings::draft2020_12()
            .into_generator()
            .into_root_schema_for::<Self>()
            .to_value();
        if let Some(object) = schema.as_object_mut() {
            object.insert("$id".into(), CONFIG_SCHEMA_ID.into());
        }
        schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors_with_a_location() {
        let error = CollectConfig::from_yaml_str("timeout_seconds: 5\nbogus: 1\n", "c.yaml").unwrap_err();
        assert!(error.to_string().contains("bogus"), "{error}");
    }

    #[test]
    fn timeouts_fall_back_to_the_default() {
        let config = CollectConfig::from_yaml_str("timeout_seconds: 7\ntimeouts: { ldap: 3 }\n", "c").unwrap();
        assert_eq!(config.timeout_for("ldap"), Duration::from_secs(3));
        assert_eq!(config.timeout_for("graph"), Duration::from_secs(7));
        assert_eq!(CollectConfig::default().timeout_for("x"), Duration::from_secs(60));
    }
}
