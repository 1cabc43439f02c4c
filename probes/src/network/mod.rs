//! The `network` probe: reachability, DNS and TLS from this host (`network.*`).
//!
//! | fact | how |
//! |---|---|
//! | `network.vantage` | this host's name; `via: proxy` when the configuration names a proxy |
//! | `network.probes[]` | each endpoint (configuration list, else the knowledge base's table): TCP connect (`tcp`, `https`) or `HEAD /` (`http`), through the proxy when there is one (`CONNECT`; its status is `http_status`) |
//! | `network.dns[]` | every CNAME hop of each endpoint name, asked of one resolver (configured, else the host's first `nameserver`) |
//! | `network.tls[]` | the chain each `https` endpoint on 443 presents, through the proxy when there is one, judged against the public roots (TLS inspection ⇒ `issuer_is_microsoft_or_public_ca: false`) |
//!
//! Not gathered here: `connect_proxy_test` (a Windows PowerShell check on the Connect host) and
//! `proxy_idle_timeout_seconds` (declared, not probed); `udp` endpoints (LDAP ping, SQL Browser).
//!
//! The probe never runs unconfigured as part of "collect everything": without a `network`
//! section it is `skipped`, so `syncdoctor collect` does not reach the internet unasked. Selecting
//! it explicitly (`--probe network`) without a section checks the knowledge base's table.

pub mod dns;
pub mod endpoints;
pub mod tcp;
pub mod tls;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use self::dns::Resolver;
use self::endpoints::{EndpointSpec, Expansion};
use self::tcp::HttpProxy;
use self::tls::TlsJudge;
use crate::defaults::Defaults;
use crate::error::ProbeError;
use crate::facts::network::{CheckContext, DnsResolution, EndpointCheck, Network, Proto, TlsCheck, Vantage, Via};
use crate::facts::{Facts, Nullable};
use crate::facts::{known, lift};
use crate::probe::{FactTree, Probe, ProbeContext, fact_tree};
use crate::secret::resolve;

/// The `network` section of the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Endpoints to check, replacing the knowledge base's table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<EndpointSpec>>,
    /// Products whose rows of the knowledge base's table to check (default: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// Concrete hosts for the table's wildcard and template rows, e.g.
    /// `"*.servicebus.windows.net": [contoso-sb.servicebus.windows.net]`,
    /// `"{domain_controller}": [dc1.contoso.com]`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hosts: BTreeMap<String, Vec<String>>,
    /// Also check the table's optional endpoints (Connect Health, remote SQL).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_optional: bool,
    /// DNS checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<DnsConfig>,
    /// TLS checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsConfig>,
    /// Time limit of each connection or query, in milliseconds (default 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Checks run at the same time (default 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<usize>,
}

/// DNS checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsConfig {
    /// Turn DNS checks off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// Resolver to ask, `ip` or `ip:port` (default: the host's first `nameserver`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Names to resolve (default: every endpoint host name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<Vec<String>>,
}

/// TLS checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// Turn TLS checks off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// `host:port` targets (default: every `https` endpoint on port 443).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<String>>,
    /// PEM file of extra roots to count as public CAs (never an inspecting proxy's CA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_roots: Option<PathBuf>,
}

impl NetworkConfig {
    /// Makes relative paths relative to `base` (the configuration file's folder).
    pub fn resolve_relative_to(&mut self, base: &Path) {
        if let Some(path) = self.tls.as_mut().and_then(|t| t.extra_roots.as_mut()) {
            *path = resolve(base, path);
        }
    }
}

/// The `network` probe.
#[derive(Debug, Clone)]
pub struct NetworkProbe {
    config: Option<NetworkConfig>,
    proxy: Option<String>,
    table: Option<serde_json::Value>,
    run_unconfigured: bool,
}

impl NetworkProbe {
    /// A probe with this configuration, going through `proxy` when given. Without a
    /// configuration it runs only when `run_unconfigured` (selected explicitly), on the
    /// knowledge base's table from `defaults`.
    #[must_use]
    pub fn new(
        config: Option<NetworkConfig>,
        proxy: Option<String>,
        defaults: &Defaults,
        run_unconfigured: bool,
    ) -> Self {
        Self { config, proxy, table: defaults.yaml("endpoints"), run_unconfigured }
    }
}

impl Probe for NetworkProbe {
    fn id(&self) -> &str {
        "network"
    }

    fn kind(&self) -> &str {
        "network"
    }

    fn provides(&self) -> &[&str] {
        &["network.vantage", "network.probes", "network.dns", "network.tls"]
    }

    fn collect(&self, cx: &ProbeContext) -> Result<FactTree, ProbeError> {
        let config = match (&self.config, self.run_unconfigured) {
            (Some(config), _) => config.clone(),
            (None, true) => NetworkConfig::default(),
            (None, false) => {
                return Err(ProbeError::NotConfigured(
                    "add a `network` section (or select it with --probe network to check the knowledge base's endpoints)"
                        .into(),
                ));
            }
        };
        let proxy = self.proxy.as_deref().map(HttpProxy::parse).transpose().map_err(ProbeError::Other)?;
        let endpoints = match (&config.endpoints, &self.table) {
            (Some(endpoints), _) => endpoints.clone(),
            (None, Some(table)) => {
                let expansion = Expansion {
                    products: &config.products,
                    hosts: &config.hosts,
                    include_optional: config.include_optional,
                };
                endpoints::from_table(table, &expansion).map_err(ProbeError::Other)?
            }
            (None, None) => {
                return Err(ProbeError::NotConfigured(
                    "no endpoints: the knowledge base has no data/endpoints.yaml and `network.endpoints` is not set"
                        .into(),
                ));
            }
        };
        let timeout = Duration::from_millis(config.timeout_ms.unwrap_or(5000).max(1)).min(cx.timeout);
        let parallel = config.parallel.unwrap_or(8).clamp(1, 64);
        let mut problems = Vec::new();

        let checks = run_parallel(&endpoints, parallel, |endpoint| check_endpoint(endpoint, proxy.as_ref(), timeout));

        let dns_config = config.dns.clone().unwrap_or_default();
        let dns = if dns_config.disabled {
            None
        } else {
            match dns_server(&dns_config) {
                Ok(Some(server)) => {
                    let names = dns_config.names.clone().unwrap_or_else(|| host_names(&endpoints));
                    let resolver = Resolver::new(server, timeout);
                    Some(run_parallel(&names, parallel, |name| resolver.resolve(name)))
                }
                Ok(None) => None,
                Err(problem) => {
                    problems.push(problem);
                    None
                }
            }
        };

        let tls_config = config.tls.clone().unwrap_or_default();
        let tls = if tls_config.disabled {
            None
        } else {
            let mut judge = TlsJudge::public();
            if let Some(path) = &tls_config.extra_roots {
                match std::fs::read_to_string(path)
                    .map_err(|e| e.to_string())
                    .and_then(|pem| judge.clone().with_extra_roots(&pem))
                {
                    Ok(extended) => judge = extended,
                    Err(e) => problems.push(format!("tls.extra_roots {}: {e}", path.display())),
                }
            }
            let targets = match &tls_config.targets {
                Some(targets) => targets.iter().filter_map(|t| split_target(t)).collect(),
                None => tls_targets(&endpoints),
            };
            Some(run_parallel(&targets, parallel, |(host, port)| {
                tls::tls_check(host, *port, proxy.as_ref(), timeout, &judge)
            }))
        };

        let network = Network {
            vantage: Some(Vantage {
                host: lift(local_host_name()),
                via: Some(if proxy.is_some() { Nullable::value(Via::Proxy) } else { Nullable::value(Via::Direct) }),
                proxy: Some(Nullable(proxy.as_ref().map(HttpProxy::url))),
            }),
            probes: Some(checks.into_iter().flatten().collect()),
            dns: dns.map(|d: Vec<DnsResolution>| d),
            tls: tls.map(|t: Vec<TlsCheck>| t),
            ..Network::default()
        };
        let tree = fact_tree(&Facts { network: Some(network), ..Facts::default() })?;
        if problems.is_empty() {
            Ok(tree)
        } else {
            Err(ProbeError::Partial { facts: Box::new(tree), reason: problems.join("; ") })
        }
    }
}

/// Runs `work` on every item with at most `parallel` threads; results keep the items' order.
fn run_parallel<T: Sync, R: Send>(items: &[T], parallel: usize, work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..parallel.min(items.len()) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    let result = work(item);
                    if let Ok(mut slot) = results[index].lock() {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    results.into_iter().filter_map(|slot| slot.into_inner().ok().flatten()).collect()
}

/// One endpoint check; `None` for protocols this probe does not check (`udp`).
fn check_endpoint(endpoint: &EndpointSpec, proxy: Option<&HttpProxy>, timeout: Duration) -> Option<EndpointCheck> {
    let reach = match (endpoint.proto, proxy) {
        (Proto::Udp, _) => return None,
        (Proto::Http, proxy) => tcp::http_check(proxy, &endpoint.host, endpoint.port, timeout),
        (Proto::Tcp | Proto::Https, Some(proxy)) => tcp::connect_check(proxy, &endpoint.host, endpoint.port, timeout),
        (Proto::Tcp | Proto::Https, None) => tcp::tcp_check(&endpoint.host, endpoint.port, timeout),
    };
    Some(EndpointCheck {
        id: known(endpoint.check_id()),
        host: known(endpoint.host.clone()),
        port: known(endpoint.port),
        proto: known(endpoint.proto),
        purpose: known(endpoint.purpose),
        context: known(CheckContext::Interactive),
        ok: known(reach.ok),
        http_status: Some(Nullable(reach.http_status)),
        error: Some(Nullable(reach.error)),
        latency_ms: known(reach.latency_ms),
    })
}

/// The resolver to ask: configured, else the host's (`/etc/resolv.conf`); `None` when unknown.
fn dns_server(config: &DnsConfig) -> Result<Option<SocketAddr>, String> {
    if let Some(text) = &config.server {
        let parsed = text
            .parse::<SocketAddr>()
            .or_else(|_| text.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
            .map_err(|_| format!("dns.server `{text}` is not an IP address (with an optional port)"))?;
        return Ok(Some(parsed));
    }
    Ok(std::fs::read_to_string("/etc/resolv.conf").ok().and_then(|text| Resolver::system_server(&text)))
}

/// Distinct host names (not IP addresses) of the endpoints, in order.
fn host_names(endpoints: &[EndpointSpec]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for endpoint in endpoints {
        if endpoint.host.parse::<IpAddr>().is_err() && !names.iter().any(|n| n.eq_ignore_ascii_case(&endpoint.host)) {
            names.push(endpoint.host.clone());
        }
    }
    names
}

/// Distinct `https` endpoints on port 443.
fn tls_targets(endpoints: &[EndpointSpec]) -> Vec<(String, u16)> {
    let mut targets: Vec<(String, u16)> = Vec::new();
    for endpoint in endpoints.iter().filter(|e| e.proto == Proto::Https && e.port == 443) {
        if !targets.iter().any(|(h, p)| h.eq_ignore_ascii_case(&endpoint.host) && *p == endpoint.port) {
            targets.push((endpoint.host.clone(), endpoint.port));
        }
    }
    targets
}

/// `host:port` (or `[v6]:port`, or `host` for 443).
fn split_target(text: &str) -> Option<(String, u16)> {
    if let Ok(address) = text.parse::<SocketAddr>() {
        return Some((address.ip().to_string(), address.port()));
    }
    match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => Some((host.to_owned(), port.parse().ok()?)),
        _ => Some((text.trim_matches(['[', ']']).to_owned(), 443)),
    }
}

/// This host's name (`COMPUTERNAME`, `HOSTNAME`, or the kernel's).
#[must_use]
pub fn local_host_name() -> Option<String> {
    ["COMPUTERNAME", "HOSTNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok().map(|s| s.trim().to_owned()))
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok().map(|s| s.trim().to_owned()))
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split() {
        assert_eq!(split_target("127.0.0.1:8443"), Some(("127.0.0.1".into(), 8443)));
        assert_eq!(split_target("login.microsoftonline.com"), Some(("login.microsoftonline.com".into(), 443)));
        assert_eq!(split_target("[::1]:443"), Some(("::1".into(), 443)));
        assert_eq!(split_target("host:notaport"), None);
    }

    #[test]
    fn parallel_runs_keep_order() {
        let items: Vec<u64> = (0..20).collect();
        assert_eq!(run_parallel(&items, 4, |i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(run_parallel(&Vec::<u64>::new(), 4, |i| *i).is_empty());
    }
}
