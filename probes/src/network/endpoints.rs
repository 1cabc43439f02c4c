//! The endpoints to check: the configuration's list, or the knowledge base's table
//! (`rules/data/endpoints.yaml`, key `endpoints`) expanded into concrete hosts.
//!
//! Table rows name a host exactly, by wildcard (`*.servicebus.windows.net`) or by template
//! (`{domain_controller}`, `{sql_server}`). A wildcard or template row is checked only for the
//! concrete hosts the configuration gives for it (`network.hosts`); without them it is left out
//! (a probe cannot guess a tenant's Service Bus namespace). Rows with `required: false` (optional
//! features) are left out unless `include_optional` is set.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::facts::network::{Proto, Purpose};

/// One endpoint to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointSpec {
    /// Check id in the snapshot (default: `<purpose>-<host>-<port>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Host name or IP address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Protocol the endpoint speaks: `tcp` and `https` are checked by a TCP connect (a `CONNECT`
    /// through the proxy), `http` by a `HEAD /`; `udp` is not checked.
    pub proto: Proto,
    /// Why the endpoint is needed.
    pub purpose: Purpose,
}

impl EndpointSpec {
    /// The id recorded in `network.probes[].id`.
    #[must_use]
    pub fn check_id(&self) -> String {
        self.id.clone().unwrap_or_else(|| {
            let purpose =
                serde_json::to_value(self.purpose).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            format!("{purpose}-{}-{}", self.host, self.port)
        })
    }
}

/// How to expand the knowledge base's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion<'a> {
    /// Products whose rows to keep (empty: every product).
    pub products: &'a [String],
    /// Concrete hosts for wildcard and template rows, by the row's `host` text.
    pub hosts: &'a BTreeMap<String, Vec<String>>,
    /// Keep rows with `required: false`.
    pub include_optional: bool,
}

/// The table's rows as concrete endpoints, without duplicates (same host, port and protocol).
///
/// # Errors
///
/// A message when the table has no `endpoints` list.
pub fn from_table(table: &Value, expansion: &Expansion<'_>) -> Result<Vec<EndpointSpec>, String> {
    let rows = table.get("endpoints").and_then(Value::as_array).ok_or("the endpoint table has no `endpoints` list")?;
    let mut out: Vec<EndpointSpec> = Vec::new();
    for row in rows {
        let text = |key: &str| row.get(key).and_then(Value::as_str);
        let (Some(host), Some(port)) = (text("host"), row.get("port").and_then(Value::as_u64)) else { continue };
        let Ok(port) = u16::try_from(port) else { continue };
        let proto: Option<Proto> = row.get("proto").and_then(|v| serde_json::from_value(v.clone()).ok());
        let purpose: Option<Purpose> = row.get("purpose").and_then(|v| serde_json::from_value(v.clone()).ok());
        let (Some(proto), Some(purpose)) = (proto, purpose) else { continue };
        if !expansion.products.is_empty() && !text("product").is_some_and(|p| expansion.products.iter().any(|q| q == p))
        {
            continue;
        }
        if row.get("required").and_then(Value::as_bool) == Some(false) && !expansion.include_optional {
            continue;
        }
        let concrete: Vec<String> = if host.starts_with("*.") || host.starts_with('{') {
            expansion.hosts.get(host).cloned().unwrap_or_default()
        } else {
            vec![host.to_owned()]
        };
        for host in concrete {
            let duplicate =
                out.iter().any(|e| e.host.eq_ignore_ascii_case(&host) && e.port == port && e.proto == proto);
            if !duplicate {
                out.push(EndpointSpec { id: None, host, port, proto, purpose });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table() -> Value {
        json!({ "endpoints": [
            { "host": "login.microsoftonline.com", "port": 443, "proto": "https", "purpose": "entra-core", "product": "connect-sync", "required": true },
            { "host": "login.microsoftonline.com", "port": 443, "proto": "https", "purpose": "entra-core", "product": "cloud-sync", "required": true },
            { "host": "*.servicebus.windows.net", "port": 443, "proto": "https", "purpose": "servicebus", "product": "cloud-sync", "required": true },
            { "host": "{domain_controller}", "port": 389, "proto": "tcp", "purpose": "ad-dc", "product": "cloud-sync", "required": true },
            { "host": "*.blob.core.windows.net", "port": 443, "proto": "https", "purpose": "health", "product": "connect-sync", "required": false },
            { "host": "crl3.digicert.com", "port": 80, "proto": "http", "purpose": "crl-ocsp", "product": "cloud-sync", "required": true }
        ]})
    }

    #[test]
    fn rows_expand_and_deduplicate() {
        let hosts = BTreeMap::from([
            ("*.servicebus.windows.net".to_owned(), vec!["contoso-sb.servicebus.windows.net".to_owned()]),
            ("{domain_controller}".to_owned(), vec!["dc1.contoso.com".to_owned(), "dc2.contoso.com".to_owned()]),
        ]);
        let endpoints =
            from_table(&table(), &Expansion { products: &[], hosts: &hosts, include_optional: false }).unwrap();
        let hosts: Vec<String> = endpoints.iter().map(|e| format!("{}:{}", e.host, e.port)).collect();
        assert_eq!(
            hosts,
            [
                "login.microsoftonline.com:443",
                "contoso-sb.servicebus.windows.net:443",
                "dc1.contoso.com:389",
                "dc2.contoso.com:389",
                "crl3.digicert.com:80"
            ]
        );
        assert_eq!(endpoints[0].check_id(), "entra-core-login.microsoftonline.com-443");
    }

    #[test]
    fn wildcards_without_hosts_are_left_out_and_products_filter() {
        let none = BTreeMap::new();
        let products = vec!["connect-sync".to_owned()];
        let endpoints =
            from_table(&table(), &Expansion { products: &products, hosts: &none, include_optional: true }).unwrap();
        let hosts: Vec<&str> = endpoints.iter().map(|e| e.host.as_str()).collect();
        assert_eq!(hosts, ["login.microsoftonline.com"]);
        assert!(from_table(&json!({}), &Expansion { products: &[], hosts: &none, include_optional: false }).is_err());
    }
}
