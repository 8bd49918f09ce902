package benchmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/sweep"
	"github.com/optimbench/optimbench/internal/train"
)

// Options control Run.
type Options struct {
	Dir     string      // the benchmark folder
	Workers int         // runs in parallel within a step (>= 1)
	Shard   sweep.Shard // Count 0: the whole benchmark
	Limits  train.Limits
	Force   bool // accept step folders that hold other sweeps
	// CPU is the CPU's model name for the stamp (cmd finds it).
	CPU string
	// Log receives one line per step (nil: none), and Progress, when not nil, makes each
	// step's sweep progress.
	Log      io.Writer
	Progress func(step string) sweep.Progress
	// Poll is how often a shard looks whether the other shards finished a step it waits for
	// (default 2 s).
	Poll time.Duration
}

// ErrFailed is wrapped by the error of a benchmark step in which a run failed (not diverged):
// the protocol does not go on past it, so that a rerun, which retries the run, makes the
// decisions a run without the failure would.
var ErrFailed = errors.New("runs failed")

// stepResult is a finished step: its sweep and every point's summary, in point order.
type stepResult struct {
	dir   string
	sweep *sweep.Sweep
	sums  []*report.Summary
	cand  []int // the candidate of each point (halving's rungs), nil: point i is candidate i
}

// jobRecord is one job of a step's jobs.json, the step's record of what it runs.
type jobRecord struct {
	File string           `json:"file,omitempty"`
	Base map[string]any   `json:"base"`
	Set  []sweep.Override `json:"set"`
}

// step runs jobs as one sweep in dir (this shard's part; then it waits for the other
// shards' points) and returns every point's summary. before, when not nil, is called with
// the sweep before it executes (halving seeds the runs of promoted candidates there).
func (r *runner) step(ctx context.Context, dir, name string, jobs []sweep.Job, before func(*sweep.Sweep) error) (*stepResult, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	recs := make([]jobRecord, len(jobs))
	for i, j := range jobs {
		recs[i] = jobRecord{File: j.File, Base: j.Base, Set: j.Set}
	}
	// jobs.json is the sweep's file: its bytes key the points cache.
	jobsFile := filepath.Join(dir, "jobs.json")
	b, err := json.MarshalIndent(recs, "", " ")
	if err != nil {
		return nil, err
	}
	if old, err := os.ReadFile(jobsFile); err != nil || string(old) != string(b) {
		if err := report.WriteFileAtomic(jobsFile, b); err != nil {
			return nil, err
		}
	}
	s, err := sweep.NewExplicit(ctx, name, jobsFile, jobs, sweep.LoadOptions{Dir: dir, Shard: r.o.Shard})
	if err != nil {
		return nil, err
	}
	if before != nil {
		if err := before(s); err != nil {
			return nil, err
		}
	}
	var prog sweep.Progress
	if r.o.Progress != nil {
		prog = r.o.Progress(name)
	}
	out, err := s.Execute(ctx, sweep.Options{Dir: dir, Workers: r.o.Workers, Shard: r.o.Shard, Force: r.o.Force,
		Progress: prog, Limits: r.o.Limits})
	if err != nil {
		return nil, err
	}
	res := &stepResult{dir: dir, sweep: s}
	if res.sums, err = r.wait(ctx, dir, s); err != nil {
		return nil, err
	}
	failed := 0
	for _, sum := range res.sums {
		if sum.Status == report.StatusFailed {
			failed++
		}
	}
	if failed > 0 {
		return nil, fmt.Errorf("benchmark step %s: %d of %d runs failed (reasons in %s): %w; rerun the same command to retry them",
			name, failed, len(res.sums), filepath.Join(dir, "runs"), ErrFailed)
	}
	r.ran += out.Ran
	return res, nil
}

// wait returns the summaries of every point of s in dir; a shard waits, polling, until the
// other shards have finished theirs.
func (r *runner) wait(ctx context.Context, dir string, s *sweep.Sweep) ([]*report.Summary, error) {
	poll := r.o.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	said := false
	for {
		sums, missing := summaries(dir, s)
		if missing == 0 {
			return sums, nil
		}
		if r.o.Shard.Count == 0 {
			return nil, fmt.Errorf("benchmark step %s: %d runs have no summary after the sweep", s.Name, missing)
		}
		if !said && r.o.Log != nil {
			fmt.Fprintf(r.o.Log, "%s: waiting for the other shards (%d runs left)\n", s.Name, missing)
			said = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// summaries reads every point's summary.json; missing counts those not finished (none, or
// not done, diverged or failed).
func summaries(dir string, s *sweep.Sweep) ([]*report.Summary, int) {
	sums := make([]*report.Summary, len(s.Points))
	missing := 0
	for i, p := range s.Points {
		sum, err := report.ReadSummary(filepath.Join(sweep.RunDir(dir, p), "summary.json"))
		if err != nil || sum.Status == "" {
			missing++
			continue
		}
		sums[i] = sum
	}
	return sums, missing
}
