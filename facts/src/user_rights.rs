//! `user_rights.*` and `local_accounts[]` — local security policy and local users
//! (`facts.md` §B.2.4).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// User rights assignments (`secedit /export /areas USER_RIGHTS`), as SIDs (`S-1-…`, no `*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRights {
    /// SIDs granted "Log on as a service" (`SeServiceLogonRight`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub se_service_logon_right: Option<Nullable<Vec<String>>>,
    /// SIDs denied "Log on as a service" (`SeDenyServiceLogonRight`; supersedes the grant).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub se_deny_service_logon_right: Option<Nullable<Vec<String>>>,
    /// SIDs granted "Log on as a batch job" (`SeBatchLogonRight`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub se_batch_logon_right: Option<Nullable<Vec<String>>>,
    /// SIDs granted "Allow log on locally" (`SeInteractiveLogonRight`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub se_interactive_logon_right: Option<Nullable<Vec<String>>>,
    /// Names of the GPOs that won the User Rights Assignment settings (`gpresult /SCOPE COMPUTER`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub gpo_sources: Option<Nullable<Vec<String>>>,
}

/// A local user account (`Get-LocalUser`), e.g. an `AAD_*` Connect service account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalAccount {
    /// Account name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub name: Option<Nullable<String>>,
    /// Account SID.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub sid: Option<Nullable<String>>,
    /// The account is enabled.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Nullable<bool>>,
    /// When the password was last set (RFC 3339); `null` if never.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub password_last_set: Option<Nullable<String>>,
    /// When the password expires (RFC 3339); `null` if it never expires.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub password_expires_at: Option<Nullable<String>>,
}
