#!/usr/bin/env bash
# `npm run test:loaded`: runs `npm test` while CPU-bound processes (two by default, HOGS=n for
# another count) compete for the cores, as on a shared CI machine. The hogs are killed however the
# run ends (success, failure, Ctrl-C); the exit status is npm test's.
set -u
hogs=()
cleanup() {
  if ((${#hogs[@]} > 0)); then kill "${hogs[@]}" 2>/dev/null; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for ((i = 0; i < ${HOGS:-2}; i++)); do
  node -e 'for (;;) {}' &
  hogs+=($!)
done
echo "test:loaded: ${#hogs[@]} CPU hogs (pids ${hogs[*]}); load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
npm test "$@"
