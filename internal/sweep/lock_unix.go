//go:build unix

package sweep

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an advisory lock on path (created if missing): shared or
// exclusive, never waiting. It returns the function that releases it. A
// lock held by another process is an error; a filesystem without flock
// support (some Lustre mounts) is tolerated, unlocked.
func lockFile(path string, exclusive bool) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (lock %s)", errLocked, path)
		}
		return func() {}, nil // no flock here (f is closed): go on without
	}
	return func() { f.Close() }, nil
}
