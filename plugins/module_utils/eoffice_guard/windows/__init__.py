"""Windows endpoints over WinRM: the client (``client``), the PowerShell it sends (``*.ps1`` beside it) and
one module per advisory control that turns what a host reports into the changes it needs."""
