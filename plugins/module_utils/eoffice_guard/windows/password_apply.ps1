# EO-ID-1: configure only the [System Access] keys the controller found different, through a security
# template and secedit /configure (the documented tool for local account policy), then export the
# policy again. Sent after readers.ps1, with $ParamsB64: settings (key -> integer value).
$ErrorActionPreference = 'Stop'
$P = ConvertFrom-EoParams -Encoded $ParamsB64
$lines = @('[Unicode]', 'Unicode=yes', '[System Access]')
foreach ($setting in $P.settings.PSObject.Properties) {
    $lines += "$($setting.Name) = $([int]$setting.Value)"
}
$lines += @('[Version]', 'signature="$CHICAGO$"', 'Revision=1')
$template = New-TemporaryFile
$database = New-TemporaryFile
$done = @()
$failed = @()
try {
    Set-Content -Path $template.FullName -Value ($lines -join "`r`n") -Encoding Unicode
    # A fresh database each time: secedit applies exactly the keys of this template, nothing else.
    Remove-Item -Path $database.FullName -Force
    secedit.exe /configure /db $database.FullName /cfg $template.FullName /areas securitypolicy /quiet | Out-Null
    if ($LASTEXITCODE -eq 0) { $done += 'secedit /configure' }
    else { $failed += [ordered]@{ step = 'secedit /configure'; error = "secedit exited with $LASTEXITCODE" } }
} catch {
    $failed += [ordered]@{ step = 'secedit /configure'; error = $_.Exception.Message }
} finally {
    Remove-Item -Path $template.FullName -Force -ErrorAction SilentlyContinue
    Remove-Item -Path $database.FullName -Force -ErrorAction SilentlyContinue
}
[ordered]@{
    done = $done
    failed = $failed
    state = [ordered]@{ computer = Get-EoComputer; security_policy = Get-EoSecurityPolicy }
} | ConvertTo-Json -Depth 6 -Compress
