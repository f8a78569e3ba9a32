# EO-VPN-1: disable the VPN adapters, remove the VPN connection profiles and (behind the disruption gate)
# uninstall the VPN software the controller decided on, then read the VPN state back. Sent after
# readers.ps1, with $ParamsB64: disable (adapter names), remove (profiles: name, all_users),
# uninstall (MSI product codes), winrm_port. Each step runs on its own: one that fails is reported
# and the others still run, so the answer says exactly what was and was not done.
$ErrorActionPreference = 'Stop'
$P = ConvertFrom-EoParams -Encoded $ParamsB64
$done = @()
$failed = @()
$management = Get-EoManagementIndexes -Port $P.winrm_port
foreach ($name in @($P.disable)) {
    $adapter = Get-NetAdapter -Name $name -IncludeHidden -ErrorAction SilentlyContinue
    if (-not $adapter) { $failed += [ordered]@{ step = "disable adapter $name"; error = 'adapter not found' }; continue }
    if ($management -contains [int]$adapter.ifIndex) {
        $failed += [ordered]@{ step = "disable adapter $name"; error = 'it carries the WinRM session; left up' }
        continue
    }
    try {
        Disable-NetAdapter -Name $name -IncludeHidden -Confirm:$false
        $done += "disable adapter $name"
    } catch {
        $failed += [ordered]@{ step = "disable adapter $name"; error = $_.Exception.Message }
    }
}
foreach ($connection in @($P.remove)) {
    $step = "remove VPN connection $($connection.name)"
    try {
        if ($connection.all_users) {
            Remove-VpnConnection -Name $connection.name -AllUserConnection -Force
            $step = "$step (all users)"
        } else {
            Remove-VpnConnection -Name $connection.name -Force
        }
        $done += $step
    } catch {
        $failed += [ordered]@{ step = $step; error = $_.Exception.Message }
    }
}
foreach ($code in @($P.uninstall)) {
    $step = "uninstall $code"
    try {
        $run = Start-Process -FilePath 'msiexec.exe' -ArgumentList @('/x', $code, '/qn', '/norestart') -Wait -PassThru -NoNewWindow
        if ($run.ExitCode -eq 0 -or $run.ExitCode -eq 3010) { $done += $step }
        else { $failed += [ordered]@{ step = $step; error = "msiexec exited with $($run.ExitCode)" } }
    } catch {
        $failed += [ordered]@{ step = $step; error = $_.Exception.Message }
    }
}
[ordered]@{
    done = $done
    failed = $failed
    state = [ordered]@{ adapters = Get-EoAdapters; management = $management
        vpn_connections = Get-EoVpnConnections; software = Get-EoInstalledSoftware }
} | ConvertTo-Json -Depth 6 -Compress
