package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/train"
	"github.com/optimbench/optimbench/internal/version"
)

// Progress receives a sweep's progress: Start once with the number of
// points this invocation handles and how many of them an earlier invocation
// already finished, then Done for every run as it ends, from one goroutine.
type Progress interface {
	Start(total, finished int)
	Done(r Result)
}

// Result is the outcome of one point.
type Result struct {
	Point   *Point
	Summary *report.Summary // nil while the point has not run
	Err     error           // why the run failed, if it did
	Skipped bool            // finished by an earlier invocation, not run now
}

// Status is the point's status in results.csv.
func (r Result) Status() string {
	if r.Summary == nil {
		return report.StatusPending
	}
	return r.Summary.Status
}

// Options control Sweep.Execute.
type Options struct {
	Dir      string // the sweep folder
	Workers  int    // runs in parallel (>= 1)
	Shard    Shard  // Count 0: the whole sweep, which writes results.csv
	Force    bool   // accept a folder that holds another sweep
	Progress Progress
	// Limits bound each run (its memory estimate); the runs in parallel share them.
	Limits train.Limits
}

// StatusCounts counts runs by status; Pending counts points not run yet.
type StatusCounts struct {
	Done, Diverged, Failed, Pending int
}

func (c *StatusCounts) add(status string) {
	switch status {
	case report.StatusDone:
		c.Done++
	case report.StatusDiverged:
		c.Diverged++
	case report.StatusFailed:
		c.Failed++
	default:
		c.Pending++
	}
}

// Outcome counts what an invocation found and did.
type Outcome struct {
	Results []Result // this invocation's points, in point order
	Ran     int      // runs executed now
	Skipped int      // runs an earlier invocation finished
	StatusCounts
	File string // results.csv or the shard file written ("" if none)
}

// ErrChanged is wrapped by the error returned when the folder holds a different sweep; it is
// a *ChangedError.
var ErrChanged = errors.New("sweep changed")

// ChangedError is a sweep folder that holds another sweep than the one to run in it.
type ChangedError struct {
	Dir      string
	Old, New string // the fingerprints of the folder's sweep and of this one
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("sweep folder %s holds a different sweep (fingerprint %s, this one %s)", e.Dir, e.Old, e.New)
}

func (e *ChangedError) Unwrap() error        { return ErrChanged }
func (e *ChangedError) Is(target error) bool { return target == report.ErrBadInput }

// errLocked is returned when another process runs the same sweep (or shard)
// in the same folder.
var errLocked = errors.New("another optimbench process is running this sweep in the same folder")

// RunDir is the folder of a point's run.
func RunDir(dir string, p *Point) string { return filepath.Join(dir, "runs", p.ID) }

// finished reads a run's summary and reports whether the run needs no
// redoing: done or diverged. A failed run, a folder without summary.json
// (killed mid-run) or an unreadable summary is redone.
func finished(runDir string) (*report.Summary, bool) {
	s, err := report.ReadSummary(filepath.Join(runDir, "summary.json"))
	if err != nil {
		return nil, false
	}
	return s, s.Status == report.StatusDone || s.Status == report.StatusDiverged
}

// prepare checks or writes sweep.yaml in dir.
func (s *Sweep) prepare(dir string, force bool) error {
	if err := os.MkdirAll(filepath.Join(dir, "runs"), 0o755); err != nil {
		return fmt.Errorf("sweep folder %s: %w", dir, err)
	}
	old, err := readSweepFile(dir)
	if err == nil && old.Fingerprint == s.Fingerprint {
		return nil
	}
	if err == nil && !force {
		return &ChangedError{Dir: dir, Old: old.Fingerprint, New: s.Fingerprint}
	}
	if err != nil && !errors.Is(err, report.ErrBadInput) {
		return err
	}
	if err != nil {
		if _, serr := os.Stat(filepath.Join(dir, "sweep.yaml")); serr == nil && !force {
			return err // an unreadable sweep.yaml
		}
	}
	if err := report.WriteSweepFile(dir, s.file()); err != nil {
		return fmt.Errorf("sweep %s: %w", s.File, err)
	}
	return nil
}

// cleanTemps removes the temporary files a killed atomic write left in dir.
func cleanTemps(dir string, names ...string) {
	for _, n := range names {
		tmps, _ := filepath.Glob(filepath.Join(dir, "."+n+".tmp*"))
		for _, t := range tmps {
			os.Remove(t)
		}
	}
}

// Execute runs the sweep's points (or one shard's) in opts.Dir, skipping runs
// an earlier invocation finished, and writes results.csv (or the shard's
// file). A run that fails or diverges is recorded and the others go on.
// When ctx is cancelled, running runs stop, finished ones are kept, and
// Execute returns ctx's error after writing results.csv with the unfinished
// points pending (a shard writes no file then).
func (s *Sweep) Execute(ctx context.Context, opts Options) (*Outcome, error) {
	dir := opts.Dir
	if opts.Workers < 1 {
		opts.Workers = 1
	}
	if err := opts.Shard.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkData(ctx); err != nil {
		return nil, err
	}
	unlock, err := s.claim(dir, opts)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := s.writeCache(dir); err != nil {
		return nil, err
	}
	out, pending := s.survey(dir, opts.Shard)

	// Set up the first pending run before anything trains, so that an input
	// error (a missing data file) stops the sweep at once with exit status 2.
	var first *train.Run
	if len(pending) > 0 {
		p := out.Results[pending[0]].Point
		c, err := p.Config()
		if err != nil {
			return nil, err
		}
		opts.Limits.Share = min(opts.Workers, len(pending))
		if first, err = train.Setup(ctx, c, opts.Limits); err != nil {
			return nil, fmt.Errorf("sweep %s: point %d (%s): %w", s.File, p.Index, formatSet(p.Set), err)
		}
	}
	if opts.Progress != nil {
		opts.Progress.Start(len(out.Results), out.Skipped)
	}
	s.runPending(ctx, dir, opts, out, pending, first)
	if err := s.writeResults(dir, opts.Shard, out); err != nil {
		return out, err
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}
	return out, nil
}

// checkData checks the data of every distinct data section of the sweep, cheaply (files exist,
// headers and first rows parse: train.CheckData), so that a bad path in a grid stops the sweep
// with exit status 2 before anything is trained or written.
func (s *Sweep) checkData(ctx context.Context) error {
	for _, i := range s.dataPoints {
		p := s.Points[i]
		c, err := p.Config()
		if err == nil {
			err = train.CheckData(ctx, c)
		}
		if err != nil {
			return fmt.Errorf("sweep %s: point %d (%s): %w", s.File, p.Index, formatSet(p.Set), err)
		}
	}
	return nil
}

// claim makes the sweep folder, takes its locks and checks or writes sweep.yaml: one process
// per folder, or one per shard (the whole sweep holds .lock exclusively, each shard holds it
// shared and its own shard lock). It returns the function that releases the locks.
func (s *Sweep) claim(dir string, opts Options) (func(), error) {
	mk := dir
	if opts.Shard.Count > 0 {
		mk = filepath.Join(dir, "shards")
	}
	if err := os.MkdirAll(mk, 0o755); err != nil {
		return nil, fmt.Errorf("sweep folder %s: %w", dir, err)
	}
	unlock, err := lockFile(filepath.Join(dir, ".lock"), opts.Shard.Count == 0)
	if err != nil {
		return nil, fmt.Errorf("sweep folder %s: %w", dir, err)
	}
	release := unlock
	if opts.Shard.Count > 0 {
		name := "." + strings.TrimSuffix(opts.Shard.FileName(), ".csv") + ".lock"
		unlockShard, err := lockFile(filepath.Join(dir, "shards", name), true)
		if err != nil {
			unlock()
			return nil, fmt.Errorf("sweep folder %s, %s: %w", dir, opts.Shard, err)
		}
		release = func() { unlockShard(); unlock() }
	}
	if err := s.prepare(dir, opts.Force); err != nil {
		release()
		return nil, err
	}
	if opts.Shard.Count == 0 { // alone in the folder: clean what a killed run left
		cleanTemps(dir, "results.csv", "sweep.yaml")
	} else {
		cleanTemps(filepath.Join(dir, "shards"), opts.Shard.FileName())
	}
	return release, nil
}

// survey lists the points of the shard with what an earlier invocation finished, and the
// indices (into the results) of the points still to run.
func (s *Sweep) survey(dir string, sh Shard) (*Outcome, []int) {
	out := &Outcome{}
	var pending []int
	for _, p := range s.Points {
		if sh.Count > 0 && p.Index%sh.Count != sh.Index {
			continue
		}
		r := Result{Point: p}
		if sum, ok := finished(RunDir(dir, p)); ok {
			r.Summary, r.Skipped = sum, true
			out.Skipped++
		} else {
			pending = append(pending, len(out.Results))
		}
		out.Results = append(out.Results, r)
	}
	return out, pending
}

// runPending runs the pending points on opts.Workers goroutines, the first with its run
// already set up, and records each outcome in out as it arrives (in arrival order for the
// progress, in point order in out.Results). A run cut short by ctx stays pending.
func (s *Sweep) runPending(ctx context.Context, dir string, opts Options, out *Outcome, pending []int, first *train.Run) {
	type done struct {
		i   int
		sum *report.Summary
		err error
	}
	jobs := make(chan int)
	results := make(chan done)
	var wg sync.WaitGroup
	for w := 0; w < min(opts.Workers, max(len(pending), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				p := out.Results[i].Point
				var pre *train.Run
				if i == pending[0] {
					pre = first
				}
				sum, err := runPoint(ctx, RunDir(dir, p), p, pre, opts.Limits)
				results <- done{i, sum, err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, i := range pending {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	for d := range results {
		r := &out.Results[d.i]
		r.Summary, r.Err = d.sum, d.err
		if ctx.Err() != nil && d.err != nil {
			r.Summary = nil // interrupted: pending, redone on resume
		}
		if r.Summary != nil {
			out.Ran++
		}
		if opts.Progress != nil {
			opts.Progress.Done(*r)
		}
	}
}

// writeResults counts the outcome by status and writes results.csv, or the shard's file once
// every point of the shard has a result.
func (s *Sweep) writeResults(dir string, sh Shard, out *Outcome) error {
	rows := make([][]string, len(out.Results))
	for i, r := range out.Results {
		out.add(r.Status())
		rows[i] = s.resultRow(r.Point, r.Summary)
	}
	if sh.Count == 0 {
		out.File = filepath.Join(dir, "results.csv")
		if err := report.WriteCSV(out.File, report.ResultsHeader(s.Keys), rows); err != nil {
			return fmt.Errorf("sweep %s: %w", dir, err)
		}
		return nil
	}
	if out.Pending > 0 {
		return nil
	}
	for i := range rows {
		rows[i] = append(rows[i], fmt.Sprint(out.Results[i].Point.Index), s.Fingerprint)
	}
	out.File = filepath.Join(dir, "shards", sh.FileName())
	header := append(report.ResultsHeader(s.Keys), "point", "fingerprint")
	if err := report.WriteCSV(out.File, header, rows); err != nil {
		return fmt.Errorf("sweep %s: %w", dir, err)
	}
	return nil
}

// runPoint (re)runs one point into runDir, starting from an empty folder so
// that nothing of a killed attempt survives. A setup failure is recorded in
// summary.json like a training failure.
func runPoint(ctx context.Context, runDir string, p *Point, r *train.Run, lim train.Limits) (*report.Summary, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(runDir, train.CheckpointFile)); err == nil {
		// A run killed after a checkpoint goes on from it; a checkpoint that does not fit
		// (another configuration, a torn file) is dropped and the run starts over.
		if s, err := resumePoint(ctx, runDir, p, r, lim); !errors.Is(err, report.ErrBadInput) {
			return s, err
		}
	}
	if err := os.RemoveAll(runDir); err != nil {
		return nil, err
	}
	if r == nil {
		c, err := p.Config()
		if err == nil {
			r, err = train.Setup(ctx, c, lim)
		}
		if err != nil {
			return recordFailure(runDir, p, c, err)
		}
	}
	return r.Execute(ctx, runDir, nil)
}

// resumePoint goes on with the point's run in runDir from its checkpoint.
func resumePoint(ctx context.Context, runDir string, p *Point, r *train.Run, lim train.Limits) (*report.Summary, error) {
	if r == nil {
		c, err := p.Config()
		if err != nil {
			return nil, err
		}
		if r, err = train.Setup(ctx, c, lim); err != nil {
			return nil, err
		}
	}
	return r.Resume(ctx, runDir, nil)
}

// recordFailure writes the folder of a point that could not be set up: its config.yaml (the
// schedule resolved as far as the configuration alone allows; none when the configuration
// itself no longer decodes) and a summary.json saying why it failed.
func recordFailure(runDir string, p *Point, c *config.Config, err error) (*report.Summary, error) {
	s := &report.Summary{Name: p.ID, Seed: p.Seed, Status: report.StatusFailed,
		Reason: "setup: " + oneLineErr(err), Version: version.String(), GoVersion: version.Go()}
	if merr := os.MkdirAll(runDir, 0o755); merr != nil {
		return nil, merr
	}
	if c != nil {
		if werr := report.WriteFileAtomic(filepath.Join(runDir, "config.yaml"), c.YAML(c.Train.Values.Int("epochs"))); werr != nil {
			return nil, werr
		}
	}
	if werr := report.WriteJSON(filepath.Join(runDir, "summary.json"), s); werr != nil {
		return nil, werr
	}
	return s, err
}

func oneLineErr(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
