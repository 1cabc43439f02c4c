//! Parsers of what the Windows commands print: `ConvertTo-Json` shapes of Windows PowerShell
//! 5.1 (enums as numbers, `DateTime` as `/Date(ms)/`, `TimeSpan` as an object with `Ticks`,
//! one object instead of a one-element array) and of PowerShell 7 (strings, ISO dates), plus
//! the text of `sc qc`, `Get-ExecutionPolicy -List` and a `secedit /export` INF file.
//!
//! Every parser is a pure function of the command's output, so the same code reads a live
//! command's output on Windows and a recorded one (`collect.ps1` bundles, test fixtures).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::facts::Nullable;
use crate::facts::connect::{
    AutoUpgrade, ConnectDatabase, Connector, ConnectorIdentityType, ConnectorKind, DatabaseKind, GlobalSettings,
    Partition, PolicyType, Run, RunStep, Scheduler,
};
use crate::facts::eventlog::{Event, EventLevel, LogName};
use crate::facts::host::{DotNet, ExecutionPolicies, ExecutionPolicy, Locale, Os, Tls};
use crate::facts::services::{LogonAccountKind, Service, ServiceState, StartMode};
use crate::facts::user_rights::UserRights;
use crate::facts::{known, lift};
use crate::time::{iso8601_duration, parse_windows_time, timespan_seconds};

/// Parses `ConvertTo-Json` output; empty output is an empty list.
///
/// # Errors
///
/// The JSON parser's message.
pub fn json(text: &str) -> Result<Value, String> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Ok(Value::Array(Vec::new()));
    }
    serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))
}

/// One object or a list of objects, as a list (`ConvertTo-Json` unwraps one-element arrays).
#[must_use]
pub fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// A property, case-insensitively (PowerShell property names are).
#[must_use]
pub fn field<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    let object = value.as_object()?;
    object.get(name).or_else(|| object.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// A property that the command printed: its value, or `null` when it printed `null` (or a value
/// `read` cannot use); absent when the output has no such property. A gathered `null` stays
/// `null` (a default `Get-ADSyncScheduler` prints `CustomizedSyncCycleInterval` as `null`).
fn seen<T>(value: &Value, name: &str, read: impl FnOnce(&Value, &str) -> Option<T>) -> Option<Nullable<T>> {
    field(value, name).map(|_| Nullable(read(value, name)))
}

fn text(value: &Value, name: &str) -> Option<String> {
    match field(value, name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn nonempty(value: &Value, name: &str) -> Option<String> {
    text(value, name).filter(|s| !s.trim().is_empty())
}

fn boolean(value: &Value, name: &str) -> Option<bool> {
    match field(value, name)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        _ => None,
    }
}

fn integer(value: &Value, name: &str) -> Option<i64> {
    match field(value, name)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_u64().and_then(|u| i64::try_from(u).ok())),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A `DateTime` in any of PowerShell's JSON spellings, as RFC 3339 UTC.
fn time(value: &Value, name: &str) -> Option<String> {
    match field(value, name)? {
        Value::String(s) => parse_windows_time(s),
        // PowerShell 7 may emit `{"value": "/Date(..)/", "DateTime": "..."}` for extended dates.
        Value::Object(_) => field(field(value, name)?, "value").and_then(Value::as_str).and_then(parse_windows_time),
        _ => None,
    }
}

/// A `TimeSpan` in any of PowerShell's JSON spellings (object with `Ticks`/`TotalSeconds`,
/// `"00:30:00"`, `"PT30M"`), as an ISO 8601 duration.
fn duration(value: &Value, name: &str) -> Option<String> {
    let value = field(value, name)?;
    let seconds = match value {
        Value::Object(_) => integer(value, "Ticks")
            .map(|ticks| u64::try_from(ticks / 10_000_000).unwrap_or(0))
            .or_else(|| field(value, "TotalSeconds").and_then(Value::as_f64).map(|s| s.max(0.0) as u64)),
        Value::String(s) if s.starts_with('P') => return Some(s.clone()),
        Value::String(s) => timespan_seconds(s),
        _ => None,
    }?;
    Some(iso8601_duration(seconds))
}

// ---- services ------------------------------------------------------------------------------

/// Windows service names by fact key.
pub const SERVICE_NAMES: [(&str, &str); 6] = [
    ("adsync", "ADSync"),
    ("provisioning_agent", "AADConnectProvisioningAgent"),
    ("agent_updater", "AADConnectAgentUpdater"),
    ("fim_sync", "FIMSynchronizationService"),
    ("mssql_mosonline", "MSSQL$MOSONLINE"),
    ("dirsync_scheduler", "MSOnlineSyncScheduler"),
];

/// `Win32_Service.State` (or `Get-Service` status) as the fact enum.
#[must_use]
pub fn service_state(state: &str) -> ServiceState {
    match state.replace(' ', "").to_ascii_lowercase().as_str() {
        "running" | "4" => ServiceState::Running,
        "stopped" | "1" => ServiceState::Stopped,
        "startpending" | "2" => ServiceState::StartPending,
        "stoppending" | "3" => ServiceState::StopPending,
        "paused" | "7" => ServiceState::Paused,
        _ => ServiceState::Unknown,
    }
}

/// `Win32_Service.StartMode` (or `sc qc` `START_TYPE`) as the fact enum.
#[must_use]
pub fn start_mode(mode: &str) -> StartMode {
    let mode = mode.to_ascii_lowercase();
    if mode.starts_with("auto") || mode.contains("auto_start") || mode == "2" {
        StartMode::Auto
    } else if mode.starts_with("manual") || mode.contains("demand_start") || mode == "3" {
        StartMode::Manual
    } else if mode.starts_with("disabled") || mode.contains("disabled") || mode == "4" {
        StartMode::Disabled
    } else {
        StartMode::Unknown
    }
}

/// Classifies a service logon account (`facts.md` B.2.3).
#[must_use]
pub fn logon_account_kind(account: &str, host: Option<&str>) -> LogonAccountKind {
    let lower = account.trim().to_ascii_lowercase();
    let (prefix, name) = lower.rsplit_once('\\').map_or(("", lower.as_str()), |(p, n)| (p, n));
    match (prefix, name) {
        ("", "localsystem") | ("nt authority", "system") | (".", "localsystem") => LogonAccountKind::LocalSystem,
        ("nt authority", "networkservice" | "network service") => LogonAccountKind::NetworkService,
        ("nt authority", "localservice" | "local service") => LogonAccountKind::LocalService,
        ("nt service", _) => LogonAccountKind::VirtualAccount,
        (_, n) if n.ends_with('$') => LogonAccountKind::Gmsa,
        (".", _) => LogonAccountKind::LocalUser,
        (p, _) if host.is_some_and(|h| h.eq_ignore_ascii_case(p)) => LogonAccountKind::LocalUser,
        ("", n) if n.contains('@') => LogonAccountKind::DomainUser,
        ("", _) => LogonAccountKind::Unknown,
        _ => LogonAccountKind::DomainUser,
    }
}

/// Services from `Get-CimInstance Win32_Service | Select-Object Name,DisplayName,State,StartMode,
/// StartName,ExitCode,ServiceSpecificExitCode | ConvertTo-Json`: every known key, `present:
/// false` when the service is not listed.
#[must_use]
pub fn services_from_cim(value: &Value, host: Option<&str>) -> BTreeMap<&'static str, Service> {
    let listed = items(value);
    SERVICE_NAMES
        .iter()
        .map(|(key, name)| {
            let found = listed.iter().find(|s| text(s, "Name").is_some_and(|n| n.eq_ignore_ascii_case(name)));
            let service = found.map_or_else(
                || Service { present: Nullable::value(false), ..Service::default() },
                |s| {
                    let logon = nonempty(s, "StartName");
                    Service {
                        present: Nullable::value(true),
                        name: seen(s, "Name", text),
                        display_name: seen(s, "DisplayName", text),
                        state: seen(s, "State", |v, k| text(v, k).map(|t| service_state(&t))),
                        start_mode: seen(s, "StartMode", |v, k| text(v, k).map(|t| start_mode(&t))),
                        logon_account_kind: lift(logon.as_deref().map(|l| logon_account_kind(l, host))),
                        logon_account: lift(logon),
                        win32_exit_code: seen(s, "ExitCode", integer),
                        service_exit_code: seen(s, "ServiceSpecificExitCode", integer),
                        ..Service::default()
                    }
                },
            );
            (*key, service)
        })
        .collect()
}

/// A service from `sc qc <name>` text; `present: false` for error 1060 (not installed).
///
/// # Errors
///
/// Text that is neither a configuration nor error 1060.
pub fn service_from_sc_qc(text: &str, host: Option<&str>) -> Result<Service, String> {
    if text.contains("1060") {
        return Ok(Service { present: Nullable::value(false), ..Service::default() });
    }
    if !text.contains("SERVICE_NAME") {
        return Err("not `sc qc` output".into());
    }
    let mut service = Service { present: Nullable::value(true), ..Service::default() };
    for line in text.lines() {
        let line = line.trim();
        let (key, value) = match line.split_once(':') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => continue,
        };
        match key {
            "SERVICE_NAME" => service.name = known(value.to_owned()),
            "DISPLAY_NAME" => service.display_name = known(value.to_owned()),
            "START_TYPE" => {
                let mode = start_mode(value.split_whitespace().nth(1).unwrap_or(value));
                service.start_mode = known(mode);
            }
            "SERVICE_START_NAME" if !value.is_empty() => {
                service.logon_account_kind = known(logon_account_kind(value, host));
                service.logon_account = known(value.to_owned());
            }
            _ => {}
        }
    }
    Ok(service)
}

// ---- Connect ---------------------------------------------------------------------------------

/// `NextSyncCyclePolicyType` as a number (ADSync enum: 1 Delta, 2 Initial) or a name.
fn policy_type(value: &Value) -> Option<PolicyType> {
    match value {
        Value::Number(n) => match n.as_i64()? {
            1 => Some(PolicyType::Delta),
            2 => Some(PolicyType::Initial),
            _ => None,
        },
        Value::String(s) if s.eq_ignore_ascii_case("delta") => Some(PolicyType::Delta),
        Value::String(s) if s.eq_ignore_ascii_case("initial") => Some(PolicyType::Initial),
        _ => None,
    }
}

/// `connect.scheduler` from `Get-ADSyncScheduler | ConvertTo-Json`.
#[must_use]
pub fn scheduler(value: &Value) -> Scheduler {
    let value = items(value).into_iter().next().unwrap_or(&Value::Null);
    Scheduler {
        sync_cycle_enabled: seen(value, "SyncCycleEnabled", boolean),
        maintenance_enabled: seen(value, "MaintenanceEnabled", boolean),
        staging_mode_enabled: seen(value, "StagingModeEnabled", boolean),
        scheduler_suspended: seen(value, "SchedulerSuspended", boolean),
        allowed_interval: seen(value, "AllowedSyncCycleInterval", duration),
        customized_interval: seen(value, "CustomizedSyncCycleInterval", duration),
        effective_interval: seen(value, "CurrentlyEffectiveSyncCycleInterval", duration),
        next_cycle_start: seen(value, "NextSyncCycleStartTimeInUTC", time),
        next_policy_type: seen(value, "NextSyncCyclePolicyType", |v, k| field(v, k).and_then(policy_type)),
        purge_run_history_interval: seen(value, "PurgeRunHistoryInterval", duration),
    }
}

/// `connect.global_settings` from the selected `(Get-ADSyncGlobalSettings).Parameters`
/// (`[{Name, Value}]`).
#[must_use]
pub fn global_settings(value: &Value) -> GlobalSettings {
    let get = |name: &str| {
        items(value).into_iter().find(|p| text(p, "Name").as_deref() == Some(name)).and_then(|p| text(p, "Value"))
    };
    GlobalSettings {
        staging_mode: lift(get("Microsoft.Synchronize.StagingMode").map(|v| v.eq_ignore_ascii_case("true"))),
        server_configuration_version: lift(get("Microsoft.Synchronize.ServerConfigurationVersion")),
        auto_upgrade_state: lift(get("Microsoft.OptionalFeature.AutoUpgradeState")),
    }
}

/// `connect.auto_upgrade` from `{State, Detail}` (`Get-ADSyncAutoUpgrade` and `-Detail`).
#[must_use]
pub fn auto_upgrade(value: &Value) -> AutoUpgrade {
    let value = items(value).into_iter().next().unwrap_or(&Value::Null);
    let state = text(value, "State").and_then(|s| serde_json::from_value(Value::String(s.trim().to_owned())).ok());
    let detail = nonempty(value, "Detail").and_then(|detail| {
        // `-Detail` repeats the state; only a suspension reason is a detail.
        let reason =
            detail.split([':', ',']).map(str::trim).find(|part| part.starts_with("Upgrade") && part.len() > 12);
        reason.map(str::to_owned).or_else(|| {
            (!["Enabled", "Disabled", "Suspended"].iter().any(|s| detail.trim().eq_ignore_ascii_case(s)))
                .then_some(detail)
        })
    });
    AutoUpgrade { state, detail: Some(Nullable(detail)) }
}

/// `ConnectorIdentityType` of the `entra_connector_credential` command (`ServiceAccount` or
/// `Application`, any case); `null` when the cmdlet is missing (`Available: false`) or the value
/// is another one.
#[must_use]
pub fn entra_connector_identity(value: &Value) -> Nullable<ConnectorIdentityType> {
    let value = items(value).into_iter().next().unwrap_or(&Value::Null);
    if boolean(value, "Available") == Some(false) {
        return Nullable::null();
    }
    let kind = nonempty(value, "ConnectorIdentityType").and_then(|t| match t.trim().to_ascii_lowercase().as_str() {
        "serviceaccount" => Some(ConnectorIdentityType::ServiceAccount),
        "application" => Some(ConnectorIdentityType::Application),
        _ => None,
    });
    Nullable(kind)
}

/// Connector kind from `ConnectorTypeName` and `Subtype`.
#[must_use]
pub fn connector_kind(type_name: Option<&str>, subtype: Option<&str>) -> ConnectorKind {
    if type_name.is_some_and(|t| t.eq_ignore_ascii_case("AD")) {
        ConnectorKind::Ad
    } else if subtype.is_some_and(|s| s.contains("Azure Active Directory") || s.contains("Entra")) {
        ConnectorKind::Entra
    } else {
        ConnectorKind::Other
    }
}

/// A `ConnectivityParameters` value from the projected (`ForestLoginUser`) or raw
/// (`[{Name, Value}]` / `{name: value}`) shape.
fn connectivity(connector: &Value, projected: &str, raw: &str) -> Option<String> {
    nonempty(connector, projected).or_else(|| {
        let parameters = field(connector, "ConnectivityParameters")?;
        match parameters {
            Value::Array(list) => {
                list.iter().find(|p| text(p, "Name").as_deref() == Some(raw)).and_then(|p| nonempty(p, "Value"))
            }
            Value::Object(_) => field(parameters, raw)
                .and_then(|p| if p.is_object() { nonempty(p, "Value") } else { p.as_str().map(str::to_owned) }),
            _ => None,
        }
    })
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value.map(items).unwrap_or_default().into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
}

/// `connect.connectors[]` from the projected `Get-ADSyncConnector` output (see the command
/// spec), tolerating the raw object's property names.
#[must_use]
pub fn connectors(value: &Value) -> Vec<Connector> {
    items(value)
        .into_iter()
        .map(|c| {
            let type_name = text(c, "ConnectorTypeName");
            let subtype = text(c, "Subtype");
            let kind = connector_kind(type_name.as_deref(), subtype.as_deref());
            let (user, domain) = match kind {
                ConnectorKind::Ad => (
                    connectivity(c, "ForestLoginUser", "forest-login-user"),
                    Some(Nullable(connectivity(c, "ForestLoginDomain", "forest-login-domain"))),
                ),
                _ => (connectivity(c, "UserName", "UserName"), Some(Nullable::null())),
            };
            let partitions = field(c, "Partitions").map(|p| {
                items(p)
                    .into_iter()
                    .map(|p| {
                        let scope = field(p, "ConnectorPartitionScope");
                        Partition {
                            dn: lift(text(p, "DN").or_else(|| text(p, "Name"))),
                            selected: seen(p, "Selected", boolean),
                            inclusions: Some(if field(p, "Inclusions").is_some() {
                                Nullable::value(strings(field(p, "Inclusions")))
                            } else {
                                Nullable::value(strings(scope.and_then(|s| field(s, "ContainerInclusionList"))))
                            }),
                            exclusions: Some(if field(p, "Exclusions").is_some() {
                                Nullable::value(strings(field(p, "Exclusions")))
                            } else {
                                Nullable::value(strings(scope.and_then(|s| field(s, "ContainerExclusionList"))))
                            }),
                        }
                    })
                    .collect()
            });
            Connector {
                name: seen(c, "Name", text),
                id: lift(text(c, "Identifier").map(|i| i.trim_matches(['{', '}']).to_ascii_lowercase())),
                kind: known(kind),
                connector_type_name: lift(type_name),
                subtype: field(c, "Subtype").map(|_| Nullable(subtype.clone().filter(|s| !s.trim().is_empty()))),
                account_user: lift(user),
                account_domain: domain,
                last_modified: seen(c, "LastModificationTime", time),
                partitions,
                overrides: None,
            }
        })
        .collect()
}

/// A count that is a number or a list (of error objects).
fn count(value: &Value, name: &str) -> Option<u64> {
    match field(value, name)? {
        Value::Number(n) => n.as_u64(),
        Value::Array(list) => Some(list.len() as u64),
        Value::Null => Some(0),
        _ => None,
    }
}

/// `connect.runs[]` from the projected `Get-ADSyncRunProfileResult` output; `kinds` maps
/// connector names to their kinds.
#[must_use]
pub fn runs(value: &Value, kinds: &BTreeMap<String, ConnectorKind>) -> Vec<Run> {
    items(value)
        .into_iter()
        .map(|r| {
            let connector = text(r, "ConnectorName");
            let steps = field(r, "Steps").or_else(|| field(r, "RunStepResults")).map(|steps| {
                items(steps)
                    .into_iter()
                    .map(|s| RunStep {
                        r#type: lift(nonempty(s, "Type").or_else(|| nonempty(s, "StepType"))),
                        result: lift(nonempty(s, "StepResult").or_else(|| nonempty(s, "Result"))),
                        import_errors: seen(s, "ImportErrors", count),
                        sync_errors: seen(s, "SyncErrors", count),
                        export_errors: seen(s, "ExportErrors", count),
                    })
                    .collect()
            });
            Run {
                connector_kind: lift(connector.as_ref().and_then(|c| kinds.get(c)).copied()),
                connector: lift(connector),
                profile: seen(r, "RunProfileName", text),
                run_number: lift(integer(r, "RunNumber").and_then(|n| u64::try_from(n).ok())),
                result: seen(r, "Result", text),
                start: seen(r, "StartDate", time),
                end: seen(r, "EndDate", time),
                complete: seen(r, "IsRunComplete", boolean),
                steps,
            }
        })
        .collect()
}

/// `connect.running_connector` from `Get-ADSyncConnectorRunStatus` (`[{ConnectorName, RunState}]`).
#[must_use]
pub fn running_connector(value: &Value) -> Nullable<String> {
    Nullable(items(value).into_iter().find_map(|r| nonempty(r, "ConnectorName")))
}

/// `connect.database` from the `ADSync\Parameters` registry values.
#[must_use]
pub fn database(registry: &Value) -> Option<ConnectDatabase> {
    let server = nonempty(registry, "ADSyncServer");
    let instance = nonempty(registry, "ADSyncSQLInstance");
    let name = nonempty(registry, "ADSyncDBName");
    if server.is_none() && instance.is_none() && name.is_none() {
        return None;
    }
    let local = server.as_deref().is_some_and(|s| s.to_ascii_lowercase().contains("(localdb)"))
        || instance.as_deref().is_some_and(|i| i.to_ascii_lowercase().contains("adsync"));
    Some(ConnectDatabase {
        kind: Some(if local { Nullable::value(DatabaseKind::LocalDb) } else { Nullable::value(DatabaseKind::Sql) }),
        server: lift(server),
        instance: lift(instance),
        name: lift(name),
    })
}

// ---- host ------------------------------------------------------------------------------------

/// `ExecutionPolicy` as a name or .NET enum number.
#[must_use]
pub fn execution_policy(value: &str) -> Option<ExecutionPolicy> {
    Some(match value.trim().to_ascii_lowercase().as_str() {
        "unrestricted" | "0" => ExecutionPolicy::Unrestricted,
        "remotesigned" | "1" => ExecutionPolicy::RemoteSigned,
        "allsigned" | "2" => ExecutionPolicy::AllSigned,
        "restricted" | "default" | "3" => ExecutionPolicy::Restricted,
        "bypass" | "4" => ExecutionPolicy::Bypass,
        "undefined" | "5" => ExecutionPolicy::Undefined,
        _ => return None,
    })
}

fn set_scope(policies: &mut ExecutionPolicies, scope: &str, policy: Option<ExecutionPolicy>) {
    let slot = match scope.trim().to_ascii_lowercase().as_str() {
        "machinepolicy" | "4" => &mut policies.machine_policy,
        "userpolicy" | "3" => &mut policies.user_policy,
        "process" | "0" => &mut policies.process,
        "currentuser" | "1" => &mut policies.current_user,
        "localmachine" | "2" => &mut policies.local_machine,
        _ => return,
    };
    *slot = lift(policy);
}

/// `host.powershell.execution_policy` from `Get-ExecutionPolicy -List`, as JSON
/// (`[{Scope, ExecutionPolicy}]`, names or enum numbers) or as the default table text.
///
/// # Errors
///
/// Output with no scope line.
pub fn execution_policies(output: &str) -> Result<ExecutionPolicies, String> {
    let mut policies = ExecutionPolicies::default();
    let trimmed = output.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        let value = json(trimmed)?;
        for item in items(&value) {
            if let (Some(scope), Some(policy)) = (text(item, "Scope"), text(item, "ExecutionPolicy")) {
                set_scope(&mut policies, &scope, execution_policy(&policy));
            }
        }
    } else {
        for line in trimmed.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let [scope, policy] = words.as_slice() {
                set_scope(&mut policies, scope, execution_policy(policy));
            }
        }
    }
    if policies == ExecutionPolicies::default() {
        return Err("no execution policy scope found".into());
    }
    Ok(policies)
}

/// `host.name`, `fqdn`, `domain_joined`, `is_domain_controller`, `os`, `memory_bytes` and the
/// PowerShell version from the projected `Win32_ComputerSystem`/`Win32_OperatingSystem` object.
#[must_use]
pub fn computer(value: &Value) -> (crate::facts::host::Host, Option<String>) {
    let name = text(value, "Name");
    let joined = boolean(value, "PartOfDomain");
    let domain = nonempty(value, "Domain");
    let fqdn = match (&name, joined, &domain) {
        (Some(n), Some(true), Some(d)) => Some(format!("{}.{}", n.to_ascii_lowercase(), d.to_ascii_lowercase())),
        (Some(n), _, _) => Some(n.to_ascii_lowercase()),
        _ => None,
    };
    let host = crate::facts::host::Host {
        name: lift(name.clone()),
        fqdn: lift(fqdn),
        domain_joined: lift(joined),
        is_domain_controller: lift(integer(value, "DomainRole").map(|r| r >= 4)),
        os: Some(Os {
            caption: seen(value, "Caption", text),
            version: seen(value, "Version", text),
            build: lift(integer(value, "BuildNumber").and_then(|b| u32::try_from(b).ok())),
        }),
        memory_bytes: lift(integer(value, "TotalPhysicalMemory").and_then(|m| u64::try_from(m).ok())),
        ..crate::facts::host::Host::default()
    };
    (host, nonempty(value, "PSVersion"))
}

/// `host.locale`, `host.tls`, `host.dotnet` from the projected registry values (`null` = absent).
#[must_use]
pub fn registry(value: &Value) -> (Locale, Tls, DotNet) {
    let code_page = |name: &str| integer(value, name).and_then(|v| u32::try_from(v).ok());
    let acp = code_page("ACP");
    let flag = |name: &str| Some(Nullable(integer(value, name).map(|v| v != 0)));
    (
        Locale { acp: lift(acp), oemcp: lift(code_page("OEMCP")), utf8_beta: lift(acp.map(|a| a == 65001)) },
        Tls {
            tls12_client_enabled: flag("Tls12ClientEnabled"),
            tls12_client_disabled_by_default: flag("Tls12ClientDisabledByDefault"),
            dotnet_strong_crypto: Some(Nullable(integer(value, "SchUseStrongCrypto").map(|v| v == 1))),
        },
        DotNet { release: lift(code_page("DotNetRelease")) },
    )
}

// ---- user rights -----------------------------------------------------------------------------

/// `user_rights.*` from a `secedit /export /areas USER_RIGHTS` INF file (`[Privilege Rights]`,
/// `SeServiceLogonRight = *S-1-5-80-0,*S-1-5-21-…`). SIDs lose their `*`; names that were not
/// SIDs in the file are kept as written. A right not in the file is `[]` (granted to no one).
///
/// # Errors
///
/// Text without a `[Privilege Rights]` section.
pub fn user_rights(inf: &str) -> Result<UserRights, String> {
    let mut section = String::new();
    let mut seen = false;
    let mut rights: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in inf.lines() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_owned();
            seen |= section.eq_ignore_ascii_case("Privilege Rights");
            continue;
        }
        if !section.eq_ignore_ascii_case("Privilege Rights") {
            continue;
        }
        if let Some((right, holders)) = line.split_once('=') {
            let holders = holders
                .split(',')
                .map(|h| h.trim().trim_start_matches('*').to_owned())
                .filter(|h| !h.is_empty())
                .collect();
            rights.insert(right.trim().to_owned(), holders);
        }
    }
    if !seen {
        return Err("no [Privilege Rights] section".into());
    }
    let mut take = |name: &str| Some(rights.remove(name).unwrap_or_default());
    Ok(UserRights {
        se_service_logon_right: lift(take("SeServiceLogonRight")),
        se_deny_service_logon_right: lift(take("SeDenyServiceLogonRight")),
        se_batch_logon_right: lift(take("SeBatchLogonRight")),
        se_interactive_logon_right: lift(take("SeInteractiveLogonRight")),
        gpo_sources: None,
    })
}

// ---- event log -------------------------------------------------------------------------------

/// `eventlog.events[]` from the projected `Get-WinEvent` output
/// (`[{LogName, ProviderName, Id, Level, TimeCreated, RecordId, Message}]`).
#[must_use]
pub fn events(value: &Value) -> Vec<Event> {
    items(value)
        .into_iter()
        .map(|e| Event {
            log: lift(text(e, "LogName").and_then(|l| serde_json::from_value::<LogName>(Value::String(l)).ok())),
            provider: seen(e, "ProviderName", text),
            id: lift(integer(e, "Id").and_then(|i| u32::try_from(i).ok())),
            level: lift(integer(e, "Level").and_then(|l| match l {
                1 => Some(EventLevel::Critical),
                2 => Some(EventLevel::Error),
                3 => Some(EventLevel::Warning),
                0 | 4 => Some(EventLevel::Information),
                _ => None,
            })),
            time: seen(e, "TimeCreated", time),
            record_id: lift(integer(e, "RecordId").and_then(|i| u64::try_from(i).ok())),
            message: lift(text(e, "Message").map(|m| m.chars().take(2048).collect())),
        })
        .collect()
}
