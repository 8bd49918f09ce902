#!/usr/bin/env bash
# integration-test.sh — optimbench sweep + merge on a real (throwaway, single-node) Slurm.
#
# Starts a local Slurm cluster with slurm-local.sh (installing Debian's slurmctld, slurmd,
# slurm-client and munge if they are missing), builds optimbench, and checks that:
#   1. `optimbench sweep --emit slurm` gives a script that submits the sweep as an array job
#      of 4 shards plus a dependent merge job, and the merged results.csv equals the
#      results.csv of the same sweep run on one machine (the seconds column aside), with the
#      same metrics.csv for every run;
#   2. with two shard files lost, merge fails naming them, and the sbatch line it prints
#      resubmits exactly those shards, after which merge succeeds with the same results;
#   3. a resubmitted array (--array=1,3) without --shard-count is refused by the shards.
# Stops only the daemons it started (their PIDs, checked by slurm-stop.sh) on exit.
#
# Usage (as root, from anywhere): scripts/slurm/integration-test.sh
# Environment: SLURM_LOCAL_DIR (default /tmp/optimbench-slurm-it), GO (default go).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GO=${GO:-go}
export SLURM_LOCAL_DIR=${SLURM_LOCAL_DIR:-/tmp/optimbench-slurm-it}
T0=$(date +%s.%N)
say() { printf '[slurm-it %6.2fs] %s\n' "$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{print b-a}')" "$*"; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "must run as root (slurmd runs the jobs as the submitting user)"

WORK=$(mktemp -d /tmp/optimbench-slurm-it.XXXXXX)
chmod 755 "$WORK"
started=0
cleanup() {
  rc=$?
  if [ "$started" = 1 ]; then "$HERE/slurm-stop.sh" --dir "$SLURM_LOCAL_DIR" >/dev/null 2>&1 || true; fi
  if [ "$rc" != 0 ]; then
    for f in "$WORK"/slurm/logs/*.out "$SLURM_LOCAL_DIR"/log/slurmctld.log; do
      [ -f "$f" ] && { echo "----- $f (last 10 lines)"; tail -n 10 "$f"; }
    done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

# Free ports for this cluster, so that it never meets another one on this machine.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
p=6817
until port_free "$p" && port_free "$((p + 1))"; do p=$((p + 2)); [ "$p" -lt 6999 ] || fail "no free port pair"; done
export SLURM_LOCAL_CTLD_PORT=$p SLURM_LOCAL_SLURMD_PORT=$((p + 1))

started=1
"$HERE/slurm-local.sh" --cpus 4 >/dev/null
# shellcheck disable=SC1091
source "$SLURM_LOCAL_DIR/env.sh"
say "cluster up (ports $p/$((p + 1)))"

(cd "$ROOT" && "$GO" build -o "$WORK/optimbench" .)
BIN="$WORK/optimbench"
say "built optimbench"

CFG="$ROOT/configs/lr-sweep.yaml"
SET=(--set train.epochs=3)
"$BIN" sweep -q --config "$CFG" "${SET[@]}" --out "$WORK/local" --workers 2 >/dev/null
say "one-machine sweep done"

# drop_seconds FILE...: the files, each after its name, without their seconds column
# (no quoted commas in these files); one awk for all, process start-up being slow here.
drop_seconds() {
  awk -F, 'FNR==1{c=0; for(i=1;i<=NF;i++) if($i=="seconds") c=i; print "== " FILENAME}
           {s=""; for(i=1;i<=NF;i++) if(i!=c) s=s (s==""&&i==1?"":",") $i; print s}' "$@"
}
same_results() {   # same_results DIR: results.csv and every metrics.csv equal the local sweep's
  [ -n "$(ls "$WORK/local/runs")" ] || fail "no runs in the local sweep"
  diff <(cd "$WORK/local" && drop_seconds results.csv runs/*/metrics.csv) \
       <(cd "$1" && drop_seconds results.csv runs/*/metrics.csv) >"$WORK/diff" \
    || fail "$1 differs from the one-machine sweep: $(head -c 600 "$WORK/diff")"
}
wait_gone() {   # wait_gone JOBID SECONDS: until the job (every array task) has left the queue
  local deadline=$(( $(date +%s) + $2 ))
  while [ -n "$(squeue -h -j "$1" 2>/dev/null)" ]; do
    if sinfo -h -o '%T' | grep -qE 'drain|down'; then fail "node $(sinfo -h -o '%T %E')"; fi
    [ "$(date +%s)" -lt "$deadline" ] || { scancel "$1"; fail "job $1 still queued after $2 s"; }
    sleep 0.2
  done
}
exit_code() { scontrol show job "$1" -o | grep -o 'ExitCode=[0-9]*:[0-9]*' | head -1 | cut -d= -f2; }

# 1. the emitted script: array job of 4 shards + merge job
OUT="$WORK/slurm"
"$BIN" sweep --config "$CFG" "${SET[@]}" --out "$OUT" --emit slurm --shard-count 4 >"$WORK/submit.sh"
grep -q -- '--array=0-3 ' "$WORK/submit.sh" || fail "emitted script lacks --array=0-3"
[ ! -e "$OUT" ] || fail "--emit created the sweep folder"
msg=$(cd "$WORK" && bash "$WORK/submit.sh")
A=$(sed -n 's/^submitted array job \([0-9]*\) .*/\1/p' <<<"$msg")
M=$(sed -n 's/.* merge job \([0-9]*\);.*/\1/p' <<<"$msg")
{ [ -n "$A" ] && [ -n "$M" ]; } || fail "cannot parse job ids from: $msg"
wait_gone "$M" 90
say "array job $A and merge job $M done"
[ "$(exit_code "$M")" = "0:0" ] || fail "merge job exit code $(exit_code "$M")"
for k in 0 1 2 3; do [ -f "$OUT/shards/shard-$k-of-4.csv" ] || fail "shard $k wrote no file"; done
same_results "$OUT"
say "merged results equal the one-machine sweep"

# 2. lose shards 1 and 3: merge names them and prints the resubmission, which works
for k in 1 3; do   # their runs too, so that the resubmission has work to do
  tail -n +2 "$OUT/shards/shard-$k-of-4.csv" | cut -d, -f1 | while read -r id; do rm -rf "${OUT:?}/runs/$id"; done
  rm "$OUT/shards/shard-$k-of-4.csv"
done
rm "$OUT/results.csv"
set +e
err=$("$BIN" merge "$OUT" 2>&1 >/dev/null); rc=$?
set -e
[ "$rc" = 1 ] || fail "merge with missing shards: exit $rc, want 1 ($err)"
grep -q 'missing shards 1,3 of 4' <<<"$err" || fail "merge did not name shards 1,3: $err"
resubmit=$(sed -n 's/.*resubmit them with: \(sbatch .*\) (Kubernetes.*/\1/p' <<<"$err")
grep -q -- '--array=1,3 ' <<<"$resubmit" || fail "no sbatch --array=1,3 line in: $err"
B=$(cd "$WORK" && eval "$resubmit")
wait_gone "$B" 60
"$BIN" merge -q "$OUT" >/dev/null || fail "merge after resubmitting shards 1,3"
same_results "$OUT"
say "resubmitted shards 1,3 (job $B) and merged again: same results"

# 3. --array=1,3 without the shard count: Slurm's count (2) must not be taken for the sweep's
C=$(sbatch --parsable --array=1,3 -o "$WORK/bad-%a.out" --wrap "$BIN sweep -q --config $CFG --set train.epochs=3 --out $WORK/bad")
wait_gone "$C" 30
grep -q 'pass --shard-count' "$WORK/bad-3.out" || fail "a 1,3 array without --shard-count was not refused: $(cat "$WORK/bad-3.out")"
[ ! -d "$WORK/bad/runs" ] || [ -z "$(ls "$WORK/bad/runs")" ] || fail "the refused shards ran something"
say "PASS"
