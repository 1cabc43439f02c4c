//! The `network` probe against loopback servers only: TCP listeners, a refused port, a service
//! that swallows traffic, HTTP, an HTTP proxy (CONNECT), a TLS server with its own CA (the
//! inspection case) and one whose CA is configured as public, and a DNS server with CNAME chains.

mod support;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use hickory_proto::op::ResponseCode;
use serde_json::{Value, json};
use support::dns::{Entry, dns_server};
use support::tls::{TestCa, tls_server};
use support::{ProxyRule, http_server, proxy, refused_port, silent_server};
use syncdoctor_engine::SnapshotSchema;
use syncdoctor_probes::builtin::Defaults;
use syncdoctor_probes::facts::{Known, known};
use syncdoctor_probes::network::dns::Resolver;
use syncdoctor_probes::network::tcp::{self, HttpProxy};
use syncdoctor_probes::network::tls::{TlsJudge, tls_check};
use syncdoctor_probes::network::{NetworkConfig, NetworkProbe};
use syncdoctor_probes::probe::{Probe, ProbeContext};
use syncdoctor_probes::{ProbeError, snapshot_schema};

const SHORT: Duration = Duration::from_millis(700);

fn cx() -> ProbeContext {
    ProbeContext::new("2026-11-20T09:30:00Z", Duration::from_secs(30))
}

#[test]
fn tcp_checks_tell_open_refused_and_silent_apart() {
    let open = http_server(200);
    let reach = tcp::tcp_check("127.0.0.1", open.port(), SHORT);
    assert!(reach.ok && reach.error.is_none(), "{reach:?}");

    let reach = tcp::tcp_check("127.0.0.1", refused_port(), SHORT);
    assert!(!reach.ok);
    assert!(reach.error.unwrap().contains("refused"));

    // A service that accepts and never answers: TCP is fine, HTTP times out quickly.
    let silent = silent_server();
    assert!(tcp::tcp_check("127.0.0.1", silent.port(), SHORT).ok);
    let started = Instant::now();
    let reach = tcp::http_check(None, "127.0.0.1", silent.port(), SHORT);
    assert!(!reach.ok && reach.http_status.is_none(), "{reach:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "the short timeout applies");
}

#[test]
fn http_checks_record_the_status_directly_and_through_a_proxy() {
    let server = http_server(404);
    let reach = tcp::http_check(None, "127.0.0.1", server.port(), SHORT);
    assert_eq!((reach.ok, reach.http_status), (true, Some(404)), "any HTTP answer means reachable");

    let proxy_server = proxy(vec![ProxyRule::Refuse("blocked.test".into(), 403)]);
    let via = HttpProxy::parse(&format!("http://{}", proxy_server.address)).unwrap();
    let reach = tcp::http_check(Some(&via), "crl.test", 80, SHORT);
    assert_eq!((reach.ok, reach.http_status), (true, Some(200)));
    assert!(
        proxy_server.seen.lock().unwrap().iter().any(|l| l.starts_with("HEAD http://crl.test/")),
        "absolute URL to the proxy"
    );

    let reach = tcp::connect_check(&via, "blocked.test", 443, SHORT);
    assert_eq!((reach.ok, reach.http_status), (false, Some(403)));
    let reach = tcp::connect_check(&via, "unlisted.test", 443, SHORT);
    assert!(!reach.ok);
}

#[test]
fn a_local_ca_is_flagged_as_inspection_and_a_trusted_one_is_not() {
    let inspection = TestCa::new("Contoso Firewall Inspection CA", "Contoso");
    let (leaf, key) = inspection.leaf(&["localhost"]);
    let server = tls_server(vec![leaf], key);

    let check = tls_check("localhost", server.port(), None, SHORT, &TlsJudge::public());
    assert_eq!(check.error.as_ref().and_then(|e| e.as_ref()), None, "{check:?}");
    assert_eq!(check.leaf_subject.known().map(String::as_str), Some("CN=localhost"));
    assert_eq!(check.leaf_issuer.known().map(String::as_str), Some("CN=Contoso Firewall Inspection CA, O=Contoso"));
    assert_eq!(check.root_subject.known().map(String::as_str), Some("CN=Contoso Firewall Inspection CA, O=Contoso"));
    assert_eq!(check.chain.known().map(Vec::as_slice), Some(&["CN=localhost".to_owned()][..]));
    assert_eq!(check.issuer_is_microsoft_or_public_ca, known(false), "a private CA means inspection");
    assert_eq!(check.hostname_match, known(true));

    // The same chain judged with that CA counted as public (the public-chain case: a chain that
    // builds to a trusted root). The leaf does not name 127.0.0.1.
    let trusting = TlsJudge::public().with_extra_roots(&inspection.pem()).unwrap();
    let check = tls_check("127.0.0.1", server.port(), None, SHORT, &trusting);
    assert_eq!(check.issuer_is_microsoft_or_public_ca, known(true));
    assert_eq!(check.hostname_match, known(false));

    // A chain with an intermediate that builds to a trusted root (the public-chain case): the
    // server presents leaf + intermediate; the root is what the intermediate names as issuer.
    let root = TestCa::new("Test Global Root G2", "Test Trust Inc");
    let issuing = root.intermediate("Test TLS RSA CA G1", "Test Trust Inc");
    let (leaf, key) = issuing.leaf(&["localhost"]);
    let server = tls_server(vec![leaf, issuing.der()], key);
    let public = TlsJudge::public().with_extra_roots(&root.pem()).unwrap();
    let check = tls_check("localhost", server.port(), None, SHORT, &public);
    assert_eq!(check.issuer_is_microsoft_or_public_ca, known(true), "{check:?}");
    assert_eq!(check.leaf_issuer.known().map(String::as_str), Some("CN=Test TLS RSA CA G1, O=Test Trust Inc"));
    assert_eq!(check.chain.into_known().unwrap(), vec!["CN=localhost", "CN=Test TLS RSA CA G1, O=Test Trust Inc"]);
    assert_eq!(check.root_subject.known().map(String::as_str), Some("CN=Test Global Root G2, O=Test Trust Inc"));
    assert_eq!(check.hostname_match, known(true));
    // Without the root counted as public, the same chain is inspection.
    let check = tls_check("localhost", server.port(), None, SHORT, &TlsJudge::public());
    assert_eq!(check.issuer_is_microsoft_or_public_ca, known(false));
}

#[test]
fn tls_through_a_proxy_sees_what_the_proxy_presents() {
    let inspection = TestCa::new("Proxy Inspection Root", "Contoso");
    let (leaf, key) = inspection.leaf(&["login.microsoftonline.com"]);
    let interceptor = tls_server(vec![leaf], key);
    let proxy_server = proxy(vec![ProxyRule::Tunnel("login.microsoftonline.com".into(), interceptor)]);
    let via = HttpProxy::parse(&proxy_server.address.to_string()).unwrap();
    let check = tls_check("login.microsoftonline.com", 443, Some(&via), SHORT, &TlsJudge::public());
    assert_eq!(check.leaf_issuer.known().map(String::as_str), Some("CN=Proxy Inspection Root, O=Contoso"), "{check:?}");
    assert_eq!(check.issuer_is_microsoft_or_public_ca, known(false));
    assert_eq!(check.hostname_match, known(true));

    let refused = tls_check("blocked.test", 443, Some(&via), SHORT, &TlsJudge::public());
    assert!(refused.leaf_issuer.is_none(), "no certificate seen");
    assert!(refused.error.unwrap().0.unwrap().contains("403"));
}

#[test]
fn tls_to_a_silent_or_closed_port_fails_without_a_chain() {
    let silent = silent_server();
    let started = Instant::now();
    let check = tls_check("127.0.0.1", silent.port(), None, SHORT, &TlsJudge::public());
    assert!(check.error.unwrap().0.is_some());
    assert!(check.issuer_is_microsoft_or_public_ca.is_none());
    assert!(started.elapsed() < Duration::from_secs(5));
    let check = tls_check("127.0.0.1", refused_port(), None, SHORT, &TlsJudge::public());
    assert!(check.error.unwrap().0.unwrap().contains("refused"));
}

fn zone() -> Vec<(&'static str, Entry)> {
    vec![
        ("agent.test", Entry::Cname("edge.test")),
        ("edge.test", Entry::Cname("host.test")),
        ("host.test", Entry::A(Ipv4Addr::LOCALHOST)),
        ("broken.test", Entry::Cname("gone.test")),
        ("lazy.test", Entry::LazyCname("lazy-target.test")),
        ("lazy-target.test", Entry::A(Ipv4Addr::new(127, 0, 0, 2))),
        ("servfail.test", Entry::Fail(ResponseCode::ServFail)),
        ("silent.test", Entry::Silent),
        ("loop-a.test", Entry::LazyCname("loop-b.test")),
        ("loop-b.test", Entry::LazyCname("loop-a.test")),
    ]
}

#[test]
fn dns_records_every_cname_hop_and_where_a_chain_breaks() {
    let resolver = Resolver::new(dns_server(zone()), SHORT);

    let full = serde_json::to_value(resolver.resolve("agent.test")).unwrap();
    assert_eq!(
        full,
        json!({
            "name": "agent.test",
            "chain": [
                { "name": "agent.test", "type": "CNAME", "value": "edge.test" },
                { "name": "edge.test", "type": "CNAME", "value": "host.test" },
                { "name": "host.test", "type": "A", "value": "127.0.0.1" }
            ],
            "addresses": ["127.0.0.1"],
            "complete": true,
            "failed_at": null,
            "rcode": "NOERROR"
        })
    );

    let broken = serde_json::to_value(resolver.resolve("broken.test")).unwrap();
    assert_eq!(broken["complete"], json!(false));
    assert_eq!(broken["failed_at"], json!("gone.test"));
    assert_eq!(broken["rcode"], json!("NXDOMAIN"));
    assert_eq!(broken["chain"], json!([{ "name": "broken.test", "type": "CNAME", "value": "gone.test" }]));

    let lazy = serde_json::to_value(resolver.resolve("lazy.test")).unwrap();
    assert_eq!(lazy["complete"], json!(true), "the probe asks again for the target: {lazy}");
    assert_eq!(lazy["addresses"], json!(["127.0.0.2"]));

    let servfail = serde_json::to_value(resolver.resolve("servfail.test")).unwrap();
    assert_eq!((servfail["rcode"].clone(), servfail["failed_at"].clone()), (json!("SERVFAIL"), json!("servfail.test")));

    let started = Instant::now();
    let silent = serde_json::to_value(resolver.resolve("silent.test")).unwrap();
    assert_eq!(silent["rcode"], json!("TIMEOUT"));
    assert!(started.elapsed() < Duration::from_secs(5));

    let looped = serde_json::to_value(resolver.resolve("loop-a.test")).unwrap();
    assert_eq!(looped["complete"], json!(false));
    assert_eq!(looped["rcode"], json!("CNAME loop"));

    let missing = serde_json::to_value(resolver.resolve("nowhere.test")).unwrap();
    assert_eq!((missing["rcode"].clone(), missing["failed_at"].clone()), (json!("NXDOMAIN"), json!("nowhere.test")));
}

#[test]
fn dns_to_a_resolver_that_is_not_there_times_out_or_is_refused() {
    let resolver = Resolver::new(format!("127.0.0.1:{}", refused_port()).parse().unwrap(), SHORT);
    let result = serde_json::to_value(resolver.resolve("agent.test")).unwrap();
    assert_eq!(result["complete"], json!(false));
    assert_eq!(result["failed_at"], json!("agent.test"));
}

fn facts_of(probe: &NetworkProbe) -> Result<Value, ProbeError> {
    probe.collect(&cx()).map(Value::Object)
}

#[test]
fn the_probe_fills_network_facts_that_satisfy_the_schema() {
    let ca = TestCa::new("Contoso Firewall Inspection CA", "Contoso");
    let (leaf, key) = ca.leaf(&["localhost"]);
    let tls = tls_server(vec![leaf], key);
    let http = http_server(200);
    let dns = dns_server(zone());
    let config: NetworkConfig = serde_json::from_value(json!({
        "endpoints": [
            { "id": "sb", "host": "localhost", "port": tls.port(), "proto": "https", "purpose": "servicebus" },
            { "host": "127.0.0.1", "port": http.port(), "proto": "http", "purpose": "crl-ocsp" },
            { "host": "127.0.0.1", "port": refused_port(), "proto": "tcp", "purpose": "ad-dc" },
            { "host": "127.0.0.1", "port": 389, "proto": "udp", "purpose": "ad-dc" }
        ],
        "dns": { "server": dns.to_string(), "names": ["agent.test", "broken.test"] },
        "tls": { "targets": [format!("localhost:{}", tls.port())] },
        "timeout_ms": 700
    }))
    .unwrap();
    let probe = NetworkProbe::new(Some(config), None, &Defaults::default(), false);
    let facts = facts_of(&probe).unwrap();
    let network = &facts["network"];
    assert_eq!(network["vantage"]["via"], json!("direct"));
    assert_eq!(network["vantage"]["proxy"], json!(null));
    let probes = network["probes"].as_array().unwrap();
    assert_eq!(probes.len(), 3, "udp is not checked: {probes:#?}");
    assert_eq!((probes[0]["id"].clone(), probes[0]["ok"].clone()), (json!("sb"), json!(true)));
    assert_eq!(probes[1]["http_status"], json!(200));
    assert_eq!(probes[1]["id"], json!(format!("crl-ocsp-127.0.0.1-{}", http.port())));
    assert_eq!(probes[2]["ok"], json!(false));
    assert_eq!(probes[2]["context"], json!("interactive"));
    assert_eq!(network["dns"][1]["failed_at"], json!("gone.test"));
    assert_eq!(network["tls"][0]["issuer_is_microsoft_or_public_ca"], json!(false));

    let schema = SnapshotSchema::new(&snapshot_schema()).unwrap();
    let document = json!({ "schema_version": 1, "collected_at": "2026-11-20T09:30:00Z",
        "collector": { "name": "t", "version": "0" }, "probes": [], "facts": facts });
    assert!(schema.violations(&document).is_empty(), "{:?}", schema.violations(&document));
}

#[test]
fn the_probe_goes_through_the_configured_proxy() {
    let ca = TestCa::new("Proxy Inspection Root", "Contoso");
    let (leaf, key) = ca.leaf(&["login.microsoftonline.com"]);
    let interceptor = tls_server(vec![leaf], key);
    let proxy_server = proxy(vec![
        ProxyRule::Tunnel("login.microsoftonline.com".into(), interceptor),
        ProxyRule::Refuse("adminwebservice.microsoftonline.com".into(), 407),
    ]);
    let config: NetworkConfig = serde_json::from_value(json!({
        "endpoints": [
            { "host": "login.microsoftonline.com", "port": 443, "proto": "https", "purpose": "entra-core" },
            { "host": "adminwebservice.microsoftonline.com", "port": 443, "proto": "https", "purpose": "entra-core" }
        ],
        "dns": { "disabled": true },
        "timeout_ms": 700
    }))
    .unwrap();
    let probe =
        NetworkProbe::new(Some(config), Some(format!("http://{}", proxy_server.address)), &Defaults::default(), false);
    let facts = facts_of(&probe).unwrap();
    let network = &facts["network"];
    assert_eq!(network["vantage"]["via"], json!("proxy"));
    assert_eq!(network["vantage"]["proxy"], json!(format!("http://{}", proxy_server.address)));
    assert_eq!(
        (network["probes"][0]["ok"].clone(), network["probes"][0]["http_status"].clone()),
        (json!(true), json!(200))
    );
    assert_eq!(
        (network["probes"][1]["ok"].clone(), network["probes"][1]["http_status"].clone()),
        (json!(false), json!(407))
    );
    assert!(network.get("dns").is_none());
    let tls = network["tls"].as_array().unwrap();
    assert_eq!(tls.len(), 2, "both https endpoints on 443 are TLS targets");
    assert_eq!(tls[0]["leaf_issuer"], json!("CN=Proxy Inspection Root, O=Contoso"));
    assert_eq!(tls[0]["issuer_is_microsoft_or_public_ca"], json!(false));
    assert!(tls[1]["error"].as_str().unwrap().contains("407"));
    // Nothing was attempted directly: every request went to the proxy.
    assert!(proxy_server.seen.lock().unwrap().len() >= 4);
}

#[test]
fn the_kb_table_is_used_only_when_asked_and_expanded_with_configured_hosts() {
    let unconfigured = NetworkProbe::new(None, None, &Defaults::default(), false);
    assert!(matches!(unconfigured.collect(&cx()), Err(ProbeError::NotConfigured(_))));

    let http = http_server(200);
    let mut defaults = Defaults::default();
    defaults.data.insert(
        "endpoints".into(),
        "endpoints:\n  - { host: \"{domain_controller}\", port: PORT, proto: http, purpose: ad-dc, product: connect-sync, required: true }\n  - { host: \"*.servicebus.windows.net\", port: 443, proto: https, purpose: servicebus, product: cloud-sync, required: true }\n"
            .replace("PORT", &http.port().to_string()),
    );
    let config: NetworkConfig = serde_json::from_value(json!({
        "hosts": { "{domain_controller}": ["127.0.0.1"] },
        "dns": { "disabled": true },
        "timeout_ms": 700
    }))
    .unwrap();
    let facts = facts_of(&NetworkProbe::new(Some(config), None, &defaults, false)).unwrap();
    let probes = facts["network"]["probes"].as_array().unwrap();
    assert_eq!(probes.len(), 1, "the wildcard row has no concrete host: {probes:#?}");
    assert_eq!((probes[0]["host"].clone(), probes[0]["ok"].clone()), (json!("127.0.0.1"), json!(true)));
    assert_eq!(facts["network"]["tls"], json!([]));
}
