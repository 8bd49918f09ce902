package data

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fuzzFile writes the fuzz input to path (one file per fuzz process: inputs run one at a time).
func fuzzFile(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fuzzSetup lowers maxCells, so the fuzzers never build sets of gigabytes, and the bounds on
// files and lines, so that inputs reach them, and returns a file path for the inputs. The
// folder is removed without failing the target when removal fails: the fuzzing engine may stop
// a worker at any moment.
func fuzzSetup(f *testing.F, name string) string {
	oldCells, oldFile, oldLine := maxCells, maxFileBytes, maxLineBytes
	maxCells, maxFileBytes, maxLineBytes = 1<<20, 16<<10, 1<<10
	dir, err := os.MkdirTemp("", "optimbench-fuzz-")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		maxCells, maxFileBytes, maxLineBytes = oldCells, oldFile, oldLine
		os.RemoveAll(dir)
	})
	return filepath.Join(dir, name)
}

// checkRead checks what a reader of a fuzz input returned: a *FileError and no set, or a
// valid set whose classes are labels that are allowed, counted as counter counts them.
func checkRead(t *testing.T, path string, s *Set, err error, classify bool, count func(string) (int, error)) {
	t.Helper()
	if err != nil {
		var fe *FileError
		if s != nil || !errors.As(err, &fe) {
			t.Fatalf("returned a set %v and the error %v (%T)", s != nil, err, err)
		}
		return
	}
	checkSet(t, s)
	if classify != (s.Classes > 0) {
		t.Fatalf("classify %v, Classes %d", classify, s.Classes)
	}
	for _, l := range s.Labels {
		if lerr := checkLabel(l); lerr != nil {
			t.Fatalf("class label %q: %v", l, lerr)
		}
	}
	if n, err := count(path); err != nil || n != s.N {
		t.Fatalf("counted %d samples (%v), read %d", n, err, s.N)
	}
}

func FuzzReadCSV(f *testing.F) {
	path := fuzzSetup(f, "fuzz.csv")
	seeds := []string{
		"a,b,y\n1,2,0\n3,4,1\n",
		"sepal,species\n1,virginica\n2,setosa\n",
		"y,a\n-1,2.5\n+1,3e4\n",
		"\ufeff a , \"b\",y\r\n\r\n 1 , 2,0\r\n",
		"a,y\n1,\"x\ny\"\n2,z\n",
		"a,b\nNaN,1\n",
		"a,b,c\n1,2\n",
		"",
		"y\n",
		"a,y\n1,0x1p-2\n",
		"a,x,b,x,y\n1,2,3,4,5\n",
		" y ,\"y\"\n1,2\n",
		"a,y\n1,0\n2,NaN\n3,-nan\n4,inf\n",
		"a,y\n1,cat\n2,\xffdog\n",
		"a,\xfe\xff\n1,2\n",
		"a,y\n1,\"" + strings.Repeat("x\n", 600) + "\"\n2,3\n",
		"a,y\n" + strings.Repeat("1", 2000) + ",0\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), "", true)
		f.Add([]byte(s), "y", false)
	}
	f.Fuzz(func(t *testing.T, content []byte, target string, classify bool) {
		fuzzFile(t, path, content)
		s, err := ReadCSV(path, target, classify)
		checkRead(t, path, s, err, classify, CountCSV)
		if err == nil && len(slices.Compact(slices.Sorted(slices.Values(s.Features)))) != len(s.Features) {
			t.Fatalf("features %q are not distinct", s.Features)
		}
	})
}

func FuzzReadLibSVM(f *testing.F) {
	path := fuzzSetup(f, "fuzz.libsvm")
	seeds := []string{
		"+1 1:0.708333 2:1 4:-0.320755\n-1 1:0.583333 3:-1\n",
		"# comment\n3 1:1\n1 2:2 # c\n2 1:3 2:4",
		"0.5 qid:3 2:1\n-2.25\n1e2 1:-1\n",
		"1 2:1 2:1\n",
		"1 0:1\n",
		"1:2\n",
		"1 1048576:1\n1 1:1\n",
		"",
		"nan 1:1\n1 1:2\n-Inf 2:1\n",
		"\xff 1:1\n1 1:2\n",
		"1 1:" + strings.Repeat("5", 2000) + "\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, content []byte, classify bool) {
		fuzzFile(t, path, content)
		s, err := ReadLibSVM(path, classify)
		checkRead(t, path, s, err, classify, CountLibSVM)
	})
}
