//! `dataquality.*` — IdFix-style attribute checks, imported from an IdFix CSV or computed from
//! an LDAP scan (`facts.md` §B.2.10).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// Data-quality findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataQuality {
    /// Where the findings come from.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub source: Option<Nullable<DataQualitySource>>,
    /// IdFix rule set used.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<Nullable<RuleSet>>,
    /// One entry per object attribute value at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<Finding>>,
    /// Number of findings per IdFix category (key: category name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<BTreeMap<String, Nullable<u64>>>,
    /// Number of duplicate values per attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicates: Option<Duplicates>,
}

/// Source of data-quality findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DataQualitySource {
    /// Computed by syncdoctor from an LDAP scan.
    LdapScan,
    /// Imported from an IdFix CSV export.
    IdfixCsv,
}

/// IdFix rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RuleSet {
    /// Multi-tenant (the default).
    MultiTenant,
    /// Dedicated (stricter; adds `MailMatch`).
    Dedicated,
}

/// One IdFix finding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Distinguished name of the object.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub dn: Option<Nullable<String>>,
    /// Object class, e.g. `user`, `group`, `contact`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub object_class: Option<Nullable<String>>,
    /// LDAP attribute at fault, e.g. `userPrincipalName`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub attribute: Option<Nullable<String>>,
    /// IdFix error category.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub category: Option<Nullable<IdFixCategory>>,
    /// Current value.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub value: Option<Nullable<String>>,
    /// IdFix's suggested value.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Nullable<String>>,
}

/// IdFix error categories, spelled as IdFix prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub enum IdFixCategory {
    /// Invalid characters.
    Character,
    /// Invalid format.
    Format,
    /// Non-routable top-level domain (e.g. `.local`).
    TopLevelDomain,
    /// Invalid domain part.
    DomainPart,
    /// Invalid local part.
    LocalPart,
    /// Value too long.
    Length,
    /// Duplicate value.
    Duplicate,
    /// Blank value.
    Blank,
    /// `mail` doesn't match a `proxyAddresses` value (dedicated rule set only).
    MailMatch,
}

/// Number of duplicate values per attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Duplicates {
    /// Duplicate `userPrincipalName` values.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub upn: Option<Nullable<u64>>,
    /// Duplicate `proxyAddresses` values.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub proxy_address: Option<Nullable<u64>>,
    /// Duplicate `mail` values.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub mail: Option<Nullable<u64>>,
    /// Duplicate `mailNickname` values.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub mail_nickname: Option<Nullable<u64>>,
    /// Duplicate `sAMAccountName` values.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub sam_account_name: Option<Nullable<u64>>,
    /// Duplicate `targetAddress` values.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub target_address: Option<Nullable<u64>>,
}
