#!/usr/bin/env bash
# slurm-stop.sh — stop the cluster started by slurm-local.sh.
# Only the PIDs recorded in $DIR/pids/*.pid are signalled, and only after checking
# that /proc/PID/comm still names the expected daemon (guards against PID reuse).
# Never uses pkill/killall.
#
# Usage: ./slurm-stop.sh [--dir DIR] [--purge] [--timeout SECS]
#   --purge   also delete $DIR (config, state, logs)
set -uo pipefail

DIR="${SLURM_LOCAL_DIR:-/tmp/optimbench-slurm}"
TIMEOUT="${SLURM_LOCAL_TIMEOUT:-30}"
PURGE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR="$2"; shift ;;
    --purge) PURGE=1 ;;
    --timeout) TIMEOUT="$2"; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "slurm-stop: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
PIDS="$DIR/pids"
CONF="$DIR/etc/slurm.conf"
log() { printf '[slurm-stop %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

pid_of() {   # prints the PID for NAME if recorded, alive and really NAME
  local f="$PIDS/$1.pid" p
  [ -s "$f" ] || return 1
  p=$(cat "$f")
  [ -d "/proc/$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && echo "$p"
}

# 1. cancel jobs of *this* cluster so slurmd's slurmstepd children finish cleanly
if pid_of slurmctld >/dev/null && [ -f "$CONF" ]; then
  export SLURM_CONF="$CONF"
  timeout 10 scancel --quiet --partition=debug 2>/dev/null || true
  deadline=$(( $(date +%s) + TIMEOUT ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ -z "$(timeout 5 squeue -h -t RUNNING,COMPLETING 2>/dev/null)" ] && break
    sleep 0.2
  done
fi

# 2. stop daemons: slurmd+slurmctld together (each takes ~1-2 s to exit), then munged.
#    TERM, wait up to TIMEOUT, then KILL.
rc=0
stop_group() {
  local name p pids=()
  for name in "$@"; do
    if p=$(pid_of "$name"); then
      log "stopping $name (pid $p)"; kill -TERM "$p" 2>/dev/null || true; pids+=("$name:$p")
    fi
  done
  local deadline=$(( $(date +%s) + TIMEOUT )) e
  for e in "${pids[@]}"; do
    name=${e%%:*}; p=${e##*:}
    while [ -d "/proc/$p" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    if [ -d "/proc/$p" ]; then
      log "$name (pid $p) ignored SIGTERM for ${TIMEOUT}s; sending SIGKILL"
      kill -KILL "$p" 2>/dev/null || true; sleep 0.5
      [ -d "/proc/$p" ] && { log "$name (pid $p) still alive"; rc=1; }
    fi
  done
  for name in "$@"; do rm -f "$PIDS/$name.pid"; done
}
stop_group slurmd slurmctld
stop_group munged

# 3. report (do not kill) any leftover job step daemons — they are not ours to kill by name
left=$(ps -eo pid=,comm= | awk '$2=="slurmstepd"{print $1}' | tr '\n' ' ')
[ -n "$left" ] && log "note: slurmstepd processes still present: $left"

if [ "$PURGE" = 1 ] && [ "$rc" = 0 ]; then
  if [ -f "$DIR/.slurm-local" ]; then rm -rf "${DIR:?}"; log "purged $DIR"
  else log "not purging $DIR: no .slurm-local marker"; fi
fi
exit "$rc"
