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

fn import_idfix(paths: Vec<PathBuf>) -> Result<Value, ProbeError> {
    let probe = ImportProbe::new(Some(ImportConfig { idfix: paths, ..ImportConfig::default() }));
    probe.collect(&ProbeContext::new("2026-11-20T09:30:00Z", Duration::from_secs(5))).map(Value::Object)
}

/// Every fact the IdFix fixture gives (header and field format of IdFix's `ToCsv`; the first two
/// rows are the Step 3 transaction-log example; see SOURCES.md).
fn idfix_expected() -> Value {
    let finding = |dn: &str, class: &str, attribute: &str, category: &str, value: &str, update: Option<&str>| {
        json!({ "dn": dn, "object_class": class, "attribute": attribute, "category": category,
                "value": value, "suggestion": update })
    };
    json!({
        "source": "idfix-csv",
        "findings": [
            finding("CN=USER000001,OU=E2K10OU1,DC=E2K10,DC=COM", "USER", "MAILNICKNAME", "Character",
                    "USER?^|000001", Some("USER000001")),
            finding("CN=USER000008,OU=E2K10OU1,DC=E2K10,DC=COM", "USER", "TARGETADDRESS", "Duplicate",
                    "SMTP:USER000008@CUSTOMER.COM", None),
            finding("CN=Ann Lee,OU=Staff,DC=contoso,DC=local", "user", "userPrincipalName", "Character",
                    "ann lee@contoso.local", Some("annlee@contoso.local")),
            finding("CN=Ann Lee,OU=Staff,DC=contoso,DC=local", "user", "userPrincipalName", "TopLevelDomain",
                    "ann lee@contoso.local", Some("annlee@contoso.local")),
            finding("CN=All Staff,OU=Groups,DC=contoso,DC=local", "group", "proxyAddresses", "Duplicate",
                    "smtp:allstaff@contoso.com", None),
            finding("CN=Backup Service,OU=Service,DC=contoso,DC=local", "user", "sAMAccountName", "Length",
                    "svc-backup-exec-server01", Some("svc-backup-exec-serv")),
            finding("CN=Bob Smith,OU=Staff,DC=contoso,DC=local", "user", "proxyAddresses", "Character",
                    "smtp:bob\"smith@contoso.com", Some("smtp:bobsmith@contoso.com")),
        ],
        "counts": { "Character": 3, "Duplicate": 2, "Length": 1, "TopLevelDomain": 1 },
        "duplicates": { "upn": 0, "proxy_address": 1, "mail": 0, "mail_nickname": 0, "sam_account_name": 0,
                        "target_address": 1 }
    })
}

#[test]
fn an_idfix_csv_export_becomes_dataquality_facts() {
    let facts = import_idfix(vec![real("idfix-export.csv")]).unwrap();
    assert_eq!(facts, json!({ "dataquality": idfix_expected() }));
}

#[test]
fn an_idfix_export_in_utf16_or_lf_reads_the_same() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("import-idfix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(real("idfix-export.csv")).unwrap();
    // Re-saved as "Unicode text": UTF-16LE with a BOM.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let wide = dir.join("idfix-utf16.csv");
    std::fs::write(&wide, utf16).unwrap();
    // LF line ends and a UTF-8 BOM.
    let lf = dir.join("idfix-lf.csv");
    std::fs::write(&lf, format!("\u{feff}{}", text.replace("\r\n", "\n"))).unwrap();
    for path in [wide, lf] {
        let facts = import_idfix(vec![path.clone()]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(facts["dataquality"], idfix_expected(), "{}", path.display());
    }
}

#[test]
fn bad_idfix_rows_are_located_and_the_good_ones_kept() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("import-idfix-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(real("idfix-export.csv")).unwrap();
    // A row cut short (line 8) and an error name IdFix does not have (line 9): test input.
    let path = dir.join("damaged.csv");
    std::fs::write(
        &path,
        format!("{text}\"CN=Cut,DC=contoso,DC=local\",user,mail\r\n\"CN=Odd,DC=contoso,DC=local\",user,mail,Typo,x,,Edit,\r\n"),
    )
    .unwrap();
    match import_idfix(vec![path]) {
        Err(ProbeError::Partial { facts, reason }) => {
            assert!(reason.contains("damaged.csv: line 8: 3 fields where the header has 8"), "{reason}");
            assert!(reason.contains("damaged.csv: line 9: unknown IdFix error `Typo`"), "{reason}");
            let findings = facts["dataquality"]["findings"].as_array().unwrap();
            assert_eq!(findings.len(), 8, "the 7 good findings and the odd one");
            assert_eq!(findings[7]["category"], Value::Null);
            assert_eq!(findings[7]["dn"], "CN=Odd,DC=contoso,DC=local");
        }
        other => panic!("expected partial, got {other:?}"),
    }
    // Not an IdFix file at all: nothing read, the probe fails and says why.
    let other = dir.join("users.csv");
    std::fs::write(&other, "Name,UserPrincipalName\r\nAnn,ann@contoso.com\r\n").unwrap();
    match import_idfix(vec![other]) {
        Err(ProbeError::Other(reason)) => {
            assert!(reason.contains("users.csv: line 1: not an IdFix export"), "{reason}");
        }
        other => panic!("expected failed, got {other:?}"),
    }
    // Only a header: IdFix found nothing (a blank grid) — looked, found none.
    let header = dir.join("clean.csv");
    std::fs::write(&header, "DISTINGUISHEDNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n")
        .unwrap();
    let facts = import_idfix(vec![header]).unwrap();
    assert_eq!(facts["dataquality"]["findings"], json!([]));
    assert_eq!(facts["dataquality"]["counts"], json!({}));
}
