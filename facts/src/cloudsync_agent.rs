//! `cloudsync_agent.*` — the Microsoft Entra provisioning agent used by cloud sync
//! (`facts.md` §B.2.8).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::host::DefaultProxy;
use super::nullable::{Nullable, present};

/// The cloud sync provisioning agent on this host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudSyncAgent {
    /// `AADConnectProvisioningAgent.exe` exists.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub installed: Option<Nullable<bool>>,
    /// Installation folder.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub install_path: Option<Nullable<String>>,
    /// Agent version (`ProductVersion`), e.g. `1.1.1586.0`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+){1,3}$"))]
    pub version: Option<Nullable<String>>,
    /// This agent's id, the `id` of its entry in `entra.cloud_sync.agents[]` (lower-case GUID): read
    /// from the agent's client certificate, whose extension `1.3.6.1.4.1.311.82.1` holds the agent
    /// id as 16 bytes (AADInternals, `PTAAgent.ps1` `Set-PTACertificate` and `SyncAgent.ps1`
    /// `Register-SyncAgent`: the App Proxy agent family the provisioning agent belongs to); `null`
    /// when the certificate has no such extension.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))]
    pub agent_id: Option<Nullable<String>>,
    /// Logon account of the agent service (alias of `services.provisioning_agent.logon_account`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub service_account: Option<Nullable<String>>,
    /// Settings from `AADConnectProvisioningAgent.exe.config`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<AgentConfig>,
    /// The agent trace folder exists.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub trace_dir_present: Option<Nullable<bool>>,
    /// Error lines from the newest trace files.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub recent_trace_errors: Option<Nullable<Vec<String>>>,
    /// Error text shown by the registration wizard (offline input); `null` if none.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub registration_error: Option<Nullable<String>>,
}

/// The agent's `.config` file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    /// `configuration/system.net/defaultProxy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_proxy: Option<DefaultProxy>,
}
