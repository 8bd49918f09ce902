package report

import (
	"os"
	"path/filepath"
)

// WriteFileAtomic writes data to a temporary file beside path and renames it over path, so
// readers see the old file or the new one whole — also after the writing process is killed at
// any moment, since the kernel keeps what was written and the rename is atomic.
//
// It does not fsync: a power loss or OS crash may lose the new file or leave it empty (the
// folder of a run; a sweep redoes a run whose summary.json is missing or unreadable). An fsync
// per file cost ≈ 1.5 ms, a tenth of a small run. Files that a sweep cannot recreate use
// WriteFileDurable.
func WriteFileAtomic(path string, data []byte) error {
	return writeFileAtomic(path, data, false)
}

// WriteFileDurable is WriteFileAtomic that also syncs the new file before the rename and its
// folder after it, so that the file survives a power loss or OS crash too. For files written
// once per sweep or shard (results.csv, sweep.yaml), not once per run.
func WriteFileDurable(path string, data []byte) error {
	return writeFileAtomic(path, data, true)
}

func writeFileAtomic(path string, data []byte, durable bool) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if durable {
		syncDir(dir)
	}
	return nil
}

// syncDir makes a rename in dir durable where the file system supports syncing a folder (best
// effort: some refuse, and the file itself is already synced).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
