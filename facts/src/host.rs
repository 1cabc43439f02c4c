//! `host.*` — the sync or agent host itself (Windows; `facts.md` §B.2.2).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::nullable::{Nullable, present};

/// The sync or agent host: identity, OS, memory, locale, TLS, .NET, PowerShell, processes, proxy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// NetBIOS computer name (`Win32_ComputerSystem.Name`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub name: Option<Nullable<String>>,
    /// Fully qualified DNS name of the host.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<Nullable<String>>,
    /// The host is joined to an AD domain (`Win32_ComputerSystem.PartOfDomain`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub domain_joined: Option<Nullable<bool>>,
    /// The host is a domain controller (`Win32_ComputerSystem.DomainRole` ≥ 4).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub is_domain_controller: Option<Nullable<bool>>,
    /// Operating system (`Win32_OperatingSystem`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<Os>,
    /// Installed physical memory, in bytes (`Win32_ComputerSystem.TotalPhysicalMemory`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<Nullable<u64>>,
    /// System code pages (registry `…\Control\Nls\CodePage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// SCHANNEL and .NET TLS 1.2 registry settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<Tls>,
    /// Installed .NET Framework 4.x.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dotnet: Option<DotNet>,
    /// Windows PowerShell version and execution policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub powershell: Option<PowerShell>,
    /// Processes that interfere with synchronization or upgrades.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<Processes>,
    /// Proxy configuration seen by .NET (machine.config) and WinHTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

/// Operating system identity (`Win32_OperatingSystem`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Os {
    /// Product name, e.g. `Microsoft Windows Server 2022 Standard`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub caption: Option<Nullable<String>>,
    /// Version string, e.g. `10.0.20348`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub version: Option<Nullable<String>>,
    /// Build number, e.g. `20348`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub build: Option<Nullable<u32>>,
}

/// System code pages (registry `HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Locale {
    /// ANSI code page (`ACP`); 65001 when "Beta: Use Unicode UTF-8" is on.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub acp: Option<Nullable<u32>>,
    /// OEM code page (`OEMCP`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub oemcp: Option<Nullable<u32>>,
    /// "Beta: Use Unicode UTF-8 for worldwide language support" is on (derived: `acp == 65001`).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub utf8_beta: Option<Nullable<bool>>,
}

/// TLS 1.2 client settings; `null` means the registry value is absent (OS default applies).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// SCHANNEL `Protocols\TLS 1.2\Client` `Enabled` ≠ 0; `null` if the value is absent.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub tls12_client_enabled: Option<Nullable<bool>>,
    /// SCHANNEL `Protocols\TLS 1.2\Client` `DisabledByDefault` ≠ 0; `null` if the value is absent.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub tls12_client_disabled_by_default: Option<Nullable<bool>>,
    /// .NET 4 `SchUseStrongCrypto` = 1 (64- and 32-bit keys); `null` if the value is absent.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub dotnet_strong_crypto: Option<Nullable<bool>>,
}

/// Installed .NET Framework 4.x (`HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DotNet {
    /// The `Release` value (≥ 461308 ⇒ 4.7.1 or later).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub release: Option<Nullable<u32>>,
}

/// Windows PowerShell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PowerShell {
    /// `$PSVersionTable.PSVersion`, e.g. `5.1.20348.2652`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub version: Option<Nullable<String>>,
    /// `Get-ExecutionPolicy -List`, one entry per scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_policy: Option<ExecutionPolicies>,
}

/// Execution policy per scope (`Get-ExecutionPolicy -List`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecutionPolicies {
    /// Scope `MachinePolicy` (set by Group Policy).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub machine_policy: Option<Nullable<ExecutionPolicy>>,
    /// Scope `UserPolicy` (set by Group Policy).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub user_policy: Option<Nullable<ExecutionPolicy>>,
    /// Scope `Process`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub process: Option<Nullable<ExecutionPolicy>>,
    /// Scope `CurrentUser`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub current_user: Option<Nullable<ExecutionPolicy>>,
    /// Scope `LocalMachine`.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub local_machine: Option<Nullable<ExecutionPolicy>>,
}

/// A PowerShell execution policy, spelled as PowerShell prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ExecutionPolicy {
    /// No policy set in this scope.
    Undefined,
    /// No scripts run.
    Restricted,
    /// Every script must be signed.
    AllSigned,
    /// Downloaded scripts must be signed.
    RemoteSigned,
    /// Every script runs (downloaded ones with a prompt).
    Unrestricted,
    /// Nothing is blocked, no prompts.
    Bypass,
}

/// Processes whose presence matters to synchronization or auto-upgrade.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Processes {
    /// The Connect wizard (`AzureADConnect.exe`) is running; it suspends the scheduler.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub connect_wizard_running: Option<Nullable<bool>>,
    /// When the running wizard started (RFC 3339, UTC); `null` when it is not running.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub connect_wizard_started_at: Option<Nullable<String>>,
    /// The Synchronization Service Manager UI (`miisclient.exe`) is running; it blocks auto-upgrade.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub sync_manager_ui_running: Option<Nullable<bool>>,
}

/// Proxy configuration on the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proxy {
    /// `configuration/system.net/defaultProxy` in the 64-bit .NET 4 `machine.config` (used by Connect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_config: Option<DefaultProxy>,
    /// `netsh winhttp show proxy` proxy server; `null` for direct access.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub winhttp: Option<Nullable<String>>,
}

/// A .NET `<defaultProxy>` element (in `machine.config` or an application `.config` file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultProxy {
    /// The `<defaultProxy>` element exists.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub present: Option<Nullable<bool>>,
    /// Its `enabled` attribute; `null` when not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Nullable<bool>>,
    /// `<proxy proxyaddress>`; `null` when not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub proxy_address: Option<Nullable<String>>,
    /// `<proxy usesystemdefault>`; `null` when not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub use_system_default: Option<Nullable<bool>>,
    /// `<proxy bypassonlocal>`; `null` when not set.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub bypass_on_local: Option<Nullable<bool>>,
}
