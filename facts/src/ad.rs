//! `ad.*` — on-premises Active Directory, read over LDAP (`facts.md` §B.2.9).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// The on-premises AD forest as seen by the sync accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ad {
    /// Forest root DNS name (RootDSE `rootDomainNamingContext`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub forest: Option<Nullable<String>>,
    /// Domains of the forest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<AdDomain>>,
    /// UPN suffixes: forest `uPNSuffixes` plus the domains' DNS names.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub upn_suffixes: Option<Nullable<Vec<String>>>,
    /// The sync-related accounts, by role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<AdAccounts>,
    /// Permissions the sync accounts need.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<AdPermissions>,
    /// Object counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<AdObjects>,
    /// Investigated or sampled users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<AdUser>>,
    /// Investigated or sampled groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<AdGroup>>,
}

/// One AD domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdDomain {
    /// DNS name (crossRef `dnsRoot`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<Nullable<String>>,
    /// NetBIOS name (crossRef `nETBIOSName`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub netbios: Option<Nullable<String>>,
    /// Domain head DN, e.g. `DC=contoso,DC=com`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub dn: Option<Nullable<String>>,
    /// Default minimum password age, in seconds (`minPwdAge`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub min_pwd_age_seconds: Option<Nullable<u64>>,
    /// Default maximum password age, in seconds (`maxPwdAge`; 0 = never expires).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub max_pwd_age_seconds: Option<Nullable<u64>>,
    /// SRV `_ldap._tcp.dc._msdcs.<domain>` resolves.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub srv_resolves: Option<Nullable<bool>>,
    /// Domain controllers found through the SRV records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dcs: Option<Vec<DomainController>>,
}

/// One domain controller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainController {
    /// DC host name (SRV target).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub hostname: Option<Nullable<String>>,
    /// Its A/AAAA record resolves.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub a_record_resolves: Option<Nullable<bool>>,
    /// Resolved IP address.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub ip: Option<Nullable<String>>,
}

/// The sync-related AD accounts, under fixed role keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdAccounts {
    /// Logon account of the `ADSync` service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_service: Option<AdAccount>,
    /// AD DS connector account (`MSOL_…`), from `connect.connectors[kind=ad].account_user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_connector: Option<AdAccount>,
    /// Cloud sync gMSA (`provAgentgMSA$`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudsync_gmsa: Option<AdAccount>,
    /// DirSync service account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dirsync_service: Option<AdAccount>,
}

/// State of one AD account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdAccount {
    /// The account was found.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub exists: Option<Nullable<bool>>,
    /// The account is in `CN=Deleted Objects`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Nullable<bool>>,
    /// objectClass `msDS-GroupManagedServiceAccount`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub is_gmsa: Option<Nullable<bool>>,
    /// `userAccountControl` ACCOUNTDISABLE (0x2) is clear.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Nullable<bool>>,
    /// `msDS-User-Account-Control-Computed` LOCKOUT (0x10).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub locked_out: Option<Nullable<bool>>,
    /// `msDS-User-Account-Control-Computed` PASSWORD_EXPIRED (0x800000).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub password_expired: Option<Nullable<bool>>,
    /// `userAccountControl` DONT_EXPIRE_PASSWORD (0x10000).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub password_never_expires: Option<Nullable<bool>>,
    /// `pwdLastSet` is 0.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub must_change_password: Option<Nullable<bool>>,
    /// Distinguished name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub dn: Option<Nullable<String>>,
    /// `sAMAccountName`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub sam_account_name: Option<Nullable<String>>,
    /// `userPrincipalName`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub upn: Option<Nullable<String>>,
    /// Most specific `objectClass`, e.g. `user`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub object_class: Option<Nullable<String>>,
    /// `pwdLastSet` (RFC 3339); `null` if never set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub pwd_last_set: Option<Nullable<String>>,
    /// `msDS-UserPasswordExpiryTimeComputed` (RFC 3339); `null` if the password never expires.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub password_expires_at: Option<Nullable<String>>,
    /// `accountExpires` (RFC 3339); `null` if the account never expires.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub account_expires_at: Option<Nullable<String>>,
}

/// Permissions of the sync accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdPermissions {
    /// Replication rights of the AD DS connector account, per domain head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_connector_by_domain: Option<Vec<DomainReplicationRights>>,
    /// Password-writeback rights of the cloud sync gMSA on the target OUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudsync_gmsa: Option<GmsaPermissions>,
}

/// Replication rights on one domain head (needed for password hash sync).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainReplicationRights {
    /// Domain DNS name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub domain: Option<Nullable<String>>,
    /// "Replicating Directory Changes" (Get-Changes) is granted.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub replicating_directory_changes: Option<Nullable<bool>>,
    /// "Replicating Directory Changes All" (Get-Changes-All) is granted.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub replicating_directory_changes_all: Option<Nullable<bool>>,
}

/// Password-writeback rights of the cloud sync gMSA.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GmsaPermissions {
    /// Extended right "Reset Password" is granted.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub reset_password: Option<Nullable<bool>>,
    /// Extended right "Unexpire Password" is granted.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub unexpire_password: Option<Nullable<bool>>,
    /// The grants apply to descendant user objects.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub applies_to_descendants: Option<Nullable<bool>>,
}

/// Object counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdObjects {
    /// Users, groups and contacts under the selected partitions and OUs.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub in_scope_count: Option<Nullable<u64>>,
}

/// One AD user's sync-relevant attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdUser {
    /// Distinguished name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub dn: Option<Nullable<String>>,
    /// `objectGUID`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub object_guid: Option<Nullable<String>>,
    /// `mS-DS-ConsistencyGuid`; `null` if not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub consistency_guid: Option<Nullable<String>>,
    /// `userPrincipalName`; `null` if not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub upn: Option<Nullable<String>>,
    /// `sAMAccountName`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub sam: Option<Nullable<String>>,
    /// `mail`; `null` if not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub mail: Option<Nullable<String>>,
    /// `mailNickname`; `null` if not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub mail_nickname: Option<Nullable<String>>,
    /// `proxyAddresses`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub proxy_addresses: Option<Nullable<Vec<String>>>,
    /// `displayName`; `null` if not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Nullable<String>>,
    /// `userAccountControl` flags.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub user_account_control: Option<Nullable<u32>>,
    /// Number of `userCertificate` values (Entra limit 15).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub user_certificate_count: Option<Nullable<u64>>,
    /// Number of `userSMIMECertificate` values (Entra limit 15).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub user_smime_certificate_count: Option<Nullable<u64>>,
    /// Size of `thumbnailPhoto`, in bytes.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub thumbnail_photo_bytes: Option<Nullable<u64>>,
    /// `msExchRecipientTypeDetails` (2 = linked mailbox); `null` if not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub ms_exch_recipient_type_details: Option<Nullable<i64>>,
    /// The DACL is protected from inheritance (SE_DACL_PROTECTED).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub acl_inheritance_disabled: Option<Nullable<bool>>,
    /// `adminCount`; `null` if not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub admin_count: Option<Nullable<i64>>,
    /// `isCriticalSystemObject`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub is_critical_system_object: Option<Nullable<bool>>,
}

/// One AD group's sync-relevant attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdGroup {
    /// Distinguished name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub dn: Option<Nullable<String>>,
    /// `objectGUID`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub object_guid: Option<Nullable<String>>,
    /// `displayName`; `null` if not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Nullable<String>>,
    /// `mail`; `null` if not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub mail: Option<Nullable<String>>,
    /// `proxyAddresses`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub proxy_addresses: Option<Nullable<Vec<String>>>,
    /// The group has `mail` or `proxyAddresses`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub mail_enabled: Option<Nullable<bool>>,
    /// Number of `member` values (ranged retrieval).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub member_count: Option<Nullable<u64>>,
}
