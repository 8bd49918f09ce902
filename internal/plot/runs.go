package plot

import (
	"errors"
	"fmt"
	suggestpkg "github.com/optimbench/optimbench/internal/suggest"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/optimbench/optimbench/internal/report"
)

// Run is a run folder (or a row of a sweep's results.csv) read back.
type Run struct {
	Dir    string // the run folder ("" when only results.csv knows the run)
	ID     string // the run id in a sweep, else the folder's name
	Name   string // the config's name
	Status string // done | diverged | failed ("" if unknown)
	Reason string // why the run diverged or failed, from summary.json or results.csv
	// Params holds the resolved configuration flattened to dotted keys
	// (optimizer.lr, model.hidden, seed, …), values as written in
	// config.yaml; for a sweep run without config.yaml, the swept columns of
	// results.csv.
	Params map[string]string
	// Results holds the run's final and best metrics by results.csv column
	// name (final_test_loss, best_test_acc, epochs, …), from results.csv in
	// a sweep and from summary.json otherwise.
	Results map[string]float64
	// Swept lists the keys a sweep varied (its results.csv columns beyond
	// SPEC §3's), nil for a run outside a sweep.
	Swept []string

	metrics *report.Table
	// where is the run's folder resolved (absolute, symbolic links
	// followed), or, for a results.csv row without a folder, where its
	// folder would be: the same run read twice has the same where.
	where string
}

// Diverged reports whether the run was stopped (or marked) by the
// divergence policy.
func (r *Run) Diverged() bool { return r.Status == report.StatusDiverged }

// divergeStep finds the step a divergence reason names: "… at step 12".
var divergeStep = regexp.MustCompile(`at step (\d+)`)

// defaultDivergeFactor is train.diverge_factor's default (SPEC §2).
const defaultDivergeFactor = 1e4

// divergedAt returns the row of the run's metrics table t from which the
// run counts as diverged, or -1 if it did not diverge. It uses what the run
// folder says:
//   - a run marked diverged (summary.json or results.csv) diverged at the
//     first row at or after the step its reason names ("… at step 12": the
//     evaluation that closes the epoch of that update); without a step, at
//     the first row whose training loss is not finite or exceeds
//     train.diverge_factor (config.yaml, 10⁴ by default) × the first row's,
//     the rule train applies; failing both, at its last row;
//   - a run with no status (no summary.json: cut short or still running)
//     diverged at the first such row, if there is one;
//   - a finished run (done, failed) did not diverge.
func (r *Run) divergedAt(t *report.Table) int {
	if t.Rows == 0 || (r.Status != "" && !r.Diverged()) {
		return -1
	}
	if r.Diverged() {
		steps := t.Cols["step"]
		if m := divergeStep.FindAllStringSubmatch(r.Reason, -1); m != nil && len(steps) == t.Rows {
			n, _ := strconv.Atoi(m[len(m)-1][1])
			for i, s := range steps {
				if s >= float64(n) {
					return i
				}
			}
			return t.Rows - 1
		}
	}
	if i := lossDiverged(t, r.divergeFactor()); i >= 0 {
		return i
	}
	if r.Diverged() {
		return t.Rows - 1
	}
	return -1
}

// divergeFactor is the run's train.diverge_factor.
func (r *Run) divergeFactor() float64 {
	if f, err := strconv.ParseFloat(r.Params["train.diverge_factor"], 64); err == nil && f > 1 {
		return f
	}
	return defaultDivergeFactor
}

// lossDiverged returns the first row of t whose training loss is not finite
// or exceeds factor × the first row's (when that is positive), or -1.
func lossDiverged(t *report.Table, factor float64) int {
	loss := t.Cols["train_loss"]
	if len(loss) == 0 {
		return -1
	}
	for i, v := range loss {
		if !finite(v) || (loss[0] > 0 && v > factor*loss[0]) {
			return i
		}
	}
	return -1
}

// Metrics reads the run's metrics.csv (once).
func (r *Run) Metrics() (*report.Table, error) {
	if r.metrics != nil {
		return r.metrics, nil
	}
	if r.Dir == "" {
		return nil, report.BadInput(fmt.Errorf("run %s: no run folder, only a results.csv row", r.ID))
	}
	t, err := readTable(filepath.Join(r.Dir, "metrics.csv"))
	if err != nil {
		return nil, err
	}
	r.metrics = t
	return t, nil
}

// Trajectory reads the run's trajectory.csv.
func (r *Run) Trajectory() (*report.Table, error) {
	if r.Dir == "" {
		return nil, report.BadInput(fmt.Errorf("run %s: no run folder, only a results.csv row", r.ID))
	}
	return readTable(filepath.Join(r.Dir, "trajectory.csv"))
}

func readTable(path string) (*report.Table, error) {
	t, err := report.ReadTable(path)
	if err != nil {
		return nil, report.BadInput(err)
	}
	return t, nil
}

// Collect reads the runs found at paths: run folders (metrics.csv), sweep
// folders (results.csv and/or runs/<run_id>/), or folders whose immediate
// subfolders are such folders (runs/<name>/ holding several timestamped
// runs). Runs come in the order given, a sweep's in results.csv order.
//
// A run reached twice (the same folder given twice, a sweep and one of its
// run folders, the same folder through another spelling or a symbolic
// link) is counted once, at its first place: runs are told apart by their
// folder, resolved to an absolute path with symbolic links followed.
func Collect(paths []string) ([]*Run, error) {
	if len(paths) == 0 {
		return nil, report.BadInput(errors.New("plot: no PATH given (run folders or sweep folders)"))
	}
	var runs []*Run
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, report.BadInput(fmt.Errorf("plot: %s: no such file or folder", p))
			}
			return nil, report.BadInput(fmt.Errorf("plot: %w", err))
		}
		if !st.IsDir() {
			return nil, report.BadInput(fmt.Errorf("plot: %s is a file; give a run folder or a sweep folder", p))
		}
		rs, err := collectDir(p, true)
		if err != nil {
			return nil, err
		}
		runs = append(runs, rs...)
	}
	return dedupRuns(runs), nil
}

// dedupRuns drops the runs read a second time, keeping the first of each
// in its place; what only the later reading knew (a sweep's swept keys and
// results) completes the first.
func dedupRuns(runs []*Run) []*Run {
	first := map[string]*Run{}
	out := runs[:0:0]
	for _, r := range runs {
		if r.where == "" {
			out = append(out, r)
			continue
		}
		if f := first[r.where]; f != nil {
			f.absorb(r)
			continue
		}
		first[r.where] = r
		out = append(out, r)
	}
	return out
}

// absorb completes r with what o, another reading of the same run, knows
// and r does not.
func (r *Run) absorb(o *Run) {
	if len(r.Swept) == 0 && len(o.Swept) > 0 {
		r.Swept = o.Swept
		r.ID = o.ID
	}
	for k, v := range o.Params {
		if _, ok := r.Params[k]; !ok {
			r.Params[k] = v
		}
	}
	for k, v := range o.Results {
		if _, ok := r.Results[k]; !ok {
			r.Results[k] = v
		}
	}
	if r.Status == "" {
		r.Status, r.Reason = o.Status, o.Reason
	}
}

// resolve returns path made absolute and clean, with symbolic links
// followed when it exists.
func resolve(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return filepath.Clean(abs)
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func collectDir(dir string, top bool) ([]*Run, error) {
	switch {
	case isFile(filepath.Join(dir, "metrics.csv")):
		r, err := readRun(dir)
		if err != nil {
			return nil, err
		}
		return []*Run{r}, nil
	case isFile(filepath.Join(dir, "results.csv")) || isDir(filepath.Join(dir, "runs")):
		return readSweep(dir)
	}
	if top {
		entries, _ := os.ReadDir(dir)
		var runs []*Run
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			rs, err := collectDir(filepath.Join(dir, e.Name()), false)
			if err != nil {
				return nil, err
			}
			runs = append(runs, rs...)
		}
		if len(runs) > 0 {
			return runs, nil
		}
	}
	return nil, report.BadInput(fmt.Errorf("plot: %s: neither a run folder (no metrics.csv) nor a sweep folder (no results.csv or runs/)", dir))
}

// readRun reads a run folder's config.yaml and summary.json (either may be
// missing in a run that is still going or was cut short).
func readRun(dir string) (*Run, error) {
	r := &Run{Dir: dir, ID: filepath.Base(filepath.Clean(dir)), Params: map[string]string{}, Results: map[string]float64{},
		where: resolve(dir)}
	if cp := filepath.Join(dir, "config.yaml"); isFile(cp) {
		params, err := report.ReadConfigParams(cp)
		if err != nil {
			return nil, report.BadInput(err)
		}
		r.Params = params
	}
	r.Name = r.Params["name"]
	if r.Name == "" {
		r.Name = r.ID
	}
	sp := filepath.Join(dir, "summary.json")
	if isFile(sp) {
		s, err := report.ReadSummary(sp)
		if err != nil {
			return nil, report.BadInput(err)
		}
		r.Status, r.Reason = s.Status, s.Reason
		summaryResults(s, r.Results)
	}
	return r, nil
}

// summaryResults fills results.csv-named values from a summary.json.
func summaryResults(s *report.Summary, m map[string]float64) {
	set := func(k string, v *float64) {
		if v != nil {
			m[k] = *v
		}
	}
	set("final_train_loss", s.Final.TrainLoss)
	set("final_test_loss", s.Final.TestLoss)
	set("final_train_acc", s.Final.TrainAcc)
	set("final_test_acc", s.Final.TestAcc)
	set("best_train_loss", s.Best.TrainLoss)
	set("best_test_loss", s.Best.TestLoss)
	set("best_train_acc", s.Best.TrainAcc)
	set("best_test_acc", s.Best.TestAcc)
	m["epochs"] = float64(s.Epochs)
	m["steps"] = float64(s.Steps)
	m["seconds"] = s.Seconds
	m["seed"] = float64(s.Seed)
}

// readSweep reads a sweep folder: the rows of results.csv, completed by the
// run folders under runs/ (also those results.csv does not list yet).
func readSweep(dir string) ([]*Run, error) {
	var runs []*Run
	byID := map[string]*Run{}
	// The sweep's own points: a folder reused with --force may still hold
	// run folders of an earlier sweep, which are not this sweep's runs.
	listed := sweepPointIDs(dir)
	if path := filepath.Join(dir, "results.csv"); isFile(path) {
		res, err := report.ReadResults(path)
		if err != nil {
			return nil, report.BadInput(err)
		}
		swept := sweptColumns(res)
		for i := range res.Rows {
			row := res.Map(i)
			id := row["run_id"]
			listed[id] = true
			if row["status"] == report.StatusPending { // not run yet (a folder in progress is read below)
				continue
			}
			r := &Run{ID: id, Name: id, Status: row["status"], Params: map[string]string{}, Results: map[string]float64{}}
			rd := filepath.Join(dir, "runs", id)
			if id != "" {
				r.where = filepath.Join(resolve(dir), "runs", id)
			}
			if id != "" && isFile(filepath.Join(rd, "metrics.csv")) {
				var err error
				if r, err = readRun(rd); err != nil {
					return nil, err
				}
				r.ID = id
			}
			applyResultRow(r, row, swept)
			runs = append(runs, r)
			byID[id] = r
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "runs"))
	for _, e := range entries {
		rd := filepath.Join(dir, "runs", e.Name())
		if !e.IsDir() || byID[e.Name()] != nil || !isFile(filepath.Join(rd, "metrics.csv")) {
			continue
		}
		if len(listed) > 0 && !listed[e.Name()] {
			continue
		}
		r, err := readRun(rd)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	if len(runs) == 0 {
		return nil, report.BadInput(fmt.Errorf("plot: sweep %s holds no runs yet", dir))
	}
	return runs, nil
}

// applyResultRow completes r with its results.csv row: status and reason when set, swept
// keys and the seed as parameters (config.yaml's form wins), numbers as results.
func applyResultRow(r *Run, row map[string]string, swept map[string]bool) {
	for k, v := range row {
		switch {
		case k == "run_id":
		case k == "status":
			if v != "" {
				r.Status = v
			}
		case k == "reason":
			if v != "" {
				r.Reason = v
			}
		case k == "seed" || swept[k]:
			if k != "seed" {
				r.Swept = append(r.Swept, k)
			}
			// A swept key: config.yaml, when there, has the same
			// value in the form every run shares.
			if _, ok := r.Params[k]; !ok {
				r.Params[k] = v
			}
		default:
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				r.Results[k] = f
			} else if v == "" && k != "reason" && slices.Contains(report.ResultColumns, k) {
				r.Results[k] = math.NaN()
			}
		}
	}
}

// sweepPointIDs returns the run ids sweep.yaml lists, or an empty set when
// there is no readable sweep.yaml.
func sweepPointIDs(dir string) map[string]bool {
	ids := map[string]bool{}
	if f, err := report.ReadSweepFile(dir); err == nil {
		for _, p := range f.Points {
			ids[p.ID] = true
		}
	}
	return ids
}

// sweptColumns returns the swept keys of a results.csv: the columns
// between seed and epochs (SPEC §3), or, in another layout, those that are
// not result columns.
func sweptColumns(res *report.Results) map[string]bool {
	m := map[string]bool{}
	if keys := res.Swept(); keys != nil {
		for _, k := range keys {
			m[k] = true
		}
		return m
	}
	for _, k := range res.Header {
		if !slices.Contains(report.ResultColumns, k) && strings.Contains(k, ".") {
			m[k] = true
		}
	}
	return m
}

// paramKeys lists the config keys known for the runs, sorted.
func paramKeys(runs []*Run) []string {
	seen := map[string]bool{}
	for _, r := range runs {
		for k := range r.Params {
			seen[k] = true
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkKey reports a config key that no run has, with a suggestion.
func checkKey(option, key string, runs []*Run) error {
	keys := paramKeys(runs)
	if slices.Contains(keys, key) {
		return nil
	}
	return optErr(option, "%s: no run has this config key%s", key, suggest(key, keys))
}

// checkKeys reports the first of keys that no run has, as checkKey does.
func checkKeys(option string, keys []string, runs []*Run) error {
	for _, k := range keys {
		if err := checkKey(option, k, runs); err != nil {
			return err
		}
	}
	return nil
}

// suggest returns ` (did you mean "x"?)` for the closest of names, or "".
func suggest(name string, names []string) string {
	best, bestD := "", 1<<30
	for _, n := range names {
		d := suggestpkg.Distance(name, n)
		if strings.HasSuffix(n, "."+name) {
			d = 1
		}
		if d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" && bestD <= max(2, len(name)/3) {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}
