#!/usr/bin/env bash
# Reproduce the lecture's claims (docs/results.md) from the shipped configs in configs/lecture/:
# build optimbench, fetch the data, run every experiment into results/lecture/<claim>/, draw the
# figures into docs/results/ and print the numbers the report quotes (also written to
# results/lecture/<claim>/numbers.txt).
#
#   scripts/reproduce.sh          # all eight claims, then the modern-optimizer comparison
#   scripts/reproduce.sh 3 5      # only claims 3 and 5 (make reproduce CLAIM=3)
#   scripts/reproduce.sh modern   # only the comparison of configs/zoo/modern.yaml
#
# Environment: WORKERS (sweep runs in parallel, default 2), OUT (default results/lecture),
# FIG (default docs/results). Each claim starts from an empty results/lecture/<claim>/, so every
# number comes from this run.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${OUT:-results/lecture}
FIG=${FIG:-docs/results}
WORKERS=${WORKERS:-2}
CFG=configs/lecture
OB=./optimbench

claims=("$@")
if [ ${#claims[@]} -eq 0 ]; then
	claims=(1 2 3 4 5 6 7 8 modern)
fi
for c in "${claims[@]}"; do
	case $c in
	[1-8] | modern) ;;
	*)
		echo "reproduce.sh: unknown claim $c (want 1 to 8 or modern)" >&2
		exit 2
		;;
	esac
done

log() { printf '\n== %s\n' "$*" >&2; }

# --- helpers reading what optimbench wrote ---------------------------------------------------

# col NAME FILE: column NAME of the last row of a csv file without quoted cells (metrics.csv,
# trajectory.csv).
col() {
	awk -F, -v k="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) c = i; next } { v = $c } END { print v }' "$2"
}

# first_below NAME LIMIT FILE: the first column (epoch of metrics.csv, step of trajectory.csv)
# of the first row whose NAME is below LIMIT, or "never".
first_below() {
	awk -F, -v k="$1" -v lim="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) c = i; next }
		$c != "" && $c + 0 < lim + 0 { print $1; found = 1; exit }
		END { if (!found) print "never" }' "$3"
}

# yget KEY FILE: a value of config.yaml by its dotted path (two or three levels).
yget() {
	awk -v key="$1" '
		{ match($0, /^ */); depth = RLENGTH / 2; line = substr($0, RLENGTH + 1)
		  k = line; sub(/:.*/, "", k); v = line; sub(/^[^:]*: ?/, "", v)
		  path[depth] = k; p = path[0]; for (i = 1; i <= depth; i++) p = p "." path[i]
		  if (p == key) { print v; exit } }' "$2"
}

# jget KEY FILE: a top-level number or string of summary.json.
jget() {
	sed -n "s/^  \"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$2" | head -1
}

# stats: mean and sample standard deviation of the numbers on stdin, as "mean ± std".
stats() {
	awk '{ s += $1; q += $1 * $1; n++ } END { m = s / n; sd = (n > 1) ? sqrt((q - n * m * m) / (n - 1)) : 0; if (sd != sd) sd = 0; printf "%.4g ± %.2g", m, sd }'
}

# run_sweep ARGS...: optimbench sweep on $WORKERS workers, with its progress on stderr (a line
# per finished run: "[done/total] run status loss accuracy seconds").
run_sweep() {
	$OB sweep "$@" --workers "$WORKERS" >/dev/null
}

# fresh DIR: an empty folder for a claim's results.
fresh() {
	rm -rf "$1"
	mkdir -p "$1"
}

# --- build and data ---------------------------------------------------------------------------

log "build"
go build -o optimbench .
mkdir -p "$FIG" "$OUT"

need_mnist=false
need_fashion=false
for c in "${claims[@]}"; do
	case $c in
	1 | 5 | modern) need_mnist=true ;;
	4 | 7) need_fashion=true ;;
	esac
done
if $need_mnist; then $OB data get mnist; fi
if $need_fashion; then $OB data get fashion-mnist; fi

# --- the claims -------------------------------------------------------------------------------

claim1() {
	local d=$OUT/1
	fresh "$d"
	log "claim 1: GD versus minibatch SGD on MNIST softmax regression"
	# One process per run, one after the other, so that seconds and peak memory are each run's own.
	local spec name bs lr
	for spec in "gd full 0.5" "sgd-128 128 0.1" "sgd-32 32 0.1"; do
		read -r name bs lr <<<"$spec"
		/usr/bin/time -f '%M' -o "$d/$name.maxrss" \
			$OB train -q -c $CFG/1-gd-vs-sgd.yaml --set name="$name" --set train.batch_size="$bs" \
			--set optimizer.lr="$lr" --out "$d/runs/$name" >/dev/null
	done
	$OB plot "$d/runs" --metric train_loss --out "$FIG/1-loss-epochs.png" \
		--title "MNIST softmax regression: training loss by epoch (GD lr 0.5, SGD lr 0.1)"
	$OB plot "$d/runs" --metric train_loss --x seconds --out "$FIG/1-loss-seconds.png" \
		--title "MNIST softmax regression: training loss against wall-clock time"
	{
		echo "claim 1: method, updates, final train loss, final test acc, seconds (10 epochs), seconds to train loss < 0.35, peak RSS MB"
		for name in gd sgd-128 sgd-32; do
			local m=$d/runs/$name/metrics.csv
			local t35
			t35=$(awk -F, 'NR > 1 && $6 < 0.35 { print $10; f = 1; exit } END { if (!f) print "never" }' "$m")
			printf '%s\tsteps=%s\ttrain_loss=%.4f\ttest_acc=%.4f\tseconds=%.1f\tt(loss<0.35)=%s\tpeak_rss_mb=%.0f\n' \
				"$name" "$(col step "$m")" "$(col train_loss "$m")" "$(col test_acc "$m")" "$(col seconds "$m")" \
				"$t35" "$(awk '{ print $1 / 1024 }' "$d/$name.maxrss")"
		done
	} | tee "$d/numbers.txt"
}

claim2() {
	local d=$OUT/2
	fresh "$d"
	log "claim 2: momentum and Nesterov versus SGD; the NAG quiz"
	local p spec name
	for p in quadratic rosenbrock; do
		for spec in sgd "momentum --set optimizer.name=momentum --set optimizer.momentum=0.9" \
			"nesterov --set optimizer.name=nesterov --set optimizer.momentum=0.9"; do
			name=${spec%% *}
			# shellcheck disable=SC2086 # spec holds the method's overrides
			$OB train -q -c $CFG/2-momentum-$p.yaml --set name=$spec --out "$d/$p/$name" >/dev/null
		done
	done
	$OB plot "$d"/quadratic/* --x step --logy --out "$FIG/2-quadratic-loss.png" \
		--title "Quadratic ½(x² + 50y²), lr 0.025, μ 0.9: loss by step"
	$OB plot "$d"/quadratic/* --kind trajectory --out "$FIG/2-quadratic-paths.png" \
		--title "Quadratic ½(x² + 50y²): paths from (1, 1)"
	$OB plot "$d"/rosenbrock/* --x step --logy --out "$FIG/2-rosenbrock-loss.png" \
		--title "Rosenbrock, lr 0.001, μ 0.9: loss by step"
	$OB plot "$d"/rosenbrock/* --kind trajectory --out "$FIG/2-rosenbrock-paths.png" \
		--title "Rosenbrock: paths from (−1.5, 2)"
	# The lecture's NAG quiz, answered in code: its update follows nesterov's trajectory.
	go test -count=1 -v -run 'TestLectureNAGQuiz' ./internal/optim >"$d/nag-quiz.txt"
	{
		echo "claim 2: method, final loss, first step with loss < 1e-6 (quadratic) / < 1e-3 (rosenbrock), end point"
		for p in quadratic rosenbrock; do
			local lim=1e-6
			[ $p = rosenbrock ] && lim=1e-3
			for name in sgd momentum nesterov; do
				local tr=$d/$p/$name/trajectory.csv
				printf '%s\t%s\tloss=%.3g\tfirst_step_below_%s=%s\tend=(%.4g, %.4g)\n' "$p" "$name" \
					"$(col loss "$tr")" "$lim" "$(first_below loss $lim "$tr")" "$(col x1 "$tr")" "$(col x2 "$tr")"
			done
		done
		grep -E 'largest relative gap|^(ok|FAIL|---)' "$d/nag-quiz.txt" | sed 's/^ *//'
	} | tee "$d/numbers.txt"
}

claim3() {
	local d=$OUT/3
	fresh "$d"
	log "claim 3: learning-rate sensitivity"
	run_sweep -c $CFG/3-lr-sensitivity.yaml --out "$d/sweep"
	$OB plot "$d/sweep" --kind sensitivity --x optimizer.lr --metric final_train_loss --logy \
		--out "$FIG/3-sensitivity.png" \
		--title "Least squares, SGD batch 32: final training loss (20 epochs, 3 seeds)"
	$OB plot "$d"/sweep/runs/lr{0.0001,0.001,0.01,0.1,1,3}-s1-* --group optimizer.lr --metric train_loss --logy \
		--out "$FIG/3-curves.png" --title "Least squares, SGD batch 32: training loss by epoch (seed 1; × = diverged)"
	{
		echo "claim 3: lr, runs diverged of 3, final train loss mean ± std over the finished seeds (epoch of divergence)"
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
			{ lr = $h["optimizer.lr"]; if (!(lr in seen)) { order[++n] = lr; seen[lr] = 1 }
			  if ($h["status"] == "diverged") { div[lr]++; ep[lr] = ep[lr] " " $h["epochs"] }
			  else { s[lr] += $h["final_train_loss"]; q[lr] += $h["final_train_loss"]^2; c[lr]++ } }
			END { for (i = 1; i <= n; i++) { lr = order[i]; m = c[lr] ? s[lr] / c[lr] : 0
			        sd = c[lr] > 1 ? sqrt((q[lr] - c[lr] * m * m) / (c[lr] - 1)) : 0; if (sd != sd) sd = 0
			        printf "lr=%s\tdiverged=%d/3%s\tfinal_train_loss=%s\n", lr, div[lr], (div[lr] ? " (stopped at epochs" ep[lr] ")" : ""),
			          (c[lr] ? sprintf("%.4g ± %.2g", m, sd) : "—") } }' "$d/sweep/results.csv"
	} | tee "$d/numbers.txt"
}

claim4() {
	local d=$OUT/4
	fresh "$d"
	log "claim 4: learning-rate schedules on Fashion-MNIST"
	run_sweep -c $CFG/4-schedules.yaml --out "$d/sweep"
	# The schedule preview reads the runs' own config.yaml, renamed after their schedule for the legend.
	mkdir -p "$d/preview"
	local r lr
	for r in "$d"/sweep/runs/lr0.1-*; do
		sed "s/^name: .*/name: $(yget schedule.name "$r/config.yaml")/" "$r/config.yaml" \
			>"$d/preview/$(yget schedule.name "$r/config.yaml").yaml"
	done
	$OB plot "$d"/preview/*.yaml --kind schedule --out "$FIG/4-schedules-lr.png" \
		--title "The seven schedules over 30 epochs (lr₀ = 0.1; ÷10 for lr₀ = 0.01)"
	for lr in 0.01 0.1; do
		$OB plot "$d"/sweep/runs/lr"$lr"-* --group schedule.name --metric test_acc --out "$FIG/4-schedules-acc-lr$lr.png" \
			--title "Fashion-MNIST MLP, momentum 0.9, lr₀ = $lr: test accuracy (3 seeds)"
	done
	{
		echo "claim 4: lr₀, schedule, final test acc (epoch 30), best test acc, final train loss (mean ± std over 3 seeds), last lr"
		local lr name runs
		for lr in 0.01 0.1; do
			for name in constant time exponential step triangular cosine sgdr; do
				runs=()
				for r in "$d"/sweep/runs/*; do
					[ "$(yget optimizer.lr "$r/config.yaml")" = "$lr" ] && [ "$(yget schedule.name "$r/config.yaml")" = "$name" ] && runs+=("$r")
				done
				printf 'lr0=%s\t%s\tfinal_test_acc=%s\tbest_test_acc=%s\ttrain_loss=%s\tlast_lr=%.3g\n' "$lr" "$name" \
					"$(for r in "${runs[@]}"; do col test_acc "$r/metrics.csv"; done | stats)" \
					"$(for r in "${runs[@]}"; do best test_acc max "$r/metrics.csv"; done | stats)" \
					"$(for r in "${runs[@]}"; do col train_loss "$r/metrics.csv"; done | stats)" \
					"$(col lr "${runs[0]}/metrics.csv")"
			done | sort -t= -k3 -r
		done
	} | tee "$d/numbers.txt"
}

claim5() {
	local d=$OUT/5
	fresh "$d"
	local part
	for part in logreg mlp; do
		log "claim 5: adaptive methods, $part"
		run_sweep -c $CFG/5-adaptive-$part.yaml --out "$d/$part"
	done
	$OB plot "$d/logreg" --group optimizer.name --metric train_loss --logy=false --out "$FIG/5-logreg.png" \
		--title "MNIST logistic regression (cf. Kingma & Ba Fig. 1): training loss, 3 seeds"
	$OB plot "$d/mlp" --group optimizer.name --metric train_loss --logy --out "$FIG/5-mlp.png" \
		--title "MNIST 784-1000-1000-10 MLP, 60,000 images: training loss (2 seeds)"
	{
		echo "claim 5: part, method, final train loss mean ± std over the seeds (logreg 3, mlp 2), final test acc mean ± std"
		for part in logreg mlp; do
			local name
			for name in nesterov adagrad rmsprop adadelta adam adamax nadam; do
				local runs=() r
				for r in "$d/$part"/runs/*; do
					[ "$(yget optimizer.name "$r/config.yaml")" = "$name" ] && runs+=("$r")
				done
				printf '%s\t%s\ttrain_loss=%s\ttest_acc=%s\n' "$part" "$name" \
					"$(for r in "${runs[@]}"; do col train_loss "$r/metrics.csv"; done | stats)" \
					"$(for r in "${runs[@]}"; do col test_acc "$r/metrics.csv"; done | stats)"
			done | sort -t= -k2 -g
		done
	} | tee "$d/numbers.txt"
}

claim6() {
	local d=$OUT/6
	fresh "$d"
	log "claim 6: saddle point and local minima"
	local f spec name opt lr mu
	for f in saddle local-minimum; do
		# name, optimizer, learning rate, momentum (- for none)
		local specs=("sgd sgd 0.05 -" "momentum momentum 0.05 0.9" "nesterov nesterov 0.05 0.9"
			"adagrad adagrad 0.1 -" "rmsprop rmsprop 0.01 -" "adam adam 0.05 -")
		[ $f = local-minimum ] && specs=("sgd sgd 0.002 -" "momentum momentum 0.005 0.9"
			"momentum-0.98 momentum 0.002 0.98" "adagrad adagrad 1.0 -" "rmsprop rmsprop 0.05 -" "adam adam 0.5 -")
		for spec in "${specs[@]}"; do
			read -r name opt lr mu <<<"$spec"
			local extra=()
			[ "$mu" != - ] && extra=(--set optimizer.momentum="$mu")
			$OB train -q -c $CFG/6-$f.yaml --set name="$name" --set optimizer.name="$opt" \
				--set optimizer.lr="$lr" "${extra[@]}" --out "$d/$f/$name" >/dev/null
		done
	done
	$OB plot "$d"/saddle/* --kind trajectory --out "$FIG/6-saddle.png" --animate "$FIG/6-saddle.gif" \
		--title "Saddle x² − y² from (−1, 0.001): 100 steps"
	$OB plot "$d"/local-minimum/* --kind trajectory --out "$FIG/6-local-minimum.png" \
		--animate "$FIG/6-local-minimum.gif" --title "Rastrigin from (2.5, 2.2): 500 steps"
	{
		echo "claim 6: function, method, end point, final loss, first step with |y| > 1 (saddle)"
		for f in saddle local-minimum; do
			local tr
			for tr in "$d/$f"/*/trajectory.csv; do
				name=$(basename "$(dirname "$tr")")
				local esc=""
				[ $f = saddle ] && esc=$'\t'"escape_step=$(awk -F, 'NR > 1 && ($4 > 1 || $4 < -1) { print $1; f = 1; exit } END { if (!f) print "never" }' "$tr")"
				printf '%s\t%s\tend=(%.3g, %.3g)\tloss=%.4g%s\n' "$f" "$name" "$(col x1 "$tr")" "$(col x2 "$tr")" "$(col loss "$tr")" "$esc"
			done
		done
	} | tee "$d/numbers.txt"
}

claim7() {
	local d=$OUT/7
	fresh "$d"
	log "claim 7: decaying the learning rate versus increasing the batch size, and LARS and LAMB"
	run_sweep -c $CFG/7-batch-growth.yaml --out "$d/sweep"
	local m
	for m in lars lamb; do
		run_sweep -c $CFG/7-$m.yaml --out "$d/$m"
	done
	# Legends: momentum with the batch cap max (128: lr decay, 0: batch growth, 640: the hybrid);
	# lars and lamb have no batch schedule (max=—) and batch 3200 throughout.
	$OB plot "$d"/{sweep,lars,lamb} --group optimizer.name,train.batch_schedule.max --metric test_acc \
		--out "$FIG/7-acc-epochs.png" --title "Test accuracy by epoch (lars, lamb: batch 3200 throughout)"
	$OB plot "$d"/{sweep,lars,lamb} --group optimizer.name,train.batch_schedule.max --metric test_acc --x step \
		--logx --out "$FIG/7-acc-steps.png" --title "Test accuracy by update, log scale (lars, lamb: batch 3200)"
	mkdir -p "$d/preview"
	local r label
	for r in "$d"/sweep/runs/*-s1-* "$d"/lars/runs/s1-* "$d"/lamb/runs/s1-*; do
		case $(yget optimizer.name "$r/config.yaml"):$(yget train.batch_schedule.max "$r/config.yaml") in
		momentum:128) label=decay-lr ;;
		momentum:0) label=grow-batch ;;
		momentum:*) label=hybrid ;;
		*) label=$(yget optimizer.name "$r/config.yaml") ;;
		esac
		sed "s/^name: .*/name: $label/" "$r/config.yaml" >"$d/preview/$label.yaml"
	done
	$OB plot "$d"/preview/*.yaml --kind schedule --logy --out "$FIG/7-schedules.png" \
		--title "Learning rate and batch size of the five strategies"
	{
		echo "claim 7: strategy, updates, final batch size, final lr, final test acc mean ± std (3 seeds), final train loss"
		local max runs=()
		for max in 128 0 640; do
			runs=()
			for r in "$d"/sweep/runs/*; do
				[ "$(yget train.batch_schedule.max "$r/config.yaml")" = "$max" ] && runs+=("$r")
			done
			claim7_line "max=$max" "${runs[@]}"
		done
		for m in lars lamb; do
			claim7_line "$m" "$d/$m"/runs/*
		done
	} | tee "$d/numbers.txt"
}

# claim7_line LABEL RUN...: one line of claim 7's numbers over the seeds RUN... of one strategy.
claim7_line() {
	local label=$1 r
	shift
	local m=$1/metrics.csv
	printf '%s\tsteps=%s\tbatch=%s\tlr=%.3g\ttest_acc=%s\ttrain_loss=%s\n' "$label" "$(col step "$m")" \
		"$(col batch_size "$m")" "$(col lr "$m")" \
		"$(for r in "$@"; do col test_acc "$r/metrics.csv"; done | stats)" \
		"$(for r in "$@"; do col train_loss "$r/metrics.csv"; done | stats)"
}

claim8() {
	local d=$OUT/8
	fresh "$d"
	log "claim 8: convergence rates on convex ERM (train_subopt)"
	local p
	for p in least-squares softmax; do
		run_sweep -c $CFG/8-convex-$p.yaml --out "$d/$p"
	done
	$OB plot "$d/least-squares" --group train.batch_size,schedule.name --metric train_subopt --logy \
		--out "$FIG/8-least-squares.png" --title "Least squares: f(θ) − f* (f* in closed form), lr 0.2"
	$OB plot "$d/softmax" --group train.batch_size,schedule.name --metric train_subopt --logy \
		--out "$FIG/8-softmax.png" --title "Softmax regression: f(θ) − f* (f* by L-BFGS), lr 2.0"
	{
		echo "claim 8: problem, f*, batch, schedule, final suboptimality, first epoch below 1e-3, 1e-6, 1e-12"
		for p in least-squares softmax; do
			local r
			for r in "$d/$p"/runs/*; do
				local m=$r/metrics.csv
				printf '%s\tf*=%s\tbatch=%s\t%s\tsubopt=%.3g\tbelow_1e-3=%s\tbelow_1e-6=%s\tbelow_1e-12=%s\n' "$p" \
					"$(jget reference_optimum "$r/summary.json")" "$(yget train.batch_size "$r/config.yaml")" \
					"$(yget schedule.name "$r/config.yaml")" "$(col train_subopt "$m")" \
					"$(first_below train_subopt 1e-3 "$m")" "$(first_below train_subopt 1e-6 "$m")" \
					"$(first_below train_subopt 1e-12 "$m")"
			done
		done
	} | tee "$d/numbers.txt"
}

# --- beyond the lecture ------------------------------------------------------------------------

# best NAME min|max FILE: the lowest or highest value of column NAME of a metrics.csv.
best() {
	awk -F, -v k="$1" -v how="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) c = i; next }
		$c != "" && (b == "" || (how == "min" ? $c + 0 < b + 0 : $c + 0 > b + 0)) { b = $c }
		END { print b }' "$3"
}

# modern: six modern optimizers at their default rates on an MNIST MLP (configs/zoo/modern.yaml).
modern() {
	local d=$OUT/modern
	fresh "$d"
	log "modern optimizers at their default rates on an MNIST MLP"
	run_sweep -c configs/zoo/modern.yaml --out "$d/sweep"
	$OB plot "$d/sweep" --group optimizer.name --metric test_loss --logy --out "$FIG/modern-test-loss.png" \
		--title "MNIST MLP 784-64-10, default rates: test loss (3 seeds)"
	$OB plot "$d/sweep" --group optimizer.name --metric train_loss --logy --out "$FIG/modern-train-loss.png" \
		--title "MNIST MLP 784-64-10, default rates: training loss (3 seeds)"
	# The methods in the order of the sweep's grid (results.csv), each with its seeds' runs.
	local names=() ids id name
	ids=$(awk -F, 'NR > 1 { print $1 }' "$d/sweep/results.csv")
	for id in $ids; do
		name=$(yget optimizer.name "$d/sweep/runs/$id/config.yaml")
		[[ " ${names[*]} " == *" $name "* ]] || names+=("$name")
	done
	{
		# Means ± standard deviations over the seeds that did not diverge.
		echo "| optimizer | lr | final test loss | best test loss | final test accuracy | best test accuracy | diverged | seconds per run |"
		echo "|---|---|---|---|---|---|---|---|"
		for name in "${names[@]}"; do
			local runs=() all=() div=0 r
			for id in $ids; do
				r=$d/sweep/runs/$id
				[ "$(yget optimizer.name "$r/config.yaml")" = "$name" ] || continue
				all+=("$r")
				if [ "$(jget status "$r/summary.json")" = diverged ]; then div=$((div + 1)); else runs+=("$r"); fi
			done
			if [ ${#runs[@]} -eq 0 ]; then
				printf '| %s | %s | — | — | — | — | %s of %s | — |\n' "$name" \
					"$(yget optimizer.lr "${all[0]}/config.yaml")" "$div" "${#all[@]}"
				continue
			fi
			printf '| %s | %s | %s | %s | %s | %s | %s of %s | %s |\n' "$name" \
				"$(yget optimizer.lr "${all[0]}/config.yaml")" \
				"$(for r in "${runs[@]}"; do col test_loss "$r/metrics.csv"; done | stats)" \
				"$(for r in "${runs[@]}"; do best test_loss min "$r/metrics.csv"; done | stats)" \
				"$(for r in "${runs[@]}"; do col test_acc "$r/metrics.csv"; done | stats)" \
				"$(for r in "${runs[@]}"; do best test_acc max "$r/metrics.csv"; done | stats)" \
				"$div" "${#all[@]}" "$(for r in "${runs[@]}"; do jget seconds "$r/summary.json"; done | stats)"
		done
	} | tee "$d/numbers.txt"
}

start=$(date +%s)
if [ ${#claims[@]} -eq 9 ]; then
	log "all eight claims and the modern comparison: about 30 minutes on 2 idle cores (claim 4 ≈ 9, claim 5 ≈ 14)"
fi
for c in "${claims[@]}"; do
	t0=$(date +%s)
	case $c in
	modern) modern ;;
	*) "claim$c" ;;
	esac
	echo "claim $c: $(($(date +%s) - t0)) s" | tee "$OUT/$c/seconds.txt" >&2
done
echo "reproduce.sh ${claims[*]}: $(($(date +%s) - start)) s on $(nproc) CPUs" >&2
