//go:build unix

package cmd

import (
	"path/filepath"
	"syscall"
	"testing"
)

// A named pipe as a config or a sweep's base is refused at once: opening one would block
// until something writes to it.
func TestConfigFIFORefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	out := filepath.Join(dir, "out")
	refused(t, []string{"train", "-c", fifo, "--out", out}, "config "+fifo+": a named pipe (FIFO), not a regular file")
	sw := write(t, dir, "sw.yaml", "base: pipe.yaml\ngrid:\n  optimizer.lr: [0.1]\n")
	refused(t, []string{"sweep", "-c", sw, "--out", out}, "config "+fifo+": a named pipe (FIFO)")
}
