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

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::Regex;
use ring::hmac;
use serde_json::Value;
use syncdoctor_engine::functions::guid::{base64_16, guid_bytes, guid_string};

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

/// Words never replaced: product, built-in and directory-structure names that rules and IdFix's
/// exclusions look for.
const KEEP_WORDS: &[&str] = &[
    "msol",
    "aad",
    "sync",
    "adtoaadsyncserviceaccount",
    "provagentgmsa",
    "administrator",
    "administrators",
    "guest",
    "krbtgt",
    "defaultaccount",
    "wdagutilityaccount",
    "healthmailbox",
    "systemmailbox",
    "discoverysearchmailbox",
    "federatedemail",
    "support",
    "iusr",
    "iwam",
    "users",
    "computers",
    "builtin",
    "managed",
    "service",
    "accounts",
    "domaindnszones",
    "forestdnszones",
    "system",
    "configuration",
    "schema",
    "nt",
    "authority",
    "localsystem",
    "localservice",
    "networkservice",
    "adsync",
    "adsync2019",
    "aadconnectprovisioningagent",
    "aadconnectagentupdater",
    "msonlinesyncscheduler",
    "mssql",
    "mosonline",
    "fimsynchronizationservice",
    "localdb",
    "smtp",
    "sip",
    "x500",
    "x400",
    "eum",
    "cn",
    "ou",
    "dc",
    "o",
    "c",
    "l",
    "s",
    "st",
    "aad_",
    "sqlexpress",
    "default",
    "global",
    "helpdesk",
    // Generic role words of host names (`proxy.contoso.com`, `mail.fabrikam.com`): they identify
    // no organisation, and the free text of a snapshot uses them as plain words ("WinHTTP proxy
    // settings"), which a pseudonym would garble.
    "proxy",
    "mail",
    "server",
    "servers",
    "gateway",
    "firewall",
    "internal",
    "corp",
    "web",
    "www",
    "vpn",
    "login",
    "portal",
    "exchange",
    "ldap",
    "dns",
    "sql",
    "remote",
    "secure",
    "autodiscover",
];

/// Host-name suffixes kept as they are: Microsoft's and the public CAs' endpoints, which rules
/// compare with the knowledge base's endpoint list.
const KEEP_SUFFIXES: &[&str] = &[
    "microsoftonline.com",
    "microsoftonline-p.com",
    "windows.net",
    "msappproxy.net",
    "microsoft.com",
    "msocsp.com",
    "digicert.com",
    "trafficmanager.net",
    "msidentity.com",
    "azure.com",
    "azure.net",
    "msft.net",
    "windowsupdate.com",
    "d-trust.net",
    "entrust.net",
    "verisign.com",
    "msauth.net",
    "msftauth.net",
    "msauthimages.net",
    "msftauthimages.net",
    "msecnd.net",
    "phonefactor.net",
    "live.com",
    "office365.com",
    "office.com",
    "outlook.com",
    "github.com",
    "publicsuffix.org",
    "iana.org",
    "aadcdn.microsoftonline-p.com",
    "cloudapp.net",
    "globalsign.com",
    "letsencrypt.org",
    "example.com",
    "example.net",
    "example.org",
    "localhost",
];

/// Organisations of public certificate authorities: a certificate DN naming one is kept.
const PUBLIC_CA_ORGS: &[&str] = &[
    "o=microsoft corporation",
    "o=digicert",
    "o=entrust",
    "o=d-trust",
    "o=verisign",
    "o=globalsign",
    "o=let's encrypt",
    "o=internet security research group",
    "o=baltimore",
    "o=sectigo",
    "o=godaddy",
];

/// Well-known GUIDs rules compare with (role and application templates).
const KEEP_GUIDS: &[&str] = &[
    "00000000-0000-0000-0000-000000000000",
    "d29b2b05-8046-44ba-8758-1e26182fcf32",
    "1a4721b3-e57f-4451-ae87-ef078703ec94",
];

/// Top-level domains that make a dotted token in free text a host name (others, such as .NET
/// names like `System.Net.WebException`, are left alone).
const TEXT_TLDS: &[&str] = &[
    "com",
    "net",
    "org",
    "local",
    "lan",
    "internal",
    "corp",
    "intranet",
    "home",
    "localdomain",
    "int",
    "edu",
    "gov",
    "mil",
    "io",
    "de",
    "uk",
    "fr",
    "nl",
    "be",
    "ch",
    "at",
    "it",
    "es",
    "se",
    "no",
    "dk",
    "fi",
    "pl",
    "cz",
    "jp",
    "cn",
    "au",
    "nz",
    "ca",
    "us",
    "in",
    "br",
    "info",
    "biz",
    "eu",
    "ad",
];

static TEXT_TOKEN: LazyLock<Result<Regex, regex::Error>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<dn>(?i:\b(?:CN|OU|DC|O)=[^,=\r\n]+(?:,\s*(?:CN|OU|DC|O|L|S|ST|C)=[^,=\r\n]+)+))",
        r"|(?P<email>[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)",
        r"|(?P<sid>\bS-1-[0-9]+(?:-[0-9]+)+)",
        r"|(?P<guid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)",
        r"|(?P<anchor>[A-Za-z0-9+/]{22}==)",
        r"|(?P<ip>\b[0-9]{1,3}(?:\.[0-9]{1,3}){3}\b)",
        // `DOMAIN\account` (a NetBIOS domain name is at most 15 characters).
        r"|(?P<account>\b[A-Za-z0-9][A-Za-z0-9-]{0,14}\\[A-Za-z0-9](?:[A-Za-z0-9._$-]*[A-Za-z0-9$])?)",
        r"|(?P<host>(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)",
        r"|(?P<word>[A-Za-z0-9]+)",
    ))
});

/// The pseudonymiser: the key and what it has handed out so far.
struct Redactor {
    key: hmac::Key,
    /// Lower-case original word → lower-case pseudonym template.
    words: HashMap<String, String>,
    /// Pseudonyms handed out (lower case), so no two originals share one.
    used: HashSet<String>,
    /// Lower-case originals (identifier words, GUIDs, IPs, SID parts): no pseudonym may equal one.
    originals: HashSet<String>,
    /// Words replaced wherever they appear in free text: domain labels, host, NetBIOS and account
    /// names.
    text_words: HashSet<String>,
    /// Pass 1: record the originals instead of relying on them.
    collecting: bool,
}

impl Redactor {
    fn new(key: &[u8]) -> Self {
        Redactor {
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
            words: HashMap::new(),
            used: HashSet::new(),
            originals: HashSet::new(),
            text_words: HashSet::new(),
            collecting: false,
        }
    }

    fn document(&mut self, document: &Value) -> Value {
        let Value::Object(map) = document else { return document.clone() };
        let mut out = serde_json::Map::new();
        for (k, v) in map {
            let value = match k.as_str() {
                "facts" => self.value(v, "", "", None),
                "probes" => self.probes(v),
                _ => v.clone(),
            };
            out.insert(k.clone(), value);
        }
        Value::Object(out)
    }

    fn probes(&mut self, probes: &Value) -> Value {
        let Value::Array(items) = probes else { return probes.clone() };
        Value::Array(
            items
                .iter()
                .map(|p| match p {
                    Value::Object(m) => Value::Object(
                        m.iter()
                            .map(|(k, v)| {
                                let v = match (k.as_str(), v) {
                                    ("error", Value::String(s)) => Value::String(self.text(s)),
                                    _ => v.clone(),
                                };
                                (k.clone(), v)
                            })
                            .collect(),
                    ),
                    other => other.clone(),
                })
                .collect(),
        )
    }

    fn value(
        &mut self,
        value: &Value,
        key: &str,
        parent: &str,
        siblings: Option<&serde_json::Map<String, Value>>,
    ) -> Value {
        match value {
            Value::String(s) => Value::String(self.string(kind_of(key, parent, siblings), s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v, key, parent, siblings)).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), self.value(v, k, key, Some(map)))).collect())
            }
            other => other.clone(),
        }
    }

    fn string(&mut self, kind: Kind, s: &str) -> String {
        match kind {
            Kind::Keep => s.to_owned(),
            Kind::Address => self.address(s),
            Kind::Name => self.name(s),
            Kind::Host => self.host(s),
            Kind::Dn => self.dn(s),
            Kind::Guid if is_guid(s) => self.guid(s),
            Kind::Anchor => self.anchor(s),
            Kind::Sid => self.sid(s),
            Kind::Ip => match self.ip(s) {
                Some(ip) => ip,
                None => self.host(s),
            },
            Kind::Account => self.account(s),
            Kind::Guid | Kind::Text => self.text(s),
        }
    }

    /// `n` pseudo-random bytes for `input` in `domain`, attempt `attempt`.
    fn bytes(&self, domain: &str, input: &str, attempt: u32, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 32);
        let mut block = 0u32;
        while out.len() < n {
            let mut ctx = hmac::Context::with_key(&self.key);
            ctx.update(domain.as_bytes());
            ctx.update(&[0]);
            ctx.update(input.as_bytes());
            ctx.update(&attempt.to_le_bytes());
            ctx.update(&block.to_le_bytes());
            out.extend_from_slice(ctx.sign().as_ref());
            block += 1;
        }
        out.truncate(n);
        out
    }

    /// A unique pseudonym template (lower case) for `lower`, made by `make` from random bytes.
    fn unique(&mut self, domain: &str, lower: &str, make: impl Fn(&[u8]) -> String) -> String {
        let cache_key = format!("{domain}\u{0}{lower}");
        if let Some(p) = self.words.get(&cache_key) {
            return p.clone();
        }
        if self.collecting {
            self.originals.insert(lower.to_owned());
        }
        let n = lower.chars().count().max(1);
        let mut attempt = 0u32;
        let pseudonym = loop {
            let candidate = make(&self.bytes(domain, lower, attempt, n));
            attempt += 1;
            let fresh = candidate != lower
                && !self.used.contains(&candidate)
                && !self.originals.contains(&candidate)
                && !KEEP_WORDS.contains(&candidate.as_str())
                && !TEXT_TLDS.contains(&candidate.as_str());
            // A value with nothing to change (e.g. only punctuation) maps to itself.
            if fresh || attempt > 64 || !lower.chars().any(|c| c.is_ascii_alphanumeric()) {
                break candidate;
            }
        };
        self.used.insert(pseudonym.clone());
        self.words.insert(cache_key, pseudonym.clone());
        pseudonym
    }

    /// One alphanumeric run: letters to letters, digits to digits, case re-applied.
    fn word(&mut self, w: &str) -> String {
        let lower = w.to_ascii_lowercase();
        if KEEP_WORDS.contains(&lower.as_str()) || keep_number(&lower) {
            return w.to_owned();
        }
        let template = self.unique("word", &lower, |b| {
            lower
                .chars()
                .zip(b.iter().cycle())
                .map(|(c, &r)| {
                    if c.is_ascii_lowercase() {
                        char::from(b'a' + r % 26)
                    } else if c.is_ascii_digit() {
                        char::from(b'0' + r % 10)
                    } else {
                        c
                    }
                })
                .collect()
        });
        apply_case(w, &template)
    }

    /// Maps every alphanumeric run of `s` with [`Redactor::word`], keeping everything between.
    fn words(&mut self, s: &str, remember: bool) -> String {
        let mut out = String::with_capacity(s.len());
        let mut run = String::new();
        for c in s.chars() {
            if c.is_ascii_alphanumeric() {
                run.push(c);
                continue;
            }
            if !run.is_empty() {
                out.push_str(&self.word_remembered(&run, remember));
                run.clear();
            }
            out.push(c);
        }
        if !run.is_empty() {
            out.push_str(&self.word_remembered(&run, remember));
        }
        out
    }

    fn word_remembered(&mut self, w: &str, remember: bool) -> String {
        let lower = w.to_ascii_lowercase();
        if remember
            && self.collecting
            && lower.len() >= 3
            && !keep_number(&lower)
            && !KEEP_WORDS.contains(&lower.as_str())
        {
            self.text_words.insert(lower);
        }
        self.word(w)
    }

    fn name(&mut self, s: &str) -> String {
        if s.contains('@') && !s.contains(' ') {
            return self.email(s);
        }
        if looks_like_host(s)
            && s.rsplit('.').next().is_some_and(|t| TEXT_TLDS.contains(&t.to_ascii_lowercase().as_str()))
        {
            return self.host(s);
        }
        self.words(s, false)
    }

    fn address(&mut self, s: &str) -> String {
        if s.contains("://") {
            return self.text(s);
        }
        if let Some((prefix, rest)) = s.split_once(':')
            && !prefix.is_empty()
            && prefix.len() <= 8
            && prefix.chars().all(|c| c.is_ascii_alphanumeric())
        {
            let rest = if rest.starts_with('/') { self.words(rest, false) } else { self.email(rest) };
            return format!("{prefix}:{rest}");
        }
        self.email(s)
    }

    fn email(&mut self, s: &str) -> String {
        match s.rsplit_once('@') {
            Some((local, domain)) => {
                let local = self.words(local, true);
                format!("{local}@{}", self.host(domain))
            }
            None => self.words(s, true),
        }
    }

    fn host(&mut self, s: &str) -> String {
        let lower = s.to_ascii_lowercase();
        let trimmed = lower.trim_end_matches('.');
        if KEEP_SUFFIXES.iter().any(|k| trimmed == *k || trimmed.ends_with(&format!(".{k}"))) {
            // Only a GUID label (a tenant id) is personal in Microsoft's host names.
            return s
                .split('.')
                .map(|l| if is_guid(l) { self.guid(l) } else { l.to_owned() })
                .collect::<Vec<_>>()
                .join(".");
        }
        let labels: Vec<&str> = s.split('.').collect();
        let keep_from = if trimmed.ends_with(".onmicrosoft.com") {
            labels.len().saturating_sub(if trimmed.ends_with(".mail.onmicrosoft.com") { 3 } else { 2 })
        } else if labels.len() >= 2 {
            labels.len() - 1
        } else {
            labels.len()
        };
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if i >= keep_from {
                    (*l).to_owned()
                } else if is_guid(l) {
                    self.guid(l)
                } else {
                    self.words(l, true)
                }
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    fn dn(&mut self, s: &str) -> String {
        let lower = s.to_ascii_lowercase();
        if PUBLIC_CA_ORGS.iter().any(|o| lower.contains(o)) {
            return s.to_owned();
        }
        let mut out = String::with_capacity(s.len());
        let rdns = split_unescaped(s, ',');
        // The last `DC=` is the TLD, kept as in a domain name.
        let last_dc = rdns.iter().rposition(|r| r.trim_start().to_ascii_uppercase().starts_with("DC="));
        for (i, rdn) in rdns.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match rdn.split_once('=') {
                Some((t, v)) => {
                    let ty = t.trim().to_ascii_uppercase();
                    let v = match ty.as_str() {
                        "DC" if Some(i) == last_dc && i > 0 => v.to_owned(),
                        "DC" => self.host(v),
                        "C" => v.to_owned(),
                        // A replication-conflict name keeps its marker (IdFix excludes these).
                        _ => match v.find("\\0ACNF:") {
                            Some(i) => format!("{}\\0ACNF:{}", self.name(&v[..i]), self.text(&v[i + 7..])),
                            None => self.name(v),
                        },
                    };
                    out.push_str(t);
                    out.push('=');
                    out.push_str(&v);
                }
                None => out.push_str(&self.name(&rdn)),
            }
        }
        out
    }

    fn guid(&mut self, s: &str) -> String {
        let lower = s.to_ascii_lowercase();
        if KEEP_GUIDS.contains(&lower.as_str()) {
            return s.to_owned();
        }
        let template = self.unique("guid", &lower, |b| {
            lower
                .chars()
                .zip(b.iter())
                .map(
                    |(c, &r)| {
                        if c.is_ascii_hexdigit() { char::from(b"0123456789abcdef"[usize::from(r % 16)]) } else { c }
                    },
                )
                .collect()
        });
        apply_case(s, &template)
    }

    fn anchor(&mut self, s: &str) -> String {
        match base64_16(s) {
            Some(bytes) => {
                let guid = self.guid(&guid_string(&bytes));
                match guid_bytes(&guid) {
                    Some(b) => base64_encode(&b, s.ends_with('=')),
                    None => self.text(s),
                }
            }
            None => self.words(s, false),
        }
    }

    fn sid(&mut self, s: &str) -> String {
        let parts: Vec<&str> = s.split('-').collect();
        // S-1-5-21-a-b-c[-rid]: a domain or machine SID; everything else is well known.
        if parts.len() >= 7 && parts[..4] == ["S", "1", "5", "21"] {
            let domain = parts[4..7].join("-");
            let mapped = self.unique("sid", &domain, |b| {
                domain
                    .chars()
                    .zip(b.iter())
                    .enumerate()
                    .map(|(i, (c, &r))| {
                        let first = i == 0 || domain.as_bytes().get(i - 1) == Some(&b'-');
                        match c {
                            '0'..='9' if first && c != '0' => char::from(b'1' + r % 9),
                            '0'..='9' => char::from(b'0' + r % 10),
                            _ => c,
                        }
                    })
                    .collect()
            });
            let mut out = format!("S-1-5-21-{mapped}");
            for p in &parts[7..] {
                out.push('-');
                out.push_str(p);
            }
            return out;
        }
        s.to_owned()
    }

    fn ip(&mut self, s: &str) -> Option<String> {
        if let Ok(v4) = s.parse::<Ipv4Addr>() {
            let o = v4.octets();
            if v4.is_loopback() || v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast() {
                return Some(s.to_owned());
            }
            // How many leading octets fix the class: 10/8, 172.16/12, 192.168/16, 169.254/16,
            // 100.64/10; public addresses keep none.
            let fixed = match o {
                [10, ..] => 1,
                [172, b, ..] if (16..32).contains(&b) => 1,
                [192, 168, ..] | [169, 254, ..] => 2,
                [100, b, ..] if (64..128).contains(&b) => 1,
                _ => 0,
            };
            let lower = s.to_owned();
            let mapped = self.unique("ipv4", &lower, |b| {
                let mut out = o;
                for (i, slot) in out.iter_mut().enumerate().skip(fixed) {
                    let r = b.get(i).copied().unwrap_or(1);
                    *slot = match (fixed, i, o) {
                        (1, 1, [172, ..]) => 16 + r % 16,
                        (1, 1, [100, ..]) => 64 + r % 64,
                        (0, 0, _) => public_first_octet(r),
                        (_, 3, _) => 1 + r % 254,
                        _ => r,
                    };
                }
                Ipv4Addr::from(out).to_string()
            });
            return Some(mapped);
        }
        if let Ok(v6) = s.parse::<Ipv6Addr>() {
            if v6.is_loopback() || v6.is_unspecified() {
                return Some(s.to_owned());
            }
            let seg = v6.segments();
            let lower = v6.to_string();
            let mapped = self.unique("ipv6", &lower, |b| {
                let mut out = seg;
                for (i, slot) in out.iter_mut().enumerate().skip(1) {
                    *slot = u16::from_le_bytes([
                        b.get(2 * i).copied().unwrap_or(0),
                        b.get(2 * i + 1).copied().unwrap_or(0),
                    ]);
                }
                Ipv6Addr::from(out).to_string()
            });
            return Some(mapped);
        }
        None
    }

    fn account(&mut self, s: &str) -> String {
        if let Some((domain, user)) = s.split_once('\\') {
            let upper = domain.to_ascii_uppercase();
            let domain =
                if matches!(upper.as_str(), "NT SERVICE" | "NT AUTHORITY" | "BUILTIN" | "." | "NT VIRTUAL MACHINE") {
                    domain.to_owned()
                } else {
                    self.words(domain, true)
                };
            return format!("{domain}\\{}", self.email_or_words(user));
        }
        self.email_or_words(s)
    }

    fn email_or_words(&mut self, s: &str) -> String {
        if s.contains('@') { self.email(s) } else { self.words(s, true) }
    }

    /// Free text: identifiers in it are replaced, other words kept.
    fn text(&mut self, s: &str) -> String {
        let Ok(re) = TEXT_TOKEN.as_ref() else { return s.to_owned() };
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for caps in re.captures_iter(s) {
            let Some(m) = caps.get(0) else { continue };
            out.push_str(&s[last..m.start()]);
            last = m.end();
            let t = m.as_str();
            let replaced = if caps.name("dn").is_some() {
                self.dn(t)
            } else if caps.name("email").is_some() {
                self.email(t)
            } else if caps.name("sid").is_some() {
                self.sid(t)
            } else if caps.name("guid").is_some() {
                self.guid(t)
            } else if caps.name("anchor").is_some() {
                self.anchor(t)
            } else if caps.name("ip").is_some() {
                self.ip(t).unwrap_or_else(|| t.to_owned())
            } else if caps.name("account").is_some() {
                self.text_account(t)
            } else if caps.name("host").is_some() {
                let tld = t.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
                if TEXT_TLDS.contains(&tld.as_str()) {
                    self.host(t)
                } else {
                    t.split('.').map(|l| self.text_word(l)).collect::<Vec<_>>().join(".")
                }
            } else {
                self.text_word(t)
            };
            out.push_str(&replaced);
        }
        out.push_str(&s[last..]);
        out
    }

    /// `DOMAIN\account` in free text. When the domain part is a domain label or NetBIOS name found
    /// elsewhere in the snapshot, the account part is an account name even if nothing else names it
    /// (an event that quotes the logon account of a service), so it is pseudonymised as in an
    /// account field. Otherwise (a path such as `Program Files\Microsoft`, `NT SERVICE\ADSync`) each
    /// part is free text.
    fn text_account(&mut self, t: &str) -> String {
        let Some((domain, user)) = t.split_once('\\') else { return t.to_owned() };
        if self.text_words.contains(&domain.to_ascii_lowercase()) {
            let user = self.email_or_words(user);
            format!("{}\\{user}", self.word(domain))
        } else {
            let (domain, user) = (self.text(domain), self.text(user));
            format!("{domain}\\{user}")
        }
    }

    /// A word of free text: replaced when it is an identifier elsewhere in the snapshot, or a
    /// long hex run (an installation or object id).
    fn text_word(&mut self, w: &str) -> String {
        let lower = w.to_ascii_lowercase();
        let hex_id = lower.len() >= 12
            && lower.chars().all(|c| c.is_ascii_hexdigit())
            && lower.chars().any(|c| c.is_ascii_digit());
        if hex_id {
            return self.guid(w);
        }
        if self.text_words.contains(&lower) { self.word(w) } else { w.to_owned() }
    }
}

/// Numbers up to 4 digits (years, counters, RIDs in names) are not identifiers.
fn keep_number(lower: &str) -> bool {
    lower.len() <= 4 && lower.chars().all(|c| c.is_ascii_digit())
}

/// A first octet outside the private, loopback, link-local, multicast and reserved ranges.
fn public_first_octet(r: u8) -> u8 {
    const PUBLIC: [u8; 8] = [20, 40, 52, 81, 85, 91, 145, 213];
    PUBLIC[usize::from(r % 8)]
}

/// The case pattern of `original` applied to the lower-case `template`, character by character.
fn apply_case(original: &str, template: &str) -> String {
    original
        .chars()
        .zip(template.chars())
        .map(|(o, t)| if o.is_ascii_uppercase() { t.to_ascii_uppercase() } else { t })
        .collect()
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

fn looks_like_host(s: &str) -> bool {
    s.contains('.')
        && !s.contains(' ')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '*' | '_'))
        && s.rsplit('.').next().is_some_and(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Splits at `sep` not preceded by a backslash.
fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in s.chars() {
        if c == sep && !escaped {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
        escaped = c == '\\' && !escaped;
    }
    parts
}

/// Standard base64, with or without padding.
fn base64_encode(bytes: &[u8], pad: bool) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    if pad { STANDARD.encode(bytes) } else { STANDARD_NO_PAD.encode(bytes) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(f: Value) -> Value {
        redact(&json!({"schema_version": 1, "facts": f}), b"k")["facts"].clone()
    }

    #[test]
    fn keeps_structure_case_length_and_classes() {
        let out = facts(json!({"ad": {"users": [
            {"upn": "Anna.Berg@Contoso.com", "mail": "anna.berg@contoso.com", "sam": "anna berg#1",
             "dn": "CN=Anna Berg,OU=Corp,DC=contoso,DC=com"},
            {"upn": "x@contoso.local"}], "forest": "contoso.com"}}));
        let upn = out["ad"]["users"][0]["upn"].as_str().unwrap();
        let mail = out["ad"]["users"][0]["mail"].as_str().unwrap();
        assert!(upn.eq_ignore_ascii_case(mail) && upn != mail, "{upn} {mail}");
        assert_eq!(upn.len(), "Anna.Berg@Contoso.com".len());
        assert!(upn.ends_with(".com") && !upn.to_lowercase().contains("contoso"));
        let sam = out["ad"]["users"][0]["sam"].as_str().unwrap();
        assert!(sam.contains(' ') && sam.contains('#'));
        assert!(out["ad"]["users"][1]["upn"].as_str().unwrap().ends_with(".local"));
        let forest = out["ad"]["forest"].as_str().unwrap();
        let dn = out["ad"]["users"][0]["dn"].as_str().unwrap();
        assert!(dn.ends_with(&format!("DC={},DC=com", &forest[..7])), "{dn} {forest}");
    }

    #[test]
    fn anchors_follow_guids_and_microsoft_hosts_stay() {
        let out = facts(json!({
            "ad": {"users": [{"object_guid": "1b97b008-b264-47f3-9949-16f4077e89b7"}]},
            "entra": {"users": [{"on_premises_immutable_id": "CLCXG2Sy80eZSRb0B36Jtw=="}]},
            "network": {"dns": [{"name": "login.microsoftonline.com"}]}}));
        let guid = out["ad"]["users"][0]["object_guid"].as_str().unwrap();
        let anchor = out["entra"]["users"][0]["on_premises_immutable_id"].as_str().unwrap();
        assert_ne!(guid, "1b97b008-b264-47f3-9949-16f4077e89b7");
        assert_eq!(guid_string(&base64_16(anchor).unwrap()), guid);
        assert_eq!(out["network"]["dns"][0]["name"], "login.microsoftonline.com");
    }

    #[test]
    fn accounts_in_free_text_follow_their_domain() {
        // Seed 001 CSS: SCM event 7038 quotes the service's logon account.
        let message = "The ADSync service was unable to log on as CONTOSO\\svc-aadsync with the currently \
                       configured password. Path: C:\\Program Files\\Microsoft Azure AD Sync\\Bin; NT SERVICE\\ADSync";
        let out = facts(json!({"ad": {"forest": "contoso.com"},
            "eventlog": {"events": [{"message": message}]}}));
        let text = out["eventlog"]["events"][0]["message"].as_str().unwrap();
        let lower = text.to_lowercase();
        assert!(!lower.contains("contoso") && !lower.contains("svc-aadsync"), "{text}");
        assert_eq!(text.len(), message.len(), "pseudonyms keep the length: {text}");
        assert!(
            text.contains("C:\\Program Files\\Microsoft Azure AD Sync\\Bin") && text.ends_with("NT SERVICE\\ADSync"),
            "{text}"
        );
        // The same account in a field and in text gets the same pseudonym.
        let out = facts(json!({"ad": {"forest": "contoso.com"},
            "services": {"adsync": {"logon_account": "CONTOSO\\svc-aadsync"}},
            "eventlog": {"events": [{"message": message}]}}));
        let account = out["services"]["adsync"]["logon_account"].as_str().unwrap();
        assert!(out["eventlog"]["events"][0]["message"].as_str().unwrap().contains(account), "{account}");
    }

    #[test]
    fn generic_host_labels_stay_plain_words_in_free_text() {
        let out = facts(json!({"host": {"proxy": {"winhttp": "proxy.contoso.com:8080"}},
            "eventlog": {"events": [{"message": "WinHTTP proxy settings point to proxy.contoso.com:8080"}]}}));
        let text = out["eventlog"]["events"][0]["message"].as_str().unwrap();
        assert!(text.starts_with("WinHTTP proxy settings point to proxy.") && !text.contains("contoso"), "{text}");
    }

    #[test]
    fn sids_keep_rid_and_well_known_forms() {
        let out = facts(json!({"local_accounts": [{"sid": "S-1-5-21-1004336348-1177238915-682003330-500"}],
            "user_rights": {"se_service_logon_right": ["S-1-5-32-544"]}}));
        let sid = out["local_accounts"][0]["sid"].as_str().unwrap();
        assert!(sid.starts_with("S-1-5-21-") && sid.ends_with("-500") && !sid.contains("1004336348"));
        assert_eq!(out["user_rights"]["se_service_logon_right"][0], "S-1-5-32-544");
    }
}
