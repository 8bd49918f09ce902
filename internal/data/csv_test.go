package data

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// writeFile writes content to a file called name in a fresh temporary folder.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name     string
		content  string
		target   string
		classify bool
		wantX    []float64
		wantY    []float64
		features []string
		labels   []string
	}{
		{
			name:     "integer labels",
			content:  "a,b,y\n1,2,0\n3,4,2\n5,6,1\n",
			classify: true,
			wantX:    []float64{1, 2, 3, 4, 5, 6},
			wantY:    []float64{0, 2, 1},
			features: []string{"a", "b"},
			labels:   []string{"0", "1", "2"},
		},
		{
			name:     "string labels sorted",
			content:  "sepal,species\n1,virginica\n2,setosa\n3,versicolor\n4,setosa\n",
			classify: true,
			wantX:    []float64{1, 2, 3, 4},
			wantY:    []float64{2, 0, 1, 0},
			features: []string{"sepal"},
			labels:   []string{"setosa", "versicolor", "virginica"},
		},
		{
			name:     "numeric labels in numeric order",
			content:  "a,y\n1,10\n2,9\n3,-1\n4,+1\n5,1.0\n",
			classify: true,
			wantX:    []float64{1, 2, 3, 4, 5},
			wantY:    []float64{3, 2, 0, 1, 1},
			features: []string{"a"},
			labels:   []string{"-1", "+1", "9", "10"},
		},
		{
			name:     "one-based labels",
			content:  "a,y\n1,1\n2,3\n3,2\n",
			classify: true,
			wantX:    []float64{1, 2, 3},
			wantY:    []float64{0, 2, 1},
			features: []string{"a"},
			labels:   []string{"1", "2", "3"},
		},
		{
			name:     "target by name",
			content:  "label,f1,f2\nb,1.5,2\na,3,-4e-1\n",
			target:   "label",
			classify: true,
			wantX:    []float64{1.5, 2, 3, -0.4},
			wantY:    []float64{1, 0},
			features: []string{"f1", "f2"},
			labels:   []string{"a", "b"},
		},
		{
			name:     "target in the middle",
			content:  "a,y,b\n1,0.5,2\n3,0.25,4\n",
			target:   "y",
			wantX:    []float64{1, 2, 3, 4},
			wantY:    []float64{0.5, 0.25},
			features: []string{"a", "b"},
		},
		{
			name:     "regression default last column",
			content:  "x1,x2,price\n1,2,3.5\n4,5,-6\n",
			wantX:    []float64{1, 2, 4, 5},
			wantY:    []float64{3.5, -6},
			features: []string{"x1", "x2"},
		},
		{
			name:     "words that begin like NaN and Inf are text labels",
			content:  "a,y\n1,nano\n2,info\n3,Nan-x\n4,∞\n",
			classify: true,
			wantX:    []float64{1, 2, 3, 4},
			wantY:    []float64{2, 1, 0, 3},
			features: []string{"a"},
			labels:   []string{"Nan-x", "info", "nano", "∞"},
		},
		{
			name:     "blank lines spaces crlf bom quotes",
			content:  "\ufeff a , \"b\",y\r\n\r\n 1 , 2,0\r\n   \r\n\"3\",4 , 1 \r\n",
			target:   "y",
			classify: true,
			wantX:    []float64{1, 2, 3, 4},
			wantY:    []float64{0, 1},
			features: []string{"a", "b"},
			labels:   []string{"0", "1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "d.csv", tt.content)
			s, err := ReadCSV(path, tt.target, tt.classify)
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
			if !slices.Equal(s.Features, tt.features) {
				t.Errorf("Features = %q, want %q", s.Features, tt.features)
			}
			if !slices.Equal(s.Labels, tt.labels) {
				t.Errorf("Labels = %q, want %q", s.Labels, tt.labels)
			}
			if s.Classes != len(tt.labels) {
				t.Errorf("Classes = %d, want %d", s.Classes, len(tt.labels))
			}
		})
	}
}

// fileErrorCase is a malformed input and where the error must point.
type fileErrorCase struct {
	name     string
	content  string
	target   string
	classify bool
	line     int    // 0: the error is about the whole file
	is       error  // nil: not checked
	contains string // a piece of the message
}

// checkFileError checks that err is a *FileError for path at the expected line.
func checkFileError(t *testing.T, path string, err error, tt fileErrorCase) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error %q (%T) is not a *FileError", err, err)
	}
	if fe.Path != path || fe.Line != tt.line {
		t.Errorf("error %q at %s:%d, want %s:%d", err, fe.Path, fe.Line, path, tt.line)
	}
	msg := err.Error()
	if !strings.Contains(msg, filepath.Base(path)) {
		t.Errorf("error %q does not name the file", msg)
	}
	if tt.line > 0 && !strings.HasPrefix(msg, path+":"+strconv.Itoa(tt.line)+": ") {
		t.Errorf("error %q does not start with %s:%d: ", msg, path, tt.line)
	}
	if tt.is != nil && !errors.Is(err, tt.is) {
		t.Errorf("error %q is not %v", msg, tt.is)
	}
	if !strings.Contains(msg, tt.contains) {
		t.Errorf("error %q does not contain %q", msg, tt.contains)
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []fileErrorCase{
		{name: "field count", content: "a,b,c,y\n1,2,3,0\n1,2,3,1\n\n1,2,1\n", line: 5,
			contains: "3 fields, header has 4"},
		{name: "not a number", content: "a,petal_width,y\n1,2,0\n1,abc,1\n", line: 3, is: ErrNotNumber,
			contains: `column "petal_width": parse "abc": not a number`},
		{name: "empty feature", content: "a,b,y\n1,,0\n", line: 2, is: ErrMissing, contains: `column "b": missing value`},
		{name: "NaN feature", content: "a,b,y\n1,2,0\nNaN,2,1\n", line: 3, is: ErrNotFinite, contains: `column "a"`},
		{name: "Inf feature", content: "a,b,y\n1,-Inf,0\n", line: 2, is: ErrNotFinite},
		{name: "overflow feature", content: "a,b,y\n1,1e999,0\n", line: 2, is: ErrNotFinite, contains: "out of range"},
		{name: "regression target", content: "a,y\n1,2\n1,x\n", line: 3, is: ErrNotNumber, contains: `column "y"`},
		{name: "regression NaN target", content: "a,y\n1,nan\n", line: 2, is: ErrNotFinite},
		{name: "empty label", content: "a,y\n1,b\n2,\n", classify: true, line: 3, is: ErrMissing},
		{name: "missing target", content: "a,b,c\n1,2,3\n", target: "y",
			contains: `target column "y" not found (columns: a, b, c)`},
		{name: "duplicate target", content: "y,a,y\n1,2,3\n", target: "y", line: 1,
			contains: `column "y" appears twice (columns 1 and 3)`},
		{name: "duplicate feature", content: "a,x,b,c,x,y\n1,2,3,4,5,6\n", line: 1,
			contains: `bad.csv:1: column "x" appears twice (columns 2 and 5)`},
		{name: "duplicate after trimming", content: "\ufeff x ,\"x\", y\n1,2,3\n", line: 1,
			contains: `column "x" appears twice (columns 1 and 2)`},
		{name: "duplicate after the header's blank lines", content: "\n\na,b,a\n1,2,3\n", line: 3,
			contains: `column "a" appears twice (columns 1 and 3)`},
		{name: "duplicate empty names", content: "a,,b,\n1,2,3,4\n", line: 1,
			contains: `column "" appears twice (columns 2 and 4)`},
		{name: "NaN label", content: "a,y\n1,0\n2,NaN\n", classify: true, line: 3, is: ErrNotFinite,
			contains: `column "y": label "NaN": not finite`},
		{name: "overflowing label", content: "a,y\n1,0\n2,1e999\n", classify: true, line: 3, is: ErrNotFinite,
			contains: `label "1e999": out of range`},
		{name: "non-UTF-8 label", content: "a,y\n1,cat\n2,\xffdog\n", classify: true, line: 3, is: ErrEncoding,
			contains: `column "y": label "\xffdog": invalid UTF-8`},
		{name: "non-UTF-8 header", content: "a,b\xfe,y\n1,2,3\n", line: 1, is: ErrEncoding,
			contains: `header column 2 "b\xfe": invalid UTF-8`},
		{name: "non-UTF-8 target name", content: "a,\xc0\n1,2\n", line: 1, is: ErrEncoding, contains: "header column 2"},
		{name: "UTF-16 file", content: "\xff\xfea\x00,\x00y\x00\n\x001\x00,\x000\x00\n\x00", line: 1, is: ErrEncoding},
		{name: "empty file", content: "", contains: "empty file"},
		{name: "blank file", content: "\n\n\n", contains: "empty file"},
		{name: "header only", content: "a,b,y\n", is: ErrNoData, contains: "no data rows"},
		{name: "header and blank lines", content: "a,b,y\n\n  \n", is: ErrNoData},
		{name: "one column", content: "y\n1\n", line: 1, contains: "header has 1 column"},
		{name: "bare quote", content: "a,y\n1,2\n3,\"x\"y\n", line: 3, is: nil, contains: `"`},
		{name: "one class", content: "a,y\n1,cat\n2,cat\n", classify: true, is: ErrClasses,
			contains: `column "y": need at least 2 classes, found 1 ("cat")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "bad.csv", tt.content)
			_, err := ReadCSV(path, tt.target, tt.classify)
			checkFileError(t, path, err, tt)
		})
	}
}

func TestReadCSVMessages(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "iris.csv")
	content := "sepal_length,petal_width,species\n" + strings.Repeat("5.1,0.2,setosa\n", 15) + "5.1,abc,setosa\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadCSV(path, "", true)
	want := path + `:17: column "petal_width": parse "abc": not a number`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestReadCSVMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.csv")
	_, err := ReadCSV(path, "", false)
	checkFileError(t, path, err, fileErrorCase{is: fs.ErrNotExist, contains: "absent.csv: open: "})
	if strings.Count(err.Error(), "absent.csv") != 1 {
		t.Errorf("error %q names the file more than once", err)
	}

	dir := t.TempDir()
	_, err = ReadCSV(dir, "", false)
	checkFileError(t, dir, err, fileErrorCase{is: ErrNotRegular, contains: "is a folder, not a data file"})
}

// In classification, every spelling of a number that is not finite is refused, whatever its
// case and sign, as in a feature: none becomes a class.
func TestReadCSVNonFiniteLabels(t *testing.T) {
	for _, label := range []string{"NaN", "nan", "NAN", "nAn", "+nan", "-nan", "-NaN", "inf", "Inf", "+Inf",
		"-inf", "INF", "infinity", "-Infinity", "+INFINITY", "1e999", "-1e400", "0x1p2000"} {
		t.Run(label, func(t *testing.T) {
			path := writeFile(t, "labels.csv", "a,y\n1,0\n2,1\n3,"+label+"\n4,1\n")
			s, err := ReadCSV(path, "", true)
			checkFileError(t, path, err, fileErrorCase{line: 4, is: ErrNotFinite,
				contains: `column "y": label "` + label + `": `})
			if s != nil {
				t.Errorf("a set of %d classes %q", s.Classes, s.Labels)
			}
			path = writeFile(t, "labels.libsvm", "0 1:1\n1 1:2\n"+label+" 1:3\n")
			_, err = ReadLibSVM(path, true)
			checkFileError(t, path, err, fileErrorCase{line: 3, is: ErrNotFinite, contains: `label "` + label + `": `})
		})
	}
}

// Rows × features may not exceed maxCells: the csv reader stops at the first row beyond it.
func TestReadCSVMaxCells(t *testing.T) {
	defer func(old int) { maxCells = old }(maxCells)
	maxCells = 10
	path := writeFile(t, "big.csv", "a,b,c,y\n1,2,3,0\n4,5,6,1\n\n7,8,9,0\n1,2,3,4\n")
	_, err := ReadCSV(path, "", false)
	checkFileError(t, path, err, fileErrorCase{line: 6, is: ErrTooLarge, contains: "4 rows × 3 features: too large (at most 10 values)"})
	path = writeFile(t, "fits.csv", "a,b,c,y\n1,2,3,0\n4,5,6,1\n7,8,9,0\n")
	if s, err := ReadCSV(path, "", false); err != nil || s.N != 3 {
		t.Errorf("9 values with maxCells 10: %v", err)
	}
}

// CountCSV and CountLibSVM agree with the readers on the number of samples.
func TestCountRows(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "a.csv")
	os.WriteFile(csvPath, []byte(" \"x\", y\n1,2\n\n3,4\n   \n5, \"6\"\n"), 0o644)
	set, err := ReadCSV(csvPath, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := CountCSV(csvPath); err != nil || n != set.N {
		t.Errorf("CountCSV = %d, %v; ReadCSV has %d rows", n, err, set.N)
	}
	svm := filepath.Join(dir, "a.svm")
	os.WriteFile(svm, []byte("# header\n1 1:2\n\n0 2:1 # note\n  \n1 1:1\n"), 0o644)
	set, err = ReadLibSVM(svm, true)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := CountLibSVM(svm); err != nil || n != set.N {
		t.Errorf("CountLibSVM = %d, %v; ReadLibSVM has %d rows", n, err, set.N)
	}
	if _, err := CountCSV(filepath.Join(dir, "missing.csv")); err == nil {
		t.Error("CountCSV of a missing file: no error")
	}
}
