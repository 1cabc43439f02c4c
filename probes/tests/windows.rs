//! The Windows command parsers on recorded outputs (`tests/fixtures/windows`), the
//! `collect.ps1` bundle through the same parsers, and the probes being `skipped` off Windows.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use syncdoctor_engine::SnapshotSchema;
use syncdoctor_probes::facts::services::{LogonAccountKind, ServiceState, StartMode};
use syncdoctor_probes::facts::{Known, Nullable, known};
use syncdoctor_probes::files::dotnet_config::decode_text;
use syncdoctor_probes::import::{ImportConfig, ImportProbe};
use syncdoctor_probes::probe::{Probe, ProbeContext};
use syncdoctor_probes::windows::{Area, COMMANDS, EVENTLOG, WindowsProbe, parse};
use syncdoctor_probes::{ProbeError, snapshot_schema};

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/windows").join(name)
}

fn fixture(name: &str) -> String {
    decode_text(&std::fs::read(fixture_path(name)).unwrap())
}

fn json_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

#[test]
fn win32_service_json_gives_every_service_key() {
    let value = parse::json(&fixture("win32-service.json")).unwrap();
    let services = parse::services_from_cim(&value, Some("SYNC01"));
    let adsync = &services["adsync"];
    assert_eq!(adsync.present, Nullable::value(true));
    assert_eq!(adsync.state, known(ServiceState::Stopped));
    assert_eq!(adsync.start_mode, known(StartMode::Auto));
    assert_eq!(adsync.logon_account.known().map(String::as_str), Some(r"NT SERVICE\ADSync"));
    assert_eq!(adsync.logon_account_kind, known(LogonAccountKind::VirtualAccount));
    assert_eq!(adsync.win32_exit_code, known(1069));
    assert_eq!(services["provisioning_agent"].state, known(ServiceState::Running));
    assert_eq!(services["dirsync_scheduler"].present, Nullable::value(false), "not listed means not installed");
    assert_eq!(services.len(), 6);

    // One service: ConvertTo-Json prints an object, not a one-element array.
    let single = parse::services_from_cim(&parse::json(&fixture("win32-service-single.json")).unwrap(), None);
    assert_eq!(single["adsync"].logon_account_kind, known(LogonAccountKind::Gmsa));
    // Nothing found: empty output.
    let none = parse::services_from_cim(&parse::json("").unwrap(), None);
    assert!(none.values().all(|s| s.present == Nullable::value(false)));
}

#[test]
fn sc_qc_text_is_read_and_1060_means_absent() {
    let service = parse::service_from_sc_qc(&fixture("sc-qc-adsync.txt"), Some("SYNC01")).unwrap();
    assert_eq!(service.name.known().map(String::as_str), Some("ADSync"));
    assert_eq!(service.display_name.known().map(String::as_str), Some("Microsoft Azure AD Sync"));
    assert_eq!(service.start_mode, known(StartMode::Auto));
    assert_eq!(service.logon_account.known().map(String::as_str), Some(r"CONTOSO\svc-adsync"));
    assert_eq!(service.logon_account_kind, known(LogonAccountKind::DomainUser));
    assert_eq!(parse::service_from_sc_qc(&fixture("sc-qc-missing.txt"), None).unwrap().present, Nullable::value(false));
    assert!(parse::service_from_sc_qc("Access is denied.", None).is_err());
}

#[test]
fn logon_accounts_are_classified() {
    use LogonAccountKind::*;
    for (account, kind) in [
        ("LocalSystem", LocalSystem),
        (r"NT AUTHORITY\NetworkService", NetworkService),
        (r"NT AUTHORITY\LocalService", LocalService),
        (r"NT SERVICE\ADSync", VirtualAccount),
        (r"CONTOSO\provAgentgMSA$", Gmsa),
        (r".\AAD_1234", LocalUser),
        (r"SYNC01\AAD_1234", LocalUser),
        (r"CONTOSO\svc-adsync", DomainUser),
        ("svc-adsync@contoso.com", DomainUser),
    ] {
        assert_eq!(parse::logon_account_kind(account, Some("sync01")), kind, "{account}");
    }
}

#[test]
fn get_adsyncscheduler_json_of_powershell_5_and_7() {
    let scheduler = parse::scheduler(&parse::json(&fixture("adsync-scheduler-ps51.json")).unwrap());
    assert_eq!(
        json_of(&scheduler),
        json!({
            "sync_cycle_enabled": true, "maintenance_enabled": true, "staging_mode_enabled": false,
            "scheduler_suspended": false, "allowed_interval": "PT30M", "effective_interval": "PT30M",
            // printed as `null` by a default scheduler: gathered, so `null`, not absent
            "customized_interval": null,
            "next_cycle_start": "2026-11-20T10:00:21Z", "next_policy_type": "Delta",
            "purge_run_history_interval": "P7D"
        })
    );
    let scheduler = parse::scheduler(&parse::json(&fixture("adsync-scheduler-ps7.json")).unwrap());
    assert_eq!(scheduler.customized_interval.known().map(String::as_str), Some("PT3H"));
    assert_eq!(scheduler.next_cycle_start.known().map(String::as_str), Some("2026-11-20T10:00:21Z"));
    assert_eq!(json_of(&scheduler.next_policy_type), json!("Initial"));
    assert_eq!((scheduler.staging_mode_enabled, scheduler.scheduler_suspended), (known(true), known(true)));
}

#[test]
fn get_adsyncconnector_and_runprofileresult() {
    let connectors = parse::connectors(&parse::json(&fixture("adsync-connector.json")).unwrap());
    assert_eq!(
        json_of(&connectors[0]),
        json!({
            "name": "contoso.com", "id": "b891884f-051e-4a83-95af-2544101c9083", "kind": "ad",
            "connector_type_name": "AD", "subtype": null,
            "account_user": "MSOL_1a2b3c4d5e6f", "account_domain": "contoso.com",
            "last_modified": "2026-10-02T08:11:43Z",
            "partitions": [
                { "dn": "DC=contoso,DC=com", "selected": true, "inclusions": ["DC=contoso,DC=com"], "exclusions": ["OU=Disabled,DC=contoso,DC=com"] },
                { "dn": "DC=DomainDnsZones,DC=contoso,DC=com", "selected": false, "inclusions": [], "exclusions": [] }
            ]
        })
    );
    assert_eq!(json_of(&connectors[1].kind), json!("entra"));
    assert_eq!(
        connectors[1].account_user.known().map(String::as_str),
        Some("Sync_SYNC01_1a2b3c4d5e6f@contoso.onmicrosoft.com")
    );
    assert_eq!(connectors[1].account_domain, Some(Nullable::null()));

    let kinds =
        connectors.iter().map(|c| (c.name.clone().into_known().unwrap(), c.kind.into_known().unwrap())).collect();
    let runs = parse::runs(&parse::json(&fixture("adsync-runprofileresult.json")).unwrap(), &kinds);
    assert_eq!(
        json_of(&runs[0]),
        json!({
            "connector": "contoso.onmicrosoft.com - AAD", "connector_kind": "entra", "profile": "Export",
            "run_number": 4711, "result": "stopped-server-down", "start": "2026-11-20T09:01:10Z",
            "end": "2026-11-20T09:01:31Z", "complete": true,
            "steps": [{ "type": "Export", "result": "stopped-server-down", "import_errors": 0, "sync_errors": 0, "export_errors": 0 }]
        })
    );
    assert_eq!(runs[1].steps.as_ref().unwrap().len(), 1, "a single step prints as an object");
}

#[test]
fn get_executionpolicy_list_as_json_numbers_and_as_a_table() {
    let policies = parse::execution_policies(&fixture("execution-policy-list.json")).unwrap();
    assert_eq!(
        json_of(&policies),
        json!({ "machine_policy": "Undefined", "user_policy": "Undefined", "process": "Undefined", "current_user": "Undefined", "local_machine": "RemoteSigned" })
    );
    let policies = parse::execution_policies(&fixture("execution-policy-list.txt")).unwrap();
    assert_eq!(
        json_of(&policies),
        json!({ "machine_policy": "AllSigned", "user_policy": "Undefined", "process": "Bypass", "current_user": "Undefined", "local_machine": "Restricted" })
    );
    assert!(parse::execution_policies("nonsense").is_err());
}

#[test]
fn secedit_user_rights_inf() {
    let rights = parse::user_rights(&fixture("secedit-user-rights.inf")).unwrap();
    assert_eq!(
        json_of(&rights),
        json!({
            "se_service_logon_right": ["S-1-5-80-0", "S-1-5-21-1004336348-1177238915-682003330-1105"],
            "se_deny_service_logon_right": ["S-1-5-21-1004336348-1177238915-682003330-1107"],
            "se_batch_logon_right": ["S-1-5-32-544", "S-1-5-32-551", "S-1-5-32-559"],
            "se_interactive_logon_right": ["S-1-5-32-544", "S-1-5-32-551", "Guest"]
        })
    );
    let none = parse::user_rights("[Unicode]\nUnicode=yes\n[Privilege Rights]\n").unwrap();
    assert_eq!(none.se_deny_service_logon_right, known(vec![]), "a right not in the file is held by no one");
    assert!(parse::user_rights("[Version]\n").is_err());
}

fn cx() -> ProbeContext {
    ProbeContext::new("2026-11-20T09:30:00Z", Duration::from_secs(30))
}

#[test]
fn a_collect_ps1_bundle_becomes_a_valid_snapshot_through_the_same_parsers() {
    let probe = ImportProbe::new(Some(ImportConfig {
        windows_bundle: vec![fixture_path("bundle-connect-sync.json")],
        ..ImportConfig::default()
    }));
    let facts = Value::Object(probe.collect(&cx()).unwrap());
    assert_eq!(facts["services"]["adsync"]["state"], json!("Stopped"));
    assert_eq!(facts["services"]["adsync"]["win32_exit_code"], json!(1069));
    assert_eq!(facts["connect"]["installed"], json!(true));
    assert_eq!(facts["connect"]["scheduler"]["effective_interval"], json!("PT30M"));
    assert_eq!(
        facts["connect"]["global_settings"],
        json!({ "staging_mode": false, "server_configuration_version": "2.4.27.0", "auto_upgrade_state": "Suspended" })
    );
    assert_eq!(
        facts["connect"]["auto_upgrade"],
        json!({ "state": "Suspended", "detail": "UpgradeNotSupportedLocalDbSizeExceeded" })
    );
    assert_eq!(facts["connect"]["running_connector"], json!(null));
    assert_eq!(
        facts["connect"]["database"],
        json!({ "kind": "LocalDB", "server": "(localdb)", "instance": ".\\ADSync2019", "name": "ADSync" })
    );
    assert_eq!(facts["connect"]["runs"][0]["connector_kind"], json!("entra"));
    assert_eq!(facts["host"]["name"], json!("SYNC01"));
    assert_eq!(facts["host"]["fqdn"], json!("sync01.contoso.com"));
    assert_eq!(facts["host"]["is_domain_controller"], json!(false));
    assert_eq!(facts["host"]["os"]["build"], json!(20348));
    assert_eq!(facts["host"]["locale"], json!({ "acp": 1252, "oemcp": 437, "utf8_beta": false }));
    assert_eq!(
        facts["host"]["tls"],
        json!({ "tls12_client_enabled": true, "tls12_client_disabled_by_default": false, "dotnet_strong_crypto": true })
    );
    assert_eq!(facts["host"]["dotnet"]["release"], json!(528449));
    assert_eq!(facts["host"]["powershell"]["version"], json!("5.1.20348.2652"));
    assert_eq!(facts["host"]["powershell"]["execution_policy"]["local_machine"], json!("RemoteSigned"));
    assert_eq!(facts["user_rights"]["se_service_logon_right"][0], json!("S-1-5-80-0"));
    let events = facts["eventlog"]["events"].as_array().unwrap();
    assert_eq!(
        (events[0]["id"].clone(), events[0]["level"].clone(), events[0]["log"].clone()),
        (json!(7038), json!("Error"), json!("System"))
    );
    assert_eq!(events[1]["message"].as_str().unwrap().chars().count(), 2048, "messages are cut at 2 KiB");
    assert_eq!(facts["eventlog"]["window_hours"], json!(168));

    let schema = SnapshotSchema::new(&snapshot_schema()).unwrap();
    let document = json!({ "schema_version": 1, "collected_at": "2026-11-20T09:30:00Z",
        "collector": { "name": "t", "version": "0" }, "probes": [], "facts": facts });
    assert!(schema.violations(&document).is_empty(), "{:?}", schema.violations(&document));
}

#[test]
fn a_bundle_without_adsync_or_elevation_is_partial_and_says_why() {
    let probe = ImportProbe::new(Some(ImportConfig {
        windows_bundle: vec![fixture_path("bundle-agent-not-elevated.json")],
        ..ImportConfig::default()
    }));
    match probe.collect(&cx()) {
        Err(ProbeError::Partial { facts, reason }) => {
            let facts = Value::Object(*facts);
            assert_eq!(facts["connect"], json!({ "installed": false }), "no ADSync module: Connect is not installed");
            assert_eq!(facts["services"]["provisioning_agent"]["present"], json!(true));
            assert!(facts.get("user_rights").is_none());
            assert!(reason.contains("user_rights: exit code 1"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn off_windows_the_windows_probes_are_skipped() {
    if cfg!(windows) {
        return;
    }
    for area in Area::ALL {
        let result = WindowsProbe::new(area).collect(&cx());
        assert!(matches!(result, Err(ProbeError::Unsupported(_))), "{}: {result:?}", area.id());
    }
}

#[test]
fn collect_ps1_runs_exactly_the_command_specs() {
    let script = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("windows/collect.ps1"))
        .unwrap()
        .replace("\r\n", "\n");
    for spec in COMMANDS.iter().chain([&EVENTLOG]) {
        let block = format!("'{}' = @'\n{}\n'@", spec.key, spec.script);
        assert!(script.contains(&block), "collect.ps1 does not run the `{}` spec verbatim", spec.key);
    }
    assert!(script.contains("syncdoctor-windows-bundle") && script.contains("format_version = 1"));
}

/// `Get-ADSyncEntraConnectorCredential` returns `ConnectorIdentityType`, "ServiceAccount or
/// Application" (learn.microsoft.com/entra/identity/hybrid/connect/authenticate-application-id);
/// the command prints it with `Available` (the cmdlet exists from Connect 2.5.3.0).
#[test]
fn the_entra_connector_identity_type_is_read() {
    use syncdoctor_probes::windows::{CommandOutput, Outputs, assemble};
    assert!(COMMANDS.iter().any(|c| c.key == "entra_connector_credential"));
    assert!(Area::Connect.commands().iter().any(|c| c.key == "entra_connector_credential"));
    for (stdout, expected) in [
        (r#"{ "Available": true, "ConnectorIdentityType": "Application" }"#, json!("application")),
        (r#"{ "Available": true, "ConnectorIdentityType": "ServiceAccount" }"#, json!("service-account")),
        (r#"{ "Available": true, "ConnectorIdentityType": "Something new" }"#, Value::Null),
        (r#"{ "Available": false, "ConnectorIdentityType": null }"#, Value::Null),
    ] {
        let mut outputs = Outputs::new();
        outputs.insert(
            "entra_connector_credential".into(),
            CommandOutput { stdout: stdout.into(), exit_code: Some(0), error: None },
        );
        let (facts, problems) = assemble(Area::Connect, &outputs, None);
        assert!(problems.is_empty(), "{problems:?}");
        // A gathered `null` stays `null` (present), not absent.
        assert_eq!(json_of(&facts)["connect"].get("entra_connector_identity"), Some(&expected), "{stdout}");
    }
}

/// A DirSync host has no ADSync module: the Connect area says `connect.installed: false` and reads
/// the run history from the FIM service's WMI provider (`MIIS_RunHistory`) into `dirsync.runs[]`.
#[test]
fn a_dirsync_host_gives_its_run_history_from_wmi() {
    use syncdoctor_probes::windows::{CommandOutput, Outputs, assemble};
    assert!(Area::Connect.commands().iter().any(|c| c.key == "dirsync_runs"));
    let missing =
        "The specified module 'ADSync' was not loaded because no valid module file was found in any module directory.";
    let mut outputs = Outputs::new();
    for key in ["scheduler", "global_settings", "auto_upgrade", "running_connector", "connectors", "runs"] {
        outputs.insert(
            key.into(),
            CommandOutput { stdout: String::new(), exit_code: Some(1), error: Some(missing.into()) },
        );
    }
    let wmi = r#"[{ "ConnectorName": "SourceAD", "RunProfileName": "Delta Import Delta Sync", "RunNumber": 4711,
        "Result": "Stopped-Server-Down", "IsRunComplete": true, "StartDate": "2026-11-20T06:52:10.0000000Z",
        "EndDate": "2026-11-20T06:52:41.0000000Z", "Steps": [] }]"#;
    outputs.insert("dirsync_runs".into(), CommandOutput { stdout: wmi.into(), exit_code: Some(0), error: None });
    let (facts, problems) = assemble(Area::Connect, &outputs, None);
    assert!(problems.is_empty(), "{problems:?}");
    let facts = json_of(&facts);
    assert_eq!(facts["connect"]["installed"], json!(false));
    let run = &facts["dirsync"]["runs"][0];
    assert_eq!(run["connector"], json!("SourceAD"));
    assert_eq!(run["result"], json!("Stopped-Server-Down"));
    assert_eq!(run["complete"], json!(true));
    assert_eq!(run["steps"], json!([]));
}
