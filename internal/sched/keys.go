package sched

import "fmt"

// field returns a pointer to the field a schedule key names (*float64,
// *int or *[]int), or nil for a key no schedule has.
func (c *Config) field(key string) any {
	switch key {
	case "k":
		return &c.K
	case "factor":
		return &c.Factor
	case "every":
		return &c.Every
	case "milestones":
		return &c.Milestones
	case "period":
		return &c.Period
	case "mult":
		return &c.Mult
	case "min_lr":
		return &c.MinLR
	case "half_cycle":
		return &c.HalfCycle
	case "gamma":
		return &c.Gamma
	}
	return nil
}

// Value returns the value of a schedule-specific key (one of Keys):
// float64, int or []int; nil for an unknown key.
func (c Config) Value(key string) any { return deref(c.field(key)) }

// Set assigns a schedule-specific key; v must have the key's type
// (float64, int or []int).
func (c *Config) Set(key string, v any) error { return assign(c.field(key), key, v) }

func (b *BatchConfig) field(key string) any {
	switch key {
	case "factor":
		return &b.Factor
	case "every":
		return &b.Every
	case "milestones":
		return &b.Milestones
	case "max":
		return &b.Max
	}
	return nil
}

// Value returns the value of a batch-schedule key (one of BatchKeys).
func (b BatchConfig) Value(key string) any { return deref(b.field(key)) }

func deref(p any) any {
	switch x := p.(type) {
	case *float64:
		return *x
	case *int:
		return *x
	case *[]int:
		return *x
	}
	return nil
}

func assign(p any, key string, v any) error {
	ok := false
	switch x := p.(type) {
	case *float64:
		var f float64
		if f, ok = v.(float64); ok {
			*x = f
		}
	case *int:
		var n int
		if n, ok = v.(int); ok {
			*x = n
		}
	case *[]int:
		var l []int
		if l, ok = v.([]int); ok {
			*x = l
		}
	case nil:
		return fmt.Errorf("%s: unknown key", key)
	}
	if !ok {
		return fmt.Errorf("%s: value %v has type %T", key, v, v)
	}
	return nil
}
