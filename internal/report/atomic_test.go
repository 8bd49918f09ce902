package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWriteFileDurable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.csv")
	for _, data := range []string{"a,b\n1,2\n", "a\n"} { // create, then replace with a shorter file
		if err := WriteFileDurable(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || string(b) != data {
			t.Fatalf("read back %q, %v; want %q", b, err, data)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", fi.Mode().Perm(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := WriteFileDurable(filepath.Join(dir, "missing", "x"), []byte("x")); err == nil {
		t.Error("WriteFileDurable into a missing folder succeeded")
	}
}

// atomicVersion is version v of the file that TestWriteFileAtomicKilled rewrites: large enough
// that a write that is not atomic would be seen in part.
func atomicVersion(v int) []byte {
	line := []byte(strconv.Itoa(v) + "\n")
	return bytes.Repeat(line, 1+(1<<16)/len(line)*(1+v%3))
}

// TestWriteFileAtomicKilled kills a process that rewrites a file with WriteFileAtomic in a loop
// (no fsync) and checks that the file is then one whole version.
func TestWriteFileAtomicKilled(t *testing.T) {
	if path := os.Getenv("OPTIMBENCH_ATOMIC_HELPER"); path != "" {
		for v := 0; ; v++ {
			if err := WriteFileAtomic(path, atomicVersion(v)); err != nil {
				os.Exit(3)
			}
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWriteFileAtomicKilled$")
		cmd.Env = append(os.Environ(), "OPTIMBENCH_ATOMIC_HELPER="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, err := os.Stat(path); err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(5+10*round) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := bytes.Cut(b, []byte("\n"))
		v, err := strconv.Atoi(string(line))
		if err != nil || !bytes.Equal(b, atomicVersion(v)) {
			t.Fatalf("round %d: file of %d bytes is not a whole version (first line %q)", round, len(b), line)
		}
	}
}

// A failed write names the file asked for, never its temporary file, and WriteFilesAtomic
// writes all of its files or none.
func TestAtomicErrorsAndGroups(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "x.png")
	err := WriteFileAtomic(missing, []byte("x"))
	if err == nil || !strings.Contains(err.Error(), missing) || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("error %v: want one naming %s and no temporary file", err, missing)
	}
	good := filepath.Join(dir, "t.png")
	if err := os.WriteFile(good, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = WriteFilesAtomic([]string{good, missing}, [][]byte{[]byte("new"), []byte("gif")})
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("error %v: want one naming %s", err, missing)
	}
	if b, _ := os.ReadFile(good); string(b) != "old" {
		t.Errorf("t.png = %q after the group failed, want the old content", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if err := WriteFilesAtomic([]string{good, filepath.Join(dir, "t.gif")}, [][]byte{[]byte("a"), []byte("b")}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "t.gif")); string(b) != "b" {
		t.Errorf("t.gif = %q", b)
	}
}
