//! Graph JSON (shapes of the Graph v1.0/beta reference) → `entra.*` facts. Pure functions, so
//! they are tested on recorded responses without a server.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::facts::Nullable;
use crate::facts::entra::{
    CloudSyncConfig, DeletionPreventionType, DirectoryObjectType, EntraDomain, LastExecution, OnPremSync,
    ProvisioningAgent, ProvisioningError, ProvisioningLog, Quarantine, SyncAccount, SyncJob, Tenant,
};
use crate::time::parse_windows_time;

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn boolean(value: &Value, key: &str) -> Option<bool> {
    value.get(key).and_then(Value::as_bool)
}

fn count(value: &Value, key: &str) -> Option<u64> {
    value.get(key).and_then(Value::as_u64)
}

/// A timestamp normalized to RFC 3339 UTC (whole seconds); text that does not parse is kept.
fn time(value: &Value, key: &str) -> Option<String> {
    text(value, key).map(|t| parse_windows_time(&t).unwrap_or(t))
}

/// Present key ⇒ `Some(value or null)`; the key always exists in Graph's answers when selected.
fn nullable_time(value: &Value, key: &str) -> Option<Nullable<String>> {
    Some(Nullable(time(value, key)))
}

fn enumeration<T: DeserializeOwned>(value: Option<&Value>) -> Option<T> {
    value.and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// `entra.tenant` from `GET /v1.0/organization` (first item) and, when read,
/// `GET /beta/organization?$select=onPremisesLastPasswordSyncDateTime,directorySizeQuota`.
#[must_use]
pub fn tenant(organization: &Value, beta: Option<&Value>) -> Tenant {
    let initial_domain = organization.get("verifiedDomains").and_then(Value::as_array).and_then(|domains| {
        domains.iter().find(|d| boolean(d, "isInitial") == Some(true)).and_then(|d| text(d, "name"))
    });
    let mut tenant = Tenant {
        id: text(organization, "id"),
        initial_domain,
        on_premises_sync_enabled: Some(Nullable(boolean(organization, "onPremisesSyncEnabled"))),
        on_premises_last_sync: nullable_time(organization, "onPremisesLastSyncDateTime"),
        ..Tenant::default()
    };
    if let Some(beta) = beta {
        tenant.on_premises_last_password_sync = nullable_time(beta, "onPremisesLastPasswordSyncDateTime");
        let quota = beta.get("directorySizeQuota");
        tenant.directory_quota_used = Some(Nullable(quota.and_then(|q| count(q, "used"))));
        tenant.directory_quota_total = Some(Nullable(quota.and_then(|q| count(q, "total"))));
    }
    tenant
}

/// `entra.domains[]` from `GET /v1.0/domains`.
#[must_use]
pub fn domain(domain: &Value) -> EntraDomain {
    EntraDomain {
        name: text(domain, "id"),
        is_verified: boolean(domain, "isVerified"),
        is_initial: boolean(domain, "isInitial"),
        authentication_type: enumeration(domain.get("authenticationType")),
    }
}

/// `entra.onprem_sync` from `GET /v1.0/directory/onPremisesSynchronization` (first item).
#[must_use]
pub fn onprem_sync(sync: &Value) -> OnPremSync {
    let features: BTreeMap<String, bool> = sync
        .get("features")
        .and_then(Value::as_object)
        .map(|f| f.iter().filter_map(|(k, v)| v.as_bool().map(|b| (k.clone(), b))).collect())
        .unwrap_or_default();
    let prevention = sync.pointer("/configuration/accidentalDeletionPrevention");
    OnPremSync {
        features: Some(features),
        deletion_prevention_type: enumeration::<DeletionPreventionType>(
            prevention.and_then(|p| p.get("synchronizationPreventionType")),
        ),
        deletion_alert_threshold: prevention.and_then(|p| count(p, "alertThreshold")),
    }
}

/// `entra.sync_accounts[]` from the members of the Directory Synchronization Accounts role.
#[must_use]
pub fn sync_account(user: &Value) -> SyncAccount {
    SyncAccount {
        id: text(user, "id"),
        upn: text(user, "userPrincipalName"),
        display_name: text(user, "displayName"),
        account_enabled: boolean(user, "accountEnabled"),
        created: nullable_time(user, "createdDateTime"),
        last_password_change: nullable_time(user, "lastPasswordChangeDateTime"),
        last_sign_in: user.get("signInActivity").map(|a| Nullable(time(a, "lastSignInDateTime"))),
    }
}

/// `entra.provisioning_errors[]` of one object with `onPremisesProvisioningErrors`.
#[must_use]
pub fn provisioning_errors(object: &Value, object_type: DirectoryObjectType) -> Vec<ProvisioningError> {
    let errors = object.get("onPremisesProvisioningErrors").and_then(Value::as_array).cloned().unwrap_or_default();
    errors
        .iter()
        .map(|error| ProvisioningError {
            object_type: Some(object_type),
            id: text(object, "id"),
            display_name: text(object, "displayName"),
            category: text(error, "category"),
            property: text(error, "propertyCausingError"),
            value: text(error, "value"),
            occurred: time(error, "occurredDateTime"),
        })
        .collect()
}

/// One synchronization job (`GET /beta/servicePrincipals/{id}/synchronization/jobs`).
#[must_use]
pub fn job(job: &Value) -> SyncJob {
    let status = job.get("status").cloned().unwrap_or(Value::Null);
    let quarantine = match status.get("quarantine") {
        Some(q) if q.is_object() => Nullable::value(Quarantine {
            reason: text(q, "reason"),
            error_code: q.pointer("/error/code").and_then(Value::as_str).map(str::to_owned),
            error_message: q.pointer("/error/message").and_then(Value::as_str).map(str::to_owned),
            series_began: time(q, "seriesBegan"),
            current_began: time(q, "currentBegan"),
            next_attempt: time(q, "nextAttempt"),
            series_count: count(q, "seriesCount"),
        }),
        _ => Nullable::null(),
    };
    let last_execution = match status.get("lastExecution") {
        Some(e) if e.is_object() => Nullable::value(LastExecution {
            state: text(e, "state"),
            time_ended: time(e, "timeEnded"),
            error_code: Some(Nullable(e.pointer("/error/code").and_then(Value::as_str).map(str::to_owned))),
        }),
        _ => Nullable::null(),
    };
    SyncJob {
        id: text(job, "id"),
        template_id: text(job, "templateId"),
        schedule_state: enumeration(job.pointer("/schedule/state")),
        schedule_interval: job.pointer("/schedule/interval").and_then(Value::as_str).map(str::to_owned),
        status_code: enumeration(status.get("code")),
        quarantine: Some(quarantine),
        successive_failures: count(&status, "countSuccessiveCompleteFailures"),
        last_execution: Some(last_execution),
        last_successful_execution_end: Some(Nullable(
            status.get("lastSuccessfulExecution").filter(|v| v.is_object()).and_then(|e| time(e, "timeEnded")),
        )),
        escrows_pruned: boolean(&status, "escrowsPruned"),
    }
}

/// A cloud sync configuration: its service principal and jobs.
#[must_use]
pub fn cloud_sync_config(service_principal: &Value, jobs: &[Value]) -> CloudSyncConfig {
    CloudSyncConfig {
        service_principal_id: text(service_principal, "id"),
        display_name: text(service_principal, "displayName"),
        password_writeback_enabled: None,
        jobs: Some(jobs.iter().map(job).collect()),
    }
}

/// A provisioning agent (`GET /beta/onPremisesPublishingProfiles/provisioning/agents?$expand=agentGroups`).
#[must_use]
pub fn agent(agent: &Value) -> ProvisioningAgent {
    let groups = agent.get("agentGroups").and_then(Value::as_array).map(|groups| {
        groups.iter().filter_map(|g| text(g, "displayName").or_else(|| text(g, "id"))).collect::<Vec<_>>()
    });
    ProvisioningAgent {
        id: text(agent, "id"),
        machine_name: text(agent, "machineName"),
        external_ip: text(agent, "externalIp"),
        status: enumeration(agent.get("status")),
        groups: Some(groups.unwrap_or_default()),
    }
}

/// A provisioning log entry (`GET /v1.0/auditLogs/provisioning`).
#[must_use]
pub fn provisioning_log(entry: &Value) -> ProvisioningLog {
    let status = entry.get("provisioningStatusInfo");
    let error = status.and_then(|s| s.get("errorInformation")).filter(|e| e.is_object());
    ProvisioningLog {
        time: time(entry, "activityDateTime"),
        job_id: text(entry, "jobId"),
        source_id: entry.pointer("/sourceIdentity/id").and_then(Value::as_str).map(str::to_owned),
        target_id: entry.pointer("/targetIdentity/id").and_then(Value::as_str).map(str::to_owned),
        action: text(entry, "provisioningAction"),
        status: enumeration(status.and_then(|s| s.get("status"))),
        error_code: Some(Nullable(error.and_then(|e| text(e, "errorCode")))),
        error_reason: Some(Nullable(error.and_then(|e| text(e, "reason")))),
    }
}

/// Non-zero `status.errorCode` values of sign-in log entries, newest first, without repeats.
#[must_use]
pub fn signin_error_codes(entries: &[Value]) -> Vec<i64> {
    let mut codes = Vec::new();
    for entry in entries {
        if let Some(code) = entry.pointer("/status/errorCode").and_then(Value::as_i64)
            && code != 0
            && !codes.contains(&code)
        {
            codes.push(code);
        }
    }
    codes
}
