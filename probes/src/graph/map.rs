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
use crate::facts::known;
use crate::time::parse_windows_time;

/// .NET `TimeSpan.MaxValue` as Graph prints it in ISO 8601 (`schedule.interval` of a job that
/// never runs): "never", which the facts write as `null`.
pub const TIMESPAN_MAX_VALUE: &str = "P10675199DT2H48M5.4775807S";

/// .NET `DateTime.MinValue` as Graph prints it (`steadyStateFirstAchievedTime` of a job that
/// never reached steady state): "none", which the facts write as `null`.
pub const DATETIME_MIN_VALUE: &str = "0001-01-01T00:00:00Z";

/// A non-empty string value.
fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_owned)
}

fn boolean(value: &Value, key: &str) -> Option<bool> {
    value.get(key).and_then(Value::as_bool)
}

fn count(value: &Value, key: &str) -> Option<u64> {
    value.get(key).and_then(Value::as_u64)
}

/// A Graph timestamp as RFC 3339 UTC (whole seconds); `None` for `""`, `DateTime.MinValue` and
/// text that is not a timestamp.
#[must_use]
pub fn graph_time(text: &str) -> Option<String> {
    parse_windows_time(text).filter(|t| t != DATETIME_MIN_VALUE && !t.starts_with("0001-01-01T"))
}

/// A Graph ISO 8601 duration; `None` for `""`, `TimeSpan.MaxValue` and text that is not one.
#[must_use]
pub fn graph_duration(text: &str) -> Option<String> {
    let text = text.trim();
    (text != TIMESPAN_MAX_VALUE && text.len() > 1 && text.starts_with('P')).then(|| text.to_owned())
}

fn time(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).and_then(graph_time)
}

/// The key was in the answer: its value, or `null` (Graph's `null`, `""`, a sentinel).
fn gathered_with<T>(value: &Value, key: &str, read: impl FnOnce(&Value, &str) -> Option<T>) -> Option<Nullable<T>> {
    value.get(key).map(|_| Nullable(read(value, key)))
}

fn g_text(value: &Value, key: &str) -> Option<Nullable<String>> {
    gathered_with(value, key, text)
}

fn g_bool(value: &Value, key: &str) -> Option<Nullable<bool>> {
    gathered_with(value, key, boolean)
}

fn g_count(value: &Value, key: &str) -> Option<Nullable<u64>> {
    gathered_with(value, key, count)
}

fn g_time(value: &Value, key: &str) -> Option<Nullable<String>> {
    gathered_with(value, key, time)
}

/// An enumeration value in Microsoft's spelling, also when Graph documents another casing
/// (`"Active"` for `active`); `Some(null)` for `null`, `""` or a value the model does not know.
fn g_enum<T: DeserializeOwned>(value: Option<&Value>) -> Option<Nullable<T>> {
    let value = value?;
    let Some(text) = value.as_str() else { return Some(Nullable::null()) };
    let mut candidates = vec![text.to_owned(), text.to_ascii_lowercase()];
    let mut chars = text.chars();
    if let Some(first) = chars.next() {
        let rest: String = chars.collect();
        candidates.push(format!("{}{rest}", first.to_ascii_lowercase()));
        candidates.push(format!("{}{rest}", first.to_ascii_uppercase()));
    }
    Some(Nullable(candidates.into_iter().find_map(|c| serde_json::from_value(Value::String(c)).ok())))
}

/// `true` when a directory object (a role member) is the user with this `id` or UPN. Graph
/// documents role members without `id` (only `userPrincipalName`), so the UPN (compared without
/// case, as Entra ID does) also counts.
#[must_use]
pub fn is_same_principal(member: &Value, id: Option<&str>, upn: &str) -> bool {
    let member_id = member.get("id").and_then(Value::as_str);
    if let (Some(member_id), Some(id)) = (member_id, id) {
        return member_id.eq_ignore_ascii_case(id);
    }
    member.get("userPrincipalName").and_then(Value::as_str).is_some_and(|m| m.eq_ignore_ascii_case(upn))
}

/// `entra.tenant` from `GET /v1.0/organization` (first item) and, when read,
/// `GET /beta/organization?$select=onPremisesLastPasswordSyncDateTime,directorySizeQuota`.
#[must_use]
pub fn tenant(organization: &Value, beta: Option<&Value>) -> Tenant {
    let initial_domain = organization.get("verifiedDomains").map(|domains| {
        Nullable(domains.as_array().and_then(|domains| {
            domains.iter().find(|d| boolean(d, "isInitial") == Some(true)).and_then(|d| text(d, "name"))
        }))
    });
    let mut tenant = Tenant {
        id: g_text(organization, "id"),
        initial_domain,
        on_premises_sync_enabled: g_bool(organization, "onPremisesSyncEnabled"),
        on_premises_last_sync: g_time(organization, "onPremisesLastSyncDateTime"),
        ..Tenant::default()
    };
    if let Some(beta) = beta {
        tenant.on_premises_last_password_sync = g_time(beta, "onPremisesLastPasswordSyncDateTime");
        if let Some(quota) = beta.get("directorySizeQuota") {
            tenant.directory_quota_used = Some(Nullable(count(quota, "used")));
            tenant.directory_quota_total = Some(Nullable(count(quota, "total")));
        }
    }
    tenant
}

/// `entra.domains[]` from `GET /v1.0/domains`.
#[must_use]
pub fn domain(domain: &Value) -> EntraDomain {
    EntraDomain {
        name: g_text(domain, "id"),
        is_verified: g_bool(domain, "isVerified"),
        is_initial: g_bool(domain, "isInitial"),
        authentication_type: g_enum(domain.get("authenticationType")),
    }
}

/// `entra.onprem_sync` from `GET /v1.0/directory/onPremisesSynchronization` (the entity, or the
/// first item of the collection).
#[must_use]
pub fn onprem_sync(sync: &Value) -> OnPremSync {
    let features: Option<BTreeMap<String, Nullable<bool>>> = sync.get("features").and_then(Value::as_object).map(|f| {
        f.iter()
            .filter(|(_, v)| v.is_boolean() || v.is_null())
            .map(|(k, v)| (k.clone(), Nullable(v.as_bool())))
            .collect()
    });
    let prevention = sync.pointer("/configuration/accidentalDeletionPrevention");
    OnPremSync {
        features,
        deletion_prevention_type: prevention
            .and_then(|p| g_enum::<DeletionPreventionType>(p.get("synchronizationPreventionType"))),
        deletion_alert_threshold: prevention.and_then(|p| g_count(p, "alertThreshold")),
    }
}

/// `entra.sync_accounts[]` from the members of the Directory Synchronization Accounts role.
#[must_use]
pub fn sync_account(user: &Value) -> SyncAccount {
    SyncAccount {
        id: g_text(user, "id"),
        upn: g_text(user, "userPrincipalName"),
        display_name: g_text(user, "displayName"),
        account_enabled: g_bool(user, "accountEnabled"),
        created: g_time(user, "createdDateTime"),
        last_password_change: g_time(user, "lastPasswordChangeDateTime"),
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
            object_type: known(object_type),
            id: g_text(object, "id"),
            display_name: g_text(object, "displayName"),
            category: g_text(error, "category"),
            property: g_text(error, "propertyCausingError"),
            value: g_text(error, "value"),
            occurred: g_time(error, "occurredDateTime"),
        })
        .collect()
}

/// One synchronization job (`GET /beta/servicePrincipals/{id}/synchronization/jobs`).
///
/// Sentinels become `null`: `schedule.interval` `TimeSpan.MaxValue`, `DateTime.MinValue`
/// timestamps and the `""` date-times of a documented quarantine block.
#[must_use]
pub fn job(job: &Value) -> SyncJob {
    let status = job.get("status").cloned().unwrap_or(Value::Null);
    let quarantine = status.get("quarantine").map(|q| {
        Nullable(q.is_object().then(|| Quarantine {
            reason: g_text(q, "reason"),
            error_code: q.get("error").map(|e| Nullable(text(e, "code"))),
            error_message: q.get("error").map(|e| Nullable(text(e, "message"))),
            series_began: g_time(q, "seriesBegan"),
            current_began: g_time(q, "currentBegan"),
            next_attempt: g_time(q, "nextAttempt"),
            series_count: g_count(q, "seriesCount"),
        }))
    });
    let last_execution = status.get("lastExecution").map(|e| {
        Nullable(e.is_object().then(|| LastExecution {
            state: g_text(e, "state"),
            time_ended: g_time(e, "timeEnded"),
            error_code: Some(Nullable(e.pointer("/error/code").and_then(Value::as_str).map(str::to_owned))),
        }))
    });
    let schedule = job.get("schedule");
    SyncJob {
        id: g_text(job, "id"),
        template_id: g_text(job, "templateId"),
        schedule_state: schedule.and_then(|s| g_enum(s.get("state"))),
        schedule_interval: schedule
            .and_then(|s| s.get("interval"))
            .map(|i| Nullable(i.as_str().and_then(graph_duration))),
        status_code: g_enum(status.get("code")),
        quarantine,
        successive_failures: g_count(&status, "countSuccessiveCompleteFailures"),
        last_execution,
        last_successful_execution_end: status
            .get("lastSuccessfulExecution")
            .map(|e| Nullable(e.is_object().then(|| time(e, "timeEnded")).flatten())),
        escrows_pruned: g_bool(&status, "escrowsPruned"),
    }
}

/// A cloud sync configuration: its service principal and jobs.
#[must_use]
pub fn cloud_sync_config(service_principal: &Value, jobs: &[Value]) -> CloudSyncConfig {
    CloudSyncConfig {
        service_principal_id: g_text(service_principal, "id"),
        display_name: g_text(service_principal, "displayName"),
        password_writeback_enabled: None,
        jobs: Some(jobs.iter().map(job).collect()),
    }
}

/// A provisioning agent (`GET /beta/onPremisesPublishingProfiles/provisioning/agents?$expand=agentGroups`).
#[must_use]
pub fn agent(agent: &Value) -> ProvisioningAgent {
    let groups = agent.get("agentGroups").map(|groups| {
        Nullable(groups.as_array().map(|groups| {
            groups.iter().filter_map(|g| text(g, "displayName").or_else(|| text(g, "id"))).collect::<Vec<_>>()
        }))
    });
    ProvisioningAgent {
        id: g_text(agent, "id"),
        machine_name: g_text(agent, "machineName"),
        external_ip: g_text(agent, "externalIp"),
        status: g_enum(agent.get("status")),
        groups,
    }
}

/// A provisioning log entry (`GET /v1.0/auditLogs/provisioning`).
#[must_use]
pub fn provisioning_log(entry: &Value) -> ProvisioningLog {
    let status = entry.get("provisioningStatusInfo");
    let error = status.and_then(|s| s.get("errorInformation")).filter(|e| e.is_object());
    ProvisioningLog {
        time: g_time(entry, "activityDateTime"),
        job_id: g_text(entry, "jobId"),
        source_id: entry.get("sourceIdentity").map(|i| Nullable(text(i, "id"))),
        target_id: entry.get("targetIdentity").map(|i| Nullable(text(i, "id"))),
        action: g_text(entry, "provisioningAction"),
        status: status.and_then(|s| g_enum(s.get("status"))),
        error_code: status.map(|_| Nullable(error.and_then(|e| text(e, "errorCode")))),
        error_reason: status.map(|_| Nullable(error.and_then(|e| text(e, "reason")))),
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
