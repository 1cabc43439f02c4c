//! The `graph` probe against a loopback HTTP server replaying recorded Graph responses
//! (`tests/fixtures/graph`): client credentials, paging, throttling, partial results, and no
//! token or secret anywhere in the facts or messages.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use syncdoctor_engine::SnapshotSchema;
use syncdoctor_probes::config::SecretSource;
use syncdoctor_probes::graph::{GraphConfig, GraphProbe};
use syncdoctor_probes::probe::{Probe, ProbeContext};
use syncdoctor_probes::{ProbeError, snapshot_schema};

const SECRET: &str = "s3cr3t-value-MUST-NOT-LEAK";
const TOKEN_MARK: &str = "FAKE-ACCESS-TOKEN-MUST-NOT-LEAK";

fn fixture(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/graph").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// How the fake tenant behaves.
#[derive(Clone, Copy, Default)]
struct Behaviour {
    /// The token endpoint rejects the secret.
    bad_secret: bool,
    /// Provisioning-error queries are forbidden (403).
    forbid_provisioning_errors: bool,
    /// The connector account does not exist.
    connector_deleted: bool,
    /// The calls Graph documents no application permission for answer 403, as they do for an
    /// app signing in with client credentials.
    forbid_delegated_only: bool,
}

struct FakeGraph {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

fn fake_graph(behaviour: Behaviour) -> FakeGraph {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    let base_for_thread = base.clone();
    let throttled_once = Arc::new(Mutex::new(false));
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let url = decode(request.url());
            let mut body = String::new();
            let _ = std::io::Read::read_to_string(request.as_reader(), &mut body);
            let auth = request.headers().iter().find(|h| h.field.equiv("Authorization")).map(|h| h.value.to_string());
            let eventual = request.headers().iter().any(|h| h.field.equiv("ConsistencyLevel") && h.value == "eventual");
            log.lock().unwrap().push(format!("{} {url}", request.method()));
            let (status, text, retry_after) = route(&url, &body, auth.as_deref(), eventual, behaviour, &throttled_once);
            let text = text.replace("{base}", &base_for_thread);
            let mut response = tiny_http::Response::from_string(text)
                .with_status_code(status)
                .with_header("Content-Type: application/json".parse::<tiny_http::Header>().unwrap());
            if let Some(seconds) = retry_after {
                response =
                    response.with_header(format!("Retry-After: {seconds}").parse::<tiny_http::Header>().unwrap());
            }
            let _ = request.respond(response);
        }
    });
    FakeGraph { base, requests }
}

fn route(
    url: &str,
    body: &str,
    auth: Option<&str>,
    eventual: bool,
    behaviour: Behaviour,
    throttled_once: &Mutex<bool>,
) -> (u16, String, Option<u64>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    if path == "/tenant-1/oauth2/v2.0/token" {
        let ok = body.contains("grant_type=client_credentials")
            && body.contains("client_id=app-1")
            && body.contains(SECRET)
            && body.contains("scope=");
        return if ok && !behaviour.bad_secret {
            (200, fixture("token.json"), None)
        } else {
            (401, fixture("token-error.json"), None)
        };
    }
    if !auth.is_some_and(|a| a.starts_with("Bearer ") && a.contains(TOKEN_MARK)) {
        return (401, r#"{"error":{"code":"InvalidAuthenticationToken"}}"#.into(), None);
    }
    match path {
        "/v1.0/organization" => (200, fixture("organization.json"), None),
        "/beta/organization" => (200, fixture("organization-beta.json"), None),
        "/v1.0/domains" => {
            let mut first = throttled_once.lock().unwrap();
            if *first {
                (200, fixture("domains.json"), None)
            } else {
                *first = true;
                (429, fixture("throttled.json"), Some(1))
            }
        }
        "/v1.0/directory/onPremisesSynchronization" | "/beta/onPremisesPublishingProfiles/provisioning/agents"
            if behaviour.forbid_delegated_only =>
        {
            (
                403,
                r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}"#.into(),
                None,
            )
        }
        "/v1.0/directory/onPremisesSynchronization" => (200, fixture("onPremisesSynchronization.json"), None),
        "/v1.0/directoryRoles(roleTemplateId='d29b2b05-8046-44ba-8758-1e26182fcf32')/members" => {
            if query.contains("$skiptoken=") {
                (200, fixture("role-members-2.json"), None)
            } else {
                (200, fixture("role-members-1.json"), None)
            }
        }
        "/v1.0/users/Sync_SYNC01_1a2b3c4d5e6f@contoso.onmicrosoft.com" if !behaviour.connector_deleted => {
            (200, fixture("user-connector.json"), None)
        }
        p if p.starts_with("/v1.0/users/") => (404, fixture("user-not-found.json"), None),
        "/v1.0/auditLogs/signIns" => (200, fixture("signins.json"), None),
        "/v1.0/users" | "/v1.0/groups" | "/v1.0/contacts" => {
            assert!(eventual, "advanced queries need ConsistencyLevel: eventual");
            assert!(query.contains("onPremisesProvisioningErrors/any(o:o/category eq 'PropertyConflict')"), "{query}");
            if behaviour.forbid_provisioning_errors {
                (
                    403,
                    r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}"#.into(),
                    None,
                )
            } else if path == "/v1.0/users" {
                (200, fixture("users-provisioning-errors.json"), None)
            } else {
                (200, fixture("empty-collection.json"), None)
            }
        }
        "/v1.0/servicePrincipals" => {
            assert!(query.contains("applicationTemplateId eq '1a4721b3-e57f-4451-ae87-ef078703ec94'"), "{query}");
            (200, fixture("servicePrincipals.json"), None)
        }
        "/beta/servicePrincipals/00000000-0000-0000-0000-000000000201/synchronization/jobs" => {
            (200, fixture("jobs.json"), None)
        }
        "/beta/onPremisesPublishingProfiles/provisioning/agents" => (200, fixture("agents.json"), None),
        "/v1.0/auditLogs/provisioning" => {
            if query.contains("AD2AADProvisioning") {
                (200, fixture("provisioning-logs.json"), None)
            } else {
                (200, fixture("empty-collection.json"), None)
            }
        }
        _ => (404, format!(r#"{{"error":{{"code":"NotFound","message":"no fixture for {path}"}}}}"#), None),
    }
}

/// A secret file of its own for each call: tests run on parallel threads, and a shared file being rewritten
/// by one test reads as empty in another.
fn secret_file() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("syncdoctor-graph-secret-{}-{n}", std::process::id());
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, format!("{SECRET}\n")).unwrap();
    path
}

fn config(graph: &FakeGraph) -> GraphConfig {
    GraphConfig {
        tenant_id: "tenant-1".into(),
        client_id: "app-1".into(),
        client_secret: SecretSource { env: None, file: Some(secret_file()) },
        base_url: Some(graph.base.clone()),
        authority: Some(graph.base.clone()),
        connector_upn: Some("Sync_SYNC01_1a2b3c4d5e6f@contoso.onmicrosoft.com".into()),
        include_logs: true,
        include_agents: true,
        timeout_ms: Some(5000),
        ..GraphConfig::default()
    }
}

fn cx() -> ProbeContext {
    ProbeContext::new("2026-11-20T09:30:00Z", Duration::from_secs(30))
}

fn assert_no_secrets(text: &str) {
    assert!(!text.contains(SECRET), "the client secret leaked: {text}");
    assert!(!text.contains(TOKEN_MARK), "the access token leaked: {text}");
}

#[test]
fn the_probe_reads_the_tenant_with_paging_and_throttling() {
    let graph = fake_graph(Behaviour::default());
    let started = Instant::now();
    let facts = Value::Object(GraphProbe::new(Some(config(&graph)), None).collect(&cx()).unwrap());
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After: 1 was honoured");
    let text = facts.to_string();
    assert_no_secrets(&text);
    let entra = &facts["entra"];

    assert_eq!(
        entra["tenant"],
        json!({
            "id": "00000000-0000-0000-0000-0000000000aa",
            "initial_domain": "contoso.onmicrosoft.com",
            "on_premises_sync_enabled": true,
            "on_premises_last_sync": "2026-11-20T08:12:41Z",
            "on_premises_last_password_sync": "2026-11-20T09:28:03Z",
            "directory_quota_used": 48211,
            "directory_quota_total": 300000
        })
    );
    assert_eq!(entra["domains"].as_array().unwrap().len(), 3, "the throttled request was retried");
    assert_eq!(
        entra["domains"][2],
        json!({ "name": "fabrikam.com", "is_verified": false, "is_initial": false, "authentication_type": "Federated" })
    );
    assert_eq!(entra["onprem_sync"]["features"]["passwordSyncEnabled"], json!(true));
    assert_eq!(entra["onprem_sync"]["deletion_prevention_type"], json!("enabledForCount"));
    assert_eq!(entra["onprem_sync"]["deletion_alert_threshold"], json!(500));

    let accounts = entra["sync_accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2, "both pages were read");
    assert_eq!(accounts[1]["last_password_change"], json!(null));
    assert!(accounts[0].get("last_sign_in").is_none(), "not read, so absent");

    assert_eq!(
        entra["connector_account"],
        json!({
            "configured_upn": "Sync_SYNC01_1a2b3c4d5e6f@contoso.onmicrosoft.com",
            "exists": true, "account_enabled": true, "has_dirsync_role": true,
            "recent_signin_error_codes": [50126]
        })
    );
    let errors = entra["provisioning_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors[1],
        json!({ "object_type": "user", "id": "00000000-0000-0000-0000-000000000101", "display_name": "Ann Lee",
                "category": "PropertyConflict", "property": "ProxyAddress", "value": "smtp:ann@contoso.com",
                "occurred": "2026-11-19T22:10:05Z" })
    );

    let configs = entra["cloud_sync"]["configs"].as_array().unwrap();
    assert_eq!(configs.len(), 1);
    let job = &configs[0]["jobs"][0];
    assert_eq!(job["template_id"], json!("AD2AADProvisioning"));
    assert_eq!(job["status_code"], json!("Quarantine"));
    assert_eq!(job["schedule_state"], json!("Active"));
    assert_eq!(job["schedule_interval"], json!("PT2M"));
    assert_eq!(job["quarantine"]["reason"], json!("EncounteredQuarantineException"));
    assert_eq!(job["quarantine"]["error_code"], json!("HybridIdentityServiceNoActiveAgents"));
    assert_eq!(job["quarantine"]["series_count"], json!(5));
    assert_eq!(job["successive_failures"], json!(12));
    assert_eq!(
        job["last_execution"],
        json!({ "state": "Failed", "time_ended": "2026-11-20T09:10:31Z", "error_code": "HybridIdentityServiceNoActiveAgents" })
    );
    assert_eq!(job["last_successful_execution_end"], json!("2026-11-18T17:00:40Z"));
    let healthy = &configs[0]["jobs"][1];
    assert_eq!((healthy["quarantine"].clone(), healthy["last_execution"].clone()), (json!(null), json!(null)));
    assert_eq!(entra["cloud_sync"]["agents"][0]["status"], json!("inactive"));
    assert_eq!(entra["cloud_sync"]["agents"][0]["groups"], json!(["Default"]));
    let logs = entra["provisioning_logs"].as_array().unwrap();
    assert_eq!(logs[0]["status"], json!("failure"));
    assert_eq!(logs[0]["error_code"], json!("AzureActiveDirectoryConflictEncountered"));
    assert_eq!((logs[1]["error_code"].clone(), logs[1]["error_reason"].clone()), (json!(null), json!(null)));

    let schema = SnapshotSchema::new(&snapshot_schema()).unwrap();
    let document = json!({ "schema_version": 1, "collected_at": "2026-11-20T09:30:00Z",
        "collector": { "name": "t", "version": "0" }, "probes": [], "facts": facts });
    assert!(schema.violations(&document).is_empty(), "{:?}", schema.violations(&document));

    let requests = graph.requests.lock().unwrap();
    assert_eq!(requests.iter().filter(|r| r.contains("/oauth2/v2.0/token")).count(), 1, "one sign-in per run");
    assert_no_secrets(&requests.join("\n"));
}

#[test]
fn a_refused_section_makes_the_probe_partial_and_a_deleted_connector_is_a_fact() {
    let graph =
        fake_graph(Behaviour { forbid_provisioning_errors: true, connector_deleted: true, ..Behaviour::default() });
    match GraphProbe::new(Some(config(&graph)), None).collect(&cx()) {
        Err(ProbeError::Partial { facts, reason }) => {
            assert!(
                reason.contains("provisioning errors (users): ")
                    && reason.contains("HTTP 403 Authorization_RequestDenied"),
                "{reason}"
            );
            // A 403 names the application permission the section needs.
            assert!(
                reason.contains(
                    "provisioning errors (users): /v1.0/users: HTTP 403 Authorization_RequestDenied: the app needs the application permission User.Read.All"
                ),
                "{reason}"
            );
            assert!(
                reason.contains("provisioning errors (contacts)") && reason.contains("OrgContact.Read.All"),
                "{reason}"
            );
            assert_no_secrets(&reason);
            let facts = Value::Object(*facts);
            assert!(facts["entra"].get("provisioning_errors").is_none(), "not collected, so absent");
            assert_eq!(facts["entra"]["connector_account"]["exists"], json!(false));
            assert_eq!(facts["entra"]["connector_account"]["has_dirsync_role"], json!(false));
            assert_eq!(facts["entra"]["tenant"]["id"], json!("00000000-0000-0000-0000-0000000000aa"));
        }
        other => panic!("expected partial, got {other:?}"),
    }
}

#[test]
fn a_rejected_secret_fails_the_probe_without_showing_it() {
    let graph = fake_graph(Behaviour { bad_secret: true, ..Behaviour::default() });
    let error = GraphProbe::new(Some(config(&graph)), None).collect(&cx()).unwrap_err().to_string();
    assert!(error.contains("AADSTS7000215"), "{error}");
    assert!(!error.contains("Trace ID"), "only the first line of the description: {error}");
    assert_no_secrets(&error);
}

#[test]
fn missing_configuration_skips_the_probe_and_an_unreadable_secret_fails_it() {
    assert!(matches!(GraphProbe::new(None, None).collect(&cx()), Err(ProbeError::NotConfigured(_))));
    let graph = fake_graph(Behaviour::default());
    let mut config = config(&graph);
    config.client_secret = SecretSource { env: Some("SYNCDOCTOR_TEST_GRAPH_SECRET_UNSET".into()), file: None };
    // Configured but cannot run: `failed` (CannotRun), not `skipped`.
    match GraphProbe::new(Some(config.clone()), None).collect(&cx()) {
        Err(ProbeError::CannotRun(reason)) => assert!(reason.contains("SYNCDOCTOR_TEST_GRAPH_SECRET_UNSET")),
        other => panic!("{other:?}"),
    }
    config.client_secret = SecretSource { env: None, file: Some("/nonexistent/syncdoctor/graph-secret".into()) };
    match GraphProbe::new(Some(config), None).collect(&cx()) {
        Err(ProbeError::CannotRun(reason)) => {
            assert!(reason.contains("/nonexistent/syncdoctor/graph-secret"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(graph.requests.lock().unwrap().is_empty(), "nothing sent without a secret");
}

/// Calls for which Microsoft Graph documents only a delegated permission answer 403 to an app:
/// the status says so, naming the delegated permission, instead of a bare "HTTP 403".
#[test]
fn a_call_without_application_access_says_so_in_the_status() {
    let graph = fake_graph(Behaviour { forbid_delegated_only: true, ..Behaviour::default() });
    let mut config = config(&graph);
    config.include_agents = true;
    match GraphProbe::new(Some(config), None).collect(&cx()) {
        Err(ProbeError::Partial { facts, reason }) => {
            for (section, delegated) in [
                ("onPremisesSynchronization", "OnPremDirectorySynchronization.Read.All"),
                ("provisioning agents", "OnPremisesPublishingProfiles.ReadWrite.All"),
            ] {
                let expected = format!(
                    "HTTP 403 Authorization_RequestDenied: Microsoft Graph documents no application permission for this call (delegated {delegated} only)"
                );
                let part = reason.split("; ").find(|p| p.starts_with(&format!("{section}: "))).unwrap_or_default();
                assert!(part.contains(&expected), "{section}: {reason}");
            }
            let facts = Value::Object(*facts);
            assert!(facts["entra"].get("onprem_sync").is_none(), "not read, so absent");
            assert!(facts["entra"]["cloud_sync"].get("agents").is_none(), "not read, so absent");
            assert_eq!(facts["entra"]["tenant"]["id"], json!("00000000-0000-0000-0000-0000000000aa"));
        }
        other => panic!("expected partial, got {other:?}"),
    }
}
