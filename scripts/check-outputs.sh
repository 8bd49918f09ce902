#!/usr/bin/env bash
# Runs every shipped config (configs/**: train configs with `train`, sweep configs with
# `sweep`) with two builds of optimbench and checks that they write the same files:
# config.yaml, metrics.csv, trajectory.csv, summary.json, results.csv and sweep.yaml,
# byte for byte once the wall-clock seconds and the version are masked.
#
#   scripts/check-outputs.sh [BASE_REV [NEW_REV]]
#
# BASE_REV defaults to fa26a33 (main before the middle layer was reshaped), NEW_REV to the
# working tree. Each build runs from this checkout's root with this checkout's configs, so
# both see the same files; data comes from ./data (optimbench data get mnist fashion-mnist).
# WORKERS (default 2) sweep workers; REUSE_BASE=1 keeps an earlier run's $OUT/base. OUT (default a temporary folder) keeps the outputs.
# Exit 0 when every file matches, 1 with the list of files that differ.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:-fa26a33}
NEW=${2:-}
WORKERS=${WORKERS:-2}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"

build() { # build REV BIN: the binary of REV ("" = the working tree)
	if [ -z "$1" ]; then
		go build -o "$2" .
		return
	fi
	local wt="$OUT/src-$1"
	rm -rf "$wt"
	git worktree add -q --detach "$wt" "$1"
	(cd "$wt" && go build -o "$2" .)
	git worktree remove --force "$wt"
}

run_all() { # run_all BIN DIR: every shipped config into DIR/<config path>
	local bin=$1 dir=$2 cfg
	rm -rf "$dir"
	for cfg in $(find configs -name '*.yaml' | sort); do
		local out="$dir/${cfg%.yaml}"
		mkdir -p "$(dirname "$out")"
		if grep -q '^base:' "$cfg"; then
			"$bin" sweep -q --config "$cfg" --out "$out" --workers "$WORKERS" >/dev/null 2>"$out.err" || echo "exit $?" >>"$out.err"
		else
			"$bin" train -q --config "$cfg" --out "$out" >/dev/null 2>"$out.err" || echo "exit $?" >>"$out.err"
		fi
	done
}

# normalize FILE: the file with its seconds and version masked, on stdout.
normalize() {
	case "$1" in
	*metrics.csv | *results.csv) # cells may be quoted and hold commas: read them as csv
		python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
c = rows[0].index("seconds") if rows and "seconds" in rows[0] else None
w = csv.writer(sys.stdout, lineterminator="\n")
for i, r in enumerate(rows):
    if c is not None and i > 0 and c < len(r):
        r[c] = "S"
    w.writerow(r)' "$1"
		;;
	*summary.json | *lrfind.json)
		sed -E 's/^( *"(seconds|optimbench_version)": ).*$/\1X/' "$1"
		;;
	*sweep.yaml)
		sed -E 's/^(optimbench_version|config): .*$/\1: X/; s/^(  file): .*$/\1: X/' "$1"
		;;
	*) cat "$1" ;;
	esac
}

echo "building $BASE and ${NEW:-the working tree}" >&2
build "$BASE" "$OUT/ob-base"
build "$NEW" "$OUT/ob-new"
for side in base new; do
	if [ "$side" = base ] && [ -n "${REUSE_BASE:-}" ] && [ -d "$OUT/base" ]; then
		echo "reusing $OUT/base" >&2
		continue
	fi
	echo "running every config with the $side build into $OUT/$side" >&2
	start=$(date +%s)
	run_all "$OUT/ob-$side" "$OUT/$side"
	echo "  $(( $(date +%s) - start )) s" >&2
done

diffs=0 files=0
while IFS= read -r f; do
	rel=${f#"$OUT/base/"}
	files=$((files + 1))
	if [ ! -f "$OUT/new/$rel" ]; then
		echo "missing in new: $rel"
		diffs=$((diffs + 1))
	elif ! cmp -s <(normalize "$f") <(normalize "$OUT/new/$rel"); then
		echo "differs: $rel"
		diffs=$((diffs + 1))
	fi
done < <(find "$OUT/base" -type f \( -name config.yaml -o -name metrics.csv -o -name trajectory.csv \
	-o -name summary.json -o -name results.csv -o -name sweep.yaml -o -name '*.err' \) | sort)
extra=$(cd "$OUT/new" && find . -type f \( -name metrics.csv -o -name summary.json \) | while read -r f; do
	[ -f "$OUT/base/$f" ] || echo "$f"; done)
if [ -n "$extra" ]; then
	echo "only in new:"; echo "$extra"
	diffs=$((diffs + 1))
fi
echo "$files files compared, $diffs differ (outputs in $OUT)"
[ "$diffs" -eq 0 ]
