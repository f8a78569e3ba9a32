# Readers shared by every script the project sends (the client puts this file in front of the script):
# each returns one control's state as plain data for ConvertTo-Json. They change nothing.

function Get-EoAdapters {
    $found = @()
    foreach ($a in @(Get-NetAdapter -IncludeHidden)) {
        $found += [ordered]@{
            name = [string]$a.Name; description = [string]$a.InterfaceDescription
            driver = [string]$a.DriverDescription; index = [int]$a.ifIndex
            status = [string]$a.Status; admin_status = [string]$a.AdminStatus
        }
    }
    return ,$found
}

# The adapters that carry established WinRM sessions: never disabled, whatever their description says.
function Get-EoManagementIndexes {
    param($Port)
    $indexes = @()
    foreach ($c in @(Get-NetTCPConnection -LocalPort $Port -State Established -ErrorAction SilentlyContinue)) {
        foreach ($ip in @(Get-NetIPAddress -IPAddress $c.LocalAddress -ErrorAction SilentlyContinue)) {
            $indexes += [int]$ip.InterfaceIndex
        }
    }
    return ,$indexes
}

function Get-EoVpnConnections {
    $found = @()
    foreach ($v in @(Get-VpnConnection -ErrorAction SilentlyContinue)) {
        $found += [ordered]@{ name = [string]$v.Name; server = [string]$v.ServerAddress
            tunnel = [string]$v.TunnelType; status = [string]$v.ConnectionStatus; all_users = $false }
    }
    foreach ($v in @(Get-VpnConnection -AllUserConnection -ErrorAction SilentlyContinue)) {
        $found += [ordered]@{ name = [string]$v.Name; server = [string]$v.ServerAddress
            tunnel = [string]$v.TunnelType; status = [string]$v.ConnectionStatus; all_users = $true }
    }
    return ,$found
}

function Get-EoInstalledSoftware {
    $found = @()
    $roots = @('HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*',
               'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*')
    foreach ($root in $roots) {
        foreach ($k in @(Get-ItemProperty -Path $root -ErrorAction SilentlyContinue)) {
            if ($k.DisplayName) {
                $found += [ordered]@{ key = [string]$k.PSChildName; name = [string]$k.DisplayName
                    version = [string]$k.DisplayVersion; publisher = [string]$k.Publisher
                    msi = ([int]$k.WindowsInstaller -eq 1) }
            }
        }
    }
    return ,$found
}

# secedit is the documented way to read the effective local account policy; the INF text goes back as lines.
function Get-EoSecurityPolicy {
    $file = New-TemporaryFile
    try {
        secedit.exe /export /cfg $file.FullName /areas securitypolicy /quiet | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "secedit /export exited with $LASTEXITCODE" }
        $lines = @(Get-Content -Path $file.FullName)
    } finally {
        Remove-Item -Path $file.FullName -Force -ErrorAction SilentlyContinue
    }
    return ,$lines
}

function Get-EoDefender {
    $s = Get-MpComputerStatus
    $updated = ''
    if ($s.AntivirusSignatureLastUpdated) { $updated = $s.AntivirusSignatureLastUpdated.ToUniversalTime().ToString('o') }
    return [ordered]@{ realtime = [bool]$s.RealTimeProtectionEnabled; antivirus = [bool]$s.AntivirusEnabled
        service = [bool]$s.AMServiceEnabled; signature_version = [string]$s.AntivirusSignatureVersion
        signature_updated = $updated; signature_age_days = [int]$s.AntivirusSignatureAge }
}

function Get-EoEdr {
    param($EdrProfile)
    $result = [ordered]@{ service = $null; enrolled = $false; enrolment_value = '' }
    if (-not $EdrProfile.service) { return $result }
    $svc = Get-Service -Name $EdrProfile.service -ErrorAction SilentlyContinue
    if ($svc) { $result.service = [ordered]@{ status = [string]$svc.Status; start_type = [string]$svc.StartType } }
    if ($EdrProfile.enrolment_key) {
        $mark = Get-ItemProperty -Path $EdrProfile.enrolment_key -Name $EdrProfile.enrolment_value -ErrorAction SilentlyContinue
        if ($mark) {
            $value = [string]$mark.($EdrProfile.enrolment_value)
            # Agents mark enrolment with an ID or a state flag: empty and 0 both mean not enrolled.
            $result.enrolled = ($value.Length -gt 0 -and $value -ne '0')
        }
    }
    return $result
}

function Get-EoComputer {
    $computer = Get-CimInstance -ClassName Win32_ComputerSystem
    return [ordered]@{ name = [string]$computer.Name; part_of_domain = [bool]$computer.PartOfDomain
        domain = [string]$computer.Domain; manufacturer = [string]$computer.Manufacturer
        model = [string]$computer.Model; now = (Get-Date).ToUniversalTime().ToString('o') }
}

function ConvertFrom-EoParams {
    param($Encoded)
    return [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Encoded)) | ConvertFrom-Json
}
