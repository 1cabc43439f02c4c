//! The registry runs probes concurrently under time limits: a probe that hangs, panics, fails or
//! writes facts the schema rejects is recorded as `failed` and the other probes' facts stay.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use syncdoctor_engine::SnapshotSchema;
use syncdoctor_engine::envelope::ProbeStatus;
use syncdoctor_probes::facts::Known;
use syncdoctor_probes::probe::{FactTree, Probe, ProbeContext};
use syncdoctor_probes::registry::{Progress, Registry, RunOptions};
use syncdoctor_probes::{ProbeError, snapshot_schema};

/// A probe whose behaviour the test chooses.
struct Scripted {
    id: &'static str,
    behaviour: Behaviour,
}

enum Behaviour {
    Facts(Value),
    Hang,
    Panic,
    Fail,
    Unsupported,
    NotConfigured,
    Partial(Value),
}

fn tree(value: &Value) -> FactTree {
    value.as_object().cloned().unwrap_or_default()
}

impl Probe for Scripted {
    fn id(&self) -> &str {
        self.id
    }
    fn kind(&self) -> &str {
        "test"
    }
    fn provides(&self) -> &[&str] {
        &[]
    }
    fn collect(&self, _cx: &ProbeContext) -> Result<FactTree, ProbeError> {
        match &self.behaviour {
            Behaviour::Facts(facts) => Ok(tree(facts)),
            Behaviour::Hang => {
                std::thread::sleep(Duration::from_secs(3600));
                Ok(FactTree::new())
            }
            Behaviour::Panic => panic!("probe exploded"),
            Behaviour::Fail => Err(ProbeError::Other("server said no".into())),
            Behaviour::Unsupported => Err(ProbeError::Unsupported("needs Windows".into())),
            Behaviour::NotConfigured => Err(ProbeError::NotConfigured("no ldap section".into())),
            Behaviour::Partial(facts) => {
                Err(ProbeError::Partial { facts: Box::new(tree(facts)), reason: "groups unreadable".into() })
            }
        }
    }
}

fn registry(probes: Vec<Scripted>) -> Registry {
    let mut registry = Registry::new();
    for probe in probes {
        registry.add(probe);
    }
    registry
}

/// Generous limits for the probes that end on their own (a loaded CI machine is slow to
/// unwind a panic), a short one for the probe that hangs.
fn options() -> RunOptions {
    RunOptions {
        default_timeout: Duration::from_secs(30),
        timeouts: [("hang".to_owned(), Duration::from_millis(400))].into(),
        collected_at: Some("2026-11-20T09:30:00Z".into()),
        ..RunOptions::default()
    }
}

fn status(document: &syncdoctor_probes::SnapshotDocument, id: &str) -> (ProbeStatus, Option<String>) {
    let run = document.probes.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("no record of {id}"));
    (run.status, run.error.clone())
}

fn network_facts() -> Value {
    json!({ "network": { "vantage": { "host": "sync01", "via": "direct", "proxy": null } } })
}

#[test]
fn a_hanging_or_panicking_probe_leaves_the_others_facts_intact() {
    let registry = registry(vec![
        Scripted { id: "hang", behaviour: Behaviour::Hang },
        Scripted { id: "boom", behaviour: Behaviour::Panic },
        Scripted { id: "good", behaviour: Behaviour::Facts(network_facts()) },
        Scripted { id: "fail", behaviour: Behaviour::Fail },
    ]);
    let started = Instant::now();
    let document = registry.run(&options(), &|_| {}).expect("snapshot");
    assert!(started.elapsed() < Duration::from_secs(5), "the hanging probe held the run: {:?}", started.elapsed());

    let (hang, error) = status(&document, "hang");
    assert_eq!(hang, ProbeStatus::Failed);
    assert!(error.unwrap().contains("timed out"), "timeout reason recorded");
    let (boom, error) = status(&document, "boom");
    assert_eq!(boom, ProbeStatus::Failed);
    assert!(error.unwrap().contains("probe exploded"), "panic message recorded");
    let (fail, error) = status(&document, "fail");
    assert_eq!(fail, ProbeStatus::Failed);
    assert_eq!(error.as_deref(), Some("server said no"));
    assert_eq!(status(&document, "good"), (ProbeStatus::Ok, None));

    let facts = serde_json::to_value(&document.facts).unwrap();
    assert_eq!(facts, network_facts());
    // Order of probes[] is registry order, whatever order they finished in.
    let ids: Vec<&str> = document.probes.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["hang", "boom", "good", "fail"]);
    let provenance = document.provenance.as_ref().unwrap();
    assert_eq!(provenance.get("network.vantage").map(String::as_str), Some("good"));

    // The snapshot is schema-valid.
    let schema = SnapshotSchema::new(&snapshot_schema()).unwrap();
    let value = serde_json::to_value(&document).unwrap();
    assert!(schema.violations(&value).is_empty(), "{:?}", schema.violations(&value));
}

#[test]
fn skipped_partial_and_not_selected_probes_are_recorded_with_why() {
    let registry = registry(vec![
        Scripted { id: "windows.services", behaviour: Behaviour::Unsupported },
        Scripted { id: "ldap", behaviour: Behaviour::NotConfigured },
        Scripted {
            id: "graph",
            behaviour: Behaviour::Partial(
                json!({ "entra": { "tenant": { "id": "00000000-0000-0000-0000-000000000001" } } }),
            ),
        },
        Scripted { id: "network", behaviour: Behaviour::Facts(network_facts()) },
    ]);
    let all = registry.run(&options(), &|_| {}).unwrap();
    assert_eq!(
        status(&all, "windows.services"),
        (ProbeStatus::Skipped, Some("unsupported platform: needs Windows".into()))
    );
    assert_eq!(status(&all, "ldap"), (ProbeStatus::Skipped, Some("not configured: no ldap section".into())));
    assert_eq!(status(&all, "graph"), (ProbeStatus::Partial, Some("groups unreadable".into())));
    assert_eq!(
        all.facts.entra.as_ref().and_then(|e| e.tenant.as_ref()).and_then(|t| t.id.known().map(String::as_str)),
        Some("00000000-0000-0000-0000-000000000001")
    );

    let only = RunOptions { selection: vec!["network".into(), "windows".into()], ..options() };
    let some = registry.run(&only, &|_| {}).unwrap();
    assert_eq!(status(&some, "ldap"), (ProbeStatus::Skipped, Some("not selected (--probe)".into())));
    assert_eq!(status(&some, "windows.services").0, ProbeStatus::Skipped);
    assert_eq!(status(&some, "network").0, ProbeStatus::Ok);
    assert!(some.facts.entra.is_none());

    let bad = RunOptions { selection: vec!["nope".into()], ..options() };
    let error = registry.run(&bad, &|_| {}).unwrap_err().to_string();
    assert!(error.contains("unknown probe `nope`") && error.contains("network"), "{error}");
}

#[test]
fn a_probe_writing_facts_outside_the_schema_fails_alone() {
    let registry = registry(vec![
        Scripted { id: "rogue", behaviour: Behaviour::Facts(json!({ "network": { "bogus_fact": 1 } })) },
        Scripted { id: "good", behaviour: Behaviour::Facts(network_facts()) },
    ]);
    let document = registry.run(&options(), &|_| {}).unwrap();
    let (rogue, error) = status(&document, "rogue");
    assert_eq!(rogue, ProbeStatus::Failed);
    assert!(error.unwrap().contains("schema"), "schema violation recorded");
    assert_eq!(serde_json::to_value(&document.facts).unwrap(), network_facts());
}

#[test]
fn progress_reports_every_start_and_end() {
    let registry = registry(vec![
        Scripted { id: "a", behaviour: Behaviour::Facts(json!({})) },
        Scripted { id: "b", behaviour: Behaviour::Fail },
    ]);
    let events = std::sync::Mutex::new(Vec::new());
    registry.run(&options(), &|event| events.lock().unwrap().push(event)).unwrap();
    let events = events.into_inner().unwrap();
    assert_eq!(events.iter().filter(|e| matches!(e, Progress::Started { .. })).count(), 2);
    let last = events.last().unwrap();
    assert!(matches!(last, Progress::Finished { done: 2, total: 2, .. }), "{last:?}");
}

#[test]
fn products_are_derived_from_gathered_services() {
    let registry = registry(vec![Scripted {
        id: "windows.services",
        behaviour: Behaviour::Facts(
            json!({ "services": { "adsync": { "present": true }, "provisioning_agent": { "present": false } } }),
        ),
    }]);
    let document = registry.run(&options(), &|_| {}).unwrap();
    assert_eq!(serde_json::to_value(&document.facts.products).unwrap(), json!(["connect-sync"]));
}
