package data

import (
	"os"
	"path/filepath"
	"testing"
)

// fuzzFile writes the fuzz input to path (one file per fuzz process: inputs run one at a time).
func fuzzFile(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fuzzSetup lowers maxCells, so the fuzzers never build sets of gigabytes, and returns a file
// path for the inputs. The folder is removed without failing the target when removal fails: the
// fuzzing engine may stop a worker at any moment.
func fuzzSetup(f *testing.F, name string) string {
	old := maxCells
	maxCells = 1 << 20
	dir, err := os.MkdirTemp("", "optimbench-fuzz-")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		maxCells = old
		os.RemoveAll(dir)
	})
	return filepath.Join(dir, name)
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
	}
	for _, s := range seeds {
		f.Add([]byte(s), "", true)
		f.Add([]byte(s), "y", false)
	}
	f.Fuzz(func(t *testing.T, content []byte, target string, classify bool) {
		fuzzFile(t, path, content)
		s, err := ReadCSV(path, target, classify)
		if err != nil {
			if s != nil {
				t.Fatalf("ReadCSV returned a set and the error %v", err)
			}
			return
		}
		checkSet(t, s)
		if classify != (s.Classes > 0) {
			t.Fatalf("classify %v, Classes %d", classify, s.Classes)
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
	}
	for _, s := range seeds {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, content []byte, classify bool) {
		fuzzFile(t, path, content)
		s, err := ReadLibSVM(path, classify)
		if err != nil {
			if s != nil {
				t.Fatalf("ReadLibSVM returned a set and the error %v", err)
			}
			return
		}
		checkSet(t, s)
		if classify != (s.Classes > 0) {
			t.Fatalf("classify %v, Classes %d", classify, s.Classes)
		}
	})
}
