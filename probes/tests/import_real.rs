//! The `import` probe on published exports (`tests/fixtures/real/import`, origins in
//! `tests/fixtures/real/SOURCES.md`): plain `ldapsearch` output against Active Directory, with
//! search references and the `search:`/`result:` trailer, and the same text as `ldifde -u` writes
//! it (UTF-16LE with a BOM, CRLF).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use syncdoctor_probes::ProbeError;
use syncdoctor_probes::import::{ImportConfig, ImportProbe};
use syncdoctor_probes::probe::{Probe, ProbeContext};

fn real(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/import").join(name)
}

fn import(paths: Vec<PathBuf>) -> Result<Value, ProbeError> {
    let probe = ImportProbe::new(Some(ImportConfig { ldif: paths, ..ImportConfig::default() }));
    probe.collect(&ProbeContext::new("2026-11-20T09:30:00Z", Duration::from_secs(5))).map(Value::Object)
}

#[test]
fn plain_ldapsearch_output_with_references_and_trailer_is_read() {
    let facts = import(vec![real("avaya-ldapsearch-references.ldif")]).unwrap();
    // Two search references and a `result: 0 Success` trailer, no entry: looked, found none.
    assert_eq!(facts["ad"], json!({ "users": [], "groups": [] }));
}

#[test]
fn an_ldifde_unicode_export_is_decoded() {
    let facts = import(vec![real("avaya-ldapsearch-references.utf16le.ldf")]).unwrap();
    assert_eq!(facts["ad"], json!({ "users": [], "groups": [] }));
}

#[test]
fn entries_before_an_error_are_kept_and_the_probe_is_partial() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("import-real-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // One user entry followed by a line that is not LDIF (test input, not a fixture).
    let path = dir.join("cut.ldif");
    std::fs::write(
        &path,
        "dn: CN=svc_sql,CN=Users,DC=oscp,DC=exam\nobjectClass: top\nobjectClass: person\nobjectClass: \
         organizationalPerson\nobjectClass: user\ncn: svc_sql\nuserAccountControl: 66048\nsAMAccountName: \
         svc_sql\n\nthis line is not ldif\n",
    )
    .unwrap();
    match import(vec![path]) {
        Err(ProbeError::Partial { facts, reason }) => {
            assert!(reason.contains("cut.ldif") && reason.contains("line 10"), "{reason}");
            let users = facts["ad"]["users"].as_array().unwrap();
            assert_eq!(users.len(), 1, "{users:?}");
            assert_eq!(users[0]["sam"], json!("svc_sql"));
        }
        other => panic!("expected partial, got {other:?}"),
    }
}

#[test]
fn a_size_limit_trailer_makes_the_import_partial() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("import-real-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(real("avaya-ldapsearch-references.ldif")).unwrap();
    let path = dir.join("limited.ldif");
    std::fs::write(&path, text.replace("result: 0 Success", "result: 4 Size limit exceeded")).unwrap();
    match import(vec![path]) {
        Err(ProbeError::Partial { reason, .. }) => assert!(reason.contains("4 Size limit exceeded"), "{reason}"),
        other => panic!("expected partial, got {other:?}"),
    }
}
