package param

import (
	"fmt"
	"math"
)

// SaveState copies state elements — pointers and slices into a stateful value: *float64,
// *int, *bool or []float64 — into plain values, one row per element: a slice as it is, a
// number or a flag as one value (an int exactly, a flag as 0 or 1). Nothing of the result
// aliases the elements. The optimizers' and schedules' checkpoints are made of it.
func SaveState(elems []any) ([][]float64, error) {
	out := make([][]float64, 0, len(elems))
	for i, e := range elems {
		switch x := e.(type) {
		case *float64:
			out = append(out, []float64{*x})
		case *int:
			out = append(out, []float64{float64(*x)})
		case *bool:
			v := 0.0
			if *x {
				v = 1
			}
			out = append(out, []float64{v})
		case []float64:
			out = append(out, append(make([]float64, 0, len(x)), x...))
		default:
			return nil, fmt.Errorf("state element %d is a %T", i, e)
		}
	}
	return out, nil
}

// RestoreState writes rows saved by SaveState back into the elements. Every row is checked
// before any is written — its length, a count that is a whole number, a flag that is 0 or
// 1 — so that on an error the elements are left as they were.
func RestoreState(elems []any, saved [][]float64) error {
	if len(elems) != len(saved) {
		return fmt.Errorf("%d state elements, the checkpoint has %d", len(elems), len(saved))
	}
	for i, e := range elems {
		v := saved[i]
		n := 1
		if x, ok := e.([]float64); ok {
			n = len(x)
		}
		if len(v) != n {
			return fmt.Errorf("state element %d has %d values, the checkpoint %d", i, n, len(v))
		}
		switch e.(type) {
		case *float64, []float64:
		case *int:
			if x := v[0]; x != math.Trunc(x) || math.Abs(x) > 1<<53 {
				return fmt.Errorf("state element %d is a count, the checkpoint has %v", i, x)
			}
		case *bool:
			if x := v[0]; x != 0 && x != 1 {
				return fmt.Errorf("state element %d is a flag, the checkpoint has %v", i, x)
			}
		default:
			return fmt.Errorf("state element %d is a %T", i, e)
		}
	}
	for i, e := range elems {
		v := saved[i]
		switch x := e.(type) {
		case *float64:
			*x = v[0]
		case *int:
			*x = int(v[0])
		case *bool:
			*x = v[0] != 0
		case []float64:
			copy(x, v)
		}
	}
	return nil
}
