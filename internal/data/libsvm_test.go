package data

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadLibSVM(t *testing.T) {
	tests := []struct {
		name     string
		content  string
		classify bool
		wantX    []float64
		wantY    []float64
		labels   []string
	}{
		{
			name: "heart_scale style",
			content: "# a comment line\n" +
				"+1 1:0.708333 2:1 4:-0.320755\n" +
				"\n" +
				"-1 1:0.583333 3:-1 # trailing comment\n" +
				"+1 2:0.5\t4:1e-1\r\n",
			classify: true,
			wantX: []float64{
				0.708333, 1, 0, -0.320755,
				0.583333, 0, -1, 0,
				0, 0.5, 0, 0.1,
			},
			wantY:  []float64{1, 0, 1},
			labels: []string{"-1", "+1"},
		},
		{
			name:     "multiclass one-based, no final newline",
			content:  "3 1:1\n1 2:2\n2 1:3 2:4",
			classify: true,
			wantX:    []float64{1, 0, 0, 2, 3, 4},
			wantY:    []float64{2, 0, 1},
			labels:   []string{"1", "2", "3"},
		},
		{
			name:    "regression with qid and empty row",
			content: "0.5 qid:3 2:1\n-2.25\n1e2 1:-1\n",
			wantX:   []float64{0, 1, 0, 0, -1, 0},
			wantY:   []float64{0.5, -2.25, 100},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "d.libsvm", tt.content)
			s, err := ReadLibSVM(path, tt.classify)
			if err != nil {
				t.Fatal(err)
			}
			checkSet(t, s)
			if !slices.Equal(s.X, tt.wantX) {
				t.Errorf("X = %v, want %v", s.X, tt.wantX)
			}
			if !slices.Equal(s.Y, tt.wantY) {
				t.Errorf("Y = %v, want %v", s.Y, tt.wantY)
			}
			if !slices.Equal(s.Labels, tt.labels) {
				t.Errorf("Labels = %q, want %q", s.Labels, tt.labels)
			}
			if want := len(tt.wantX) / len(tt.wantY); s.D != want || s.Features[s.D-1] != "x"+string(rune('0'+want)) {
				t.Errorf("D = %d, Features %q, want D = %d", s.D, s.Features, want)
			}
		})
	}
}

func TestReadLibSVMErrors(t *testing.T) {
	tests := []fileErrorCase{
		{name: "bad index", content: "1 1:1\n1 a:1\n", line: 2, contains: `feature index "a": not an integer`},
		{name: "zero index", content: "# c\n1 0:1\n", line: 2, contains: "feature index 0: must be >= 1"},
		{name: "negative index", content: "1 -3:1\n", line: 1, contains: "must be >= 1"},
		{name: "non-increasing index", content: "1 1:1\n\n1 5:1 3:2\n", line: 3,
			contains: "feature index 3: not increasing (after 5)"},
		{name: "repeated index", content: "1 2:1 2:1\n", line: 1, contains: "not increasing"},
		{name: "missing colon", content: "1 1:2\n-1 1 2:3\n", line: 2, contains: `token "1": missing ':'`},
		{name: "missing label", content: "1:2 3:4\n", line: 1, contains: "missing"},
		{name: "bad label", content: "1 1:1\nabc 1:1\n", line: 2, is: ErrNotNumber, contains: `label: parse "abc"`},
		{name: "NaN label", content: "NaN 1:1\n", line: 1, is: ErrNotFinite},
		{name: "bad value", content: "1 1:x\n", line: 1, is: ErrNotNumber, contains: "feature index 1"},
		{name: "empty value", content: "1 1:\n", line: 1, is: ErrMissing},
		{name: "Inf value", content: "1 1:inf\n", line: 1, is: ErrNotFinite},
		{name: "huge index", content: "1 1:1\n1 999999999999:1\n", line: 2, is: ErrTooLarge},
		{name: "overflowing index", content: "1 99999999999999999999999:1\n", line: 1, is: ErrTooLarge},
		{name: "too many cells", content: "1 200000000:1\n1 1:1\n", is: ErrTooLarge, contains: "2 rows × 200000000 features"},
		{name: "no data", content: "# only a comment\n\n", is: ErrNoData},
		{name: "empty file", content: "", is: ErrNoData},
		{name: "no features", content: "1\n0\n", contains: "no features"},
		{name: "one class", content: "+1 1:1\n1 1:2\n", classify: true, is: ErrClasses, contains: `found 1 ("+1")`},
		{name: "NaN class label", content: "1 1:1\nNaN 1:2\n", classify: true, line: 2, is: ErrNotFinite,
			contains: `bad.libsvm:2: label "NaN": not finite`},
		{name: "non-UTF-8 class label", content: "1 1:1\n\xfe\xff 1:2\n", classify: true, line: 2, is: ErrEncoding,
			contains: `bad.libsvm:2: label "\xfe\xff": invalid UTF-8`},
		{name: "non-UTF-8 regression label", content: "1 1:1\n\xff 1:2\n", line: 2, is: ErrNotNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "bad.libsvm", tt.content)
			_, err := ReadLibSVM(path, tt.classify)
			checkFileError(t, path, err, tt)
		})
	}
}

// Rows beyond maxCells are refused as soon as they are read, even rows without features
// (a set has at least one), rather than after the whole file.
func TestReadLibSVMMaxCells(t *testing.T) {
	defer func(old int) { maxCells = old }(maxCells)
	maxCells = 4
	path := writeFile(t, "labels.libsvm", strings.Repeat("1\n", 5)+"1 x:y\n")
	_, err := ReadLibSVM(path, false)
	checkFileError(t, path, err, fileErrorCase{is: ErrTooLarge, contains: "5 rows × 0 features"})
	path = writeFile(t, "wide.libsvm", "1 2:1\n1 1:1\n1 1:1\nbad\n")
	_, err = ReadLibSVM(path, false)
	checkFileError(t, path, err, fileErrorCase{is: ErrTooLarge, contains: "3 rows × 2 features"})
}

func TestReadLibSVMMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.libsvm")
	_, err := ReadLibSVM(path, true)
	checkFileError(t, path, err, fileErrorCase{contains: "absent.libsvm: open: "})
}
