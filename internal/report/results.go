package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
)

// StatusPending is the results.csv status of a point that has not run (or whose run was
// interrupted before it wrote its summary).
const StatusPending = "pending"

// ResultColumns are the columns of results.csv (SPEC §3) that are not swept keys, in order:
// run_id, status and seed, then the swept keys, then the rest.
var ResultColumns = []string{"run_id", "status", "seed", "epochs", "steps", "final_train_loss",
	"final_test_loss", "best_test_loss", "final_test_acc", "best_test_acc", "seconds", "reason"}

// ResultsHeader is the header of results.csv for the swept keys: SPEC §3's columns, the swept
// keys between seed and epochs, and a reason column at the end.
func ResultsHeader(keys []string) []string {
	return slices.Concat(ResultColumns[:3], keys, ResultColumns[3:])
}

// ResultRow is one run's row of results.csv: its id, seed and swept values (cells, in the
// order of the header's keys), and its summary; a nil summary is a pending point.
func ResultRow(id string, seed uint64, cells []string, s *Summary) []string {
	row := slices.Concat([]string{id, StatusPending, strconv.FormatUint(seed, 10)}, cells)
	if s == nil {
		return append(row, "", "", "", "", "", "", "", "", "")
	}
	row[1] = s.Status
	f := func(x *float64) string {
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'g', -1, 64)
	}
	return append(row, strconv.Itoa(s.Epochs), strconv.Itoa(s.Steps), f(s.Final.TrainLoss),
		f(s.Final.TestLoss), f(s.Best.TestLoss), f(s.Final.TestAcc), f(s.Best.TestAcc),
		strconv.FormatFloat(s.Seconds, 'f', 3, 64), s.Reason)
}

// WriteCSV writes a csv file atomically and durably: results.csv and a shard's results,
// written once per sweep or shard.
func WriteCSV(path string, header []string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		return err
	}
	return WriteFileDurable(path, buf.Bytes())
}

// Results is a results.csv (or a shard's results file) read back.
type Results struct {
	Header []string
	Rows   [][]string // each with one cell per header column
}

// ReadResults reads a csv file of results. A last row cut short is dropped (the writers
// replace the file whole, so only a copy in progress can have one); any other row whose
// cells do not match the header is an error naming its line.
func ReadResults(path string) (*Results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: no header: %w", path, err)
	}
	res := &Results{Header: header}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(rec) != len(header) {
			if next, _ := r.Read(); next == nil && len(rec) < len(header) {
				break
			}
			return nil, fmt.Errorf("%s: line %d: %d cells, the header has %d", path, line, len(rec), len(header))
		}
		res.Rows = append(res.Rows, rec)
	}
	return res, nil
}

// Column returns the index of a column, or -1.
func (r *Results) Column(name string) int { return slices.Index(r.Header, name) }

// Swept returns the swept keys: the columns between seed and epochs (SPEC §3); nil (and not
// an empty list) when the header is not laid out so.
func (r *Results) Swept() []string {
	i, j := r.Column("seed"), r.Column("epochs")
	if i < 0 || j <= i {
		return nil
	}
	return append([]string{}, r.Header[i+1:j]...)
}

// Map returns row i as cells by column name.
func (r *Results) Map(i int) map[string]string {
	m := make(map[string]string, len(r.Header))
	for j, h := range r.Header {
		m[h] = r.Rows[i][j]
	}
	return m
}
