package data

import (
	"fmt"
	"os"
	"sync"
)

// sharedMNIST keeps the image sets read in this process, by folder: they are only read during
// training, so the runs of a sweep share one copy instead of each decompressing and holding
// ~55 MB.
var sharedMNIST sync.Map // folder and its files → *mnistEntry

type mnistEntry struct {
	once        sync.Once
	train, test *Set
	err         error
}

// ReadMNISTShared is ReadMNIST that reads each folder once per process and hands every caller
// the same sets, which callers must not modify. The key names the files' sizes and times too,
// so that files fetched again (or removed) are read again.
func ReadMNISTShared(dir string) (train, test *Set, err error) {
	key := dir
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			key += fmt.Sprintf("|%s:%d:%d", e.Name(), info.Size(), info.ModTime().UnixNano())
		}
	}
	v, _ := sharedMNIST.LoadOrStore(key, &mnistEntry{})
	e := v.(*mnistEntry)
	e.once.Do(func() { e.train, e.test, e.err = ReadMNIST(dir) })
	return e.train, e.test, e.err
}
