//! The `graph` probe: the tenant as Microsoft Graph shows it (`entra.*`, `facts.md` B.2.11).
//!
//! | facts | request |
//! |---|---|
//! | `entra.tenant` | `GET /v1.0/organization`, `GET /beta/organization?$select=onPremisesLastPasswordSyncDateTime,directorySizeQuota` |
//! | `entra.domains[]` | `GET /v1.0/domains` |
//! | `entra.onprem_sync` | `GET /v1.0/directory/onPremisesSynchronization` |
//! | `entra.sync_accounts[]` | members of the Directory Synchronization Accounts role (`d29b2b05-…`) |
//! | `entra.connector_account` | `GET /v1.0/users/{connector_upn}` (404 ⇒ `exists: false`), role membership; sign-in error codes with `include_logs` |
//! | `entra.provisioning_errors[]` | users, groups and contacts with `onPremisesProvisioningErrors` (`ConsistencyLevel: eventual`) |
//! | `entra.cloud_sync.configs[]` | service principals of the cloud sync app template and their synchronization jobs (beta) |
//! | `entra.cloud_sync.agents[]` | provisioning agents (beta; needs a delegated permission, so only with `include_agents`) |
//! | `entra.provisioning_logs[]` | `GET /v1.0/auditLogs/provisioning` per job (with `include_logs`; Entra ID P1) |
//!
//! Sign-in uses the OAuth2 client-credentials grant with the secret from an environment
//! variable or a file. A section Graph refuses (403, 404…) is left out and makes the probe
//! `partial` with the reason; a failed sign-in makes it `failed`. A 403 names the application
//! permission the section needs ([`PERMISSIONS`], `docs/collect.md` "Microsoft Graph
//! permissions"), or says that Microsoft Graph documents no application permission for the call
//! (`onPremisesSynchronization`, provisioning agents: delegated only), so the refusal is expected
//! for an app signing in with client credentials. Base URL and token endpoint are
//! configurable (tests point them at a loopback server). Tokens and secrets never reach the
//! snapshot or any message.

pub mod client;
pub mod map;

use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::client::{ClientSettings, GraphClient, GraphError, Page};
use crate::error::ProbeError;
use crate::facts::Facts;
use crate::facts::entra::{CloudSync, ConnectorAccount, DirectoryObjectType, Entra};
use crate::facts::{known, lift};
use crate::probe::{FactTree, Probe, ProbeContext, fact_tree};
use crate::secret::SecretSource;

/// Template id of the Directory Synchronization Accounts role.
pub const DIRSYNC_ROLE_TEMPLATE: &str = "d29b2b05-8046-44ba-8758-1e26182fcf32";
/// Application template id of Microsoft Entra cloud sync (`AD2AADProvisioning` jobs).
pub const CLOUD_SYNC_APP_TEMPLATE: &str = "1a4721b3-e57f-4451-ae87-ef078703ec94";

/// What one section of the probe needs from Microsoft Graph, as documented on learn.microsoft.com
/// (the table in `docs/collect.md` gives the sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// The section's name, as in the probe's status reasons.
    pub section: &'static str,
    /// The application permission to grant (admin consent); `None` when Graph documents no
    /// application permission for the call.
    pub application: Option<&'static str>,
    /// The delegated permission Graph documents, for the calls without an application one.
    pub delegated: &'static str,
}

/// The permission each section of the probe needs.
pub const PERMISSIONS: [Permission; 14] = [
    Permission { section: "organization", application: Some("Directory.Read.All"), delegated: "User.Read" },
    Permission { section: "organization (beta)", application: Some("Directory.Read.All"), delegated: "User.Read" },
    Permission { section: "domains", application: Some("Directory.Read.All"), delegated: "Directory.Read.All" },
    Permission {
        section: "onPremisesSynchronization",
        application: None,
        delegated: "OnPremDirectorySynchronization.Read.All",
    },
    Permission {
        section: "sync accounts",
        application: Some("RoleManagement.Read.Directory"),
        delegated: "RoleManagement.Read.Directory",
    },
    Permission { section: "connector account", application: Some("User.Read.All"), delegated: "User.Read.All" },
    Permission {
        section: "connector sign-ins",
        application: Some("AuditLog.Read.All"),
        delegated: "AuditLog.Read.All",
    },
    Permission {
        section: "provisioning errors (users)",
        application: Some("User.Read.All"),
        delegated: "User.Read.All",
    },
    Permission {
        section: "provisioning errors (groups)",
        application: Some("Group.Read.All"),
        delegated: "Group.Read.All",
    },
    Permission {
        section: "provisioning errors (contacts)",
        application: Some("OrgContact.Read.All"),
        delegated: "OrgContact.Read.All",
    },
    Permission {
        section: "cloud sync configurations",
        application: Some("Application.Read.All"),
        delegated: "Application.Read.All",
    },
    Permission {
        section: "cloud sync jobs",
        application: Some("Synchronization.Read.All"),
        delegated: "Synchronization.Read.All",
    },
    Permission { section: "provisioning logs", application: Some("AuditLog.Read.All"), delegated: "AuditLog.Read.All" },
    Permission {
        section: "provisioning agents",
        application: None,
        delegated: "OnPremisesPublishingProfiles.ReadWrite.All",
    },
];

/// What a 403 on `section` means: the application permission to grant, or that Graph documents
/// none for the call.
#[must_use]
pub fn forbidden_hint(section: &str) -> Option<String> {
    let need = PERMISSIONS.iter().find(|p| p.section == section)?;
    Some(match need.application {
        Some(permission) => {
            format!("the app needs the application permission {permission} (with admin consent)")
        }
        None => format!(
            "Microsoft Graph documents no application permission for this call (delegated {} only), so an app signing in with client credentials is expected to be refused",
            need.delegated
        ),
    })
}

/// The `graph` section of the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GraphConfig {
    /// Tenant id or a verified domain name.
    pub tenant_id: String,
    /// Application (client) id of an app with read-only application permissions: Directory.Read.All,
    /// RoleManagement.Read.Directory, User.Read.All, Group.Read.All, OrgContact.Read.All,
    /// Application.Read.All, Synchronization.Read.All; AuditLog.Read.All for `include_logs`
    /// ([`PERMISSIONS`]; `docs/collect.md` lists each call with its source).
    pub client_id: String,
    /// Where the client secret is.
    pub client_secret: SecretSource,
    /// Graph root (default `https://graph.microsoft.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Sign-in authority (default `https://login.microsoftonline.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Token endpoint (default `<authority>/<tenant_id>/oauth2/v2.0/token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// Scope (default `<base_url>/.default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// UPN of the Entra connector account (`Sync_<server>_…@…`), to check it in the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_upn: Option<String>,
    /// Also read sign-in and provisioning logs (AuditLog.Read.All, Entra ID P1).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_logs: bool,
    /// Also read provisioning agents (beta API for which Graph documents only a delegated
    /// permission: an app is expected to get 403, which the status then explains).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_agents: bool,
    /// Most pages read from one collection (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pages: Option<usize>,
    /// Retries of a throttled request (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
    /// Time limit of each HTTP exchange, in milliseconds (default 30000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

impl GraphConfig {
    /// Makes a relative secret file relative to `base`.
    pub fn resolve_relative_to(&mut self, base: &std::path::Path) {
        self.client_secret.resolve_relative_to(base);
    }
}

/// The `graph` probe.
#[derive(Debug, Clone)]
pub struct GraphProbe {
    config: Option<GraphConfig>,
    proxy: Option<String>,
}

impl GraphProbe {
    /// A probe with this configuration, through `proxy` when given.
    #[must_use]
    pub fn new(config: Option<GraphConfig>, proxy: Option<String>) -> Self {
        Self { config, proxy }
    }
}

/// `'` → `%27`, space → `%20` and the other characters a query value must not carry raw.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'('
            | b')'
            | b'/'
            | b':'
            | b','
            | b'$' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

impl Probe for GraphProbe {
    fn id(&self) -> &str {
        "graph"
    }

    fn kind(&self) -> &str {
        "graph"
    }

    fn provides(&self) -> &[&str] {
        &["entra"]
    }

    fn collect(&self, cx: &ProbeContext) -> Result<FactTree, ProbeError> {
        let Some(config) = &self.config else {
            return Err(ProbeError::NotConfigured("add a `graph` section (tenant, app id, secret source)".into()));
        };
        let secret = config.client_secret.read("graph.client_secret").map_err(ProbeError::CannotRun)?;
        let base_url = config.base_url.clone().unwrap_or_else(|| "https://graph.microsoft.com".into());
        let base_url = base_url.trim_end_matches('/').to_owned();
        let authority = config.authority.clone().unwrap_or_else(|| "https://login.microsoftonline.com".into());
        let token_url = config
            .token_url
            .clone()
            .unwrap_or_else(|| format!("{}/{}/oauth2/v2.0/token", authority.trim_end_matches('/'), config.tenant_id));
        let settings = ClientSettings {
            scope: config.scope.clone().unwrap_or_else(|| format!("{base_url}/.default")),
            base_url,
            token_url,
            client_id: config.client_id.clone(),
            secret,
            proxy: self.proxy.clone(),
            request_timeout: Duration::from_millis(config.timeout_ms.unwrap_or(30_000)).min(cx.timeout),
            deadline: Instant::now() + cx.timeout,
            max_retries: config.max_retries.unwrap_or(4),
            max_pages: config.max_pages.unwrap_or(100).max(1),
        };
        let mut client = GraphClient::new(settings).map_err(|e| ProbeError::Other(e.to_string()))?;
        let mut sections = Sections::default();
        let entra = gather(&mut client, config, &mut sections)?;
        let tree = fact_tree(&Facts { entra: Some(entra), ..Facts::default() })?;
        match (sections.failed.is_empty(), sections.succeeded) {
            (true, _) => Ok(tree),
            (false, 0) => Err(ProbeError::Other(sections.failed.join("; "))),
            (false, _) => Err(ProbeError::Partial { facts: Box::new(tree), reason: sections.failed.join("; ") }),
        }
    }
}

#[derive(Default)]
struct Sections {
    succeeded: usize,
    failed: Vec<String>,
}

impl Sections {
    /// Records a section's result; a failed sign-in ends the probe.
    fn take<T>(&mut self, name: &str, result: Result<T, GraphError>) -> Result<Option<T>, ProbeError> {
        self.record(name, result)
    }

    /// Records a collection's result: a list cut short keeps its items but makes the probe
    /// `partial` with the reason.
    fn page(&mut self, name: &str, result: Result<Page, GraphError>) -> Result<Option<Vec<Value>>, ProbeError> {
        Ok(self.record(name, result)?.map(|page| {
            if let Some(reason) = page.truncated {
                self.failed.push(format!("{name}: {reason}"));
            }
            page.items
        }))
    }

    /// Records a single entity read through [`GraphClient::get_all`] (Graph documents some as a
    /// one-item collection, some as an `$entity` body): an empty collection fails the section.
    fn entity(&mut self, name: &str, result: Result<Page, GraphError>) -> Result<Option<Value>, ProbeError> {
        let result = result.and_then(|page| {
            page.items.into_iter().next().filter(Value::is_object).ok_or_else(|| GraphError::Transport {
                path: name.to_owned(),
                message: "unexpected body: no entity in the answer".into(),
            })
        });
        self.record(name, result)
    }

    fn record<T>(&mut self, name: &str, result: Result<T, GraphError>) -> Result<Option<T>, ProbeError> {
        match result {
            Ok(value) => {
                self.succeeded += 1;
                Ok(Some(value))
            }
            Err(GraphError::Auth(message)) => {
                Err(ProbeError::Other(format!("Microsoft Graph sign-in failed: {message}")))
            }
            Err(error) => {
                let hint = match &error {
                    GraphError::Status { status: 403, .. } => forbidden_hint(name),
                    _ => None,
                };
                self.failed.push(match hint {
                    Some(hint) => format!("{name}: {error}: {hint}"),
                    None => format!("{name}: {error}"),
                });
                Ok(None)
            }
        }
    }
}

fn gather(client: &mut GraphClient, config: &GraphConfig, sections: &mut Sections) -> Result<Entra, ProbeError> {
    let mut entra = Entra::default();
    let eventual = [("ConsistencyLevel", "eventual")];

    let organization = client
        .get_all("/v1.0/organization?$select=id,onPremisesSyncEnabled,onPremisesLastSyncDateTime,verifiedDomains", &[]);
    if let Some(organization) = sections.entity("organization", organization)? {
        let beta =
            client.get_all("/beta/organization?$select=id,onPremisesLastPasswordSyncDateTime,directorySizeQuota", &[]);
        let beta = sections.entity("organization (beta)", beta)?;
        entra.tenant = Some(map::tenant(&organization, beta.as_ref()));
    }

    let domains = client.get_all("/v1.0/domains?$select=id,isVerified,isInitial,authenticationType", &[]);
    entra.domains = sections.page("domains", domains)?.map(|d| d.iter().map(map::domain).collect());

    let sync = client.get_all("/v1.0/directory/onPremisesSynchronization", &[]);
    entra.onprem_sync = sections.entity("onPremisesSynchronization", sync)?.map(|s| map::onprem_sync(&s));

    let members = client.get_all(
        &format!(
            "/v1.0/directoryRoles(roleTemplateId={})/members?$select=id,userPrincipalName,displayName,accountEnabled,createdDateTime,lastPasswordChangeDateTime",
            encode(&format!("'{DIRSYNC_ROLE_TEMPLATE}'"))
        ),
        &[],
    );
    let members = sections.page("sync accounts", members)?;
    entra.sync_accounts = members.as_ref().map(|m| m.iter().map(map::sync_account).collect());

    if let Some(upn) = &config.connector_upn {
        let user = client.get(&format!("/v1.0/users/{}?$select=id,userPrincipalName,accountEnabled", encode(upn)), &[]);
        let user = match user {
            Err(GraphError::Status { status: 404, .. }) => Ok(None),
            other => other.map(Some),
        };
        if let Some(user) = sections.take("connector account", user)? {
            let id = user.as_ref().and_then(|u| u.get("id")).and_then(Value::as_str);
            let user_upn = user.as_ref().and_then(|u| u.get("userPrincipalName")).and_then(Value::as_str);
            let mut account = ConnectorAccount {
                configured_upn: known(upn.clone()),
                exists: known(user.is_some()),
                account_enabled: lift(user.as_ref().and_then(|u| u.get("accountEnabled")).and_then(Value::as_bool)),
                has_dirsync_role: match (&members, &user) {
                    (Some(members), Some(_)) => {
                        known(members.iter().any(|m| map::is_same_principal(m, id, user_upn.unwrap_or(upn))))
                    }
                    (Some(_), None) => known(false),
                    (None, _) => None,
                },
                recent_signin_error_codes: None,
            };
            if config.include_logs {
                let filter = encode(&format!("userPrincipalName eq '{upn}'"));
                let signins = client.get(&format!("/v1.0/auditLogs/signIns?$filter={filter}&$top=50"), &[]);
                if let Some(page) = sections.take("connector sign-ins", signins)? {
                    let entries = page.get("value").and_then(Value::as_array).cloned().unwrap_or_default();
                    account.recent_signin_error_codes = known(map::signin_error_codes(&entries));
                }
            }
            entra.connector_account = Some(account);
        }
    }

    let mut errors = Vec::new();
    let mut errors_ok = true;
    for (collection, kind) in [
        ("users", DirectoryObjectType::User),
        ("groups", DirectoryObjectType::Group),
        ("contacts", DirectoryObjectType::Contact),
    ] {
        let filter = encode("onPremisesProvisioningErrors/any(o:o/category eq 'PropertyConflict')");
        let path = format!(
            "/v1.0/{collection}?$filter={filter}&$count=true&$select=id,displayName,onPremisesProvisioningErrors"
        );
        match sections.page(&format!("provisioning errors ({collection})"), client.get_all(&path, &eventual))? {
            Some(objects) => errors.extend(objects.iter().flat_map(|o| map::provisioning_errors(o, kind))),
            None => errors_ok = false,
        }
    }
    if errors_ok {
        entra.provisioning_errors = Some(errors);
    }

    let filter = encode(&format!("applicationTemplateId eq '{CLOUD_SYNC_APP_TEMPLATE}'"));
    let principals = client.get_all(&format!("/v1.0/servicePrincipals?$filter={filter}&$select=id,displayName"), &[]);
    if let Some(principals) = sections.page("cloud sync configurations", principals)? {
        let mut configs = Vec::new();
        let mut logs = Vec::new();
        let mut complete = true;
        let mut logs_complete = true;
        for principal in &principals {
            let Some(id) = principal.get("id").and_then(Value::as_str) else { continue };
            let jobs = client.get_all(&format!("/beta/servicePrincipals/{}/synchronization/jobs", encode(id)), &[]);
            match sections.page("cloud sync jobs", jobs)? {
                Some(jobs) => {
                    if config.include_logs {
                        for job in &jobs {
                            let Some(job_id) = job.get("id").and_then(Value::as_str) else { continue };
                            let filter = encode(&format!("jobId eq '{job_id}'"));
                            let page =
                                client.get(&format!("/v1.0/auditLogs/provisioning?$filter={filter}&$top=50"), &[]);
                            match sections.take("provisioning logs", page)? {
                                Some(page) => {
                                    let entries =
                                        page.get("value").and_then(Value::as_array).cloned().unwrap_or_default();
                                    logs.extend(entries.iter().map(map::provisioning_log));
                                }
                                None => logs_complete = false,
                            }
                        }
                    }
                    configs.push(map::cloud_sync_config(principal, &jobs));
                }
                None => complete = false,
            }
        }
        let mut cloud_sync = CloudSync { configs: complete.then_some(configs), agents: None };
        if config.include_agents {
            let agents =
                client.get_all("/beta/onPremisesPublishingProfiles/provisioning/agents?$expand=agentGroups", &[]);
            cloud_sync.agents =
                sections.page("provisioning agents", agents)?.map(|a| a.iter().map(map::agent).collect());
        }
        // `[]` means "looked, found none": only when every job and every log page was read.
        if config.include_logs && complete && logs_complete {
            entra.provisioning_logs = Some(logs);
        }
        entra.cloud_sync = Some(cloud_sync);
    }
    Ok(entra)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_has_a_documented_permission() {
        let names = [
            "organization",
            "organization (beta)",
            "domains",
            "onPremisesSynchronization",
            "sync accounts",
            "connector account",
            "connector sign-ins",
            "provisioning errors (users)",
            "provisioning errors (groups)",
            "provisioning errors (contacts)",
            "cloud sync configurations",
            "cloud sync jobs",
            "provisioning logs",
            "provisioning agents",
        ];
        for name in names {
            assert!(forbidden_hint(name).is_some(), "{name}");
        }
        assert!(forbidden_hint("provisioning agents").unwrap().contains("no application permission"));
        assert!(forbidden_hint("cloud sync jobs").unwrap().contains("Synchronization.Read.All"));
        assert!(forbidden_hint("unknown section").is_none());
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("jobId eq 'a b'"), "jobId%20eq%20%27a%20b%27");
        assert_eq!(encode("ann@contoso.com"), "ann%40contoso.com");
    }
}
