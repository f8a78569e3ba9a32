#!/usr/bin/env bash
# pytest and every Molecule scenario, side by side: each uses resources of its own (free or fixed ports
# of its own, its own container names and podman network), so they do not meet. Each runner writes its
# own log under .cache/test-logs/; the logs are printed in full when all have ended, pytest's last, and
# the exit status is non-zero when any runner failed. STREAMS Molecule streams run next to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
STREAMS=${EOFFICE_TEST_STREAMS:-2}
LOGS=.cache/test-logs
rm -rf "$LOGS" && mkdir -p "$LOGS"
read -r -a scenarios <<<"${SCENARIOS:?the Makefile passes the scenario list}"

molecule_stream() {  # scenarios n, n+STREAMS, ... one after the other; the first failure ends the stream
  local i
  for ((i = $1; i < ${#scenarios[@]}; i += STREAMS)); do
    echo "== molecule test -s ${scenarios[i]}"
    # molecule probes for a `default` scenario and logs its absence as CRITICAL; we have none on purpose
    molecule test -s "${scenarios[i]}" 2>&1 | grep -v "molecule/default/molecule.yml' glob failed" || return 1
  done
}

declare -A pids
.venv/bin/python -m pytest >"$LOGS/pytest.log" 2>&1 &
pids[pytest]=$!
for ((s = 0; s < STREAMS; s++)); do
  molecule_stream "$s" >"$LOGS/molecule-$s.log" 2>&1 &
  pids[molecule-$s]=$!
done

failed=()
for name in "${!pids[@]}"; do
  wait "${pids[$name]}" || failed+=("$name")
done
for log in "$LOGS"/molecule-*.log "$LOGS/pytest.log"; do
  echo "======== $(basename "$log" .log)"
  cat "$log"
done
if ((${#failed[@]})); then
  echo "make test: failed: ${failed[*]} (logs in $LOGS/)"
  exit 1
fi
