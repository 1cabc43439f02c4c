//! Deterministic, keyed pseudonymisation of a snapshot (`syncdoctor redact`).
//!
//! The walk is field-aware: each string is handled by what its key says it is (a UPN, a DN, a SID,
//! a host name, free text …, see [`Kind`]), never by one regular expression over the whole file.
//! Every identifying piece is replaced by a pseudonym derived with HMAC-SHA256 (`ring`, already in
//! the tree through `rustls`) from the key and the piece in lower case, so that:
//!
//! - equal values stay equal, and values equal but for case stay equal but for case (the case
//!   pattern of each occurrence is re-applied to the pseudonym);
//! - a pseudonym has the length and the character classes of the original, position by position:
//!   ASCII letters become letters, digits become digits, anything else (dots, dashes, spaces,
//!   invalid characters, non-ASCII letters) is kept, so length-limit and character rules still fire;
//! - domains are pseudonymised label by label and the last label (the TLD: `com`, `local`, `lan`…)
//!   is kept, so suffix relations (`emea.contoso.com` under `contoso.com`, `DC=` components of a DN)
//!   and routability survive; `onmicrosoft.com` and Microsoft's and the public CAs' host names
//!   (`login.microsoftonline.com`, `*.servicebus.windows.net` …) are kept, except a GUID label in
//!   them (the tenant id in `<tenant>.his.msappproxy.net`);
//! - GUIDs map to GUIDs (hex to hex), consistently with base64 source anchors (`immutableId`);
//!   SIDs keep their well-known forms and RIDs (`-500`), only the domain part changes; IPv4 addresses
//!   stay in their class (private, loopback, public …);
//! - within one snapshot no two different originals get the same pseudonym, and no pseudonym
//!   equals an original identifier.
//!
//! Free text (event messages, error strings) keeps its words; the identifiers found in it (e-mail
//! addresses, DNs, SIDs, GUIDs, IPs, host names with a known TLD, and every word that is a domain
//! label, host, NetBIOS or account name elsewhere in the snapshot) are replaced the same way.

mod forms;
mod redactor;
#[cfg(test)]
mod tests;
mod vocabulary;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use serde_json::Value;
use syncdoctor_facts::guid::base64_16;

use redactor::{Redactor, is_guid, keep_number};
use vocabulary::{KEEP_GUIDS, KEEP_SUFFIXES, KEEP_WORDS, PUBLIC_CA_ORGS};

/// The key used when neither `--key` nor `SYNCDOCTOR_REDACT_KEY` is given. It is public, so a
/// snapshot redacted with it can be reversed by anyone willing to guess the originals: pass your
/// own key to share snapshots outside your organisation.
pub const DEFAULT_KEY: &str = "syncdoctor-redact-default-key-NOT-SECRET";

/// What a string field holds, which decides how it is pseudonymised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Not an identifier: kept as is (states, versions, timestamps, codes …).
    Keep,
    /// A UPN, mail or proxy address (`SMTP:`/`smtp:` prefixes kept), or an account name.
    Address,
    /// A person's, group's or account's name; a whole e-mail or FQDN in it is treated as one.
    Name,
    /// A domain or host name.
    Host,
    /// A distinguished name (LDAP or certificate).
    Dn,
    /// A GUID (other shapes are treated as free text).
    Guid,
    /// A base64 source anchor (16 bytes: an objectGUID).
    Anchor,
    /// A SID.
    Sid,
    /// An IP address (other values are treated as host names).
    Ip,
    /// `DOMAIN\user`, `user@domain` or a built-in account name.
    Account,
    /// Free text: only the identifiers in it are replaced.
    Text,
}

/// The kind of the string value at `key` (the nearest object key; array items take their array's
/// key) whose parent object has `siblings` and sits under `parent` (the key above it).
pub fn kind_of(key: &str, parent: &str, siblings: Option<&serde_json::Map<String, Value>>) -> Kind {
    match key {
        "upn" | "mail" | "proxy_addresses" | "proxy_address" | "account_user" | "configured_upn" | "target_address" => {
            Kind::Address
        }
        "sam" | "sam_account_name" | "mail_nickname" | "netbios" => Kind::Name,
        "display_name" => match parent {
            // Product names of Windows services and of Microsoft's own accounts.
            "adsync" | "agent_updater" | "dirsync_scheduler" | "fim_sync" | "mssql_mosonline"
            | "provisioning_agent" | "sync_accounts" => Kind::Keep,
            _ => Kind::Name,
        },
        "name" => match parent {
            "host" | "local_accounts" => Kind::Name,
            "domains" | "dns" | "chain" => Kind::Host,
            "connectors" => Kind::Text,
            _ => Kind::Keep,
        },
        "fqdn" | "forest" | "domain" | "account_domain" | "upn_suffixes" | "initial_domain" | "hostname"
        | "machine_name" | "host" | "failed_at" => Kind::Host,
        "server" => Kind::Text,
        "dn" | "inclusions" | "exclusions" | "chain" | "leaf_issuer" | "leaf_subject" | "root_subject" => Kind::Dn,
        "object_guid" | "consistency_guid" | "id" | "source_id" | "target_id" | "service_principal_id" | "agent_id" => {
            Kind::Guid
        }
        "on_premises_immutable_id" => Kind::Anchor,
        "sid" | "logon_account_sid" => Kind::Sid,
        k if k.starts_with("se_") && k.ends_with("_right") => Kind::Sid,
        "ip" | "external_ip" | "addresses" => Kind::Ip,
        "value" if parent == "chain" => Kind::Ip,
        "logon_account" | "service_account" => Kind::Account,
        "value" | "suggestion" => {
            let attribute = siblings
                .and_then(|m| m.get("attribute").or_else(|| m.get("property")))
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .unwrap_or_default();
            match attribute.as_str() {
                "userprincipalname" | "mail" | "proxyaddresses" | "proxyaddress" | "targetaddress" => Kind::Address,
                "displayname" | "samaccountname" | "mailnickname" | "cn" | "givenname" | "sn" => Kind::Name,
                _ => Kind::Text,
            }
        }
        "message"
        | "recent_trace_errors"
        | "error_message"
        | "winhttp"
        | "error"
        | "gpo_sources"
        | "connector"
        | "source_connector"
        | "job_id"
        | "url"
        | "proxy"
        | "default_proxy"
        | "install_path"
        | "mdf_path"
        | "bypass" => Kind::Text,
        _ => Kind::Keep,
    }
}

/// Pseudonymises a whole snapshot document (the envelope is kept; `facts` and the probes' error
/// texts are redacted) with `key`. The same key and input give the same output.
pub fn redact(document: &Value, key: &[u8]) -> Value {
    let mut redactor = Redactor::new(key);
    // Pass 1: learn the identifying words, so free text elsewhere can be cleaned of them and no
    // pseudonym equals an original.
    let mut collect = Redactor::new(key);
    collect.collecting = true;
    let _ = collect.document(document);
    redactor.originals = collect.originals;
    redactor.text_words = collect.text_words;
    redactor.document(document)
}

/// The identifying strings of a document's facts, by the same field rules [`redact`] uses (free
/// text left out), without the public ones (see [`is_public`]). For tests and for checking that a
/// redacted file no longer holds any of them.
pub fn identifiers(document: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    walk_strings(document.get("facts").unwrap_or(&Value::Null), "", "", None, &mut |kind, s| {
        let shaped = match kind {
            Kind::Keep | Kind::Text => false,
            Kind::Guid => is_guid(s),
            Kind::Anchor => base64_16(s).is_some(),
            _ => true,
        };
        if shaped && !is_public(s) {
            found.insert(s.to_owned());
        }
    });
    found
}

/// Whether a value identifies nobody, so redaction keeps it: made only of built-in words and short
/// numbers (`Administrator`, `NT SERVICE\ADSync`), a Microsoft or public host name, a well-known
/// SID (anything but `S-1-5-21-…`), a well-known GUID, a public CA's certificate name, or an IP
/// address redaction keeps (loopback, unspecified, broadcast, multicast).
pub fn is_public(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let words_public = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| KEEP_WORDS.contains(&w) || keep_number(w));
    let host_public = KEEP_SUFFIXES.iter().any(|k| lower == *k || lower.ends_with(&format!(".{k}")));
    let sid_public = lower.starts_with("s-1-") && !lower.starts_with("s-1-5-21-");
    let ip_public = s
        .parse::<Ipv4Addr>()
        .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast());
    words_public
        || host_public
        || sid_public
        || ip_public
        || KEEP_GUIDS.contains(&lower.as_str())
        || PUBLIC_CA_ORGS.iter().any(|o| lower.contains(o))
}

fn walk_strings(
    value: &Value,
    key: &str,
    parent: &str,
    siblings: Option<&serde_json::Map<String, Value>>,
    f: &mut dyn FnMut(Kind, &str),
) {
    match value {
        Value::String(s) => f(kind_of(key, parent, siblings), s),
        Value::Array(items) => items.iter().for_each(|v| walk_strings(v, key, parent, siblings, f)),
        Value::Object(map) => map.iter().for_each(|(k, v)| walk_strings(v, k, key, Some(map), f)),
        _ => {}
    }
}
