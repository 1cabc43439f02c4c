//! Values every probe's configuration section shares: paths relative to the configuration file
//! and secrets named by their source (an environment variable or a file), never written in it. A
//! leaf module: the sections (`files`, `ldap`, `graph`…) use it, and `config` gathers the sections.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Joins a relative path to `base`; absolute paths stay.
#[must_use]
pub fn resolve(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() { path.to_path_buf() } else { base.join(path) }
}

/// Where a secret comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretSource {
    /// Environment variable holding the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// File holding the secret (trailing newline ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
}

/// A secret read from its source; its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Secret {
    /// The secret text (only to hand it to the server that needs it).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl SecretSource {
    /// Reads the secret.
    ///
    /// # Errors
    ///
    /// A message naming the variable or file (never the secret) when it is missing or empty.
    pub fn read(&self, what: &str) -> Result<Secret, String> {
        if let Some(name) = &self.env {
            return match std::env::var(name) {
                Ok(value) if !value.is_empty() => Ok(Secret(value)),
                _ => Err(format!("{what}: environment variable {name} is not set")),
            };
        }
        if let Some(path) = &self.file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("{what}: cannot read secret file {}: {e}", path.display()))?;
            let text = text.trim_end_matches(['\r', '\n']).to_owned();
            if text.is_empty() {
                return Err(format!("{what}: secret file {} is empty", path.display()));
            }
            return Ok(Secret(text));
        }
        Err(format!("{what}: no secret source (set `env` or `file`)"))
    }

    /// Makes a relative `file` relative to `base` (the configuration file's folder).
    pub fn resolve_relative_to(&mut self, base: &Path) {
        if let Some(file) = &mut self.file {
            *file = resolve(base, file);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_come_from_files_and_never_print() {
        let path = std::env::temp_dir().join(format!("syncdoctor-secret-{}", std::process::id()));
        std::fs::write(&path, "s3cret\n").unwrap();
        let secret = SecretSource { env: None, file: Some(path.clone()) }.read("graph").unwrap();
        assert_eq!(secret.expose(), "s3cret");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        std::fs::remove_file(path).unwrap();
        let missing = SecretSource { env: Some("SYNCDOCTOR_TEST_NO_SUCH_VAR".into()), file: None }.read("graph");
        assert!(missing.unwrap_err().contains("SYNCDOCTOR_TEST_NO_SUCH_VAR"));
    }
}
