//go:build !unix

package data

import (
	"os"
)

// openFile opens path for reading. Without O_NONBLOCK, a path that is not a regular file (such
// as a named pipe, whose open could wait for a writer) is refused by a stat before the open;
// openRegular checks the open file again.
func openFile(path, what string) (*os.File, error) {
	if st, err := os.Stat(path); err == nil {
		if err := checkRegular(st, what); err != nil && !st.IsDir() {
			return nil, &os.PathError{Op: "stat", Path: path, Err: err}
		}
	}
	return os.Open(path)
}
