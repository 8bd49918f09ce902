package sweep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
)

func explicitJobs() []Job {
	base := map[string]any{
		"data":      map[string]any{"source": "synthetic", "generator": "blobs", "n": 120, "features": 2, "classes": 3},
		"model":     map[string]any{"kind": "linear"},
		"optimizer": map[string]any{"name": "sgd"},
		"train":     map[string]any{"epochs": 2, "batch_size": 32},
	}
	other := config.DeepCopy(base).(map[string]any)
	other["optimizer"] = map[string]any{"name": "adam"}
	return []Job{
		{Base: base, Set: []Override{{"optimizer.lr", 0.1}}},
		{Base: other, Set: []Override{{"optimizer.lr", 0.01}, {"seed", uint64(2)}}},
	}
}

// A sweep of explicit jobs: each point its own base and overrides, in order; the columns are
// the override keys by first appearance; it executes and resumes like a sweep file's.
func TestNewExplicit(t *testing.T) {
	file := writeFile(t, t.TempDir(), "jobs.json", "{}")
	s, err := NewExplicit(context.Background(), "ex", file, explicitJobs(), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Points) != 2 || fmt.Sprint(s.Keys) != "[optimizer.lr seed]" || s.Points[1].Seed != 2 {
		t.Fatalf("points %d, keys %v, seed %d", len(s.Points), s.Keys, s.Points[1].Seed)
	}
	c, err := s.Points[1].Config()
	if err != nil || c.Optimizer.Name != "adam" || c.Schedule.LR != 0.01 {
		t.Fatalf("point 1 decodes to %v (%v), want adam at 0.01", c, err)
	}
	dir := t.TempDir()
	if out := execSweep(t, s, dir, Options{Workers: 2}); out.Done != 2 {
		t.Fatalf("outcome %+v", out.StatusCounts)
	}
	if out := execSweep(t, s, dir, Options{Workers: 2}); out.Skipped != 2 {
		t.Errorf("rerun skipped %d, want 2", out.Skipped)
	}
	dup := explicitJobs()
	dup[1] = dup[0]
	if _, err := NewExplicit(context.Background(), "ex", file, dup, LoadOptions{}); !errors.Is(err, report.ErrBadInput) {
		t.Errorf("two jobs of the same run: %v, want bad input", err)
	}
	bad := explicitJobs()
	bad[0].Set = []Override{{"optimizer.lr", -1.0}}
	if _, err := NewExplicit(context.Background(), "ex", file, bad, LoadOptions{}); !errors.Is(err, report.ErrBadInput) {
		t.Errorf("a bad job: %v, want bad input", err)
	}
}

func TestDistAt(t *testing.T) {
	for _, c := range []struct {
		d    Dist
		u    float64
		want any
	}{
		{Dist{Kind: "log_uniform", Low: 1e-4, High: 1}, 0.5, 1e-2},
		{Dist{Kind: "uniform", Low: 2, High: 4}, 0.25, 2.5},
		{Dist{Kind: "int_uniform", Low: 1, High: 3}, 0.999, 3},
		{Dist{Kind: "int_uniform", Low: 1, High: 3}, 0, 1},
		{Dist{Kind: "choice", Choices: []any{"a", "b"}}, 1, "b"},
		{Dist{Kind: "choice", Choices: []any{"a", "b"}}, 0.49, "a"},
	} {
		got := c.d.At(c.u)
		if f, ok := got.(float64); ok {
			if math.Abs(f-c.want.(float64)) > 1e-15 {
				t.Errorf("%s.At(%v) = %v, want %v", c.d.Kind, c.u, got, c.want)
			}
		} else if got != c.want {
			t.Errorf("%s.At(%v) = %v, want %v", c.d.Kind, c.u, got, c.want)
		}
	}
}

// Sample draws what a sweep file's random: block with the same seed draws.
func TestSampleMatchesRandomBlock(t *testing.T) {
	s := loadSweep(t, `
name: r
base: {data: {source: synthetic, generator: blobs, n: 60}, model: {kind: linear}, optimizer: {name: sgd}, train: {epochs: 1}}
seed: 5
random:
  trials: 3
  space:
    optimizer.lr: {log_uniform: [1.0e-4, 1.0]}
    train.batch_size: {int_uniform: [8, 64]}
`)
	got, err := Sample(s.Random.Space, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range s.Points {
		if fmt.Sprint(got[i]) != fmt.Sprint(p.Set) {
			t.Errorf("trial %d: Sample %v, the sweep's %v", i, got[i], p.Set)
		}
	}
	sec, _ := config.NewSection("f.yaml", "space", map[string]any{"x": map[string]any{"uniform": []any{2.0, 1.0}}})
	if _, err := ParseDist(sec, "x"); !errors.Is(err, report.ErrBadInput) {
		t.Errorf("low above high: %v", err)
	}
}
