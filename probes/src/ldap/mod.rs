//! The `ldap` probe: on-premises Active Directory over LDAP (`ad.*`, `facts.md` B.2.9).
//!
//! | facts | how |
//! |---|---|
//! | `ad.forest` | RootDSE `rootDomainNamingContext` (else the base DN) as a DNS name |
//! | `ad.domains[]` | `crossRef` objects with `nETBIOSName` under `CN=Partitions` (`dnsRoot`, `nETBIOSName`, `nCName`) and the domain heads' `minPwdAge`/`maxPwdAge` |
//! | `ad.upn_suffixes` | `uPNSuffixes` of `CN=Partitions` plus the domains' DNS names |
//! | `ad.accounts.<role>` | the configured account names looked up by `sAMAccountName` (or `userPrincipalName`): `userAccountControl`, `msDS-User-Account-Control-Computed`, `pwdLastSet`, `accountExpires`, `msDS-UserPasswordExpiryTimeComputed`, `objectClass`; a name not found is `exists: false` (and `deleted` when the tombstone is visible with the Show Deleted control) |
//! | `ad.users[]`, `ad.groups[]`, `ad.objects.in_scope_count` | a paged search (500 per page, streamed entry by entry) under the object base; group `member` counts follow ranged retrieval (`member;range=…`) |
//!
//! Not gathered: `ad.permissions.*` (needs the DACL of the domain heads and OUs parsed for
//! extended rights) and the DNS part of `ad.domains[]` (`srv_resolves`, `dcs[]`).

pub mod account;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ldap3::controls::RawControl;
use ldap3::{LdapConn, LdapConnSettings, Scope, SearchEntry};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ad_objects::{self, Entry, ObjectKind};
use crate::error::ProbeError;
use crate::facts::Facts;
use crate::facts::Known;
use crate::facts::ad::{Ad, AdAccounts, AdDomain, AdObjects};
use crate::facts::{known, lift};
use crate::network::tls::pem_certificates;
use crate::probe::{FactTree, Probe, ProbeContext, fact_tree};
use crate::secret::{SecretSource, resolve};
use crate::time::ad_interval_seconds;

/// LDAP "Show Deleted" control.
pub const SHOW_DELETED: &str = "1.2.840.113556.1.4.417";
/// LDAP "SD Flags" control (read only the DACL of `nTSecurityDescriptor`).
pub const SD_FLAGS: &str = "1.2.840.113556.1.4.801";

/// Attributes read for `ad.users[]` and `ad.groups[]`.
pub const OBJECT_ATTRIBUTES: [&str; 20] = [
    "objectClass",
    "objectGUID",
    "mS-DS-ConsistencyGuid",
    "userPrincipalName",
    "sAMAccountName",
    "mail",
    "mailNickname",
    "proxyAddresses",
    "displayName",
    "userAccountControl",
    "userCertificate",
    "userSMIMECertificate",
    "thumbnailPhoto",
    "msExchRecipientTypeDetails",
    "nTSecurityDescriptor",
    "adminCount",
    "isCriticalSystemObject",
    "member",
    "cn",
    "groupType",
];

/// The `ldap` section of the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LdapConfig {
    /// Server URL: `ldaps://dc1.contoso.com` (636) or `ldap://dc1.contoso.com` (389, with `starttls`).
    pub url: String,
    /// Account to bind as (DN or UPN); anonymous when absent. Read rights are enough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_dn: Option<String>,
    /// Where its password is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretSource>,
    /// Upgrade an `ldap://` connection with StartTLS.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub starttls: bool,
    /// PEM file of the CA that issued the domain controllers' certificates (default: public roots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the server certificate (diagnosis only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tls_insecure: bool,
    /// Domain naming context (default: RootDSE `defaultNamingContext`, else its first `namingContexts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_dn: Option<String>,
    /// Configuration naming context (default: RootDSE `configurationNamingContext`, else `CN=Configuration,<base>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_dn: Option<String>,
    /// Accounts to check, by role: `sAMAccountName` (a `DOMAIN\` prefix is ignored) or UPN.
    #[serde(default, skip_serializing_if = "AccountNames::is_empty")]
    pub accounts: AccountNames,
    /// Read users and groups for the data-quality rules (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_objects: Option<bool>,
    /// Where to read users and groups (default: the base DN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects_base: Option<String>,
    /// Filter for users and groups (default `(|(objectClass=user)(objectClass=group))`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects_filter: Option<String>,
    /// Most objects read (default 250000); more makes the probe `partial`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_objects: Option<usize>,
    /// Page size of the paged search (default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<i32>,
    /// Time limit of each operation, in milliseconds (default 30000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// Account names by role (`ad.accounts.<role>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountNames {
    /// Logon account of the `ADSync` service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_service: Option<String>,
    /// AD DS connector account (`MSOL_…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_connector: Option<String>,
    /// Cloud sync gMSA (`provAgentgMSA$`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudsync_gmsa: Option<String>,
    /// DirSync service account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dirsync_service: Option<String>,
}

impl AccountNames {
    fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

impl LdapConfig {
    /// Makes relative paths relative to `base`.
    pub fn resolve_relative_to(&mut self, base: &Path) {
        if let Some(password) = &mut self.password {
            password.resolve_relative_to(base);
        }
        if let Some(path) = &mut self.ca_file {
            *path = resolve(base, path);
        }
    }
}

/// The `ldap` probe.
#[derive(Debug, Clone)]
pub struct LdapProbe {
    config: Option<LdapConfig>,
}

impl LdapProbe {
    /// A probe with this configuration.
    #[must_use]
    pub fn new(config: Option<LdapConfig>) -> Self {
        Self { config }
    }
}

/// `DC=contoso,DC=com` → `contoso.com`; `None` without `DC=` parts.
#[must_use]
pub fn dn_to_dns(dn: &str) -> Option<String> {
    let labels: Vec<&str> = dn
        .split(',')
        .filter_map(|part| {
            let (key, value) = part.trim().split_once('=')?;
            key.trim().eq_ignore_ascii_case("dc").then_some(value.trim())
        })
        .collect();
    (!labels.is_empty()).then(|| labels.join(".").to_ascii_lowercase())
}

fn ldap_error(what: &str, error: &ldap3::LdapError) -> String {
    format!("{what}: {error}")
}

fn tls_config(config: &LdapConfig) -> Result<Option<Arc<rustls::ClientConfig>>, String> {
    let Some(path) = &config.ca_file else { return Ok(None) };
    let pem = std::fs::read_to_string(path).map_err(|e| format!("ca_file {}: {e}", path.display()))?;
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let certificates = pem_certificates(&pem);
    if certificates.is_empty() {
        return Err(format!(
            "ca_file {}: no PEM certificate (`-----BEGIN CERTIFICATE-----`) in the file",
            path.display()
        ));
    }
    for der in certificates {
        roots.add(der).map_err(|e| format!("ca_file {}: {e}", path.display()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Some(Arc::new(tls)))
}

/// An open, bound connection and the naming contexts.
struct Session {
    conn: LdapConn,
    timeout: Duration,
    base_dn: String,
    configuration_dn: String,
    forest_dn: String,
}

impl Session {
    fn open(config: &LdapConfig, timeout: Duration) -> Result<Self, ProbeError> {
        // What the configuration promises is checked before anything is sent: an unreadable
        // secret or certificate file is `failed` ("configured but cannot run").
        let secret = match (&config.bind_dn, &config.password) {
            (Some(_), Some(password)) => Some(password.read("ldap.password").map_err(ProbeError::CannotRun)?),
            (Some(dn), None) => {
                return Err(ProbeError::CannotRun(format!("ldap.bind_dn {dn} has no `password` source")));
            }
            (None, _) => None,
        };
        let mut settings = LdapConnSettings::new()
            .set_conn_timeout(timeout)
            .set_starttls(config.starttls)
            .set_no_tls_verify(config.tls_insecure);
        if let Some(tls) = tls_config(config).map_err(ProbeError::CannotRun)? {
            settings = settings.set_config(tls);
        }
        let mut conn = LdapConn::with_settings(settings, &config.url)
            .map_err(|e| ProbeError::Other(ldap_error(&format!("cannot connect to {}", config.url), &e)))?;
        if let (Some(dn), Some(secret)) = (&config.bind_dn, &secret) {
            conn.with_timeout(timeout)
                .simple_bind(dn, secret.expose())
                .and_then(ldap3::LdapResult::success)
                .map_err(|e| ProbeError::Other(ldap_error(&format!("bind as {dn} failed"), &e)))?;
        }
        let root = conn
            .with_timeout(timeout)
            .search(
                "",
                Scope::Base,
                "(objectClass=*)",
                vec!["defaultNamingContext", "rootDomainNamingContext", "configurationNamingContext", "namingContexts"],
            )
            .and_then(ldap3::SearchResult::success)
            .map_err(|e| ProbeError::Other(ldap_error("cannot read the RootDSE", &e)))?;
        let root = root.0.into_iter().next().map(SearchEntry::construct);
        let first = |name: &str| root.as_ref().and_then(|r| r.attrs.get(name)).and_then(|v| v.first()).cloned();
        let base_dn = config
            .base_dn
            .clone()
            .or_else(|| first("defaultNamingContext"))
            .or_else(|| first("namingContexts"))
            .ok_or_else(|| ProbeError::Other("no base DN: set ldap.base_dn (the RootDSE names none)".into()))?;
        let configuration_dn = config
            .configuration_dn
            .clone()
            .or_else(|| first("configurationNamingContext"))
            .unwrap_or_else(|| format!("CN=Configuration,{base_dn}"));
        let forest_dn = first("rootDomainNamingContext").unwrap_or_else(|| base_dn.clone());
        Ok(Self { conn, timeout, base_dn, configuration_dn, forest_dn })
    }

    /// Entries of a non-paged search (small result sets).
    fn search(&mut self, base: &str, scope: Scope, filter: &str, attributes: &[&str]) -> Result<Vec<Entry>, String> {
        let (entries, _) = self
            .conn
            .with_timeout(self.timeout)
            .search(base, scope, filter, attributes.to_vec())
            .and_then(ldap3::SearchResult::success)
            .map_err(|e| ldap_error(&format!("search {filter} under {base}"), &e))?;
        Ok(entries.into_iter().map(|e| to_entry(SearchEntry::construct(e))).collect())
    }
}

/// Text and binary values of an LDAP entry as one byte-valued [`Entry`].
fn to_entry(search: SearchEntry) -> Entry {
    let mut entry = Entry { dn: search.dn, ..Entry::default() };
    for (name, values) in search.attrs {
        for value in values {
            entry.add(&name, value.into_bytes());
        }
    }
    for (name, values) in search.bin_attrs {
        for value in values {
            entry.add(&name, value);
        }
    }
    // Keep the raw attribute names of ranged values visible to the member counter.
    entry
}

impl Probe for LdapProbe {
    fn id(&self) -> &str {
        "ldap"
    }

    fn kind(&self) -> &str {
        "ldap"
    }

    fn provides(&self) -> &[&str] {
        &["ad.forest", "ad.domains", "ad.upn_suffixes", "ad.accounts", "ad.users", "ad.groups", "ad.objects"]
    }

    fn collect(&self, cx: &ProbeContext) -> Result<FactTree, ProbeError> {
        let Some(config) = &self.config else {
            return Err(ProbeError::NotConfigured(
                "add an `ldap` section (server URL, bind account, password source)".into(),
            ));
        };
        let timeout = Duration::from_millis(config.timeout_ms.unwrap_or(30_000)).min(cx.timeout);
        let mut session = Session::open(config, timeout)?;
        let mut problems = Vec::new();
        let mut ad = Ad { forest: lift(dn_to_dns(&session.forest_dn)), ..Ad::default() };

        match domains(&mut session) {
            Ok((domains, suffixes)) => {
                ad.domains = Some(domains);
                ad.upn_suffixes = known(suffixes);
            }
            Err(e) => problems.push(e),
        }

        let mut accounts = AdAccounts::default();
        let roles = [
            (&config.accounts.sync_service, &mut accounts.sync_service),
            (&config.accounts.ad_connector, &mut accounts.ad_connector),
            (&config.accounts.cloudsync_gmsa, &mut accounts.cloudsync_gmsa),
            (&config.accounts.dirsync_service, &mut accounts.dirsync_service),
        ];
        for (name, slot) in roles {
            let Some(name) = name else { continue };
            match account::lookup(&mut session, name) {
                Ok(found) => *slot = Some(found),
                Err(e) => problems.push(format!("account {name}: {e}")),
            }
        }
        if accounts != AdAccounts::default() {
            ad.accounts = Some(accounts);
        }

        if config.scan_objects.unwrap_or(true) {
            match scan_objects(&mut session, config, &mut ad) {
                Ok(None) => {}
                Ok(Some(note)) => problems.push(note),
                Err(e) => problems.push(e),
            }
        }
        let _ = session.conn.unbind();
        let tree = fact_tree(&Facts { ad: Some(ad), ..Facts::default() })?;
        if problems.is_empty() {
            Ok(tree)
        } else {
            Err(ProbeError::Partial { facts: Box::new(tree), reason: problems.join("; ") })
        }
    }
}

/// Domains from the partitions container, their password policy, and the UPN suffixes.
fn domains(session: &mut Session) -> Result<(Vec<AdDomain>, Vec<String>), String> {
    let partitions = format!("CN=Partitions,{}", session.configuration_dn);
    let refs = session
        .search(
            &partitions,
            Scope::OneLevel,
            "(&(objectClass=crossRef)(nETBIOSName=*))",
            &["dnsRoot", "nETBIOSName", "nCName"],
        )
        .unwrap_or_default();
    let mut domains: Vec<AdDomain> = refs
        .iter()
        .map(|r| AdDomain {
            fqdn: lift(r.text("dnsroot").map(|d| d.to_ascii_lowercase())),
            netbios: lift(r.text("netbiosname")),
            dn: lift(r.text("ncname")),
            ..AdDomain::default()
        })
        .collect();
    if domains.is_empty() {
        // No readable partitions container: the one domain we are connected to.
        domains.push(AdDomain {
            fqdn: lift(dn_to_dns(&session.base_dn)),
            dn: known(session.base_dn.clone()),
            ..AdDomain::default()
        });
    }
    for domain in &mut domains {
        let Some(dn) = domain.dn.clone().into_known() else { continue };
        let head = session.search(&dn, Scope::Base, "(objectClass=*)", &["minPwdAge", "maxPwdAge"])?;
        if let Some(head) = head.first() {
            domain.min_pwd_age_seconds = lift(head.integer("minpwdage").and_then(ad_interval_seconds));
            domain.max_pwd_age_seconds = lift(head.integer("maxpwdage").and_then(ad_interval_seconds));
        }
    }
    let container = session.search(&partitions, Scope::Base, "(objectClass=*)", &["uPNSuffixes"]).unwrap_or_default();
    let mut suffixes: Vec<String> = container.first().map(|c| c.texts("upnsuffixes")).unwrap_or_default();
    for fqdn in domains.iter().filter_map(|d| d.fqdn.clone().into_known()) {
        if !suffixes.iter().any(|s| s.eq_ignore_ascii_case(&fqdn)) {
            suffixes.push(fqdn);
        }
    }
    Ok((domains, suffixes))
}

/// `member;range=<start>-<end>` → `(start, end)` with `None` for `*`.
fn parse_range(name: &str) -> Option<(u64, Option<u64>)> {
    let range = name.to_ascii_lowercase();
    let range = range.split(';').find_map(|option| option.strip_prefix("range="))?.to_owned();
    let (start, end) = range.split_once('-')?;
    Some((start.parse().ok()?, if end == "*" { None } else { Some(end.parse().ok()?) }))
}

/// Counts a group's members, fetching further `member;range=` pages until the last one.
///
/// `first` holds the attribute names and value counts of the entry as returned; `fetch(start)`
/// returns the next page's `(attribute name, value count)`.
///
/// # Errors
///
/// Whatever `fetch` reports.
pub fn count_members(
    first: &[(String, u64)],
    mut fetch: impl FnMut(u64) -> Result<Option<(String, u64)>, String>,
) -> Result<u64, String> {
    let mut total = 0;
    let mut next = None;
    for (name, count) in first {
        match parse_range(name) {
            Some((_, end)) if name.to_ascii_lowercase().starts_with("member;") => {
                total += count;
                next = end.map(|e| e + 1);
            }
            None if name.eq_ignore_ascii_case("member") => total += count,
            _ => {}
        }
    }
    let mut guard = 0;
    while let Some(start) = next.take() {
        guard += 1;
        if guard > 10_000 {
            return Err("member ranges do not end".into());
        }
        match fetch(start)? {
            Some((name, count)) => {
                total += count;
                next = parse_range(&name).and_then(|(_, end)| end.map(|e| e + 1));
            }
            None => break,
        }
    }
    Ok(total)
}

/// Streams users and groups; returns a note when the cap was reached.
fn scan_objects(session: &mut Session, config: &LdapConfig, ad: &mut Ad) -> Result<Option<String>, String> {
    let base = config.objects_base.clone().unwrap_or_else(|| session.base_dn.clone());
    let filter = config.objects_filter.clone().unwrap_or_else(|| "(|(objectClass=user)(objectClass=group))".into());
    let max = config.max_objects.unwrap_or(250_000);
    let page_size = config.page_size.unwrap_or(500).max(1);
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let mut ranged: Vec<(usize, Vec<(String, u64)>)> = Vec::new();
    let mut scanned: u64 = 0;
    let mut capped = false;
    {
        let adapters: Vec<Box<dyn ldap3::adapters::Adapter<_, _>>> = vec![
            Box::new(ldap3::adapters::EntriesOnly::new()),
            Box::new(ldap3::adapters::PagedResults::new(page_size)),
        ];
        // Read only the DACL of nTSecurityDescriptor (AD); other servers ignore the control.
        session.conn.with_controls(RawControl {
            ctype: SD_FLAGS.into(),
            crit: false,
            val: Some(vec![0x30, 0x03, 0x02, 0x01, 0x04]),
        });
        let mut stream = session
            .conn
            .streaming_search_with(adapters, &base, Scope::Subtree, &filter, OBJECT_ATTRIBUTES.to_vec())
            .map_err(|e| ldap_error(&format!("object search under {base}"), &e))?;
        loop {
            let next = stream.next().map_err(|e| ldap_error("object search", &e))?;
            let Some(raw) = next else { break };
            let search = SearchEntry::construct(raw);
            let ranges: Vec<(String, u64)> = search
                .attrs
                .iter()
                .map(|(n, v)| (n.clone(), v.len() as u64))
                .chain(search.bin_attrs.iter().map(|(n, v)| (n.clone(), v.len() as u64)))
                .filter(|(n, _)| n.to_ascii_lowercase().starts_with("member"))
                .collect();
            let entry = to_entry(search);
            scanned += 1;
            match entry.kind() {
                ObjectKind::User => users.push(ad_objects::user(&entry)),
                ObjectKind::Group => {
                    if ranges.iter().any(|(n, _)| n.contains(';')) {
                        ranged.push((groups.len(), ranges));
                    }
                    groups.push(ad_objects::group(&entry));
                }
                ObjectKind::Other => {}
            }
            if users.len() + groups.len() >= max {
                capped = true;
                break;
            }
        }
        if capped {
            let id = stream.last_id();
            drop(stream);
            let _ = session.conn.abandon(id);
        } else {
            stream.result().success().map_err(|e| ldap_error("object search", &e))?;
        }
    }
    // Groups with more members than one answer holds: fetch the other ranges.
    for (index, first) in ranged {
        let Some(dn) = groups[index].dn.clone().into_known() else { continue };
        let count = count_members(&first, |start| {
            let attribute = format!("member;range={start}-*");
            let page = session.search(&dn, Scope::Base, "(objectClass=*)", &[attribute.as_str()])?;
            Ok(page.first().and_then(|e| {
                e.attributes.iter().find(|(n, _)| n.starts_with("member")).map(|(n, v)| (n.clone(), v.len() as u64))
            }))
        });
        match count {
            Ok(count) => groups[index].member_count = known(count),
            Err(e) => return Err(format!("members of {dn}: {e}")),
        }
    }
    ad.users = Some(users);
    ad.groups = Some(groups);
    ad.objects = Some(AdObjects { in_scope_count: known(scanned) });
    Ok(capped.then(|| format!("stopped after {max} objects (ldap.max_objects)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names_come_from_dc_components() {
        assert_eq!(dn_to_dns("DC=Contoso,DC=com").as_deref(), Some("contoso.com"));
        assert_eq!(dn_to_dns("OU=x,DC=corp, DC=contoso,DC=com").as_deref(), Some("corp.contoso.com"));
        assert_eq!(dn_to_dns("O=acme"), None);
    }

    #[test]
    fn member_ranges_are_followed_to_the_end() {
        // AD answers `member;range=0-1499` (1500 values); the next pages end with `*`.
        let first = vec![("member;range=0-1499".to_owned(), 1500), ("member".to_owned(), 0)];
        let mut asked = Vec::new();
        let total = count_members(&first, |start| {
            asked.push(start);
            Ok(Some(match start {
                1500 => ("member;range=1500-2999".to_owned(), 1500),
                _ => ("member;range=3000-*".to_owned(), 42),
            }))
        })
        .unwrap();
        assert_eq!(total, 3042);
        assert_eq!(asked, [1500, 3000]);
        assert_eq!(count_members(&[("member".to_owned(), 7)], |_| unreachable!()).unwrap(), 7);
        assert_eq!(parse_range("member;range=0-*"), Some((0, None)));
    }
}
