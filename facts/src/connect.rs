//! `connect.*` — the Connect Sync engine, read through the `ADSync` PowerShell module, its
//! registry and files (`facts.md` §B.2.6).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// Microsoft Entra Connect Sync (formerly Azure AD Connect) on this host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Connect {
    /// Connect Sync is installed (service `ADSync` present).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub installed: Option<Nullable<bool>>,
    /// Installation folder of `AzureADConnect.exe`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub install_path: Option<Nullable<String>>,
    /// Installed build, 4-part, e.g. `2.4.27.0`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$"))]
    pub version: Option<Nullable<String>>,
    /// Major version (1 or 2).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub major: Option<Nullable<u32>>,
    /// Where the ADSync database lives (registry `…\Services\ADSync\Parameters`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<ConnectDatabase>,
    /// `AadConnector*ApiVersion` registry value; `null` or empty ⇒ the V1 endpoint.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub aad_endpoint_api_version: Option<Nullable<String>>,
    /// How the Entra connector signs in to Microsoft Entra ID (`Get-ADSyncEntraConnectorCredential`
    /// → `ConnectorIdentityType`, Connect 2.5.3.0 and later): the `Sync_…` directory
    /// synchronization account (`service-account`) or an application identity with a certificate
    /// (`application`), which has no `Sync_` user. `null` when the cmdlet is not there (older
    /// builds) or prints another value.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub entra_connector_identity: Option<Nullable<ConnectorIdentityType>>,
    /// `Get-ADSyncScheduler`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<Scheduler>,
    /// Selected `Get-ADSyncGlobalSettings` parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_settings: Option<GlobalSettings>,
    /// `Get-ADSyncAutoUpgrade`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_upgrade: Option<AutoUpgrade>,
    /// Connector currently running a profile (`Get-ADSyncConnectorRunStatus`); `null` when idle.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub running_connector: Option<Nullable<String>>,
    /// Configured connectors (`Get-ADSyncConnector`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connectors: Option<Vec<Connector>>,
    /// Recent run-profile results (`Get-ADSyncRunProfileResult`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<Run>>,
    /// The most recent complete sync cycle (derived from `runs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_cycle: Option<LastCycle>,
    /// End of the newest successful export to the Entra connector (RFC 3339, derived); `null` if none.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub last_successful_export_to_entra: Option<Nullable<String>>,
    /// Longest sync cycle in the last 7 days (ISO 8601 duration, derived).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "duration"))]
    pub max_cycle_duration_7d: Option<Nullable<String>>,
    /// Objects with export errors (run step details, connector space, or offline exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_errors: Option<Vec<ExportError>>,
    /// Export errors counted per `error_type` (derived; keys use Microsoft's vocabulary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_error_counts: Option<BTreeMap<String, Nullable<u64>>>,
    /// Pending exports to Entra (offline `csexport /f:x` + `CSExportAnalyzer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_exports: Option<PendingExports>,
    /// Accidental-delete protection (`Get-ADSyncExportDeletionThreshold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_threshold: Option<DeletionThreshold>,
    /// Password hash synchronization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phs: Option<Phs>,
}

/// The ADSync database location.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectDatabase {
    /// SQL Server LocalDB or a full SQL Server.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Nullable<DatabaseKind>>,
    /// Registry `Server`, e.g. `(localdb)` or `sql01.contoso.com`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub server: Option<Nullable<String>>,
    /// Registry `SQLInstance`, e.g. `.\ADSync2019`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub instance: Option<Nullable<String>>,
    /// Registry `DBName`, e.g. `ADSync`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub name: Option<Nullable<String>>,
}

/// Database engine behind Connect Sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum DatabaseKind {
    /// SQL Server Express LocalDB (10 GB limit).
    #[serde(rename = "LocalDB")]
    LocalDb,
    /// A full SQL Server, local or remote.
    #[serde(rename = "SQL")]
    Sql,
}

/// The built-in scheduler (`Get-ADSyncScheduler`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scheduler {
    /// `SyncCycleEnabled`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub sync_cycle_enabled: Option<Nullable<bool>>,
    /// `MaintenanceEnabled`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub maintenance_enabled: Option<Nullable<bool>>,
    /// `StagingModeEnabled`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub staging_mode_enabled: Option<Nullable<bool>>,
    /// `SchedulerSuspended` (e.g. by the wizard).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub scheduler_suspended: Option<Nullable<bool>>,
    /// `AllowedSyncCycleInterval` (ISO 8601 duration).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "duration"))]
    pub allowed_interval: Option<Nullable<String>>,
    /// `CustomizedSyncCycleInterval` (ISO 8601 duration).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "duration"))]
    pub customized_interval: Option<Nullable<String>>,
    /// `CurrentlyEffectiveSyncCycleInterval` (ISO 8601 duration).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "duration"))]
    pub effective_interval: Option<Nullable<String>>,
    /// `NextSyncCycleStartTimeInUTC` (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub next_cycle_start: Option<Nullable<String>>,
    /// `NextSyncCyclePolicyType`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub next_policy_type: Option<Nullable<PolicyType>>,
    /// `PurgeRunHistoryInterval` (ISO 8601 duration).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "duration"))]
    pub purge_run_history_interval: Option<Nullable<String>>,
}

/// Kind of the next scheduled sync cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum PolicyType {
    /// Delta import and synchronization.
    Delta,
    /// Full import and synchronization.
    Initial,
}

/// Selected `(Get-ADSyncGlobalSettings).Parameters`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GlobalSettings {
    /// `Microsoft.Synchronize.StagingMode`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub staging_mode: Option<Nullable<bool>>,
    /// `Microsoft.Synchronize.ServerConfigurationVersion`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub server_configuration_version: Option<Nullable<String>>,
    /// `Microsoft.OptionalFeature.AutoUpgradeState`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub auto_upgrade_state: Option<Nullable<String>>,
}

/// Automatic upgrade (`Get-ADSyncAutoUpgrade`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoUpgrade {
    /// Auto-upgrade state.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub state: Option<Nullable<AutoUpgradeState>>,
    /// `Get-ADSyncAutoUpgrade -Detail` reason, e.g. `UpgradeNotSupportedLocalDbSizeExceeded`; `null` if none.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub detail: Option<Nullable<String>>,
}

/// How the Entra connector authenticates (`ConnectorIdentityType`: `ServiceAccount` or
/// `Application`, learn.microsoft.com/entra/identity/hybrid/connect/authenticate-application-id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectorIdentityType {
    /// A user name and password: the `Sync_<server>_<id>` directory synchronization account.
    ServiceAccount,
    /// An application (client) id with a certificate (OAuth 2.0 client credentials).
    Application,
}

/// Auto-upgrade state, spelled as `Get-ADSyncAutoUpgrade` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum AutoUpgradeState {
    /// Enabled.
    Enabled,
    /// Suspended by the system (see `detail`).
    Suspended,
    /// Disabled.
    Disabled,
}

/// A connector (`Get-ADSyncConnector`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Connector {
    /// Connector name, e.g. `contoso.com` or `contoso.onmicrosoft.com - AAD`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub name: Option<Nullable<String>>,
    /// Connector `Identifier` (GUID).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub id: Option<Nullable<String>>,
    /// What the connector connects to.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Nullable<ConnectorKind>>,
    /// `ConnectorTypeName`, e.g. `AD` or `Extensible2`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub connector_type_name: Option<Nullable<String>>,
    /// `SubType`, e.g. `Windows Azure Active Directory (Microsoft)`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub subtype: Option<Nullable<String>>,
    /// Connector account user (`forest-login-user` or `UserName`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub account_user: Option<Nullable<String>>,
    /// Connector account domain (`forest-login-domain`); `null` for connectors without one (Entra).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub account_domain: Option<Nullable<String>>,
    /// `LastModificationTime` (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub last_modified: Option<Nullable<String>>,
    /// Directory partitions and their OU filtering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitions: Option<Vec<Partition>>,
    /// Scheduler overrides (`Get-ADSyncSchedulerConnectorOverride`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<ConnectorOverrides>,
}

/// What a connector connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorKind {
    /// On-premises Active Directory.
    Ad,
    /// Microsoft Entra ID.
    Entra,
    /// Anything else (generic LDAP, SQL, …).
    Other,
}

/// A directory partition of a connector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    /// Partition DN, e.g. `DC=contoso,DC=com`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub dn: Option<Nullable<String>>,
    /// The partition is selected for synchronization.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub selected: Option<Nullable<bool>>,
    /// Included containers (`ContainerInclusionList`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub inclusions: Option<Nullable<Vec<String>>>,
    /// Excluded containers (`ContainerExclusionList`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub exclusions: Option<Nullable<Vec<String>>>,
}

/// Pending full operations the scheduler will run for a connector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectorOverrides {
    /// `FullImportRequired`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub full_import_required: Option<Nullable<bool>>,
    /// `FullSyncRequired`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub full_sync_required: Option<Nullable<bool>>,
}

/// One run-profile execution (`Get-ADSyncRunProfileResult`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Run {
    /// Connector name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub connector: Option<Nullable<String>>,
    /// What the connector connects to.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub connector_kind: Option<Nullable<ConnectorKind>>,
    /// Run profile name, e.g. `Delta Import`, `Export`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub profile: Option<Nullable<String>>,
    /// `RunNumber`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub run_number: Option<Nullable<u64>>,
    /// `Result`, e.g. `success`, `completed-export-errors`, `stopped-server-down`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub result: Option<Nullable<String>>,
    /// `StartDate` (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub start: Option<Nullable<String>>,
    /// `EndDate` (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub end: Option<Nullable<String>>,
    /// `IsRunComplete`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub complete: Option<Nullable<bool>>,
    /// `RunStepResults`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<RunStep>>,
}

/// One step of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunStep {
    /// Step type, e.g. `Delta Import`, `Delta Synchronization`, `Export`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<Nullable<String>>,
    /// Step result (same vocabulary as the run `result`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub result: Option<Nullable<String>>,
    /// Number of import errors.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub import_errors: Option<Nullable<u64>>,
    /// Number of synchronization errors.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub sync_errors: Option<Nullable<u64>>,
    /// Number of export errors.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub export_errors: Option<Nullable<u64>>,
}

/// The most recent complete sync cycle (AD imports → Entra import → syncs → exports; derived).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LastCycle {
    /// Start of the cycle's first run (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub start: Option<Nullable<String>>,
    /// End of the cycle's last run (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub end: Option<Nullable<String>>,
    /// The worst run result in the cycle, e.g. `success` or `stopped-server-down`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub worst_result: Option<Nullable<String>>,
    /// The cycle exported to the Entra connector.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub exported_to_entra: Option<Nullable<bool>>,
}

/// An object with an export error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportError {
    /// Connector name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub connector: Option<Nullable<String>>,
    /// Distinguished name of the object.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub dn: Option<Nullable<String>>,
    /// Error type, e.g. `AttributeValueMustBeUnique`, `InvalidSoftMatch`, `LargeObject`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error_type: Option<Nullable<String>>,
    /// Error code as reported, e.g. `114`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<Nullable<String>>,
    /// Attribute at fault, e.g. `proxyAddresses`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub attribute: Option<Nullable<String>>,
    /// Offending value.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub value: Option<Nullable<String>>,
    /// When the error was first seen (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub first_seen: Option<Nullable<String>>,
}

/// Pending exports in the Entra connector space.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PendingExports {
    /// Pending adds.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub adds: Option<Nullable<u64>>,
    /// Pending updates.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub updates: Option<Nullable<u64>>,
    /// Pending deletes.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub deletes: Option<Nullable<u64>>,
}

/// Accidental-delete protection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeletionThreshold {
    /// Protection is on.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Nullable<bool>>,
    /// Maximum deletes per export (default 500).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Nullable<u64>>,
}

/// Password hash synchronization.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phs {
    /// Tenant feature `PasswordHashSync` (`Get-ADSyncAADCompanyFeature`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub tenant_feature_enabled: Option<Nullable<bool>>,
    /// Per-AD-connector PHS configuration (`Get-ADSyncAADPasswordSyncConfiguration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<PhsChannel>>,
    /// Newest PHS heartbeat, event 654 (RFC 3339); `null` if none found.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub last_heartbeat: Option<Nullable<String>>,
    /// Newest PHS batch result, event 657 (RFC 3339); `null` if none found.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub last_batch_result: Option<Nullable<String>>,
}

/// PHS configuration of one AD connector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhsChannel {
    /// AD connector name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub source_connector: Option<Nullable<String>>,
    /// PHS is enabled for it.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Nullable<bool>>,
}
