//! The host: execution policies, the computer and OS, locale/TLS/.NET registry values, user rights (`secedit` INF) and event-log records.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{boolean, integer, items, json, nonempty, seen, text, time};
use crate::facts::Nullable;
use crate::facts::eventlog::{Event, EventLevel, LogName};
use crate::facts::host::{DotNet, ExecutionPolicies, ExecutionPolicy, Locale, Os, Tls};
use crate::facts::lift;
use crate::facts::user_rights::UserRights;

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
            name.clone_into(&mut section);
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
