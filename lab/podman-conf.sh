#!/usr/bin/env bash
# Writes the podman settings the lab needs on this kind of machine (idempotent):
# - runc, since crun refuses kernels with hybrid cgroups;
# - default ulimits at or below the host's hard limits (podman may not raise them here: no
#   CAP_SYS_RESOURCE), or every container start fails.
set -euo pipefail
dropin=/etc/containers/containers.conf.d/50-eoffice-lab.conf
want=$(cat <<'CONF'
# Written by eoffice-guard (lab/podman-conf.sh).
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
CONF
)
if [ "$(cat "$dropin" 2>/dev/null)" != "$want" ]; then
  mkdir -p "$(dirname "$dropin")"
  printf '%s\n' "$want" > "$dropin"
  echo "podman: wrote $dropin"
fi
