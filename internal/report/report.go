// Package report writes and reads every file optimbench leaves behind (SPEC §3) — a run's
// metrics.csv (row by row), summary.json and trajectory.csv, a sweep's results.csv and
// sweep.yaml, a range test's lrfind.csv and lrfind.json, the flattened keys of a config.yaml —
// and marks the errors caused by bad input (ErrBadInput). Every file has one writer and one
// reader here.
package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
)

// MetricsHeader is the column order of metrics.csv.
var MetricsHeader = []string{"epoch", "step", "examples", "lr", "batch_size",
	"train_loss", "test_loss", "train_acc", "test_acc", "seconds"}

// Row is one evaluation. NaN marks an empty cell (accuracy of a regression,
// test metrics without a test set); Examples or BatchSize < 0 are empty too.
type Row struct {
	Epoch     int
	Step      int
	Examples  int
	LR        float64
	BatchSize int
	TrainLoss float64
	TestLoss  float64
	TrainAcc  float64
	TestAcc   float64
	Seconds   float64
	// Extra holds the values of the optional columns named when the writer
	// was created (CreateMetrics' extra), in that order, after seconds.
	Extra []float64
}

// Empty is the value of a cell that has no value.
var Empty = math.NaN()

// MetricsWriter appends rows to metrics.csv, each flushed to the file as it
// is written, so an interrupted run loses at most the row in progress.
type MetricsWriter struct {
	f     *os.File
	buf   []byte
	extra int // number of optional columns after seconds
}

// CreateMetrics creates (or truncates) path and writes the header: the
// MetricsHeader columns, then the optional extra columns (such as
// train_subopt) in the order given. Every row must then carry one
// Row.Extra value per extra column.
func CreateMetrics(path string, extra ...string) (*MetricsWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := &MetricsWriter{f: f, buf: make([]byte, 0, 256), extra: len(extra)}
	for i, h := range slices.Concat(MetricsHeader, extra) {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = append(w.buf, h...)
	}
	if err := w.flush(); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

func (w *MetricsWriter) flush() error {
	w.buf = append(w.buf, '\n')
	_, err := w.f.Write(w.buf)
	w.buf = w.buf[:0]
	return err
}

// appendCell appends x in full float64 precision, or nothing when x is NaN
// (an empty cell).
func appendCell(b []byte, x float64) []byte {
	if math.IsNaN(x) {
		return b
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64)
}

func appendCount(b []byte, n int) []byte {
	if n < 0 {
		return b
	}
	return strconv.AppendInt(b, int64(n), 10)
}

// appendLoss appends a loss: a NaN loss is a real (diverged) value, written
// as NaN, unlike an empty accuracy; present false leaves the cell empty.
func appendLoss(b []byte, x float64, present bool) []byte {
	if !present {
		return b
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64)
}

// Write appends one row. hasTest tells whether test cells carry values (a
// NaN test loss is then written as NaN). The extra cells are written like
// losses: in full precision, a NaN (a diverged run) as NaN. A row whose
// Extra does not match the extra columns is an error.
func (w *MetricsWriter) Write(r Row, hasTest bool) error {
	if len(r.Extra) != w.extra {
		return fmt.Errorf("metrics.csv: row has %d extra cells, header has %d extra columns", len(r.Extra), w.extra)
	}
	b := w.buf
	b = appendCount(b, r.Epoch)
	b = append(b, ',')
	b = appendCount(b, r.Step)
	b = append(b, ',')
	b = appendCount(b, r.Examples)
	b = append(b, ',')
	b = appendCell(b, r.LR)
	b = append(b, ',')
	b = appendCount(b, r.BatchSize)
	b = append(b, ',')
	b = appendLoss(b, r.TrainLoss, true)
	b = append(b, ',')
	b = appendLoss(b, r.TestLoss, hasTest)
	b = append(b, ',')
	b = appendCell(b, r.TrainAcc)
	b = append(b, ',')
	b = appendCell(b, r.TestAcc)
	b = append(b, ',')
	b = strconv.AppendFloat(b, r.Seconds, 'f', 6, 64)
	for _, x := range r.Extra {
		b = append(b, ',')
		b = appendLoss(b, x, true)
	}
	w.buf = b
	return w.flush()
}

// Close closes the file.
func (w *MetricsWriter) Close() error { return w.f.Close() }

// TrajectoryWriter writes trajectory.csv: step,loss,x1,x2,… one row per
// step, row 0 the start.
type TrajectoryWriter struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
}

// CreateTrajectory creates path for a dim-dimensional path.
func CreateTrajectory(path string, dim int) (*TrajectoryWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	t := &TrajectoryWriter{f: f, w: bufio.NewWriterSize(f, 64<<10), buf: make([]byte, 0, 64+24*dim)}
	t.buf = append(t.buf, "step,loss"...)
	for i := 1; i <= dim; i++ {
		t.buf = append(t.buf, ",x"...)
		t.buf = strconv.AppendInt(t.buf, int64(i), 10)
	}
	if err := t.line(); err != nil {
		f.Close()
		return nil, err
	}
	return t, nil
}

func (t *TrajectoryWriter) line() error {
	t.buf = append(t.buf, '\n')
	_, err := t.w.Write(t.buf)
	t.buf = t.buf[:0]
	return err
}

// Write buffers one point; Flush makes buffered points durable.
func (t *TrajectoryWriter) Write(step int, loss float64, x []float64) error {
	t.buf = strconv.AppendInt(t.buf, int64(step), 10)
	t.buf = append(t.buf, ',')
	t.buf = strconv.AppendFloat(t.buf, loss, 'g', -1, 64)
	for _, v := range x {
		t.buf = append(t.buf, ',')
		t.buf = strconv.AppendFloat(t.buf, v, 'g', -1, 64)
	}
	return t.line()
}

// Flush writes buffered points to the file.
func (t *TrajectoryWriter) Flush() error { return t.w.Flush() }

// Close flushes and closes the file.
func (t *TrajectoryWriter) Close() error {
	err := t.w.Flush()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Metrics are the final or best values of a run; nil where there is no value.
type Metrics struct {
	TrainLoss *float64 `json:"train_loss"`
	TestLoss  *float64 `json:"test_loss"`
	TrainAcc  *float64 `json:"train_acc"`
	TestAcc   *float64 `json:"test_acc"`
}

// Summary is summary.json.
type Summary struct {
	Name     string  `json:"name"`
	Status   string  `json:"status"` // done | diverged | failed
	Reason   string  `json:"reason"`
	Final    Metrics `json:"final"`
	Best     Metrics `json:"best"`
	Epochs   int     `json:"epochs"`
	Steps    int     `json:"steps"`
	Examples int     `json:"examples"`
	Seconds  float64 `json:"seconds"`
	Seed     uint64  `json:"seed"`
	// ReferenceOptimum is f*, the minimum of the training data loss, when
	// train.reference_optimum is on (metrics.csv then has train_subopt).
	ReferenceOptimum *float64 `json:"reference_optimum,omitempty"`
	Version          string   `json:"optimbench_version"`
	GoVersion        string   `json:"go_version"`
}

// Statuses of a run.
const (
	StatusDone     = "done"
	StatusDiverged = "diverged"
	StatusFailed   = "failed"
)

// Value returns a pointer to x for JSON, or nil when x is NaN or infinite
// (JSON has no such numbers).
func Value(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// WriteJSON writes v to path atomically, indented.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// ReadSummary reads a summary.json.
func ReadSummary(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}
