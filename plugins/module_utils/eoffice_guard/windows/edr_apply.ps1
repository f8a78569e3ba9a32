# EO-END-1: install the EDR agent from the ministry's internal share with its enrolment properties, make
# its service automatic and start it, as the controller decided; then read the agent's state again.
# Sent after readers.ps1, with $ParamsB64: install (bool), msi (path), properties (PROP=value strings),
# set_automatic (bool), start (bool), edr (the profile: service, enrolment_key, enrolment_value).
$ErrorActionPreference = 'Stop'
$P = ConvertFrom-EoParams -Encoded $ParamsB64
$done = @()
$failed = @()
if ($P.install) {
    try {
        $arguments = @('/i', $P.msi, '/qn', '/norestart') + @($P.properties)
        $run = Start-Process -FilePath 'msiexec.exe' -ArgumentList $arguments -Wait -PassThru -NoNewWindow
        if ($run.ExitCode -eq 0 -or $run.ExitCode -eq 3010) { $done += 'install the agent' }
        else { $failed += [ordered]@{ step = 'install the agent'; error = "msiexec exited with $($run.ExitCode)" } }
    } catch {
        $failed += [ordered]@{ step = 'install the agent'; error = $_.Exception.Message }
    }
}
if ($P.set_automatic -and $failed.Count -eq 0) {
    try {
        Set-Service -Name $P.edr.service -StartupType Automatic
        $done += 'set the agent service to start automatically'
    } catch {
        $failed += [ordered]@{ step = 'set the agent service to start automatically'; error = $_.Exception.Message }
    }
}
if ($P.start -and $failed.Count -eq 0) {
    try {
        Start-Service -Name $P.edr.service
        $done += 'start the agent service'
    } catch {
        $failed += [ordered]@{ step = 'start the agent service'; error = $_.Exception.Message }
    }
}
[ordered]@{
    done = $done
    failed = $failed
    state = [ordered]@{ software = Get-EoInstalledSoftware; edr = Get-EoEdr -EdrProfile $P.edr }
} | ConvertTo-Json -Depth 6 -Compress
