//! The `import` probe through the binary (`syncdoctor collect --probe import --config …`):
//! `ldifde -u` exports (UTF-16LE with a BOM, CRLF), plain `ldapsearch` output without `-LLL`
//! (comments, `search:`/`result:` trailer, search references) and IdFix CSV exports end up in the
//! snapshot's facts, and the probe records say what was read.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("syncdoctor-import-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn probes_fixture(path: &str) -> PathBuf {
    common::root().join("probes/tests/fixtures").join(path)
}

/// Runs `collect --probe import` with `import_yaml` as the configuration's `import` section and
/// returns the exit code, standard error and the snapshot.
fn collect(dir: &Path, import_yaml: &str) -> (Option<i32>, String, Value) {
    let config = dir.join("collect.yaml");
    std::fs::write(&config, format!("import:\n{import_yaml}")).unwrap();
    let snapshot = dir.join("snap.json");
    let output = Command::new(env!("CARGO_BIN_EXE_syncdoctor"))
        .current_dir(dir)
        .args(["collect", "--probe", "import", "--config"])
        .arg(&config)
        .arg("-o")
        .arg(&snapshot)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&snapshot).unwrap_or_else(|e| panic!("{e}: {}", common::stderr(&output)));
    (output.status.code(), common::stderr(&output), serde_json::from_str(&text).unwrap())
}

fn import_status(snapshot: &Value) -> Value {
    snapshot["probes"].as_array().unwrap().iter().find(|p| p["id"] == "import").unwrap().clone()
}

fn names(users: &Value) -> Vec<&str> {
    users.as_array().unwrap().iter().map(|u| u["dn"].as_str().unwrap()).collect()
}

#[test]
fn utf16_ldifde_and_plain_ldapsearch_exports_reach_the_snapshot() {
    let dir = temp("ldif");
    // Our ldifde fixture as `ldifde -u` writes it: UTF-16LE, BOM, CRLF.
    let text = std::fs::read_to_string(probes_fixture("import/contoso-ldifde.ldf")).unwrap();
    let mut wide = vec![0xFF, 0xFE];
    wide.extend(text.replace('\n', "\r\n").encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.join("contoso-unicode.ldf"), wide).unwrap();
    // The same entries as plain `ldapsearch` prints them without -LLL: version header comments,
    // a search reference and the `search:`/`result:` trailer.
    let body = text.lines().filter(|l| !l.starts_with("changetype:") && !l.starts_with('#')).collect::<Vec<_>>();
    let plain = format!(
        "# extended LDIF\n#\n# LDAPv3\n# base <DC=contoso,DC=com> with scope subtree\n#\n\n{}\n\n# search reference\nref: ldap://ForestDnsZones.contoso.com/DC=ForestDnsZones,DC=contoso,DC=com\n\n# search result\nsearch: 2\nresult: 0 Success\n\n# numResponses: 6\n# numEntries: 4\n# numReferences: 1\n",
        body.join("\n").trim()
    );
    std::fs::write(dir.join("contoso-ldapsearch.ldif"), plain).unwrap();
    let published_utf16 = probes_fixture("real/import/avaya-ldapsearch-references.utf16le.ldf");
    let published_plain = probes_fixture("real/import/avaya-ldapsearch-references.ldif");
    let (code, stderr, snapshot) = collect(
        &dir,
        &format!(
            "  ldif:\n    - contoso-unicode.ldf\n    - contoso-ldapsearch.ldif\n    - {}\n    - {}\n",
            published_utf16.display(),
            published_plain.display()
        ),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(import_status(&snapshot)["status"], "ok", "{}", import_status(&snapshot));
    let ad = &snapshot["facts"]["ad"];
    let users = names(&ad["users"]);
    assert_eq!(
        users,
        [
            "CN=Ann Lee,OU=Staff,DC=contoso,DC=com",
            "CN=Bob Example,OU=Staff,DC=contoso,DC=com",
            "CN=Ann Lee,OU=Staff,DC=contoso,DC=com",
            "CN=Bob Example,OU=Staff,DC=contoso,DC=com"
        ],
        "each export's two users, the computer account left out"
    );
    // The UTF-16 export decodes to the same facts as the UTF-8 one.
    assert_eq!(ad["users"][0], ad["users"][2]);
    assert_eq!(ad["users"][1]["display_name"], json!("Bjørn Exämple "));
    assert_eq!(ad["users"][0]["upn"], json!("ann.lee@contoso.com"));
    let groups = names(&ad["groups"]);
    assert_eq!(groups.len(), 4, "{groups:?}");
    assert_eq!(ad["groups"][0]["member_count"], ad["groups"][2]["member_count"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_idfix_export_reaches_the_snapshot_and_a_damaged_one_is_partial() {
    let dir = temp("idfix");
    let export = probes_fixture("real/import/idfix-export.csv");
    let (code, stderr, snapshot) = collect(&dir, &format!("  idfix: [{}]\n", export.display()));
    assert_eq!(code, Some(0), "{stderr}");
    let quality = &snapshot["facts"]["dataquality"];
    assert_eq!(quality["source"], "idfix-csv");
    assert_eq!(quality["findings"].as_array().unwrap().len(), 7);
    assert_eq!(quality["counts"], json!({ "Character": 3, "Duplicate": 2, "Length": 1, "TopLevelDomain": 1 }));

    // A cut row: the import is partial, collect names it and still exits 0 (nothing failed).
    let text = std::fs::read_to_string(&export).unwrap();
    std::fs::write(dir.join("cut.csv"), format!("{text}\"CN=Cut,DC=contoso,DC=local\",user\r\n")).unwrap();
    let (code, stderr, snapshot) = collect(&dir, "  idfix: [cut.csv]\n");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(import_status(&snapshot)["status"], "partial");
    assert!(stderr.contains("import partial: ") && stderr.contains("cut.csv: line 8: 2 fields"), "{stderr}");
    // The probes `--probe` left out share one line.
    assert!(stderr.contains("  not selected (--probe): windows.services, windows.connect"), "{stderr}");
    assert!(!stderr.contains("graph skipped: not selected"), "{stderr}");
    assert_eq!(snapshot["facts"]["dataquality"]["findings"].as_array().unwrap().len(), 7);

    // Not an export at all: nothing read, the probe failed, collect exits 1.
    std::fs::write(dir.join("users.csv"), "Name,Mail\r\nann,ann@contoso.com\r\n").unwrap();
    let (code, stderr, snapshot) = collect(&dir, "  idfix: [users.csv]\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(import_status(&snapshot)["status"], "failed");
    assert!(stderr.contains("import failed: ") && stderr.contains("not an IdFix export"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}
