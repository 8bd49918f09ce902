package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// LRFindPoint is one update of a learning-rate range test: the rate it used, the minibatch
// loss just before it, and the smoothed loss.
type LRFindPoint struct {
	LR, Loss, Smoothed float64
}

// LRFindSummary is lrfind.json, the result of a range test beside lrfind.csv.
type LRFindSummary struct {
	Name      string  `json:"name"`
	Seed      uint64  `json:"seed"`
	Optimizer string  `json:"optimizer"`
	BatchSize int     `json:"batch_size"` // -1 for a test function
	Min       float64 `json:"min_lr"`
	Max       float64 `json:"max_lr"`
	Steps     int     `json:"steps"`  // updates requested
	Points    int     `json:"points"` // rows of lrfind.csv
	// Stopped is why the ramp ended early ("" when it ran to the last rate).
	Stopped string `json:"stopped"`
	// Suggested is the suggested learning rate; Method says how it was chosen: "steepest"
	// (where the smoothed loss falls fastest against log lr, before its minimum) or
	// "minimum/10" (a tenth of the lr at the smoothed minimum, when the loss falls by less
	// than 10% before it).
	Suggested float64 `json:"suggested_lr"`
	Method    string  `json:"method"`
	// MinLossLR is the learning rate at the minimum of the smoothed loss.
	MinLossLR float64 `json:"min_loss_lr"`
	Version   string  `json:"optimbench_version"`
}

// LRFindFiles are the files a range test writes into its folder.
var LRFindFiles = []string{"lrfind.csv", "lrfind.json"}

// WriteLRFind writes lrfind.csv (lr,loss,smoothed_loss; full float64 precision) and
// lrfind.json into dir, each atomically.
func WriteLRFind(dir string, points []LRFindPoint, s *LRFindSummary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("lr,loss,smoothed_loss\n")
	for _, p := range points {
		for j, v := range []float64{p.LR, p.Loss, p.Smoothed} {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		b.WriteByte('\n')
	}
	// The summary first: a folder holding lrfind.csv counts as a finished range test, so
	// the csv must not land when the summary cannot.
	if err := WriteJSON(filepath.Join(dir, "lrfind.json"), s); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, "lrfind.csv"), b.Bytes())
}

// ReadLRFindSummary reads an lrfind.json.
func ReadLRFindSummary(path string) (*LRFindSummary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s LRFindSummary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}
