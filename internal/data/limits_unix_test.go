//go:build unix

package data

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A named pipe is refused at once, although no one writes to it: opening it for reading
// without O_NONBLOCK would wait for a writer forever.
func TestReadRefusesNamedPipes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.csv")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	t.Cleanup(func() {
		// Release a reader blocked in its open (a failed test): open the writing end, then close it.
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	for name, read := range readAll(path) {
		err := within(t, name, read)
		checkFileError(t, path, err, fileErrorCase{is: ErrNotRegular, contains: "a named pipe (FIFO), not a regular file"})
	}
}
