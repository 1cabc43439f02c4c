//! `network.*` — reachability, DNS and TLS from the sync host's vantage point
//! (`facts.md` §B.2.12).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// Network checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Where the checks ran from and how they went out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vantage: Option<Vantage>,
    /// Endpoint reachability checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probes: Option<Vec<EndpointCheck>>,
    /// DNS resolutions, with every CNAME hop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<Vec<DnsResolution>>,
    /// TLS handshakes and their certificate chains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<Vec<TlsCheck>>,
    /// `Invoke-WebRequest` to the admin web service through the machine.config proxy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_proxy_test: Option<ProxyTest>,
    /// Declared proxy idle timeout, in seconds (must exceed 300); `null` if unknown.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub proxy_idle_timeout_seconds: Option<Nullable<u64>>,
}

/// Where the network checks ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vantage {
    /// Host the checks ran on.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub host: Option<Nullable<String>>,
    /// Direct or through the product's proxy.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub via: Option<Nullable<Via>>,
    /// Proxy used (`host:port` or URL); `null` when direct.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Nullable<String>>,
}

/// How connections went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// Direct connections.
    Direct,
    /// Through a proxy.
    Proxy,
}

/// One endpoint reachability check (`network.probes[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointCheck {
    /// Check id, unique within the snapshot.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub id: Option<Nullable<String>>,
    /// Target host name or IP.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub host: Option<Nullable<String>>,
    /// Target port.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub port: Option<Nullable<u16>>,
    /// Protocol used.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub proto: Option<Nullable<Proto>>,
    /// Why the endpoint is needed.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Nullable<Purpose>>,
    /// Security context the check ran in.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub context: Option<Nullable<CheckContext>>,
    /// The check succeeded.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub ok: Option<Nullable<bool>>,
    /// HTTP status for http/https checks; `null` otherwise or when no response came.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub http_status: Option<Nullable<u16>>,
    /// Error text; `null` on success.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error: Option<Nullable<String>>,
    /// Round-trip time, in milliseconds.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<Nullable<u64>>,
}

/// Protocol of an endpoint check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    /// TCP connect.
    Tcp,
    /// UDP exchange.
    Udp,
    /// Plain HTTP request.
    Http,
    /// HTTPS request.
    Https,
}

/// What an endpoint is needed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// Core Entra endpoints (login, admin web service, provisioning API).
    EntraCore,
    /// Authentication endpoints.
    EntraAuth,
    /// Agent registration endpoints.
    EntraRegistration,
    /// Certificate revocation lists and OCSP responders.
    CrlOcsp,
    /// Azure Service Bus (cloud sync agent).
    Servicebus,
    /// Application Proxy service (cloud sync agent).
    Msappproxy,
    /// A domain controller (DNS, Kerberos, LDAP).
    AdDc,
    /// The remote SQL Server.
    Sql,
    /// Connect Health.
    Health,
}

/// Security context an endpoint check ran in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckContext {
    /// The interactive user running the collector.
    Interactive,
    /// The service account context (SYSTEM / NetworkService via a scheduled task).
    Service,
}

/// One DNS resolution, CNAME hop by hop.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsResolution {
    /// Name queried.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub name: Option<Nullable<String>>,
    /// Records followed, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Vec<DnsRecord>>,
    /// Final A/AAAA addresses.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Nullable<Vec<String>>>,
    /// Every hop resolved.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub complete: Option<Nullable<bool>>,
    /// Name of the hop that failed; `null` when complete.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<Nullable<String>>,
    /// Final DNS response code, e.g. `NOERROR`, `NXDOMAIN`, `SERVFAIL`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub rcode: Option<Nullable<String>>,
}

/// One DNS record of a resolution chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsRecord {
    /// Owner name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub name: Option<Nullable<String>>,
    /// Record type, e.g. `CNAME`, `A`, `AAAA`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<Nullable<String>>,
    /// Record data (target name or address).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub value: Option<Nullable<String>>,
}

/// One TLS handshake (SNI) through the path the product uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TlsCheck {
    /// Host name (SNI).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub host: Option<Nullable<String>>,
    /// Port.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub port: Option<Nullable<u16>>,
    /// Subject of the leaf certificate.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub leaf_subject: Option<Nullable<String>>,
    /// Issuer of the leaf certificate.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub leaf_issuer: Option<Nullable<String>>,
    /// Subjects of the presented chain, leaf first.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub chain: Option<Nullable<Vec<String>>>,
    /// Subject of the root the chain ends at.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub root_subject: Option<Nullable<String>>,
    /// The chain is issued by Microsoft or a public CA Azure uses (else: TLS inspection).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub issuer_is_microsoft_or_public_ca: Option<Nullable<bool>>,
    /// The leaf certificate matches the host name.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub hostname_match: Option<Nullable<bool>>,
    /// Handshake error; `null` on success.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error: Option<Nullable<String>>,
}

/// Result of the Connect proxy test.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyTest {
    /// URL requested.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub url: Option<Nullable<String>>,
    /// HTTP status (200 ok, 403 URL not allowed, 407 proxy auth); `null` if no response.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub status: Option<Nullable<u16>>,
    /// Error text; `null` on success.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub error: Option<Nullable<String>>,
}
