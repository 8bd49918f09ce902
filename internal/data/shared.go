package data

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// sharedMNIST keeps the image sets read in this process, by folder: they are only read during
// training, so the runs of a sweep share one copy instead of each decompressing and holding
// ~55 MB.
var sharedMNIST sync.Map // folder and its files → *mnistEntry

type mnistEntry struct {
	mu          sync.Mutex // held while the folder is read
	done        bool       // train, test and err are the result
	train, test *Set
	err         error
}

// ReadMNISTShared is ReadMNIST that reads each folder once per process and hands every caller
// the same sets, which callers must not modify. The key names the files' sizes and times too,
// so that files fetched again (or removed) are read again.
func ReadMNISTShared(dir string) (train, test *Set, err error) {
	return ReadMNISTSharedContext(context.Background(), dir)
}

// ReadMNISTSharedContext is [ReadMNISTShared] that stops reading soon after ctx is done, as
// [ReadMNISTContext] does. A read stopped so is not kept: the next caller reads the folder
// again. A caller waits, without watching its ctx, while another reads the same folder.
func ReadMNISTSharedContext(ctx context.Context, dir string) (train, test *Set, err error) {
	key := dir
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			key += fmt.Sprintf("|%s:%d:%d", e.Name(), info.Size(), info.ModTime().UnixNano())
		}
	}
	v, _ := sharedMNIST.LoadOrStore(key, &mnistEntry{})
	e := v.(*mnistEntry)
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.done {
		train, test, err := ReadMNISTContext(ctx, dir)
		if err != nil && ctx.Err() != nil {
			return nil, nil, err
		}
		e.train, e.test, e.err, e.done = train, test, err, true
	}
	return e.train, e.test, e.err
}
