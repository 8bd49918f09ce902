package sched

import (
	"slices"
	"testing"
)

// Every key Keys and BatchKeys list can be set and read back.
func TestKeyAccess(t *testing.T) {
	for _, name := range Names() {
		keys, _ := Keys(name)
		for _, k := range keys {
			var c Config
			var v any
			switch c.Value(k).(type) {
			case float64:
				v = 0.25
			case int:
				v = 7
			case []int:
				v = []int{2, 5}
			default:
				t.Fatalf("%s.%s: no field", name, k)
			}
			if err := c.Set(k, v); err != nil {
				t.Fatal(err)
			}
			got := c.Value(k)
			if l, ok := got.([]int); ok {
				if !slices.Equal(l, v.([]int)) {
					t.Errorf("%s.%s = %v, want %v", name, k, got, v)
				}
			} else if got != v {
				t.Errorf("%s.%s = %v, want %v", name, k, got, v)
			}
		}
	}
	var c Config
	if err := c.Set("k", 3); err == nil {
		t.Error("Set accepted an int for a float key")
	}
	if err := c.Set("nope", 1.0); err == nil {
		t.Error("Set accepted an unknown key")
	}
	for _, name := range []string{"step", "multistep"} {
		keys, _ := BatchKeys(name)
		b := BatchConfig{Factor: 2, Every: 3, Milestones: []int{4}, Max: 64}
		for _, k := range keys {
			if b.Value(k) == nil {
				t.Errorf("batch %s.%s: no field", name, k)
			}
		}
	}
}
