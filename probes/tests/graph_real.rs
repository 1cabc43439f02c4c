//! The `graph` probe fed the example responses Microsoft documents for each call it makes
//! (`tests/fixtures/real/graph`, origins in `tests/fixtures/real/SOURCES.md`), served by a real
//! loopback HTTP server: documented casings, `$entity` bodies, .NET sentinels, fractional
//! `Retry-After`, role members without `id`, and lists cut short by paging.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use syncdoctor_engine::SnapshotSchema;
use syncdoctor_probes::config::SecretSource;
use syncdoctor_probes::graph::map;
use syncdoctor_probes::graph::{GraphConfig, GraphProbe};
use syncdoctor_probes::probe::{FactTree, Probe, ProbeContext};
use syncdoctor_probes::{ProbeError, snapshot_schema};

const SECRET: &str = "documented-fixtures-secret";
/// The documented service principal (`serviceprincipal-list.md`).
const PRINCIPAL: &str = "59e617e5-e447-4adc-8b88-00af644d7c92";
/// The documented user (`user-get.md`), configured as the connector account.
const CONNECTOR_UPN: &str = "AdeleV@contoso.com";

fn real(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/graph").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ours(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/graph").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// How the tenant answers beyond the documented examples.
#[derive(Clone, Copy, Default)]
struct Tenant {
    /// The role-member list carries the documented `@odata.nextLink` (on graph.microsoft.com).
    foreign_next_link: bool,
    /// The role-member list carries a `nextLink` below our own root, to every page.
    endless_pages: bool,
    /// The jobs call fails (500).
    jobs_fail: bool,
}

struct Server {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

fn serve(tenant: Tenant) -> Server {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    let own_base = base.clone();
    std::thread::spawn(move || {
        let mut throttled = false;
        for request in server.incoming_requests() {
            let url = request.url().replace("%27", "'").replace("%20", " ");
            log.lock().unwrap().push(url.clone());
            let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
            let (status, body, retry_after): (u16, String, Option<&str>) = match path {
                "/tenant-1/oauth2/v2.0/token" => (200, ours("token.json"), None),
                "/v1.0/organization" => (200, real("organization-list.json"), None),
                "/beta/organization" => (200, real("organization-beta-get.json"), None),
                "/v1.0/domains" if !throttled => {
                    throttled = true;
                    (429, real("throttling-429.json"), Some("2.128"))
                }
                "/v1.0/domains" => (200, real("domain-list.json"), None),
                "/v1.0/directory/onPremisesSynchronization" => (200, real("onPremisesSynchronization-get.json"), None),
                "/v1.0/directoryRoles(roleTemplateId='d29b2b05-8046-44ba-8758-1e26182fcf32')/members" => {
                    let mut page: Value = serde_json::from_str(&real("directoryrole-list-members.json")).unwrap();
                    if tenant.foreign_next_link {
                        // The `nextLink` of the paging guide: an absolute URL on graph.microsoft.com.
                        page["@odata.nextLink"] = json!(
                            "https://graph.microsoft.com/v1.0/users?$top=5&$skiptoken=X%274453707 ... 6633B900000000000000000000%27"
                        );
                    } else if tenant.endless_pages {
                        page["@odata.nextLink"] = json!(format!("{own_base}{path}?$skiptoken=next"));
                    }
                    (200, page.to_string(), None)
                }
                p if p == format!("/v1.0/users/{CONNECTOR_UPN}").replace('@', "%40") => {
                    (200, real("user-get.json"), None)
                }
                "/v1.0/users" | "/v1.0/groups" | "/v1.0/contacts" => {
                    assert!(query.contains("onPremisesProvisioningErrors"), "{query}");
                    (200, ours("empty-collection.json"), None)
                }
                "/v1.0/servicePrincipals" => (200, real("serviceprincipal-list.json"), None),
                p if p == format!("/beta/servicePrincipals/{PRINCIPAL}/synchronization/jobs") => {
                    if tenant.jobs_fail {
                        (500, r#"{"error":{"code":"InternalServerError","message":"x"}}"#.into(), None)
                    } else {
                        (200, real("synchronization-list-jobs.json"), None)
                    }
                }
                "/beta/onPremisesPublishingProfiles/provisioning/agents" => {
                    (200, real("onpremisesagent-list.json"), None)
                }
                "/v1.0/auditLogs/provisioning" => (200, ours("empty-collection.json"), None),
                _ => (404, format!(r#"{{"error":{{"code":"NotFound","message":"no fixture for {path}"}}}}"#), None),
            };
            let mut response = tiny_http::Response::from_string(body)
                .with_status_code(status)
                .with_header("Content-Type: application/json".parse::<tiny_http::Header>().unwrap());
            if let Some(seconds) = retry_after {
                response =
                    response.with_header(format!("Retry-After: {seconds}").parse::<tiny_http::Header>().unwrap());
            }
            let _ = request.respond(response);
        }
    });
    Server { base, requests }
}

fn config(server: &Server) -> GraphConfig {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let secret = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("graph-real-secret-{}-{n}", std::process::id()));
    std::fs::write(&secret, SECRET).unwrap();
    GraphConfig {
        tenant_id: "tenant-1".into(),
        client_id: "app-1".into(),
        client_secret: SecretSource { env: None, file: Some(secret) },
        base_url: Some(server.base.clone()),
        authority: Some(server.base.clone()),
        connector_upn: Some(CONNECTOR_UPN.into()),
        include_agents: true,
        timeout_ms: Some(5000),
        ..GraphConfig::default()
    }
}

fn collect(config: GraphConfig) -> Result<FactTree, ProbeError> {
    GraphProbe::new(Some(config), None).collect(&ProbeContext::new("2026-11-20T09:30:00Z", Duration::from_secs(30)))
}

fn assert_valid(facts: &Value) {
    let schema = SnapshotSchema::new(&snapshot_schema()).unwrap();
    let document = json!({ "schema_version": 1, "collected_at": "2026-11-20T09:30:00Z",
        "collector": { "name": "t", "version": "0" }, "probes": [], "facts": facts });
    assert!(schema.violations(&document).is_empty(), "{:?}", schema.violations(&document));
}

#[test]
fn documented_example_responses_become_the_right_facts() {
    let server = serve(Tenant::default());
    let started = Instant::now();
    let facts = Value::Object(collect(config(&server)).unwrap());
    assert!(started.elapsed() >= Duration::from_millis(2128), "Retry-After: 2.128 was honoured");
    let entra = &facts["entra"];

    // organization (v1.0 collection) + organization (beta `$entity`): documented nulls stay null;
    // `onPremisesLastPasswordSyncDateTime` is not in the beta example, so it is absent.
    assert_eq!(
        entra["tenant"],
        json!({
            "id": "84841066-274d-4ec0-a5c1-276be684bdd3",
            "initial_domain": "Contoso.onmicrosoft.com",
            "on_premises_sync_enabled": null,
            "on_premises_last_sync": null,
            "directory_quota_used": 698,
            "directory_quota_total": 50000
        })
    );
    // domain-list: the documented placeholder `authenticationType-value` is no known type ⇒ null.
    assert_eq!(
        entra["domains"],
        json!([{ "name": "contoso.com", "is_initial": true, "authentication_type": null }]),
        "isVerified is not in the example, so it is absent"
    );
    // onPremisesSynchronization as a single `$entity` body.
    let sync = &entra["onprem_sync"];
    assert_eq!(sync["deletion_prevention_type"], json!("enabledForCount"));
    assert_eq!(sync["deletion_alert_threshold"], json!(500));
    assert_eq!(sync["features"].as_object().unwrap().len(), 19);
    assert_eq!(sync["features"]["passwordSyncEnabled"], json!(false));
    assert_eq!(sync["features"]["softMatchOnUpnEnabled"], json!(true));
    // Role members listed without `id`: the member is still recognised by its UPN.
    assert_eq!(entra["sync_accounts"], json!([{ "upn": "AdeleV@contoso.com", "display_name": "Adele Vance" }]));
    assert_eq!(
        entra["connector_account"],
        json!({ "configured_upn": CONNECTOR_UPN, "exists": true, "has_dirsync_role": true })
    );
    assert_eq!(entra["provisioning_errors"], json!([]));
    // The documented job: TimeSpan.MaxValue interval and DateTime.MinValue never reach the facts.
    assert_eq!(
        entra["cloud_sync"]["configs"],
        json!([{
            "service_principal_id": PRINCIPAL,
            "display_name": "foo",
            "jobs": [{
                "id": "{jobId}", "template_id": "BoxOutDelta",
                "schedule_state": "Disabled", "schedule_interval": null,
                "status_code": "Paused", "quarantine": null, "successive_failures": 0,
                "last_execution": null, "last_successful_execution_end": null, "escrows_pruned": false
            }]
        }])
    );
    // The documented agent casing `"status": "Active"`.
    assert_eq!(
        entra["cloud_sync"]["agents"],
        json!([{ "id": "1234b780-965f-4149-85c5-a8c73e58b67d", "machine_name": "server1.local1.contoso.com",
                 "external_ip": "153.69.23.122", "status": "active", "groups": ["Group 1"] }])
    );
    assert!(entra.get("provisioning_logs").is_none(), "logs were not requested, so absent");
    assert_valid(&facts);
    let requests = server.requests.lock().unwrap();
    assert_eq!(requests.iter().filter(|r| r.starts_with("/v1.0/domains")).count(), 2, "retried once");
}

#[test]
fn a_quarantine_with_empty_date_times_keeps_them_null() {
    let job: Value = serde_json::from_str(&real("synchronizationjob-get-quarantine.json")).unwrap();
    let job = serde_json::to_value(map::job(&job)).unwrap();
    assert_eq!(
        job["quarantine"],
        json!({ "reason": null, "error_code": "SalesforceInvalidCredentials",
                "error_message": "Your Salesforce.com credentials are invalid.  Please obtain a current Salesforce.com administrative user name, password and security token, and enter those in the screen for configuring user provisioning",
                "series_began": null, "current_began": null, "next_attempt": null, "series_count": 2 })
    );
    assert_eq!(job["schedule_interval"], json!(null));
    assert_valid(&json!({ "entra": { "cloud_sync": { "configs": [ { "jobs": [job] } ] } } }));
}

#[test]
fn a_next_link_on_another_host_is_not_followed_and_makes_the_probe_partial() {
    let server = serve(Tenant { foreign_next_link: true, ..Tenant::default() });
    match collect(config(&server)) {
        Err(ProbeError::Partial { facts, reason }) => {
            assert!(reason.contains("sync accounts: ") && reason.contains("another host"), "{reason}");
            assert_eq!(facts["entra"]["sync_accounts"].as_array().map(Vec::len), Some(1), "the page read is kept");
        }
        other => panic!("expected partial, got {other:?}"),
    }
    assert!(!server.requests.lock().unwrap().iter().any(|r| r.contains("skiptoken")), "never followed");
}

#[test]
fn a_list_stopped_at_max_pages_makes_the_probe_partial() {
    let server = serve(Tenant { endless_pages: true, ..Tenant::default() });
    let mut config = config(&server);
    config.max_pages = Some(3);
    match collect(config) {
        Err(ProbeError::Partial { reason, .. }) => {
            assert!(reason.contains("sync accounts: ") && reason.contains("after 3 pages"), "{reason}");
        }
        other => panic!("expected partial, got {other:?}"),
    }
    let requests = server.requests.lock().unwrap();
    assert_eq!(requests.iter().filter(|r| r.contains("/members")).count(), 3);
}

#[test]
fn failed_jobs_leave_configs_and_logs_absent() {
    let server = serve(Tenant { jobs_fail: true, ..Tenant::default() });
    let mut config = config(&server);
    config.include_logs = true;
    match collect(config) {
        Err(ProbeError::Partial { facts, reason }) => {
            assert!(reason.contains("cloud sync jobs: ") && reason.contains("HTTP 500"), "{reason}");
            let cloud_sync = &facts["entra"]["cloud_sync"];
            assert!(cloud_sync.get("configs").is_none(), "not read, so absent");
            assert!(facts["entra"].get("provisioning_logs").is_none(), "no `[]` for logs nobody read");
        }
        other => panic!("expected partial, got {other:?}"),
    }
}

#[test]
fn retry_after_takes_fractional_seconds() {
    use syncdoctor_probes::graph::client::retry_after_delay;
    assert_eq!(retry_after_delay("2.128"), Some(Duration::from_millis(2128)));
    assert_eq!(retry_after_delay(" 10 "), Some(Duration::from_secs(10)));
    assert_eq!(retry_after_delay("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    assert_eq!(retry_after_delay("-1"), None);
}
