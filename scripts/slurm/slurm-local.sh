#!/usr/bin/env bash
# slurm-local.sh — start a throwaway single-node Slurm cluster (Debian 12 / Slurm 22.05)
# (from ../shared/notes/slurm-local.sh; the recipe and its pitfalls are in notes/slurm.md)
# WITHOUT systemd: munged, slurmctld and slurmd are started directly as background
# processes and their PIDs are recorded under $SLURM_LOCAL_DIR/pids/ so that
# slurm-stop.sh can stop exactly those processes (never by name).
#
# Usage (as root):
#   ./slurm-local.sh [--no-install] [--auth munge|none] [--cpus N] [--dir DIR] [--selftest]
#   source "$DIR/env.sh"            # exports SLURM_CONF for sbatch/squeue/scontrol
#   ./slurm-stop.sh [--dir DIR] [--purge]
#
# Environment overrides (flags win):
#   SLURM_LOCAL_DIR      state/config/log dir              (default /tmp/optimbench-slurm)
#   SLURM_LOCAL_CPUS     CPUs advertised for the node      (default: nproc)
#   SLURM_LOCAL_AUTH     munge | none                      (default munge)
#   SLURM_LOCAL_TIMEOUT  seconds allowed for each wait      (default 30)
#   SLURM_LOCAL_CTLD_PORT / SLURM_LOCAL_SLURMD_PORT         (default 6817 / 6818)
#   SLURM_LOCAL_APT_TIMEOUT  seconds allowed for apt-get    (default 600)
#
# Exit codes: 0 ok (started or already running), 1 failure, 2 usage error.
set -euo pipefail

DIR="${SLURM_LOCAL_DIR:-/tmp/optimbench-slurm}"
CPUS="${SLURM_LOCAL_CPUS:-$(nproc)}"
AUTH="${SLURM_LOCAL_AUTH:-munge}"
TIMEOUT="${SLURM_LOCAL_TIMEOUT:-30}"
CTLD_PORT="${SLURM_LOCAL_CTLD_PORT:-6817}"
SLURMD_PORT="${SLURM_LOCAL_SLURMD_PORT:-6818}"
APT_TIMEOUT="${SLURM_LOCAL_APT_TIMEOUT:-600}"
INSTALL=1
SELFTEST=0

while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) INSTALL=0 ;;
    --auth) AUTH="$2"; shift ;;
    --cpus) CPUS="$2"; shift ;;
    --dir) DIR="$2"; shift ;;
    --selftest) SELFTEST=1 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "slurm-local: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
case "$AUTH" in munge|none) ;; *) echo "slurm-local: --auth must be munge or none" >&2; exit 2 ;; esac
case "$DIR" in /*) ;; *) echo "slurm-local: --dir must be absolute" >&2; exit 2 ;; esac
DIR="${DIR%/}"
# refuse to manage (and later wipe) a directory that is not ours
case "$DIR" in ""|/|/etc|/usr|/var|/tmp|/root|/home|/run) echo "slurm-local: refusing --dir $DIR" >&2; exit 2 ;; esac
if [ -d "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ] && [ ! -f "$DIR/.slurm-local" ]; then
  echo "slurm-local: $DIR exists, is not empty and has no .slurm-local marker; refusing" >&2; exit 2
fi

log()  { printf '[slurm-local %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }
now()  { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }

[ "$(id -u)" -eq 0 ] || die "must run as root (slurmd must be able to setuid to job owners)"

PIDS="$DIR/pids"
CONF="$DIR/etc/slurm.conf"
MUNGE_DIR="$DIR/munge"
MUNGE_SOCK="$MUNGE_DIR/munge.socket.2"

# alive NAME -> 0 if the PID recorded in $PIDS/NAME.pid is alive AND is really NAME
alive() {
  local f="$PIDS/$1.pid" p
  [ -s "$f" ] || return 1
  p=$(cat "$f")
  [ -d "/proc/$p" ] || return 1
  [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ]
}

# wait_for SECONDS DESCRIPTION PIDNAME CMD... : poll CMD every 0.1 s, fail early if PIDNAME died
wait_for() {
  local t="$1" what="$2" pname="$3"; shift 3
  local deadline; deadline=$(( $(date +%s) + t ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ -n "$pname" ] && ! alive "$pname"; then
      log "$pname exited while waiting for: $what"; return 1
    fi
    sleep 0.1
  done
  log "timed out after ${t}s waiting for: $what"; return 1
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

show_logs() {
  for f in "$DIR"/log/*.log "$DIR"/log/*.out "$MUNGE_DIR"/munged.log; do
    [ -f "$f" ] || continue
    echo "----- $f (last 15 lines)" >&2; tail -n 15 "$f" >&2
  done
}

# ---------------------------------------------------------------- idempotency
want=(slurmctld slurmd); [ "$AUTH" = munge ] && want=(munged slurmctld slurmd)
all_up=1; any_up=0
for n in "${want[@]}"; do if alive "$n"; then any_up=1; else all_up=0; fi; done
if [ "$all_up" = 1 ] && SLURM_CONF="$CONF" timeout 5 scontrol ping 2>/dev/null | grep -q UP; then
  log "already running (dir $DIR); nothing to do"
  echo "export SLURM_CONF=$CONF"
  exit 0
fi
if [ "$any_up" = 1 ] || ls "$PIDS"/*.pid >/dev/null 2>&1; then
  log "partial/stale cluster found in $DIR; stopping recorded PIDs first"
  "$(dirname "$0")/slurm-stop.sh" --dir "$DIR" || die "could not stop stale daemons"
fi

T_START=$(now)
mkdir -p "$DIR"; touch "$DIR/.slurm-local"
rm -rf "${DIR:?}/log"; mkdir -p "$DIR/log"     # fresh logs per start

# ---------------------------------------------------------------- install
T0=$(now)
need_pkgs=0
for b in /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/sbatch /usr/bin/scontrol; do [ -x "$b" ] || need_pkgs=1; done
[ "$AUTH" = munge ] && { [ -x /usr/sbin/munged ] || need_pkgs=1; }
if [ "$need_pkgs" = 1 ]; then
  [ "$INSTALL" = 1 ] || die "slurm packages missing and --no-install given"
  log "installing slurmctld slurmd slurm-client munge (no recommends)"
  export DEBIAN_FRONTEND=noninteractive
  # DPkg::Lock::Timeout: wait for a concurrent apt/dpkg instead of failing at once.
  # flock /tmp/apt.lock: other scripts on this machine serialise their apt runs on it too;
  # DPkg::Lock::Timeout waits for any other dpkg instead of failing at once.
  timeout "$APT_TIMEOUT" flock /tmp/apt.lock apt-get -o DPkg::Lock::Timeout=300 update -qq \
    || die "apt-get update failed"
  # policy-rc.d (if present) stops postinst from starting services; without it and
  # without systemd, invoke-rc.d may start a *system* munged on /run/munge — harmless
  # here because our munged uses a private socket under $DIR.
  timeout "$APT_TIMEOUT" flock /tmp/apt.lock apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
    --no-install-recommends slurmctld slurmd slurm-client munge >"$DIR/log/apt.log" 2>&1 \
    || { tail -n 30 "$DIR/log/apt.log" >&2; die "apt-get install failed"; }
fi
T_INSTALL=$(secs "$T0" "$(now)")

# ---------------------------------------------------------------- fresh dirs + config
for p in "$CTLD_PORT" "$SLURMD_PORT"; do
  port_busy "$p" && die "port $p already in use (another slurmctld/slurmd?); set SLURM_LOCAL_CTLD_PORT/SLURM_LOCAL_SLURMD_PORT"
done
rm -rf "${DIR:?}/state" "${DIR:?}/etc" "${DIR:?}/munge" "${DIR:?}/pids"
mkdir -p "$DIR/etc" "$DIR/state/ctld" "$DIR/state/d" "$DIR/log" "$PIDS"
chmod 755 "$DIR"          # munged refuses keys/sockets under group/world-writable dirs

if [ "$AUTH" = munge ]; then
  AUTH_LINES="AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCK"
else
  AUTH_LINES="AuthType=auth/none
CredType=cred/none"
fi

cat >"$CONF" <<EOF
# generated by slurm-local.sh — single-node throwaway cluster, no systemd, no cgroups
ClusterName=localci
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
$AUTH_LINES
StateSaveLocation=$DIR/state/ctld
SlurmdSpoolDir=$DIR/state/d
SlurmctldPidFile=$DIR/state/slurmctld.pid
SlurmdPidFile=$DIR/state/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# no cgroups anywhere: plain /proc process tracking, no task binding/containment
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
# batch_sched_delay=0: start freed slots within ~1 s instead of ~3 s per wave
SchedulerParameters=batch_sched_delay=0
# cons_tres + CR_CPU: one CPU per array task, so CPUS tasks run at once (linear = 1 job per node)
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# trust the CPUs= below even if it exceeds the hardware (oversubscribe I/O-bound shards)
SlurmdParameters=config_overrides
MaxArraySize=100001
MaxJobCount=200000
MinJobAge=600
NodeName=localhost CPUs=$CPUS State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
printf 'export SLURM_CONF=%s\n' "$CONF" >"$DIR/env.sh"
export SLURM_CONF="$CONF"

# ---------------------------------------------------------------- munged
T0=$(now)
if [ "$AUTH" = munge ]; then
  mkdir -p "$MUNGE_DIR"
  # private key: 1024 random bytes, owned by munge, mode 0400
  dd if=/dev/urandom of="$MUNGE_DIR/munge.key" bs=1024 count=1 status=none
  chown -R munge:munge "$MUNGE_DIR"; chmod 400 "$MUNGE_DIR/munge.key"
  # socket dir must be o+x for clients ("Socket is inaccessible: execute permissions for all"),
  # and not group/world-writable (key security check)
  chmod 755 "$MUNGE_DIR"
  # setpriv execs (no fork), so $! is munged itself; -F keeps it in the foreground.
  setpriv --reuid=munge --regid=munge --init-groups \
    /usr/sbin/munged -F --socket="$MUNGE_SOCK" --key-file="$MUNGE_DIR/munge.key" \
      --pid-file="$MUNGE_DIR/munged.pid" --log-file="$MUNGE_DIR/munged.log" \
      --seed-file="$MUNGE_DIR/munged.seed" \
    </dev/null >"$DIR/log/munged.out" 2>&1 &
  echo $! >"$PIDS/munged.pid"
  munge_ok() { munge -n -S "$MUNGE_SOCK" | unmunge -S "$MUNGE_SOCK" >/dev/null; }
  wait_for "$TIMEOUT" "munged socket" munged munge_ok || { show_logs; die "munged did not start"; }
fi
T_MUNGE=$(secs "$T0" "$(now)")

# ---------------------------------------------------------------- slurmctld
T0=$(now)
# -D foreground (we background it ourselves), -i ignore missing state files (fresh dir)
/usr/sbin/slurmctld -D -i -f "$CONF" </dev/null >"$DIR/log/slurmctld.out" 2>&1 &
echo $! >"$PIDS/slurmctld.pid"
ctld_up() { scontrol ping | grep -q 'is UP'; }
wait_for "$TIMEOUT" "slurmctld to answer scontrol ping" slurmctld ctld_up || { show_logs; die "slurmctld did not start"; }
T_CTLD=$(secs "$T0" "$(now)")

# ---------------------------------------------------------------- slurmd
T0=$(now)
# -N localhost: node name independent of `hostname` (containers get random hostnames)
/usr/sbin/slurmd -D -N localhost -f "$CONF" </dev/null >"$DIR/log/slurmd.out" 2>&1 &
echo $! >"$PIDS/slurmd.pid"
node_idle() { sinfo -h -n localhost -o %T | grep -qxE '(idle|mixed|allocated)'; }
wait_for "$TIMEOUT" "node localhost to become idle" slurmd node_idle || { show_logs; die "slurmd did not register"; }
T_SLURMD=$(secs "$T0" "$(now)")

T_TOTAL=$(secs "$T_START" "$(now)")
log "cluster up: auth=$AUTH cpus=$CPUS dir=$DIR"
echo "timing install=${T_INSTALL}s munged=${T_MUNGE}s slurmctld=${T_CTLD}s slurmd=${T_SLURMD}s total=${T_TOTAL}s"
echo "export SLURM_CONF=$CONF"

# ---------------------------------------------------------------- optional smoke test
if [ "$SELFTEST" = 1 ]; then
  out="$DIR/selftest"; rm -rf "$out"; mkdir -p "$out"
  T0=$(now)
  jid=$(sbatch --parsable --array=0-3 -o /dev/null -e "$DIR/log/selftest-%A_%a.err" \
        --wrap "echo \$SLURM_ARRAY_TASK_ID \$SLURM_ARRAY_TASK_COUNT > $out/out.\$SLURM_ARRAY_TASK_ID")
  four() { [ "$(ls "$out" | wc -l)" -ge 4 ]; }
  wait_for "$TIMEOUT" "4 array tasks of job $jid" slurmctld four || { show_logs; die "selftest failed"; }
  echo "selftest ok job=$jid array_secs=$(secs "$T0" "$(now)") outputs: $(cat "$out"/out.* | tr '\n' ';')"
fi
