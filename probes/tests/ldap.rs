//! The `ldap` probe against a real OpenLDAP `slapd` started on a loopback port with a small
//! AD-like schema (`tests/fixtures/ldap/ad.schema`) and seeded entries.
//!
//! The tests print "SKIPPED" and pass when `slapd` is not installed; CI installs it
//! (`apt-get install -y slapd ldap-utils`).

use std::collections::HashSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ldap3::LdapConn;
use serde_json::{Value, json};
use syncdoctor_engine::SnapshotSchema;
use syncdoctor_probes::config::SecretSource;
use syncdoctor_probes::ldap::{AccountNames, LdapConfig, LdapProbe};
use syncdoctor_probes::probe::{Probe, ProbeContext};
use syncdoctor_probes::{ProbeError, snapshot_schema};

const BASE: &str = "DC=contoso,DC=com";
const ADMIN: &str = "CN=admin,DC=contoso,DC=com";
const ADMIN_PASSWORD: &str = "test-only-password";

/// `slapd`, if installed.
fn slapd_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin"), PathBuf::from("/usr/local/libexec")])
        .map(|dir| dir.join("slapd"))
        .find(|candidate| candidate.is_file())
}

/// Where the distribution keeps the standard schema files and backend modules.
fn schema_dir() -> Option<PathBuf> {
    ["/etc/ldap/schema", "/etc/openldap/schema", "/usr/local/etc/openldap/schema"]
        .iter()
        .map(PathBuf::from)
        .find(|d| d.join("core.schema").is_file())
}

fn module_dir() -> Option<PathBuf> {
    ["/usr/lib/ldap", "/usr/lib64/openldap", "/usr/lib/openldap", "/usr/libexec/openldap"]
        .iter()
        .map(PathBuf::from)
        .find(|d| d.join("back_mdb.so").exists() || d.join("back_mdb.la").exists())
}

/// A running `slapd` on 127.0.0.1, stopped when dropped.
struct Slapd {
    child: Child,
    dir: PathBuf,
    url: String,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start_slapd(name: &str) -> Option<Slapd> {
    let Some(binary) = slapd_binary() else {
        eprintln!(
            "SKIPPED: slapd is not installed (apt-get install -y slapd ldap-utils); the LDAP probe was not tested"
        );
        return None;
    };
    let schema = schema_dir().expect("slapd is installed but its schema folder was not found");
    let dir = std::env::temp_dir().join(format!("syncdoctor-slapd-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("db")).unwrap();
    let ad_schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ldap/ad.schema");
    let modules =
        module_dir().map(|m| format!("modulepath {}\nmoduleload back_mdb\n", m.display())).unwrap_or_default();
    let config = format!(
        "include {s}/core.schema\ninclude {s}/cosine.schema\ninclude {s}/inetorgperson.schema\ninclude {ad}\n\
         pidfile {d}/slapd.pid\n{modules}\
         database mdb\nmaxsize 33554432\nsuffix \"{BASE}\"\nrootdn \"{ADMIN}\"\nrootpw {ADMIN_PASSWORD}\ndirectory {d}/db\n\
         index objectClass eq\nindex sAMAccountName eq\n",
        s = schema.display(),
        ad = ad_schema.display(),
        d = dir.display(),
    );
    // A port picked by binding to port 0 can be taken again before slapd binds it (or be the
    // source port of a connection that then "connects" to itself), so slapd counts as started
    // only once it answers an LDAP bind, and a slapd that exits is started again on another port.
    let mut failures = Vec::new();
    for _attempt in 0..3 {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("db")).unwrap();
        std::fs::write(dir.join("slapd.conf"), &config).unwrap();
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let url = format!("ldap://127.0.0.1:{port}");
        let child = Command::new(&binary)
            .arg("-f")
            .arg(dir.join("slapd.conf"))
            .arg("-h")
            .arg(format!("{url}/"))
            .args(["-d", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start slapd");
        let mut slapd = Slapd { child, dir: dir.clone(), url };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(Some(status)) = slapd.child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut pipe) = slapd.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
                }
                failures.push(format!("slapd on {} exited ({status}): {stderr}", slapd.url));
                break;
            }
            if answers_a_bind(&slapd.url) {
                seed(&slapd.url);
                return Some(slapd);
            }
            assert!(Instant::now() < deadline, "slapd did not answer on {}", slapd.url);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("slapd would not start: {}", failures.join("; "));
}

/// Whether an LDAP server answers an administrator bind at `url` (not just a TCP connect).
fn answers_a_bind(url: &str) -> bool {
    if TcpStream::connect(url.trim_start_matches("ldap://")).is_err() {
        return false;
    }
    LdapConn::with_settings(ldap3::LdapConnSettings::new().set_conn_timeout(Duration::from_secs(2)), url)
        .ok()
        .and_then(|mut ldap| ldap.simple_bind(ADMIN, ADMIN_PASSWORD).ok())
        .is_some_and(|result| result.success().is_ok())
}

/// Windows FILETIME of a Unix time.
fn filetime(unix_seconds: i64) -> String {
    ((unix_seconds + 11_644_473_600) * 10_000_000).to_string()
}

fn guid(text: &str) -> Vec<u8> {
    let hex: String = text.chars().filter(char::is_ascii_hexdigit).collect();
    let bytes: Vec<u8> = (0..16).map(|i| u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).unwrap()).collect();
    // AD stores the first three groups little-endian.
    let mut out = Vec::new();
    out.extend(bytes[0..4].iter().rev());
    out.extend(bytes[4..6].iter().rev());
    out.extend(bytes[6..8].iter().rev());
    out.extend(&bytes[8..]);
    out
}

type Attrs = Vec<(Vec<u8>, HashSet<Vec<u8>>)>;

fn attrs(pairs: &[(&str, &[&[u8]])]) -> Attrs {
    pairs.iter().map(|(name, values)| (name.as_bytes().to_vec(), values.iter().map(|v| v.to_vec()).collect())).collect()
}

fn seed(url: &str) {
    let mut ldap = LdapConn::new(url).unwrap();
    ldap.simple_bind(ADMIN, ADMIN_PASSWORD).unwrap().success().unwrap();
    let mut add = |dn: &str, pairs: &[(&str, &[&[u8]])]| {
        ldap.add(dn, attrs(pairs)).unwrap().success().unwrap_or_else(|e| panic!("add {dn}: {e}"));
    };
    let person = |extra: &[(&'static str, &'static [u8])]| extra.to_vec();
    let _ = person;
    add(
        BASE,
        &[
            ("objectClass", &[b"top", b"domain", b"domainDNS"]),
            ("dc", &[b"contoso"]),
            ("minPwdAge", &[b"-864000000000"]),
            ("maxPwdAge", &[b"-36288000000000"]),
        ],
    );
    add("CN=Configuration,DC=contoso,DC=com", &[("objectClass", &[b"container"]), ("cn", &[b"Configuration"])]);
    add(
        "CN=Partitions,CN=Configuration,DC=contoso,DC=com",
        &[("objectClass", &[b"container"]), ("cn", &[b"Partitions"]), ("uPNSuffixes", &[b"contoso.net"])],
    );
    add(
        "CN=CONTOSO,CN=Partitions,CN=Configuration,DC=contoso,DC=com",
        &[
            ("objectClass", &[b"crossRef"]),
            ("cn", &[b"CONTOSO"]),
            ("dnsRoot", &[b"contoso.com"]),
            ("nETBIOSName", &[b"CONTOSO"]),
            ("nCName", &[BASE.as_bytes()]),
        ],
    );
    add("OU=Staff,DC=contoso,DC=com", &[("objectClass", &[b"organizationalUnit"]), ("ou", &[b"Staff"])]);
    add("OU=Service,DC=contoso,DC=com", &[("objectClass", &[b"organizationalUnit"]), ("ou", &[b"Service"])]);

    let set = filetime(1_767_225_600); // 2026-01-01T00:00:00Z
    let never = i64::MAX.to_string();
    let user = |cn: &str, sam: &str, uac: &str, computed: &str| -> Vec<(String, Vec<Vec<u8>>)> {
        vec![
            (
                "objectClass".into(),
                vec![
                    b"top".to_vec(),
                    b"person".to_vec(),
                    b"organizationalPerson".to_vec(),
                    b"inetOrgPerson".to_vec(),
                    b"user".to_vec(),
                ],
            ),
            ("cn".into(), vec![cn.as_bytes().to_vec()]),
            ("sn".into(), vec![cn.as_bytes().to_vec()]),
            ("sAMAccountName".into(), vec![sam.as_bytes().to_vec()]),
            ("userAccountControl".into(), vec![uac.as_bytes().to_vec()]),
            ("msDS-User-Account-Control-Computed".into(), vec![computed.as_bytes().to_vec()]),
        ]
    };
    let mut ldap = LdapConn::new(url).unwrap();
    ldap.simple_bind(ADMIN, ADMIN_PASSWORD).unwrap().success().unwrap();
    let mut add_user = |dn: &str, mut attributes: Vec<(String, Vec<Vec<u8>>)>, extra: Vec<(&str, Vec<Vec<u8>>)>| {
        attributes.extend(extra.into_iter().map(|(n, v)| (n.to_owned(), v)));
        let attributes: Attrs =
            attributes.into_iter().map(|(n, v)| (n.into_bytes(), v.into_iter().collect::<HashSet<_>>())).collect();
        ldap.add(dn, attributes).unwrap().success().unwrap_or_else(|e| panic!("add {dn}: {e}"));
    };
    // The ADSync service account: healthy, password never expires.
    add_user(
        "CN=svc-adsync,OU=Service,DC=contoso,DC=com",
        user("svc-adsync", "svc-adsync", "66048", "0"),
        vec![
            ("userPrincipalName", vec![b"svc-adsync@contoso.com".to_vec()]),
            ("pwdLastSet", vec![set.clone().into_bytes()]),
            ("accountExpires", vec![never.clone().into_bytes()]),
            ("msDS-UserPasswordExpiryTimeComputed", vec![never.clone().into_bytes()]),
        ],
    );
    // The AD DS connector account: password expired.
    add_user(
        "CN=MSOL_1a2b3c4d5e6f,CN=Users,DC=contoso,DC=com".replace("CN=Users", "OU=Service").as_str(),
        user("MSOL_1a2b3c4d5e6f", "MSOL_1a2b3c4d5e6f", "512", "8388608"),
        vec![
            ("pwdLastSet", vec![filetime(1_700_000_000).into_bytes()]),
            ("accountExpires", vec![b"0".to_vec()]),
            ("msDS-UserPasswordExpiryTimeComputed", vec![filetime(1_703_628_800).into_bytes()]),
        ],
    );
    // The cloud sync gMSA.
    let mut gmsa = user("provAgentgMSA", "provAgentgMSA$", "4096", "0");
    gmsa[0].1.extend([b"computer".to_vec(), b"msDS-GroupManagedServiceAccount".to_vec()]);
    add_user(
        "CN=provAgentgMSA,OU=Service,DC=contoso,DC=com",
        gmsa,
        vec![("pwdLastSet", vec![set.clone().into_bytes()])],
    );
    // Data-quality objects.
    add_user(
        "CN=Ann Lee,OU=Staff,DC=contoso,DC=com",
        user("Ann Lee", "ann.lee", "512", "0"),
        vec![
            ("userPrincipalName", vec![b"ann.lee@contoso.com".to_vec()]),
            ("displayName", vec![b"Ann Lee".to_vec()]),
            ("mail", vec![b"ann.lee@contoso.com".to_vec()]),
            ("mailNickname", vec![b"ann.lee".to_vec()]),
            (
                "proxyAddresses",
                vec![b"SMTP:ann.lee@contoso.com".to_vec(), b"smtp:ann@contoso.mail.onmicrosoft.com".to_vec()],
            ),
            ("objectGUID", vec![guid("6f1a2b3c-4d5e-4f60-8172-839495a6b7c8")]),
            ("mS-DS-ConsistencyGuid", vec![guid("6f1a2b3c-4d5e-4f60-8172-839495a6b7c8")]),
            ("thumbnailPhoto", vec![vec![0xFF; 2048]]),
            ("msExchRecipientTypeDetails", vec![b"2".to_vec()]),
            ("adminCount", vec![b"1".to_vec()]),
        ],
    );
    add_user(
        "CN=Bob Example,OU=Staff,DC=contoso,DC=com",
        user("Bob Example", "bob", "514", "16"),
        vec![
            ("userPrincipalName", vec![b"bob@contoso.local".to_vec()]),
            ("objectGUID", vec![guid("00112233-4455-6677-8899-aabbccddeeff")]),
        ],
    );
    let mut computer = user("SYNC01", "SYNC01$", "4096", "0");
    computer[0].1.push(b"computer".to_vec());
    add_user("CN=SYNC01,OU=Service,DC=contoso,DC=com", computer, vec![]);
    let group = |name: &str, members: &[&str]| -> Attrs {
        let mut pairs: Attrs = vec![
            (b"objectClass".to_vec(), [b"top".to_vec(), b"group".to_vec()].into_iter().collect()),
            (b"cn".to_vec(), [name.as_bytes().to_vec()].into_iter().collect()),
        ];
        if !members.is_empty() {
            pairs.push((b"member".to_vec(), members.iter().map(|m| m.as_bytes().to_vec()).collect()));
        }
        pairs
    };
    let mut staff =
        group("All Staff", &["CN=Ann Lee,OU=Staff,DC=contoso,DC=com", "CN=Bob Example,OU=Staff,DC=contoso,DC=com"]);
    staff.push((b"mail".to_vec(), [b"allstaff@contoso.com".to_vec()].into_iter().collect()));
    ldap.add("CN=All Staff,OU=Staff,DC=contoso,DC=com", staff).unwrap().success().unwrap();
    ldap.add("CN=Nobody,OU=Staff,DC=contoso,DC=com", group("Nobody", &[])).unwrap().success().unwrap();
    // Enough users to need several pages at page size 5.
    for i in 0..23 {
        let dn = format!("CN=Bulk {i:02},OU=Staff,DC=contoso,DC=com");
        let sam = format!("bulk{i:02}");
        let pairs = user(&format!("Bulk {i:02}"), &sam, "512", "0");
        let pairs: Attrs = pairs.into_iter().map(|(n, v)| (n.into_bytes(), v.into_iter().collect())).collect();
        ldap.add(&dn, pairs).unwrap().success().unwrap();
    }
}

fn password_file(dir: &Path) -> PathBuf {
    let path = dir.join("bind-password");
    std::fs::write(&path, format!("{ADMIN_PASSWORD}\n")).unwrap();
    path
}

fn config(slapd: &Slapd) -> LdapConfig {
    LdapConfig {
        url: slapd.url.clone(),
        bind_dn: Some(ADMIN.into()),
        password: Some(SecretSource { env: None, file: Some(password_file(&slapd.dir)) }),
        accounts: AccountNames {
            sync_service: Some(r"CONTOSO\svc-adsync".into()),
            ad_connector: Some("MSOL_1a2b3c4d5e6f".into()),
            cloudsync_gmsa: Some("provAgentgMSA$".into()),
            dirsync_service: Some("MSOL_deleted000".into()),
        },
        page_size: Some(5),
        timeout_ms: Some(10_000),
        ..LdapConfig::default()
    }
}

fn cx() -> ProbeContext {
    ProbeContext::new("2026-11-20T09:30:00Z", Duration::from_secs(60))
}

fn facts(result: Result<syncdoctor_probes::probe::FactTree, ProbeError>) -> Value {
    match result {
        Ok(tree) => Value::Object(tree),
        // Show Deleted is not an OpenLDAP control: `deleted` stays unknown, nothing else is missing.
        Err(other) => panic!("{other:?}"),
    }
}

#[test]
fn the_probe_reads_domains_accounts_and_objects_from_slapd() {
    let Some(slapd) = start_slapd("full") else { return };
    let facts = facts(LdapProbe::new(Some(config(&slapd))).collect(&cx()));
    let ad = &facts["ad"];
    assert_eq!(ad["forest"], json!("contoso.com"));
    // slapd hands DN-syntax values back normalized (lower case); AD keeps their case.
    assert!(ad["domains"][0]["dn"].as_str().unwrap().eq_ignore_ascii_case(BASE));
    let mut domain = ad["domains"][0].clone();
    domain.as_object_mut().unwrap().remove("dn");
    assert_eq!(
        domain,
        json!({ "fqdn": "contoso.com", "netbios": "CONTOSO", "min_pwd_age_seconds": 86400, "max_pwd_age_seconds": 3628800 })
    );
    assert_eq!(ad["upn_suffixes"], json!(["contoso.net", "contoso.com"]));

    let mut sync_service = ad["accounts"]["sync_service"].clone();
    let dn = sync_service.as_object_mut().unwrap().remove("dn").unwrap();
    assert!(dn.as_str().unwrap().eq_ignore_ascii_case("CN=svc-adsync,OU=Service,DC=contoso,DC=com"), "{dn}");
    assert_eq!(
        sync_service,
        json!({
            "exists": true, "deleted": false, "is_gmsa": false, "enabled": true, "locked_out": false,
            "password_expired": false, "password_never_expires": true, "must_change_password": false,
            "sam_account_name": "svc-adsync",
            "upn": "svc-adsync@contoso.com", "object_class": "user",
            "pwd_last_set": "2026-01-01T00:00:00Z", "password_expires_at": null, "account_expires_at": null
        })
    );
    let connector = &ad["accounts"]["ad_connector"];
    assert_eq!(connector["password_expired"], json!(true));
    assert_eq!(connector["password_expires_at"], json!("2023-12-26T22:13:20Z"));
    assert_eq!(connector["account_expires_at"], json!(null), "accountExpires 0 = never");
    // The probe asked for userPrincipalName and the entry has none: collected, empty (facts.md §0.2).
    assert_eq!(connector.get("upn"), Some(&json!(null)), "an unset requested attribute is null, not absent");
    let gmsa = &ad["accounts"]["cloudsync_gmsa"];
    assert_eq!(
        (gmsa["is_gmsa"].clone(), gmsa["object_class"].clone()),
        (json!(true), json!("msDS-GroupManagedServiceAccount"))
    );
    let missing = &ad["accounts"]["dirsync_service"];
    assert_eq!(missing["exists"], json!(false));
    assert!(missing.get("deleted").is_none(), "OpenLDAP has no Show Deleted control: unknown, not false");

    let users = ad["users"].as_array().unwrap();
    assert_eq!(users.len(), 2 + 2 + 23, "two service accounts, staff and bulk users; not the gMSA or the computer");
    let ann = users.iter().find(|u| u["sam"] == "ann.lee").unwrap();
    assert_eq!(ann["object_guid"], json!("6f1a2b3c-4d5e-4f60-8172-839495a6b7c8"));
    assert_eq!(ann["consistency_guid"], json!("6f1a2b3c-4d5e-4f60-8172-839495a6b7c8"));
    assert_eq!(ann["proxy_addresses"].as_array().unwrap().len(), 2);
    assert_eq!(ann["thumbnail_photo_bytes"], json!(2048));
    assert_eq!(ann["ms_exch_recipient_type_details"], json!(2));
    assert_eq!(ann["admin_count"], json!(1));
    let bob = users.iter().find(|u| u["sam"] == "bob").unwrap();
    assert_eq!(
        (bob["upn"].clone(), bob["mail"].clone(), bob["user_account_control"].clone()),
        (json!("bob@contoso.local"), json!(null), json!(514))
    );
    let groups = ad["groups"].as_array().unwrap();
    let by_dn = |dn: &str| groups.iter().find(|g| g["dn"].as_str().unwrap().eq_ignore_ascii_case(dn)).unwrap();
    let staff = by_dn("CN=All Staff,OU=Staff,DC=contoso,DC=com");
    assert_eq!((staff["member_count"].clone(), staff["mail_enabled"].clone()), (json!(2), json!(true)));
    let nobody = by_dn("CN=Nobody,OU=Staff,DC=contoso,DC=com");
    assert_eq!(nobody["member_count"], json!(0));
    assert_eq!(
        ad["objects"]["in_scope_count"],
        json!(27 + 2 + 2),
        "every entry the paged search returned, computers included"
    );

    let schema = SnapshotSchema::new(&snapshot_schema()).unwrap();
    let document = json!({ "schema_version": 1, "collected_at": "2026-11-20T09:30:00Z",
        "collector": { "name": "t", "version": "0" }, "probes": [], "facts": facts });
    assert!(schema.violations(&document).is_empty(), "{:?}", schema.violations(&document));
    assert!(!document.to_string().contains(ADMIN_PASSWORD));
}

#[test]
fn a_cap_on_objects_makes_the_probe_partial_and_bad_credentials_fail_it() {
    let Some(slapd) = start_slapd("limits") else { return };
    let mut capped = config(&slapd);
    capped.max_objects = Some(7);
    capped.accounts = AccountNames::default();
    match LdapProbe::new(Some(capped)).collect(&cx()) {
        Err(ProbeError::Partial { facts, reason }) => {
            assert!(reason.contains("stopped after 7 objects"), "{reason}");
            let facts = Value::Object(*facts);
            let read = facts["ad"]["users"].as_array().unwrap().len() + facts["ad"]["groups"].as_array().unwrap().len();
            assert_eq!(read, 7);
        }
        other => panic!("expected partial, got {other:?}"),
    }

    let mut wrong = config(&slapd);
    let bad = slapd.dir.join("wrong-password");
    std::fs::write(&bad, "not-the-password").unwrap();
    wrong.password = Some(SecretSource { env: None, file: Some(bad) });
    let error = LdapProbe::new(Some(wrong)).collect(&cx()).unwrap_err().to_string();
    assert!(error.contains("bind as") && !error.contains("not-the-password"), "{error}");

    let mut nowhere = config(&slapd);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    nowhere.url = format!("ldap://127.0.0.1:{}", listener.local_addr().unwrap().port());
    drop(listener);
    nowhere.timeout_ms = Some(1000);
    let error = LdapProbe::new(Some(nowhere)).collect(&cx()).unwrap_err().to_string();
    assert!(error.contains("cannot connect"), "{error}");
}

#[test]
fn without_configuration_the_probe_is_skipped() {
    assert!(matches!(LdapProbe::new(None).collect(&cx()), Err(ProbeError::NotConfigured(_))));
}

/// Configured but unusable: an unset password variable, a bind DN without a password source, a
/// CA file that is missing or holds no certificate. Each is `CannotRun` (recorded as `failed`),
/// found before anything is sent (the URL is a closed loopback port).
#[test]
fn an_unreadable_secret_or_certificate_fails_the_probe_before_connecting() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ldap://127.0.0.1:{}", listener.local_addr().unwrap().port());
    drop(listener);
    let base = LdapConfig { url, bind_dn: Some(ADMIN.into()), timeout_ms: Some(1000), ..LdapConfig::default() };
    let reason = |config: LdapConfig| match LdapProbe::new(Some(config)).collect(&cx()) {
        Err(ProbeError::CannotRun(reason)) => reason,
        other => panic!("expected CannotRun, got {other:?}"),
    };
    let unset = LdapConfig {
        password: Some(SecretSource { env: Some("SYNCDOCTOR_TEST_LDAP_PASSWORD_UNSET".into()), file: None }),
        ..base.clone()
    };
    assert!(reason(unset).contains("environment variable SYNCDOCTOR_TEST_LDAP_PASSWORD_UNSET is not set"));
    assert!(reason(base.clone()).contains("has no `password` source"));
    let dir = std::env::temp_dir().join(format!("syncdoctor-ldap-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let not_pem = dir.join("ca.pem");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let anonymous = LdapConfig { bind_dn: None, ..base };
    let bad_ca = LdapConfig { ca_file: Some(not_pem.clone()), ..anonymous.clone() };
    assert!(reason(bad_ca).contains("no PEM certificate"), "a CA file without a certificate");
    let missing_ca = LdapConfig { ca_file: Some(dir.join("absent.pem")), ..anonymous };
    assert!(reason(missing_ca).contains("absent.pem"));
    std::fs::remove_dir_all(dir).unwrap();
}
