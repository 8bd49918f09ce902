package sched

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/optimbench/optimbench/internal/param"
)

func TestBatchKeysAndDefaults(t *testing.T) {
	keys := map[string][]string{
		"constant":  {},
		"step":      {"factor", "every", "max"},
		"multistep": {"factor", "milestones", "max"},
	}
	defaults := map[string]param.Values{
		"constant":  {},
		"step":      {"factor": 2.0, "every": 10, "max": 0},
		"multistep": {"factor": 2.0, "max": 0},
	}
	if got, want := BatchNames(), []string{"constant", "step", "multistep"}; !slices.Equal(got, want) {
		t.Errorf("BatchNames() = %v, want %v", got, want)
	}
	for _, name := range BatchNames() {
		got, err := BatchKeys(name)
		if err != nil {
			t.Fatalf("BatchKeys(%q): %v", name, err)
		}
		if !slices.Equal(got, keys[name]) {
			t.Errorf("BatchKeys(%q) = %v, want %v", name, got, keys[name])
		}
		p, err := ResolveBatch(BatchConfig{Name: name})
		if err != nil {
			t.Fatalf("ResolveBatch(%q): %v", name, err)
		}
		if !reflect.DeepEqual(p, defaults[name]) {
			t.Errorf("ResolveBatch(%q) = %v, want %v", name, p, defaults[name])
		}
	}
	_, err := BatchKeys("linear")
	if !errors.Is(err, ErrUnknownBatch) || err.Error() != `unknown batch schedule "linear"` {
		t.Errorf(`BatchKeys("linear") error = %v, want unknown batch schedule "linear"`, err)
	}
	if _, err := ResolveBatch(BatchConfig{Name: "linear"}); !errors.Is(err, ErrUnknownBatch) {
		t.Errorf(`ResolveBatch("linear") error = %v, want ErrUnknownBatch`, err)
	}
}

func TestBatchSchedule(t *testing.T) {
	tests := []struct {
		name   string
		c      BatchConfig
		b0, n  int
		sizes  []int     // epochs 0, 1, …
		scales []float64 // nil: all 1
	}{
		{
			name:  "constant",
			c:     BatchConfig{Name: "constant"},
			b0:    32,
			n:     1000,
			sizes: []int{32, 32, 32},
		},
		{
			name:  "zero config is constant",
			b0:    32,
			n:     1000,
			sizes: []int{32, 32},
		},
		{
			name:  "constant b0 above n is cut to n",
			c:     BatchConfig{Name: "constant"},
			b0:    2000,
			n:     1000,
			sizes: []int{1000, 1000},
		},
		{
			name:   "step hybrid cap",
			c:      BatchConfig{Name: "step", Params: param.Values{"factor": 2.0, "every": 2, "max": 512}},
			b0:     128,
			n:      10000,
			sizes:  []int{128, 128, 256, 256, 512, 512, 512, 512, 512, 512},
			scales: []float64{1, 1, 1, 1, 1, 1, 0.5, 0.5, 0.25, 0.25},
		},
		{
			name:   "step max 0 caps at n",
			c:      BatchConfig{Name: "step", Params: param.Values{"factor": 2.0, "every": 1}},
			b0:     100,
			n:      500,
			sizes:  []int{100, 200, 400, 400, 400},
			scales: []float64{1, 1, 1, 0.5, 0.25},
		},
		{
			name:   "max above n caps at n",
			c:      BatchConfig{Name: "step", Params: param.Values{"factor": 2.0, "every": 1, "max": 4096}},
			b0:     256,
			n:      600,
			sizes:  []int{256, 512, 512},
			scales: []float64{1, 1, 0.5},
		},
		{
			name:   "b0 above n is cut",
			c:      BatchConfig{Name: "step", Params: param.Values{"factor": 2.0, "every": 1}},
			b0:     100,
			n:      64,
			sizes:  []int{64, 64, 64},
			scales: []float64{1, 0.5, 0.25},
		},
		{
			name:   "next size exceeding cap keeps size, does not fill to cap",
			c:      BatchConfig{Name: "step", Params: param.Values{"factor": 2.0, "every": 1, "max": 500}},
			b0:     150,
			n:      1000,
			sizes:  []int{150, 300, 300},
			scales: []float64{1, 1, 0.5},
		},
		{
			name:  "rounding",
			c:     BatchConfig{Name: "step", Params: param.Values{"factor": 1.5, "every": 1}},
			b0:    5,
			n:     1000,
			sizes: []int{5, 8, 12, 18, 27, 41}, // 7.5→8, 12, 18, 27, 40.5→41
		},
		{
			name:  "rounding stall",
			c:     BatchConfig{Name: "step", Params: param.Values{"factor": 1.2, "every": 1}},
			b0:    2,
			n:     1000,
			sizes: []int{2, 2, 2, 2}, // round(2.4) = 2
		},
		{
			name:   "multistep",
			c:      BatchConfig{Name: "multistep", Params: param.Values{"factor": 4.0, "milestones": []int{1, 3, 4}, "max": 256}},
			b0:     16,
			n:      1000,
			sizes:  []int{16, 64, 64, 256, 256, 256},
			scales: []float64{1, 1, 1, 1, 0.25, 0.25},
		},
		{
			name:   "multistep factor 3 cap",
			c:      BatchConfig{Name: "multistep", Params: param.Values{"factor": 3.0, "milestones": []int{2, 4, 6}, "max": 100}},
			b0:     30,
			n:      1000,
			sizes:  []int{30, 30, 90, 90, 90, 90, 90},
			scales: []float64{1, 1, 1, 1, 1.0 / 3, 1.0 / 3, 1.0 / 9},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bs, err := NewBatch(tt.c, tt.b0, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			for e, want := range tt.sizes {
				wantScale := 1.0
				if tt.scales != nil {
					wantScale = tt.scales[e]
				}
				size, scale := bs(e)
				if size != want || !closeTo(scale, wantScale) {
					t.Errorf("epoch %d: got (%d, %v), want (%d, %v)", e, size, scale, want, wantScale)
				}
			}
			if s0, sc0 := bs(0); func() bool { s, sc := bs(-3); return s != s0 || sc != sc0 }() {
				t.Errorf("epoch -3 differs from epoch 0")
			}
		})
	}
}

func TestBatchMilestonesCopied(t *testing.T) {
	ms := []int{1}
	bs, err := NewBatch(BatchConfig{Name: "multistep", Params: param.Values{"factor": 2.0, "milestones": ms}}, 10, 100)
	if err != nil {
		t.Fatal(err)
	}
	ms[0] = 50
	if size, _ := bs(1); size != 20 {
		t.Errorf("after the caller changed Milestones, size(1) = %d, want 20", size)
	}
}

func TestSteps(t *testing.T) {
	constant := func(b int) BatchSchedule {
		bs, err := NewBatch(BatchConfig{}, b, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return bs
	}
	hybrid, err := NewBatch(BatchConfig{Name: "step", Params: param.Values{"factor": 2.0, "every": 2, "max": 512}}, 128, 1000)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		bs        BatchSchedule
		n, epochs int
		want      int
	}{
		{"exact", constant(100), 1000, 3, 30},
		{"partial last batch", constant(300), 1000, 2, 8},
		{"full batch", constant(1000), 1000, 5, 5},
		{"batch above n", constant(5000), 1000, 5, 5},
		{"no epochs", constant(100), 1000, 0, 0},
		{"no samples", constant(100), 0, 3, 0},
		// sizes 128,128,256,256,512,512: 8+8+4+4+2+2
		{"hybrid", hybrid, 1000, 6, 28},
		// 2 boundaries of growth, then 1e12−4 epochs at 512: in closed form, not a loop
		{"hybrid, 1e12 epochs", hybrid, 1000, 1e12, 8 + 8 + 4 + 4 + 2*(1e12-4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			if got, ok := Steps(tt.bs, tt.n, tt.epochs); got != tt.want || !ok {
				t.Errorf("Steps = %d, %v; want %d, true", got, ok, tt.want)
			}
			if d := time.Since(start); d > 10*time.Millisecond {
				t.Errorf("Steps took %v", d)
			}
		})
	}
	// Agrees with the sum over epochs on irregular multistep schedules.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		n, epochs := 1+rng.IntN(5000), rng.IntN(60)
		ms := []int{1 + rng.IntN(20)}
		for range rng.IntN(4) {
			ms = append(ms, ms[len(ms)-1]+1+rng.IntN(15))
		}
		b0 := 1 + rng.IntN(n)
		bs, err := NewBatch(BatchConfig{Name: "multistep", Params: param.Values{"factor": 1.1 + 3*rng.Float64(),
			"milestones": ms, "max": b0 + rng.IntN(2*n)}}, b0, n)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for e := range epochs {
			size, _ := bs(e)
			want += (n + size - 1) / size
		}
		if got, _ := Steps(bs, n, epochs); got != want {
			t.Fatalf("n %d epochs %d milestones %v: Steps = %d, the sum over epochs %d", n, epochs, ms, got, want)
		}
	}
	if got, ok := Steps(constant(1), 1000, math.MaxInt/100); ok || got != math.MaxInt {
		t.Errorf("an overflowing total gave %d, %v; want MaxInt, false", got, ok)
	}
}

func TestNewBatchInvalid(t *testing.T) {
	tests := []struct {
		name  string
		c     BatchConfig
		b0, n int
		key   string
		msg   string
	}{
		{"unknown", BatchConfig{Name: "x"}, 10, 100, "name", `name: unknown batch schedule "x"`},
		{"b0", BatchConfig{Name: "constant"}, 0, 100, "batch_size", "batch_size: must be > 0, got 0"},
		{"factor 1", BatchConfig{Name: "step", Params: param.Values{"factor": 1.0, "every": 10}}, 10, 100, "factor", "factor: must be > 1, got 1"},
		{"factor nan", BatchConfig{Name: "multistep", Params: param.Values{"factor": math.NaN(), "milestones": []int{3}}}, 10, 100, "factor", ""},
		{"every", BatchConfig{Name: "step", Params: param.Values{"factor": 2.0, "every": 0}}, 10, 100, "every", "every: must be > 0, got 0"},
		{"milestones", BatchConfig{Name: "multistep", Params: param.Values{"factor": 2.0}}, 10, 100, "milestones", "milestones: required"},
		{"milestones order", BatchConfig{Name: "multistep", Params: param.Values{"factor": 2.0, "milestones": []int{4, 2}}}, 10, 100, "milestones",
			"milestones: must be increasing, got [4 2]"},
		{"max", BatchConfig{Name: "step", Params: param.Values{"factor": 2.0, "every": 1, "max": -1}}, 10, 100, "max", "max: must be >= 0, got -1"},
		{"max below b0", BatchConfig{Name: "multistep", Params: param.Values{"factor": 2.0, "milestones": []int{3}, "max": 64}}, 100, 1000, "max",
			"max: must be >= batch_size (100) or 0, got 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBatch(tt.c, tt.b0, tt.n)
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("error %v (%T) is not a *KeyError", err, err)
			}
			if ke.Key != tt.key || !strings.HasPrefix(err.Error(), tt.key+": ") {
				t.Errorf("error %q: key %q, want %q first", err, ke.Key, tt.key)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("error = %q, want %q", err, tt.msg)
			}
		})
	}
	var ke *KeyError
	if _, err := NewBatch(BatchConfig{Name: "constant", Params: param.Values{"max": 10}}, 10, 100); !errors.As(err, &ke) || ke.Key != "max" {
		t.Errorf("max on a constant batch schedule: error %v, want a KeyError for max", err)
	}
	if _, err := NewBatch(BatchConfig{}, 10, 0); err == nil {
		t.Error("NewBatch with n = 0: no error")
	}
}

func TestBatchAllocs(t *testing.T) {
	bs, err := NewBatch(BatchConfig{Name: "multistep", Params: param.Values{"factor": 2.0, "milestones": []int{2, 5, 9}, "max": 256}}, 32, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var sink int
	if allocs := testing.AllocsPerRun(100, func() {
		for e := range 20 {
			s, _ := bs(e)
			sink += s
		}
	}); allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
	_ = sink
}
