//! The `exec` extension protocol (small shell scripts) and the `import` probe (LDIF fixtures).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use syncdoctor_engine::envelope::ProbeStatus;
use syncdoctor_probes::ProbeError;
use syncdoctor_probes::exec::{ExecConfig, ExecProbe};
use syncdoctor_probes::import::{ImportConfig, ImportProbe};
use syncdoctor_probes::probe::{Probe, ProbeContext};
use syncdoctor_probes::registry::{Registry, RunOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

fn cx(timeout: Duration) -> ProbeContext {
    ProbeContext::new("2026-11-20T09:30:00Z", timeout)
}

/// Writes an executable shell script into a fresh folder.
#[cfg(unix)]
fn script(name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("syncdoctor-exec-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.sh"));
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[cfg(unix)]
fn exec(name: &str, body: &str) -> ExecProbe {
    ExecProbe::new(ExecConfig { name: name.into(), command: script(name, body), ..ExecConfig::default() })
}

#[cfg(unix)]
#[test]
fn an_extension_printing_facts_contributes_them() {
    let probe = exec(
        "proxy",
        r#"echo "{\"facts\": {\"network\": {\"proxy_idle_timeout_seconds\": 240}}, \"note\": \"$SYNCDOCTOR_COLLECTED_AT\"}""#,
    );
    assert_eq!(probe.id(), "exec.proxy");
    let facts = probe.collect(&cx(Duration::from_secs(10))).unwrap();
    assert_eq!(Value::Object(facts), json!({ "network": { "proxy_idle_timeout_seconds": 240 } }));
}

#[cfg(unix)]
#[test]
fn an_extension_can_report_partial_results() {
    let probe = exec(
        "partial",
        r#"echo '{"facts": {"network": {"proxy_idle_timeout_seconds": null}}, "error": "proxy admin API unreachable"}'"#,
    );
    match probe.collect(&cx(Duration::from_secs(10))) {
        Err(ProbeError::Partial { reason, .. }) => assert_eq!(reason, "proxy admin API unreachable"),
        other => panic!("{other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn exit_codes_stderr_bad_output_timeouts_and_floods_fail_the_probe() {
    let failed = exec("fails", "echo 'cannot reach the proxy API' >&2\nexit 3").collect(&cx(Duration::from_secs(10)));
    let message = failed.unwrap_err().to_string();
    assert!(message.contains("exit code 3") && message.contains("cannot reach the proxy API"), "{message}");

    let garbage = exec("garbage", "echo 'hello world'").collect(&cx(Duration::from_secs(10)));
    assert!(matches!(garbage, Err(ProbeError::Parse { .. })), "{garbage:?}");

    let no_facts = exec("nofacts", "echo '{\"data\": 1}'").collect(&cx(Duration::from_secs(10)));
    assert!(no_facts.unwrap_err().to_string().contains("no `facts` object"));

    let started = Instant::now();
    let hung = exec("hangs", "sleep 30").collect(&cx(Duration::from_millis(500)));
    assert!(matches!(hung, Err(ProbeError::Timeout(_))), "{hung:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "killed at the time limit");

    let flood = ExecProbe::new(ExecConfig {
        name: "flood".into(),
        command: script("flood", "yes '{\"facts\": {}}'"),
        max_output_bytes: Some(64 * 1024),
        ..ExecConfig::default()
    });
    let flooded = flood.collect(&cx(Duration::from_secs(10)));
    assert!(flooded.unwrap_err().to_string().contains("output exceeds 65536 bytes"));

    let missing = ExecProbe::new(ExecConfig {
        name: "missing".into(),
        command: "/nonexistent/probe".into(),
        ..ExecConfig::default()
    })
    .collect(&cx(Duration::from_secs(1)));
    assert!(missing.unwrap_err().to_string().contains("cannot start"));
}

#[cfg(unix)]
#[test]
fn an_extension_writing_unknown_facts_fails_alone_in_the_registry() {
    let mut registry = Registry::new();
    registry.add(exec("rogue", r#"echo '{"facts": {"network": {"made_up": true}}}'"#));
    registry.add(exec("good", r#"echo '{"facts": {"network": {"proxy_idle_timeout_seconds": 600}}}'"#));
    let options = RunOptions { default_timeout: Duration::from_secs(10), ..RunOptions::default() };
    let document = registry.run(&options, &|_| {}).unwrap();
    assert_eq!(document.probes[0].status, ProbeStatus::Failed);
    assert!(document.probes[0].error.as_deref().unwrap().contains("schema"));
    assert_eq!(document.probes[1].status, ProbeStatus::Ok);
    assert_eq!(
        serde_json::to_value(&document.facts).unwrap(),
        json!({ "network": { "proxy_idle_timeout_seconds": 600 } })
    );
}

#[test]
fn an_ldifde_export_becomes_users_and_groups() {
    let probe = ImportProbe::new(Some(ImportConfig {
        ldif: vec![fixtures().join("contoso-ldifde.ldf")],
        ..ImportConfig::default()
    }));
    let facts = Value::Object(probe.collect(&cx(Duration::from_secs(10))).unwrap());
    let users = facts["ad"]["users"].as_array().unwrap();
    assert_eq!(users.len(), 2, "the computer account is not a user: {users:#?}");
    assert_eq!(
        users[0],
        json!({
            "dn": "CN=Ann Lee,OU=Staff,DC=contoso,DC=com",
            "object_guid": "6f1a2b3c-4d5e-4f60-8172-839495a6b7c8",
            "consistency_guid": "6f1a2b3c-4d5e-4f60-8172-839495a6b7c8",
            "upn": "ann.lee@contoso.com",
            "sam": "ann.lee",
            "mail": "ann.lee@contoso.com",
            "mail_nickname": "ann.lee",
            "proxy_addresses": ["SMTP:ann.lee@contoso.com", "smtp:ann@contoso.mail.onmicrosoft.com"],
            "display_name": "Ann Lee",
            "user_account_control": 512,
            "user_certificate_count": 2,
            "user_smime_certificate_count": 0,
            "thumbnail_photo_bytes": 1500,
            "ms_exch_recipient_type_details": 1,
            "acl_inheritance_disabled": true,
            "admin_count": 1,
            "is_critical_system_object": false
        })
    );
    let bob = &users[1];
    assert_eq!(bob["display_name"], json!("Bjørn Exämple "), "base64 UTF-8 values, trailing space kept");
    assert_eq!(bob["mail"], json!(null), "not set is null");
    assert_eq!(bob["consistency_guid"], json!(null));
    assert_eq!(bob["proxy_addresses"], json!([]));
    assert_eq!(bob["user_account_control"], json!(66050));
    assert!(bob.get("acl_inheritance_disabled").is_none(), "no security descriptor exported: unknown");

    let groups = facts["ad"]["groups"].as_array().unwrap();
    assert_eq!(groups[0]["member_count"], json!(2));
    assert_eq!(groups[0]["mail_enabled"], json!(true));
    assert_eq!(
        groups[1],
        json!({
            "dn": "CN=Empty Group,OU=Groups,DC=contoso,DC=com",
            "object_guid": "b1b2c3d4-e5f6-4708-9a0b-1c2d3e4f5a6b",
            "display_name": null, "mail": null, "proxy_addresses": [], "mail_enabled": false, "member_count": 0
        })
    );
}

#[test]
fn a_malformed_export_keeps_what_came_before_and_is_partial() {
    let probe = ImportProbe::new(Some(ImportConfig {
        ldif: vec![fixtures().join("truncated.ldf"), fixtures().join("contoso-ldifde.ldf")],
        ..ImportConfig::default()
    }));
    match probe.collect(&cx(Duration::from_secs(10))) {
        Err(ProbeError::Partial { facts, reason }) => {
            assert!(reason.contains("truncated.ldf") && reason.contains("line 6"), "{reason}");
            let facts = Value::Object(*facts);
            let sams: Vec<&str> =
                facts["ad"]["users"].as_array().unwrap().iter().filter_map(|u| u["sam"].as_str()).collect();
            assert_eq!(sams, ["carol", "ann.lee", "bob"]);
        }
        other => panic!("{other:?}"),
    }
    let none = ImportProbe::new(None).collect(&cx(Duration::from_secs(1)));
    assert!(matches!(none, Err(ProbeError::NotConfigured(_))));
}
