//! The `windows.*` probes: what only the sync or agent host itself can tell — services, the
//! ADSync PowerShell module, registry values, execution policy, user rights, the event log.
//!
//! Each probe is a list of [`CommandSpec`]s (a PowerShell script that prints JSON or text) and
//! [`parse`] functions over their output. On Windows the probe runs the scripts with
//! `powershell.exe`; elsewhere it is `skipped`. `probes/windows/collect.ps1` runs the very same
//! scripts with nothing but Windows PowerShell 5.1 and writes a [`Bundle`] of their outputs,
//! which the `import` probe (`import.windows_bundle`) turns into facts with the same parsers.
//!
//! | probe | facts |
//! |---|---|
//! | `windows.services` | `services.<key>.{present,name,display_name,state,start_mode,logon_account,logon_account_kind,win32_exit_code,service_exit_code}` |
//! | `windows.connect` | `connect.{installed,scheduler,global_settings,auto_upgrade,running_connector,connectors[],runs[]}`; on a DirSync host `dirsync.runs[]` (WMI `MIIS_RunHistory`) |
//! | `windows.host` | `host.{name,fqdn,domain_joined,is_domain_controller,os,memory_bytes,locale,tls,dotnet,powershell}`, `connect.database` |
//! | `windows.user_rights` | `user_rights.se_*` (secedit export) |
//! | `windows.eventlog` | `eventlog.{window_hours,queried,events}` (last 7 days) |

pub mod parse;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ProbeError;
use crate::facts::Facts;
use crate::facts::Known;
use crate::facts::connect::{Connect, ConnectorKind};
use crate::facts::dirsync::DirSync;
use crate::facts::eventlog::{EventLog, EventQuery, LogName};
use crate::facts::host::{Host, PowerShell};
use crate::facts::services::Services;
use crate::facts::{known, lift};
use crate::probe::{FactTree, Probe, ProbeContext, fact_tree};

/// The commands of the Connect area, by output key.
const CONNECT_COMMANDS: &[&str] = &[
    "scheduler",
    "global_settings",
    "auto_upgrade",
    "running_connector",
    "connectors",
    "entra_connector_credential",
    "runs",
];

/// The DirSync run history (the FIM synchronization service's WMI provider), read by the Connect area:
/// a DirSync host has no ADSync module.
const DIRSYNC_RUNS: &str = "dirsync_runs";

/// One command a Windows probe runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    /// Key of its output in a bundle, e.g. `services`.
    pub key: &'static str,
    /// The PowerShell script (Windows PowerShell 5.1 compatible).
    pub script: &'static str,
}

/// `sc qc` services read as a fallback when CIM is unavailable.
pub const SC_QC_SERVICES: [&str; 2] = ["ADSync", "AADConnectProvisioningAgent"];

/// Every command, in the order `collect.ps1` runs them.
pub const COMMANDS: [CommandSpec; 15] = [
    CommandSpec {
        key: "services",
        script: r#"$names = 'ADSync','AADConnectProvisioningAgent','AADConnectAgentUpdater','FIMSynchronizationService','MSSQL$MOSONLINE','MSOnlineSyncScheduler'; ConvertTo-Json -Depth 2 -InputObject @(Get-CimInstance -ClassName Win32_Service | Where-Object { $names -contains $_.Name } | Select-Object Name,DisplayName,State,StartMode,StartName,ExitCode,ServiceSpecificExitCode)"#,
    },
    CommandSpec { key: "sc_qc.ADSync", script: r#"sc.exe qc ADSync 5000 | Out-String"# },
    CommandSpec {
        key: "sc_qc.AADConnectProvisioningAgent",
        script: r#"sc.exe qc AADConnectProvisioningAgent 5000 | Out-String"#,
    },
    CommandSpec {
        key: "scheduler",
        script: r#"Import-Module ADSync -ErrorAction Stop; Get-ADSyncScheduler | ConvertTo-Json -Depth 3"#,
    },
    CommandSpec {
        key: "global_settings",
        script: r#"Import-Module ADSync -ErrorAction Stop; $wanted = 'Microsoft.Synchronize.StagingMode','Microsoft.Synchronize.ServerConfigurationVersion','Microsoft.OptionalFeature.AutoUpgradeState'; ConvertTo-Json -InputObject @((Get-ADSyncGlobalSettings).Parameters | Where-Object { $wanted -contains $_.Name } | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Value = "$($_.Value)" } })"#,
    },
    CommandSpec {
        key: "auto_upgrade",
        script: r#"Import-Module ADSync -ErrorAction Stop; ConvertTo-Json -InputObject ([pscustomobject]@{ State = "$(Get-ADSyncAutoUpgrade)"; Detail = "$(Get-ADSyncAutoUpgrade -Detail | Out-String)".Trim() })"#,
    },
    CommandSpec {
        key: "running_connector",
        script: r#"Import-Module ADSync -ErrorAction Stop; ConvertTo-Json -InputObject @(Get-ADSyncConnectorRunStatus | ForEach-Object { [pscustomobject]@{ ConnectorName = $_.ConnectorName; RunState = "$($_.RunState)" } })"#,
    },
    CommandSpec {
        key: "connectors",
        script: r#"Import-Module ADSync -ErrorAction Stop; function P($c, $n) { ($c.ConnectivityParameters | Where-Object { $_.Name -eq $n } | Select-Object -First 1).Value }; ConvertTo-Json -Depth 5 -InputObject @(Get-ADSyncConnector | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Identifier = "$($_.Identifier)"; ConnectorTypeName = $_.ConnectorTypeName; Subtype = $_.Subtype; LastModificationTime = $_.LastModificationTime.ToUniversalTime().ToString('o'); ForestLoginUser = P $_ 'forest-login-user'; ForestLoginDomain = P $_ 'forest-login-domain'; UserName = P $_ 'UserName'; Partitions = @($_.Partitions | ForEach-Object { [pscustomobject]@{ DN = $_.DN; Selected = $_.Selected; Inclusions = @($_.ConnectorPartitionScope.ContainerInclusionList); Exclusions = @($_.ConnectorPartitionScope.ContainerExclusionList) } }) } })"#,
    },
    CommandSpec {
        key: "entra_connector_credential",
        script: r#"Import-Module ADSync -ErrorAction Stop; if (Get-Command Get-ADSyncEntraConnectorCredential -ErrorAction SilentlyContinue) { $c = Get-ADSyncEntraConnectorCredential; ConvertTo-Json -InputObject ([pscustomobject]@{ Available = $true; ConnectorIdentityType = "$($c.ConnectorIdentityType)" }) } else { ConvertTo-Json -InputObject ([pscustomobject]@{ Available = $false; ConnectorIdentityType = $null }) }"#,
    },
    CommandSpec {
        key: "runs",
        script: r#"Import-Module ADSync -ErrorAction Stop; ConvertTo-Json -Depth 4 -InputObject @(Get-ADSyncRunProfileResult -NumberRequested 200 | ForEach-Object { [pscustomobject]@{ ConnectorName = $_.ConnectorName; RunProfileName = $_.RunProfileName; RunNumber = $_.RunNumber; Result = $_.Result; IsRunComplete = $_.IsRunComplete; StartDate = $_.StartDate.ToUniversalTime().ToString('o'); EndDate = $_.EndDate.ToUniversalTime().ToString('o'); Steps = @($_.RunStepResults | ForEach-Object { [pscustomobject]@{ StepResult = $_.StepResult; Type = "$($_.StepDefinition.Type)"; ImportErrors = @($_.ConnectorDiscoveryErrors).Count; SyncErrors = @($_.SyncErrors.SyncError).Count; ExportErrors = @($_.ConnectorCountersErrors).Count } }) } })"#,
    },
    CommandSpec {
        key: "dirsync_runs",
        script: r#"ConvertTo-Json -Depth 3 -InputObject @(Get-CimInstance -Namespace root\MicrosoftIdentityIntegrationServer -ClassName MIIS_RunHistory -ErrorAction Stop | Sort-Object RunStartTime -Descending | Select-Object -First 200 | ForEach-Object { [pscustomobject]@{ ConnectorName = $_.MaName; RunProfileName = $_.RunProfile; RunNumber = $_.RunNumber; Result = $_.RunStatus; IsRunComplete = ($_.RunStatus -ne 'in-progress'); StartDate = ([datetime]::SpecifyKind([datetime]$_.RunStartTime, 'Utc')).ToString('o'); EndDate = $(if ($_.RunEndTime) { ([datetime]::SpecifyKind([datetime]$_.RunEndTime, 'Utc')).ToString('o') } else { $null }); Steps = @() } })"#,
    },
    CommandSpec {
        key: "computer",
        script: r#"$cs = Get-CimInstance -ClassName Win32_ComputerSystem; $os = Get-CimInstance -ClassName Win32_OperatingSystem; ConvertTo-Json -InputObject ([pscustomobject]@{ Name = $cs.Name; Domain = $cs.Domain; PartOfDomain = $cs.PartOfDomain; DomainRole = $cs.DomainRole; TotalPhysicalMemory = $cs.TotalPhysicalMemory; Caption = $os.Caption; Version = $os.Version; BuildNumber = $os.BuildNumber; PSVersion = "$($PSVersionTable.PSVersion)" })"#,
    },
    CommandSpec {
        key: "registry",
        script: r#"function V($path, $name) { try { (Get-ItemProperty -Path $path -Name $name -ErrorAction Stop).$name } catch { $null } }; $tls = 'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client'; $adsync = 'HKLM:\SYSTEM\CurrentControlSet\Services\ADSync\Parameters'; ConvertTo-Json -InputObject ([pscustomobject]@{ ACP = V 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' 'ACP'; OEMCP = V 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' 'OEMCP'; Tls12ClientEnabled = V $tls 'Enabled'; Tls12ClientDisabledByDefault = V $tls 'DisabledByDefault'; SchUseStrongCrypto = V 'HKLM:\SOFTWARE\Microsoft\.NETFramework\v4.0.30319' 'SchUseStrongCrypto'; DotNetRelease = V 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' 'Release'; ADSyncServer = V $adsync 'Server'; ADSyncSQLInstance = V $adsync 'SQLInstance'; ADSyncDBName = V $adsync 'DBName' })"#,
    },
    CommandSpec {
        key: "execution_policy",
        script: r#"ConvertTo-Json -InputObject @(Get-ExecutionPolicy -List | ForEach-Object { [pscustomobject]@{ Scope = "$($_.Scope)"; ExecutionPolicy = "$($_.ExecutionPolicy)" } })"#,
    },
    CommandSpec {
        key: "user_rights",
        script: r#"$file = Join-Path $env:TEMP ('syncdoctor-' + [guid]::NewGuid() + '.inf'); secedit.exe /export /areas USER_RIGHTS /cfg $file /quiet | Out-Null; try { Get-Content -Path $file -Raw } finally { Remove-Item -Path $file -ErrorAction SilentlyContinue }"#,
    },
];

/// The event log query (`windows.eventlog`), kept apart because of its length.
pub const EVENTLOG: CommandSpec = CommandSpec {
    key: "eventlog",
    script: r#"$since = (Get-Date).AddDays(-7); $queries = @(@{ LogName = 'Application'; ProviderName = 'ADSync','Directory Synchronization','Microsoft Entra Connect Upgrade','Azure AD Connect Upgrade','SQLLocalDB 15.0'; StartTime = $since }, @{ LogName = 'System'; ProviderName = 'Service Control Manager'; Id = 7000,7036,7038,7041; StartTime = $since }); ConvertTo-Json -InputObject @($queries | ForEach-Object { Get-WinEvent -FilterHashtable $_ -MaxEvents 500 -ErrorAction SilentlyContinue } | ForEach-Object { [pscustomobject]@{ LogName = $_.LogName; ProviderName = $_.ProviderName; Id = $_.Id; Level = $_.Level; TimeCreated = $_.TimeCreated.ToUniversalTime().ToString('o'); RecordId = $_.RecordId; Message = "$($_.Message)" } })"#,
};

/// What the event log query reads (`eventlog.queried`), matching [`EVENTLOG`].
#[must_use]
pub fn eventlog_queries() -> Vec<EventQuery> {
    let application = [
        "ADSync",
        "Directory Synchronization",
        "Microsoft Entra Connect Upgrade",
        "Azure AD Connect Upgrade",
        "SQLLocalDB 15.0",
    ];
    let mut queried: Vec<EventQuery> = application
        .iter()
        .map(|p| EventQuery {
            log: known(LogName::Application),
            provider: known((*p).to_owned()),
            ids: known(Vec::new()),
        })
        .collect();
    queried.push(EventQuery {
        log: known(LogName::System),
        provider: known("Service Control Manager".into()),
        ids: known(vec![7000, 7036, 7038, 7041]),
    });
    queried
}

/// What one command printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandOutput {
    /// Standard output.
    #[serde(default)]
    pub stdout: String,
    /// Exit code (`0` success).
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// Error message (standard error, or the exception `collect.ps1` caught).
    #[serde(default)]
    pub error: Option<String>,
}

impl CommandOutput {
    fn ok(&self) -> bool {
        self.exit_code.unwrap_or(0) == 0 && self.error.as_deref().is_none_or(str::is_empty)
    }

    fn reason(&self) -> String {
        let error = self.error.clone().unwrap_or_default();
        let first = error.lines().next().unwrap_or_default().trim().to_owned();
        match self.exit_code {
            Some(code) if code != 0 => format!("exit code {code}: {first}"),
            _ => first,
        }
    }

    /// The ADSync module (or one of its cmdlets) is not there: not a Connect server.
    fn module_missing(&self) -> bool {
        let error = self.error.as_deref().unwrap_or_default();
        error.contains("is not recognized") || error.contains("was not loaded because no valid module file")
    }
}

/// What `probes/windows/collect.ps1` writes: every command's output, keyed by [`CommandSpec::key`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// Always `syncdoctor-windows-bundle`.
    pub format: String,
    /// Format version (1).
    pub format_version: u32,
    /// Computer name.
    #[serde(default)]
    pub host: Option<String>,
    /// When it was collected (RFC 3339).
    #[serde(default)]
    pub collected_at: Option<String>,
    /// Outputs by command key.
    pub outputs: BTreeMap<String, CommandOutput>,
}

/// The bundle format name.
pub const BUNDLE_FORMAT: &str = "syncdoctor-windows-bundle";

impl Bundle {
    /// Parses a bundle (UTF-8, with or without BOM).
    ///
    /// # Errors
    ///
    /// Not JSON, or not a bundle of a version this code reads.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bundle: Self =
            serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| format!("not a bundle: {e}"))?;
        if bundle.format != BUNDLE_FORMAT || bundle.format_version != 1 {
            return Err(format!(
                "not a {BUNDLE_FORMAT} version 1 (format {} version {})",
                bundle.format, bundle.format_version
            ));
        }
        Ok(bundle)
    }
}

/// Which facts a probe assembles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// `windows.services`.
    Services,
    /// `windows.connect`.
    Connect,
    /// `windows.host`.
    Host,
    /// `windows.user_rights`.
    UserRights,
    /// `windows.eventlog`.
    EventLog,
}

impl Area {
    /// Every area, in registry order.
    pub const ALL: [Self; 5] = [Self::Services, Self::Connect, Self::Host, Self::UserRights, Self::EventLog];

    /// The probe id.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::Services => "windows.services",
            Self::Connect => "windows.connect",
            Self::Host => "windows.host",
            Self::UserRights => "windows.user_rights",
            Self::EventLog => "windows.eventlog",
        }
    }

    /// The commands this area runs.
    #[must_use]
    pub fn commands(self) -> Vec<CommandSpec> {
        let keys: &[&str] = match self {
            Self::Services => &["services", "sc_qc.ADSync", "sc_qc.AADConnectProvisioningAgent"],
            Self::Connect => {
                return COMMANDS
                    .iter()
                    .filter(|c| CONNECT_COMMANDS.contains(&c.key) || c.key == DIRSYNC_RUNS)
                    .copied()
                    .collect();
            }
            Self::Host => &["computer", "registry", "execution_policy"],
            Self::UserRights => &["user_rights"],
            Self::EventLog => return vec![EVENTLOG],
        };
        COMMANDS.iter().filter(|c| keys.contains(&c.key)).copied().collect()
    }
}

/// Outputs by command key.
pub type Outputs = BTreeMap<String, CommandOutput>;

/// Facts of one area from command outputs, and the problems met (failed or unreadable commands).
#[must_use]
pub fn assemble(area: Area, outputs: &Outputs, host: Option<&str>) -> (Facts, Vec<String>) {
    let mut facts = Facts::default();
    let mut problems = Vec::new();
    let mut parsed = |key: &str| -> Option<Value> {
        let output = outputs.get(key)?;
        if !output.ok() {
            return None;
        }
        match parse::json(&output.stdout) {
            Ok(value) => Some(value),
            Err(e) => {
                problems.push(format!("{key}: {e}"));
                None
            }
        }
    };
    match area {
        Area::Services => {
            let from_cim = parsed("services").map(|v| parse::services_from_cim(&v, host));
            let mut services: BTreeMap<&str, crate::facts::services::Service> = from_cim.clone().unwrap_or_default();
            if from_cim.is_none() {
                for name in SC_QC_SERVICES {
                    let key = parse::SERVICE_NAMES.iter().find(|(_, n)| *n == name).map(|(k, _)| *k);
                    let output = outputs.get(&format!("sc_qc.{name}"));
                    if let (Some(key), Some(output)) = (key, output)
                        && let Ok(service) = parse::service_from_sc_qc(&output.stdout, host)
                    {
                        services.insert(key, service);
                    }
                }
            }
            if services.is_empty() {
                problems.push(failure(outputs, "services"));
            } else {
                let mut typed = Services::default();
                for (key, service) in services {
                    let slot = match key {
                        "adsync" => &mut typed.adsync,
                        "provisioning_agent" => &mut typed.provisioning_agent,
                        "agent_updater" => &mut typed.agent_updater,
                        "fim_sync" => &mut typed.fim_sync,
                        "mssql_mosonline" => &mut typed.mssql_mosonline,
                        _ => &mut typed.dirsync_scheduler,
                    };
                    *slot = Some(service);
                }
                facts.services = Some(typed);
            }
        }
        Area::Connect => {
            let keys = CONNECT_COMMANDS;
            let present: Vec<&CommandOutput> = keys.iter().filter_map(|k| outputs.get(*k)).collect();
            if !present.is_empty() && present.iter().all(|o| o.module_missing()) {
                facts.connect = Some(Connect { installed: known(false), ..Connect::default() });
                // No ADSync module: a DirSync host keeps its run history in the FIM service's WMI provider.
                if let Some(v) = parsed(DIRSYNC_RUNS) {
                    facts.dirsync = Some(DirSync { runs: Some(parse::runs(&v, &BTreeMap::new())) });
                }
                return (facts, problems);
            }
            let mut connect = Connect {
                scheduler: parsed("scheduler").map(|v| parse::scheduler(&v)),
                global_settings: parsed("global_settings").map(|v| parse::global_settings(&v)),
                auto_upgrade: parsed("auto_upgrade").map(|v| parse::auto_upgrade(&v)),
                running_connector: parsed("running_connector").map(|v| parse::running_connector(&v)),
                connectors: parsed("connectors").map(|v| parse::connectors(&v)),
                entra_connector_identity: parsed("entra_connector_credential")
                    .map(|v| parse::entra_connector_identity(&v)),
                ..Connect::default()
            };
            let kinds: BTreeMap<String, ConnectorKind> = connect
                .connectors
                .iter()
                .flatten()
                .filter_map(|c| Some((c.name.clone().into_known()?, c.kind.into_known()?)))
                .collect();
            connect.runs = parsed("runs").map(|v| parse::runs(&v, &kinds));
            if connect.scheduler.is_some() || connect.connectors.is_some() {
                connect.installed = known(true);
            }
            for &key in keys {
                if outputs.get(key).is_some_and(|o| !o.ok()) {
                    problems.push(failure(outputs, key));
                }
            }
            if connect != Connect::default() {
                facts.connect = Some(connect);
            }
        }
        Area::Host => {
            let mut host_facts = Host::default();
            if let Some(value) = parsed("computer") {
                let (computer, ps_version) = parse::computer(&value);
                host_facts = computer;
                host_facts.powershell = Some(PowerShell { version: lift(ps_version), execution_policy: None });
            }
            if let Some(value) = parsed("registry") {
                let (locale, tls, dotnet) = parse::registry(&value);
                host_facts.locale = Some(locale);
                host_facts.tls = Some(tls);
                host_facts.dotnet = Some(dotnet);
                if let Some(database) = parse::database(&value) {
                    facts.connect = Some(Connect { database: Some(database), ..Connect::default() });
                }
            }
            if let Some(output) = outputs.get("execution_policy").filter(|o| o.ok()) {
                match parse::execution_policies(&output.stdout) {
                    Ok(policies) => {
                        host_facts.powershell.get_or_insert_with(PowerShell::default).execution_policy = Some(policies);
                    }
                    Err(e) => problems.push(format!("execution_policy: {e}")),
                }
            }
            for key in ["computer", "registry", "execution_policy"] {
                if outputs.get(key).is_some_and(|o| !o.ok()) {
                    problems.push(failure(outputs, key));
                }
            }
            if host_facts != Host::default() {
                facts.host = Some(host_facts);
            }
        }
        Area::UserRights => match outputs.get("user_rights").filter(|o| o.ok()) {
            Some(output) => match parse::user_rights(&output.stdout) {
                Ok(rights) => facts.user_rights = Some(rights),
                Err(e) => problems.push(format!("user_rights: {e}")),
            },
            None => problems.push(failure(outputs, "user_rights")),
        },
        Area::EventLog => match parsed("eventlog") {
            Some(value) => {
                facts.eventlog = Some(EventLog {
                    window_hours: known(7 * 24),
                    queried: Some(eventlog_queries()),
                    events: Some(parse::events(&value)),
                });
            }
            None => problems.push(failure(outputs, "eventlog")),
        },
    }
    (facts, problems)
}

fn failure(outputs: &Outputs, key: &str) -> String {
    match outputs.get(key) {
        Some(output) if !output.ok() => format!("{key}: {}", output.reason()),
        Some(_) => format!("{key}: unreadable output"),
        None => format!("{key}: not in the output"),
    }
}

/// Facts and problems as a probe result: `ok`, `partial`, or `failed` when nothing was read.
///
/// # Errors
///
/// [`ProbeError::Partial`] or [`ProbeError::Other`].
pub fn conclude(facts: &Facts, problems: Vec<String>) -> Result<FactTree, ProbeError> {
    let tree = fact_tree(facts)?;
    match (problems.is_empty(), tree.is_empty()) {
        (true, _) => Ok(tree),
        (false, false) => Err(ProbeError::Partial { facts: Box::new(tree), reason: problems.join("; ") }),
        (false, true) => Err(ProbeError::Other(problems.join("; "))),
    }
}

/// One Windows probe.
#[derive(Debug, Clone, Copy)]
pub struct WindowsProbe {
    area: Area,
}

impl WindowsProbe {
    /// The probe of one area.
    #[must_use]
    pub fn new(area: Area) -> Self {
        Self { area }
    }
}

/// Runs one command with Windows PowerShell.
fn run_powershell(spec: &CommandSpec, timeout: Duration) -> CommandOutput {
    let script = format!(
        "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; [Console]::OutputEncoding = [Text.Encoding]::UTF8; {}",
        spec.script
    );
    let mut command = Command::new("powershell.exe");
    command.args(["-NoLogo", "-NoProfile", "-NonInteractive", "-Command", &script]);
    match crate::process::run(&mut command, timeout, 64 * 1024 * 1024) {
        Ok(finished) => CommandOutput {
            stdout: String::from_utf8_lossy(&finished.stdout).into_owned(),
            exit_code: finished.code,
            error: Some(String::from_utf8_lossy(&finished.stderr).trim().to_owned()).filter(|e| !e.is_empty()),
        },
        Err(e) => CommandOutput { stdout: String::new(), exit_code: None, error: Some(e.to_string()) },
    }
}

impl Probe for WindowsProbe {
    fn id(&self) -> &str {
        self.area.id()
    }

    fn kind(&self) -> &str {
        "command"
    }

    fn provides(&self) -> &[&str] {
        match self.area {
            Area::Services => &["services"],
            Area::Connect => &["connect", "dirsync"],
            Area::Host => &["host", "connect.database"],
            Area::UserRights => &["user_rights"],
            Area::EventLog => &["eventlog"],
        }
    }

    fn collect(&self, cx: &ProbeContext) -> Result<FactTree, ProbeError> {
        if !cfg!(windows) {
            return Err(ProbeError::Unsupported(
                "needs the Windows sync host (PowerShell, registry, SCM); run probes/windows/collect.ps1 there and import its bundle (import.windows_bundle)".into(),
            ));
        }
        let commands = self.area.commands();
        let each = cx.timeout / u32::try_from(commands.len().max(1)).unwrap_or(1);
        let outputs: Outputs = commands.iter().map(|spec| (spec.key.to_owned(), run_powershell(spec, each))).collect();
        let host = std::env::var("COMPUTERNAME").ok();
        let (facts, problems) = assemble(self.area, &outputs, host.as_deref());
        conclude(&facts, problems)
    }
}
