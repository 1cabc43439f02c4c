<#
.SYNOPSIS
    syncdoctor standalone collector for a Microsoft Entra Connect Sync / cloud sync agent host.

.DESCRIPTION
    Runs, with nothing but Windows PowerShell 5.1, the same read-only commands the syncdoctor
    `windows.*` probes run (services, the ADSync module, registry values, execution policy, user
    rights, the event log), and writes their outputs to one JSON bundle. Copy the bundle to any
    machine with syncdoctor and turn it into a snapshot with the very same parsers:

        # collect.yaml
        import:
          windows_bundle: [SYNC01-bundle.json]

        syncdoctor collect --probe import --config collect.yaml -o snapshot.json
        syncdoctor diagnose snapshot.json

    Nothing is changed on the server. Run it elevated (secedit and some registry keys need it).

.PARAMETER OutFile
    Where to write the bundle (default: .\<COMPUTERNAME>-bundle.json).

.EXAMPLE
    powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\collect.ps1 -OutFile C:\Temp\SYNC01-bundle.json
#>
[CmdletBinding()]
param(
    [string] $OutFile = (Join-Path (Get-Location) ("{0}-bundle.json" -f $env:COMPUTERNAME))
)

Set-StrictMode -Off
$ProgressPreference = 'SilentlyContinue'

# Each command prints JSON (or text) on its own. Keys and scripts are the syncdoctor command
# specs (probes/src/windows/mod.rs), verbatim: a test fails when the two differ.
$commands = [ordered]@{
    'services' = @'
$names = 'ADSync','AADConnectProvisioningAgent','AADConnectAgentUpdater','FIMSynchronizationService','MSSQL$MOSONLINE','MSOnlineSyncScheduler'; ConvertTo-Json -Depth 2 -InputObject @(Get-CimInstance -ClassName Win32_Service | Where-Object { $names -contains $_.Name } | Select-Object Name,DisplayName,State,StartMode,StartName,ExitCode,ServiceSpecificExitCode)
'@
    'sc_qc.ADSync' = @'
sc.exe qc ADSync 5000 | Out-String
'@
    'sc_qc.AADConnectProvisioningAgent' = @'
sc.exe qc AADConnectProvisioningAgent 5000 | Out-String
'@
    'scheduler' = @'
Import-Module ADSync -ErrorAction Stop; Get-ADSyncScheduler | ConvertTo-Json -Depth 3
'@
    'global_settings' = @'
Import-Module ADSync -ErrorAction Stop; $wanted = 'Microsoft.Synchronize.StagingMode','Microsoft.Synchronize.ServerConfigurationVersion','Microsoft.OptionalFeature.AutoUpgradeState'; ConvertTo-Json -InputObject @((Get-ADSyncGlobalSettings).Parameters | Where-Object { $wanted -contains $_.Name } | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Value = "$($_.Value)" } })
'@
    'auto_upgrade' = @'
Import-Module ADSync -ErrorAction Stop; ConvertTo-Json -InputObject ([pscustomobject]@{ State = "$(Get-ADSyncAutoUpgrade)"; Detail = "$(Get-ADSyncAutoUpgrade -Detail | Out-String)".Trim() })
'@
    'running_connector' = @'
Import-Module ADSync -ErrorAction Stop; ConvertTo-Json -InputObject @(Get-ADSyncConnectorRunStatus | ForEach-Object { [pscustomobject]@{ ConnectorName = $_.ConnectorName; RunState = "$($_.RunState)" } })
'@
    'connectors' = @'
Import-Module ADSync -ErrorAction Stop; function P($c, $n) { ($c.ConnectivityParameters | Where-Object { $_.Name -eq $n } | Select-Object -First 1).Value }; ConvertTo-Json -Depth 5 -InputObject @(Get-ADSyncConnector | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Identifier = "$($_.Identifier)"; ConnectorTypeName = $_.ConnectorTypeName; Subtype = $_.Subtype; LastModificationTime = $_.LastModificationTime.ToUniversalTime().ToString('o'); ForestLoginUser = P $_ 'forest-login-user'; ForestLoginDomain = P $_ 'forest-login-domain'; UserName = P $_ 'UserName'; Partitions = @($_.Partitions | ForEach-Object { [pscustomobject]@{ DN = $_.DN; Selected = $_.Selected; Inclusions = @($_.ConnectorPartitionScope.ContainerInclusionList); Exclusions = @($_.ConnectorPartitionScope.ContainerExclusionList) } }) } })
'@
    'entra_connector_credential' = @'
Import-Module ADSync -ErrorAction Stop; if (Get-Command Get-ADSyncEntraConnectorCredential -ErrorAction SilentlyContinue) { $c = Get-ADSyncEntraConnectorCredential; ConvertTo-Json -InputObject ([pscustomobject]@{ Available = $true; ConnectorIdentityType = "$($c.ConnectorIdentityType)" }) } else { ConvertTo-Json -InputObject ([pscustomobject]@{ Available = $false; ConnectorIdentityType = $null }) }
'@
    'runs' = @'
Import-Module ADSync -ErrorAction Stop; ConvertTo-Json -Depth 4 -InputObject @(Get-ADSyncRunProfileResult -NumberRequested 200 | ForEach-Object { [pscustomobject]@{ ConnectorName = $_.ConnectorName; RunProfileName = $_.RunProfileName; RunNumber = $_.RunNumber; Result = $_.Result; IsRunComplete = $_.IsRunComplete; StartDate = $_.StartDate.ToUniversalTime().ToString('o'); EndDate = $_.EndDate.ToUniversalTime().ToString('o'); Steps = @($_.RunStepResults | ForEach-Object { [pscustomobject]@{ StepResult = $_.StepResult; Type = "$($_.StepDefinition.Type)"; ImportErrors = @($_.ConnectorDiscoveryErrors).Count; SyncErrors = @($_.SyncErrors.SyncError).Count; ExportErrors = @($_.ConnectorCountersErrors).Count } }) } })
'@
    'dirsync_runs' = @'
ConvertTo-Json -Depth 3 -InputObject @(Get-CimInstance -Namespace root\MicrosoftIdentityIntegrationServer -ClassName MIIS_RunHistory -ErrorAction Stop | Sort-Object RunStartTime -Descending | Select-Object -First 200 | ForEach-Object { [pscustomobject]@{ ConnectorName = $_.MaName; RunProfileName = $_.RunProfile; RunNumber = $_.RunNumber; Result = $_.RunStatus; IsRunComplete = ($_.RunStatus -ne 'in-progress'); StartDate = ([datetime]::SpecifyKind([datetime]$_.RunStartTime, 'Utc')).ToString('o'); EndDate = $(if ($_.RunEndTime) { ([datetime]::SpecifyKind([datetime]$_.RunEndTime, 'Utc')).ToString('o') } else { $null }); Steps = @() } })
'@
    'computer' = @'
$cs = Get-CimInstance -ClassName Win32_ComputerSystem; $os = Get-CimInstance -ClassName Win32_OperatingSystem; ConvertTo-Json -InputObject ([pscustomobject]@{ Name = $cs.Name; Domain = $cs.Domain; PartOfDomain = $cs.PartOfDomain; DomainRole = $cs.DomainRole; TotalPhysicalMemory = $cs.TotalPhysicalMemory; Caption = $os.Caption; Version = $os.Version; BuildNumber = $os.BuildNumber; PSVersion = "$($PSVersionTable.PSVersion)" })
'@
    'registry' = @'
function V($path, $name) { try { (Get-ItemProperty -Path $path -Name $name -ErrorAction Stop).$name } catch { $null } }; $tls = 'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client'; $adsync = 'HKLM:\SYSTEM\CurrentControlSet\Services\ADSync\Parameters'; ConvertTo-Json -InputObject ([pscustomobject]@{ ACP = V 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' 'ACP'; OEMCP = V 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' 'OEMCP'; Tls12ClientEnabled = V $tls 'Enabled'; Tls12ClientDisabledByDefault = V $tls 'DisabledByDefault'; SchUseStrongCrypto = V 'HKLM:\SOFTWARE\Microsoft\.NETFramework\v4.0.30319' 'SchUseStrongCrypto'; DotNetRelease = V 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' 'Release'; ADSyncServer = V $adsync 'Server'; ADSyncSQLInstance = V $adsync 'SQLInstance'; ADSyncDBName = V $adsync 'DBName' })
'@
    'execution_policy' = @'
ConvertTo-Json -InputObject @(Get-ExecutionPolicy -List | ForEach-Object { [pscustomobject]@{ Scope = "$($_.Scope)"; ExecutionPolicy = "$($_.ExecutionPolicy)" } })
'@
    'user_rights' = @'
$file = Join-Path $env:TEMP ('syncdoctor-' + [guid]::NewGuid() + '.inf'); secedit.exe /export /areas USER_RIGHTS /cfg $file /quiet | Out-Null; try { Get-Content -Path $file -Raw } finally { Remove-Item -Path $file -ErrorAction SilentlyContinue }
'@
    'eventlog' = @'
$since = (Get-Date).AddDays(-7); $queries = @(@{ LogName = 'Application'; ProviderName = 'ADSync','Directory Synchronization','Microsoft Entra Connect Upgrade','Azure AD Connect Upgrade','SQLLocalDB 15.0'; StartTime = $since }, @{ LogName = 'System'; ProviderName = 'Service Control Manager'; Id = 7000,7036,7038,7041; StartTime = $since }); ConvertTo-Json -InputObject @($queries | ForEach-Object { Get-WinEvent -FilterHashtable $_ -MaxEvents 500 -ErrorAction SilentlyContinue } | ForEach-Object { [pscustomobject]@{ LogName = $_.LogName; ProviderName = $_.ProviderName; Id = $_.Id; Level = $_.Level; TimeCreated = $_.TimeCreated.ToUniversalTime().ToString('o'); RecordId = $_.RecordId; Message = "$($_.Message)" } })
'@
}

$outputs = [ordered]@{}
foreach ($key in $commands.Keys) {
    $script = "`$ErrorActionPreference = 'Stop'; " + $commands[$key]
    $record = [ordered]@{ stdout = ''; exit_code = 0; error = $null }
    try {
        $global:LASTEXITCODE = 0
        $text = & ([scriptblock]::Create($script)) 2>&1 | ForEach-Object {
            if ($_ -is [System.Management.Automation.ErrorRecord]) { throw $_ } else { $_ }
        } | Out-String
        $record.stdout = $text
        if ($LASTEXITCODE -ne 0 -and $key -notlike 'sc_qc.*') { $record.exit_code = $LASTEXITCODE }
    } catch {
        $record.exit_code = 1
        $record.error = "$($_.Exception.Message)"
    }
    $outputs[$key] = $record
    Write-Verbose ("{0}: exit {1}" -f $key, $record.exit_code)
}

$bundle = [ordered]@{
    format         = 'syncdoctor-windows-bundle'
    format_version = 1
    host           = $env:COMPUTERNAME
    collected_at   = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
    collector      = 'collect.ps1 1.0'
    outputs        = $outputs
}
$json = ConvertTo-Json -InputObject $bundle -Depth 4
[System.IO.File]::WriteAllText($OutFile, $json, (New-Object System.Text.UTF8Encoding $false))
Write-Host "syncdoctor bundle written to $OutFile"
