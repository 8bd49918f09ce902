package cmd

import (
	"fmt"
	"io"
	"time"
)

// slowNotice is how long a phase runs silently before slowly says what it is doing.
const slowNotice = time.Second

// slowly runs f; when f is still running after slowNotice it says on w what is going on, then
// again every 10 seconds with the time so far, so that a long phase (reading a large data
// file, computing f*) is never silent. quiet (--quiet) keeps it silent.
func slowly(w io.Writer, quiet bool, what string, f func() error) error {
	if quiet {
		return f()
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		start := time.Now()
		select {
		case <-done:
			return
		case <-time.After(slowNotice):
		}
		fmt.Fprintf(w, "optimbench: %s… (Ctrl-C stops)\n", what)
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				fmt.Fprintf(w, "optimbench: still %s (%.0f s)\n", what, time.Since(start).Seconds())
			}
		}
	}()
	err := f()
	close(done)
	<-finished
	return err
}
