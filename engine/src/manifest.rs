//! The knowledge base manifest (`kb.yaml`) and catalog (`catalog.yaml`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::rule::Located;
use crate::sandbox::Limits;

/// `kb.yaml`: the knowledge base's identity, vocabulary and settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Human name of the knowledge base.
    pub name: String,
    /// Version of the knowledge base (semver), printed in every report.
    #[schemars(with = "String")]
    pub kb_version: Located<String>,
    /// Oldest engine version able to evaluate this knowledge base.
    #[schemars(with = "String")]
    pub min_engine_version: Located<String>,
    /// Products a rule's `products` may name (matched against `facts.products`).
    #[serde(default)]
    pub products: Vec<String>,
    /// Folders rules may live in.
    #[serde(default)]
    pub areas: Vec<String>,
    /// Fact paths tried in order to name the host in a report.
    #[serde(default)]
    pub host_facts: Vec<String>,
    /// Fact paths naming the tenant (or organisation) a snapshot belongs to; a waiver's `tenant`
    /// scope matches any of them.
    #[serde(default)]
    pub tenant_facts: Vec<String>,
    /// Rules allowed to match a healthy baseline because the baseline's product is itself the
    /// problem (baseline name → rule ids). Every other match on a baseline fails `rules test`.
    #[serde(default)]
    pub baseline_matches: std::collections::BTreeMap<String, Vec<String>>,
    /// Fact namespaces a portable (non-Windows) collector can gather. `rules test` also checks
    /// that no rule matches a baseline reduced to these namespaces.
    #[serde(default)]
    pub portable_namespaces: Vec<String>,
    /// Sandbox limits for every condition.
    #[serde(default)]
    pub limits: Limits,
}

/// `catalog.yaml`: the documented causes rules must cover.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Every entry of the catalog.
    pub entries: Vec<CatalogEntry>,
}

/// One documented cause.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    /// Stable slug that rules name in `covers`.
    pub slug: String,
    /// Short reference used in the catalog document (e.g. `R01`).
    #[serde(default)]
    pub r#ref: Option<String>,
    /// Area the cause belongs to.
    #[serde(default)]
    pub area: Option<String>,
    /// One-line description.
    #[serde(default)]
    pub title: Option<String>,
}
