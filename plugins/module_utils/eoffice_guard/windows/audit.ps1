# Reads everything the advisory's Windows controls look at (EO-VPN-1, EO-ID-1, EO-END-1, EO-END-2) in one
# invocation and prints one JSON document; changes nothing. Sent after readers.ps1, with $ParamsB64:
#   winrm_port  the port of the WinRM listener (the adapter carrying the session is the management one)
#   edr         the EDR profile: service, enrolment_key, enrolment_value (empty strings: not audited)
$ErrorActionPreference = 'Stop'
$P = ConvertFrom-EoParams -Encoded $ParamsB64
[ordered]@{
    computer = Get-EoComputer
    adapters = Get-EoAdapters
    management = Get-EoManagementIndexes -Port $P.winrm_port
    vpn_connections = Get-EoVpnConnections
    software = Get-EoInstalledSoftware
    security_policy = Get-EoSecurityPolicy
    defender = Get-EoDefender
    edr = Get-EoEdr -EdrProfile $P.edr
} | ConvertTo-Json -Depth 6 -Compress
