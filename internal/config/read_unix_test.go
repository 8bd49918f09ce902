//go:build unix

package config

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/optimbench/optimbench/internal/data"
)

// A named pipe is refused before it is opened (opening one blocks until a writer comes).
func TestReadRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	_, err := readWithin(t, fifo)
	checkInputError(t, "fifo", err, data.ErrNotRegular, "config "+fifo+": a named pipe (FIFO), not a regular file")
}
