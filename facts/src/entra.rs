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
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub id: Option<Nullable<String>>,
    /// The `*.onmicrosoft.com` initial domain.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub initial_domain: Option<Nullable<String>>,
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
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub name: Option<Nullable<String>>,
    /// `isVerified`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub is_verified: Option<Nullable<bool>>,
    /// `isInitial`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub is_initial: Option<Nullable<bool>>,
    /// `authenticationType`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<Nullable<AuthenticationType>>,
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
    pub features: Option<BTreeMap<String, Nullable<bool>>>,
    /// `configuration.accidentalDeletionPrevention.synchronizationPreventionType`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub deletion_prevention_type: Option<Nullable<DeletionPreventionType>>,
    /// `configuration.accidentalDeletionPrevention.alertThreshold`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub deletion_alert_threshold: Option<Nullable<u64>>,
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
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub id: Option<Nullable<String>>,
    /// `userPrincipalName`, e.g. `Sync_SYNC01_…@contoso.onmicrosoft.com`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub upn: Option<Nullable<String>>,
    /// `displayName`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Nullable<String>>,
    /// `accountEnabled`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub account_enabled: Option<Nullable<bool>>,
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
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub configured_upn: Option<Nullable<String>>,
    /// The user exists in the tenant.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub exists: Option<Nullable<bool>>,
    /// `accountEnabled`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub account_enabled: Option<Nullable<bool>>,
    /// The user holds the Directory Synchronization Accounts role.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub has_dirsync_role: Option<Nullable<bool>>,
    /// Recent sign-in `status.errorCode` values (e.g. 50034, 50054, 50055, 50057, 50126).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub recent_signin_error_codes: Option<Nullable<Vec<i64>>>,
}

/// An object with an on-premises provisioning error (`onPremisesProvisioningErrors`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisioningError {
    /// Kind of directory object.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub object_type: Option<Nullable<DirectoryObjectType>>,
    /// Object id.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub id: Option<Nullable<String>>,
    /// `displayName`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Nullable<String>>,
    /// `category`, e.g. `PropertyConflict`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub category: Option<Nullable<String>>,
    /// `propertyCausingError`, e.g. `UserPrincipalName` or `ProxyAddress`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub property: Option<Nullable<String>>,
    /// `value` that conflicted.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub value: Option<Nullable<String>>,
    /// `occurredDateTime` (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub occurred: Option<Nullable<String>>,
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
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub id: Option<Nullable<String>>,
    /// `userPrincipalName`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub upn: Option<Nullable<String>>,
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
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub proxy_addresses: Option<Nullable<Vec<String>>>,
    /// `accountEnabled`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub account_enabled: Option<Nullable<bool>>,
    /// Names of directory roles assigned to the user.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub directory_roles: Option<Nullable<Vec<String>>>,
}

/// One Entra group's sync-relevant properties.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntraGroup {
    /// Object id.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub id: Option<Nullable<String>>,
    /// `displayName`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Nullable<String>>,
    /// Member count (`members/$count`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub member_count: Option<Nullable<u64>>,
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
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub service_principal_id: Option<Nullable<String>>,
    /// Service principal display name (usually the AD domain).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Nullable<String>>,
    /// Password writeback is enabled in the configuration.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub password_writeback_enabled: Option<Nullable<bool>>,
    /// Synchronization jobs (`GET /servicePrincipals/{id}/synchronization/jobs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<Vec<SyncJob>>,
}

/// One synchronization job and its status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncJob {
    /// Job id.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub id: Option<Nullable<String>>,
    /// `templateId`, e.g. `AD2AADProvisioning` or `AD2AADPasswordHash`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub template_id: Option<Nullable<String>>,
    /// `schedule.state`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub schedule_state: Option<Nullable<ScheduleState>>,
    /// `schedule.interval` (ISO 8601 duration).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "duration"))]
    pub schedule_interval: Option<Nullable<String>>,
    /// `status.code`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub status_code: Option<Nullable<JobStatusCode>>,
    /// `status.quarantine`; `null` when the job is not in quarantine.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<Nullable<Quarantine>>,
    /// `status.countSuccessiveCompleteFailures`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub successive_failures: Option<Nullable<u64>>,
    /// `status.lastExecution`; `null` if the job never ran.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub last_execution: Option<Nullable<LastExecution>>,
    /// `status.lastSuccessfulExecution.timeEnded` (RFC 3339); `null` if never.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub last_successful_execution_end: Option<Nullable<String>>,
    /// `status.escrowsPruned`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub escrows_pruned: Option<Nullable<bool>>,
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
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub reason: Option<Nullable<String>>,
    /// `error.code`, e.g. `HybridIdentityServiceNoActiveAgents`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<Nullable<String>>,
    /// `error.message`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error_message: Option<Nullable<String>>,
    /// `seriesBegan` (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub series_began: Option<Nullable<String>>,
    /// `currentBegan` (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub current_began: Option<Nullable<String>>,
    /// `nextAttempt` (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub next_attempt: Option<Nullable<String>>,
    /// `seriesCount`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub series_count: Option<Nullable<u64>>,
}

/// A job's last execution (`status.lastExecution`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LastExecution {
    /// `state`, e.g. `Succeeded`, `Failed`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub state: Option<Nullable<String>>,
    /// `timeEnded` (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub time_ended: Option<Nullable<String>>,
    /// `error.code`, e.g. `AzureActiveDirectoryInvalidCredential`; `null` when it succeeded.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<Nullable<String>>,
}

/// A registered provisioning agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisioningAgent {
    /// Agent id.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub id: Option<Nullable<String>>,
    /// `machineName`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub machine_name: Option<Nullable<String>>,
    /// `externalIp`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub external_ip: Option<Nullable<String>>,
    /// `status`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub status: Option<Nullable<AgentStatus>>,
    /// Agent groups it belongs to (ids or names).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub groups: Option<Nullable<Vec<String>>>,
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
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub time: Option<Nullable<String>>,
    /// `jobId`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub job_id: Option<Nullable<String>>,
    /// `sourceIdentity.id` (AD objectGUID).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub source_id: Option<Nullable<String>>,
    /// `targetIdentity.id`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub target_id: Option<Nullable<String>>,
    /// `provisioningAction`, e.g. `create`, `update`, `delete`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub action: Option<Nullable<String>>,
    /// `provisioningStatusInfo.status`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub status: Option<Nullable<ProvisioningStatus>>,
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
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub upn: Option<Nullable<String>>,
    /// `createdDateTime` (RFC 3339).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub time: Option<Nullable<String>>,
    /// `status.errorCode` (0 = success; AADSTS number otherwise).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<Nullable<i64>>,
}
