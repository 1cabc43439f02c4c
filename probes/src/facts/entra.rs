//! `entra.*` — the Microsoft Entra tenant, read through Microsoft Graph (`facts.md` §B.2.11).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// The Entra tenant's synchronization state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entra {
    /// The organization object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Tenant>,
    /// Tenant domains (`GET /domains`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<EntraDomain>>,
    /// Directory synchronization settings (`GET /directory/onPremisesSynchronization`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onprem_sync: Option<OnPremSync>,
    /// Members of the Directory Synchronization Accounts role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_accounts: Option<Vec<SyncAccount>>,
    /// The Entra connector account configured in Connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_account: Option<ConnectorAccount>,
    /// Objects with `onPremisesProvisioningErrors`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_errors: Option<Vec<ProvisioningError>>,
    /// Investigated users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<EntraUser>>,
    /// Investigated groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<EntraGroup>>,
    /// Cloud sync configurations and agents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_sync: Option<CloudSync>,
    /// Provisioning log entries of the cloud sync jobs (`GET /auditLogs/provisioning`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_logs: Option<Vec<ProvisioningLog>>,
    /// Sign-in log entries of the sync accounts (`GET /auditLogs/signIns`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signins: Option<Vec<SignIn>>,
}

/// The organization object (`GET /organization`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// Tenant id (GUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The `*.onmicrosoft.com` initial domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_domain: Option<String>,
    /// `onPremisesSyncEnabled`; `null` if sync was never enabled.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub on_premises_sync_enabled: Option<Nullable<bool>>,
    /// `onPremisesLastSyncDateTime` (RFC 3339); `null` if never synced.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub on_premises_last_sync: Option<Nullable<String>>,
    /// `onPremisesLastPasswordSyncDateTime` (beta; RFC 3339); `null` if never.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub on_premises_last_password_sync: Option<Nullable<String>>,
    /// `directorySizeQuota.used` (beta); `null` if not reported.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub directory_quota_used: Option<Nullable<u64>>,
    /// `directorySizeQuota.total` (beta); `null` if not reported.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub directory_quota_total: Option<Nullable<u64>>,
}

/// One tenant domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntraDomain {
    /// Domain name (`id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `isVerified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_verified: Option<bool>,
    /// `isInitial`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_initial: Option<bool>,
    /// `authenticationType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<AuthenticationType>,
}

/// Domain authentication type, spelled as Graph returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum AuthenticationType {
    /// Cloud authentication (PHS / PTA).
    Managed,
    /// Federated (AD FS or another IdP).
    Federated,
}

/// Directory synchronization settings of the tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnPremSync {
    /// `features`, keyed by Graph's name (e.g. `passwordSyncEnabled`, `blockSoftMatchEnabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<BTreeMap<String, bool>>,
    /// `configuration.accidentalDeletionPrevention.synchronizationPreventionType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_prevention_type: Option<DeletionPreventionType>,
    /// `configuration.accidentalDeletionPrevention.alertThreshold`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_alert_threshold: Option<u64>,
}

/// Accidental-deletion prevention mode, spelled as Graph returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum DeletionPreventionType {
    /// No prevention.
    #[serde(rename = "disabled")]
    Disabled,
    /// Threshold is an object count.
    #[serde(rename = "enabledForCount")]
    EnabledForCount,
    /// Threshold is a percentage.
    #[serde(rename = "enabledForPercentage")]
    EnabledForPercentage,
}

/// A member of the Directory Synchronization Accounts role (one per Connect server).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncAccount {
    /// User object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `userPrincipalName`, e.g. `Sync_SYNC01_…@contoso.onmicrosoft.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// `displayName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `accountEnabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_enabled: Option<bool>,
    /// `createdDateTime` (RFC 3339); `null` if unknown.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub created: Option<Nullable<String>>,
    /// `lastPasswordChangeDateTime` (RFC 3339); `null` if unknown.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub last_password_change: Option<Nullable<String>>,
    /// `signInActivity.lastSignInDateTime` (RFC 3339); `null` if never.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub last_sign_in: Option<Nullable<String>>,
}

/// The Entra connector account configured in Connect, looked up in the tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectorAccount {
    /// UPN configured on the Entra connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configured_upn: Option<String>,
    /// The user exists in the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// `accountEnabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_enabled: Option<bool>,
    /// The user holds the Directory Synchronization Accounts role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_dirsync_role: Option<bool>,
    /// Recent sign-in `status.errorCode` values (e.g. 50034, 50054, 50055, 50057, 50126).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recent_signin_error_codes: Option<Vec<i64>>,
}

/// An object with an on-premises provisioning error (`onPremisesProvisioningErrors`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisioningError {
    /// Kind of directory object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_type: Option<DirectoryObjectType>,
    /// Object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `displayName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `category`, e.g. `PropertyConflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `propertyCausingError`, e.g. `UserPrincipalName` or `ProxyAddress`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// `value` that conflicted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `occurredDateTime` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub occurred: Option<String>,
}

/// Kind of Entra directory object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DirectoryObjectType {
    /// A user.
    User,
    /// A group.
    Group,
    /// An organizational contact.
    Contact,
}

/// One Entra user's sync-relevant properties.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntraUser {
    /// Object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `userPrincipalName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// `onPremisesSyncEnabled`; `null` for a cloud-only user never synced.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub on_premises_sync_enabled: Option<Nullable<bool>>,
    /// `onPremisesImmutableId` (source anchor); `null` if not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub on_premises_immutable_id: Option<Nullable<String>>,
    /// `onPremisesLastSyncDateTime` (RFC 3339); `null` if never synced.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub on_premises_last_sync: Option<Nullable<String>>,
    /// `proxyAddresses`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_addresses: Option<Vec<String>>,
    /// `accountEnabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_enabled: Option<bool>,
    /// Names of directory roles assigned to the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_roles: Option<Vec<String>>,
}

/// One Entra group's sync-relevant properties.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntraGroup {
    /// Object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `displayName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Member count (`members/$count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<u64>,
    /// `onPremisesSyncEnabled`; `null` for a cloud group never synced.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub on_premises_sync_enabled: Option<Nullable<bool>>,
}

/// Cloud sync configurations and provisioning agents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudSync {
    /// One per AD domain configured for cloud sync (service principals from the cloud sync app template).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configs: Option<Vec<CloudSyncConfig>>,
    /// Registered provisioning agents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<Vec<ProvisioningAgent>>,
}

/// One cloud sync configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudSyncConfig {
    /// Service principal id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_principal_id: Option<String>,
    /// Service principal display name (usually the AD domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Password writeback is enabled in the configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_writeback_enabled: Option<bool>,
    /// Synchronization jobs (`GET /servicePrincipals/{id}/synchronization/jobs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<Vec<SyncJob>>,
}

/// One synchronization job and its status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncJob {
    /// Job id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `templateId`, e.g. `AD2AADProvisioning` or `AD2AADPasswordHash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// `schedule.state`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_state: Option<ScheduleState>,
    /// `schedule.interval` (ISO 8601 duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "duration"))]
    pub schedule_interval: Option<String>,
    /// `status.code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<JobStatusCode>,
    /// `status.quarantine`; `null` when the job is not in quarantine.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<Nullable<Quarantine>>,
    /// `status.countSuccessiveCompleteFailures`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successive_failures: Option<u64>,
    /// `status.lastExecution`; `null` if the job never ran.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub last_execution: Option<Nullable<LastExecution>>,
    /// `status.lastSuccessfulExecution.timeEnded` (RFC 3339); `null` if never.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub last_successful_execution_end: Option<Nullable<String>>,
    /// `status.escrowsPruned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escrows_pruned: Option<bool>,
}

/// Job schedule state, spelled as Graph returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ScheduleState {
    /// The job runs on schedule.
    Active,
    /// The job is disabled.
    Disabled,
    /// The job is paused.
    Paused,
}

/// Job status code, spelled as Graph returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum JobStatusCode {
    /// Not configured.
    NotConfigured,
    /// Never ran.
    NotRun,
    /// Running normally.
    Active,
    /// Paused.
    Paused,
    /// In quarantine (see `quarantine`).
    Quarantine,
}

/// A job's quarantine (`status.quarantine`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quarantine {
    /// `reason`, e.g. `EncounteredQuarantineException`, `TooManyDeletes`, `QuarantinedOnDemand`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `error.code`, e.g. `HybridIdentityServiceNoActiveAgents`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// `error.message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// `seriesBegan` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub series_began: Option<String>,
    /// `currentBegan` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub current_began: Option<String>,
    /// `nextAttempt` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub next_attempt: Option<String>,
    /// `seriesCount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_count: Option<u64>,
}

/// A job's last execution (`status.lastExecution`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LastExecution {
    /// `state`, e.g. `Succeeded`, `Failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `timeEnded` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub time_ended: Option<String>,
    /// `error.code`, e.g. `AzureActiveDirectoryInvalidCredential`; `null` when it succeeded.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<Nullable<String>>,
}

/// A registered provisioning agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisioningAgent {
    /// Agent id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `machineName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_name: Option<String>,
    /// `externalIp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ip: Option<String>,
    /// `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AgentStatus>,
    /// Agent groups it belongs to (ids or names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
}

/// Provisioning agent status, spelled as Graph returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AgentStatus {
    /// The agent is connected.
    Active,
    /// The agent is not connected.
    Inactive,
}

/// One provisioning log entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisioningLog {
    /// `activityDateTime` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub time: Option<String>,
    /// `jobId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// `sourceIdentity.id` (AD objectGUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// `targetIdentity.id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    /// `provisioningAction`, e.g. `create`, `update`, `delete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// `provisioningStatusInfo.status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ProvisioningStatus>,
    /// `provisioningStatusInfo.errorInformation.errorCode`; `null` when there was no error.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<Nullable<String>>,
    /// `provisioningStatusInfo.errorInformation.reason`; `null` when there was no error.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error_reason: Option<Nullable<String>>,
}

/// Provisioning status, spelled as Graph returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProvisioningStatus {
    /// Succeeded.
    Success,
    /// Failed.
    Failure,
    /// Skipped (e.g. out of scope).
    Skipped,
    /// Succeeded with a warning.
    Warning,
}

/// One sign-in log entry of a sync account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// `userPrincipalName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// `createdDateTime` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub time: Option<String>,
    /// `status.errorCode` (0 = success; AADSTS number otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
}
