//! Connect Sync: the ADSync module's scheduler, global settings, auto-upgrade, connectors and run history, and the database settings in the registry.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{boolean, duration, field, integer, items, nonempty, seen, text, time};
use crate::facts::Nullable;
use crate::facts::connect::{
    AutoUpgrade, ConnectDatabase, Connector, ConnectorIdentityType, ConnectorKind, DatabaseKind, GlobalSettings,
    Partition, PolicyType, Run, RunStep, Scheduler,
};
use crate::facts::{known, lift};

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
