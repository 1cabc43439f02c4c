//! Services: `Win32_Service` records and `sc qc` text.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{integer, items, nonempty, seen, text};
use crate::facts::Nullable;
use crate::facts::services::{LogonAccountKind, Service, ServiceState, StartMode};
use crate::facts::{known, lift};

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
        ("" | ".", "localsystem") | ("nt authority", "system") => LogonAccountKind::LocalSystem,
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
