//! `services.<key>.*` — Windows services of the sync products (`facts.md` §B.2.3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// The sync products' Windows services, under fixed keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Services {
    /// `ADSync` — Microsoft Azure AD Sync / Microsoft Entra ID Sync (Connect Sync engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adsync: Option<Service>,
    /// `AADConnectProvisioningAgent` — the cloud sync provisioning agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_agent: Option<Service>,
    /// `AADConnectAgentUpdater` — agent updater (cloud sync agent; Connect ≥ 2.2.1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_updater: Option<Service>,
    /// `FIMSynchronizationService` — the DirSync-era sync engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim_sync: Option<Service>,
    /// `MSSQL$MOSONLINE` — DirSync's SQL Express instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mssql_mosonline: Option<Service>,
    /// `MSOnlineSyncScheduler` — the DirSync scheduler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dirsync_scheduler: Option<Service>,
}

/// One Windows service (`Win32_Service`), with its logon account and rights.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// The service is installed; when `false` the other keys are usually absent; `null` when the
    /// probe could not tell (always written: a service record says whether it exists).
    #[serde(deserialize_with = "Nullable::deserialize")]
    pub present: Nullable<bool>,
    /// Service short name, e.g. `ADSync`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub name: Option<Nullable<String>>,
    /// Display name, e.g. `Microsoft Azure AD Sync`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Nullable<String>>,
    /// Current state (`Win32_Service.State`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub state: Option<Nullable<ServiceState>>,
    /// Start mode (`Win32_Service.StartMode`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub start_mode: Option<Nullable<StartMode>>,
    /// Logon account as configured (`Win32_Service.StartName`), e.g. `NT SERVICE\ADSync`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub logon_account: Option<Nullable<String>>,
    /// Classification of `logon_account`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub logon_account_kind: Option<Nullable<LogonAccountKind>>,
    /// SID of the logon account, e.g. `S-1-5-80-…`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub logon_account_sid: Option<Nullable<String>>,
    /// `Win32_Service.ExitCode` (1069 = logon failure).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub win32_exit_code: Option<Nullable<i64>>,
    /// `Win32_Service.ServiceSpecificExitCode`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub service_exit_code: Option<Nullable<i64>>,
    /// Newest System event 7036 "entered the running state" (RFC 3339); `null` if none found.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub last_running_at: Option<Nullable<String>>,
    /// The logon account holds `SeServiceLogonRight` (directly, via a group or `S-1-5-80-0`; derived).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub has_logon_as_service_right: Option<Nullable<bool>>,
    /// The logon account is in `SeDenyServiceLogonRight`, which supersedes the grant (derived).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub denied_logon_as_service: Option<Nullable<bool>>,
}

/// Service state, spelled as `Get-Service` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ServiceState {
    /// Running.
    Running,
    /// Stopped.
    Stopped,
    /// Starting.
    StartPending,
    /// Stopping.
    StopPending,
    /// Paused.
    Paused,
    /// Any other or unreadable state.
    Unknown,
}

/// Service start mode, spelled as `Win32_Service.StartMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum StartMode {
    /// Automatic (including delayed start).
    Auto,
    /// Manual.
    Manual,
    /// Disabled.
    Disabled,
    /// Any other or unreadable start mode.
    Unknown,
}

/// What kind of account a service logs on as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum LogonAccountKind {
    /// `LocalSystem`.
    LocalSystem,
    /// `NT AUTHORITY\NetworkService`.
    NetworkService,
    /// `NT AUTHORITY\LocalService`.
    LocalService,
    /// A virtual service account, `NT SERVICE\<name>`.
    VirtualAccount,
    /// A group managed service account (name ends in `$`).
    #[serde(rename = "gMSA")]
    Gmsa,
    /// A domain user account.
    DomainUser,
    /// A local user account (`<host>\<name>`).
    LocalUser,
    /// Could not be classified.
    Unknown,
}
