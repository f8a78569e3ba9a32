# EO-END-2: turn real-time protection on and update the signatures from the ministry's internal source,
# as the controller decided, then read Defender's status again. Sent after readers.ps1, with
# $ParamsB64: realtime (bool), update (bool), update_source (an Update-MpSignature -UpdateSource
# value), file_share (UNC path, used with FileShares).
$ErrorActionPreference = 'Stop'
$P = ConvertFrom-EoParams -Encoded $ParamsB64
$done = @()
$failed = @()
if ($P.realtime) {
    try {
        Set-MpPreference -DisableRealtimeMonitoring $false
        $done += 'turn real-time protection on'
    } catch {
        $failed += [ordered]@{ step = 'turn real-time protection on'; error = $_.Exception.Message }
    }
}
if ($P.update) {
    $step = "update signatures from $($P.update_source)"
    try {
        if ($P.file_share) {
            Set-MpPreference -SignatureDefinitionUpdateFileSharesSources $P.file_share
        }
        Update-MpSignature -UpdateSource $P.update_source
        $done += $step
    } catch {
        $failed += [ordered]@{ step = $step; error = $_.Exception.Message }
    }
}
[ordered]@{
    done = $done
    failed = $failed
    state = [ordered]@{ computer = Get-EoComputer; defender = Get-EoDefender }
} | ConvertTo-Json -Depth 6 -Compress
