package sched

import (
	"fmt"

	"github.com/optimbench/optimbench/internal/param"
)

// SaveState copies the state of r (Rates.State) into plain values, one row per element in
// State's order: a []float64 as it is, a number or a flag as one value (an int exactly, a
// flag as 0 or 1). A schedule without state gives nil. Nothing of it aliases r.
func SaveState(r Rates) ([][]float64, error) {
	if r.State == nil {
		return nil, nil
	}
	rows, err := param.SaveState(r.State())
	if err != nil {
		return nil, fmt.Errorf("sched: %w", err)
	}
	return rows, nil
}

// RestoreState writes values saved by SaveState back into r, built from the same Config. A
// mismatch (state for a schedule without any, or none for one with state, another number of
// elements or of values, a value an int or a flag cannot hold) is an error, and then r is
// left as it was.
func RestoreState(r Rates, saved [][]float64) error {
	if r.State == nil {
		if len(saved) != 0 {
			return fmt.Errorf("sched: a checkpoint with %d state elements for a schedule without state", len(saved))
		}
		return nil
	}
	if err := param.RestoreState(r.State(), saved); err != nil {
		return fmt.Errorf("sched: %w", err)
	}
	return nil
}
