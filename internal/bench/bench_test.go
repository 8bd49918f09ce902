package bench

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	all, err := Select(nil)
	if err != nil || len(all) != 5 {
		t.Fatalf("Select(nil) = %d models, %v; want 5", len(all), err)
	}
	got, err := Select([]string{"tiny", "softmax", "tiny"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "softmax" || got[1].Name != "tiny" {
		t.Errorf("Select(tiny, softmax, tiny) = %v, want softmax, tiny in table order", modelNames(got))
	}
	if _, err := Select([]string{"resnet"}); err == nil || !strings.Contains(err.Error(), "resnet") {
		t.Errorf("Select(resnet) error = %v, want one naming resnet", err)
	}
}

// TestTime times a few steps of every anchor model (on small data) with both optimizers and
// checks that the numbers are sane and that a step allocates nothing.
func TestTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	mnist := RandomMNIST(300, rng)
	tiny := TinyData(100, rng)
	for _, m := range Models() {
		if (m.Name == "mlp1000" || m.Name == "2c2d") && testing.Short() {
			continue
		}
		for _, opt := range Optimizers {
			t.Run(m.Name+"/"+opt, func(t *testing.T) {
				set := tiny
				if m.MNIST {
					set = mnist
				}
				steps := 5
				res, err := Time(m, opt, set, steps, 1, 1)
				if err != nil {
					t.Fatal(err)
				}
				if res.Steps != steps || res.Batch != m.Batch || res.Model != m.Name || res.Optimizer != opt {
					t.Errorf("result %+v, want %d steps at batch %d", res, steps, m.Batch)
				}
				if !(res.Seconds > 0) || !(res.SamplesPerSec > 0) || math.IsInf(res.SamplesPerSec, 0) {
					t.Errorf("seconds %v, samples/s %v, want positive and finite", res.Seconds, res.SamplesPerSec)
				}
				if d := res.SamplesPerSec * res.StepMicros / 1e6; math.Abs(d-float64(m.Batch)) > 1e-6*float64(m.Batch) {
					t.Errorf("samples/s × s/step = %v, want the batch %d", d, m.Batch)
				}
				if math.IsNaN(res.Loss) || math.IsInf(res.Loss, 0) || res.Loss <= 0 {
					t.Errorf("loss %v, want finite and positive", res.Loss)
				}
			})
		}
	}
}

// TestStepAllocs checks the whole training step — batching across epoch ends, gather, loss and
// gradient, optimizer — for allocations.
func TestStepAllocs(t *testing.T) {
	// As testing.AllocsPerRun does: one P, so that no other goroutine allocates meanwhile.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rng := rand.New(rand.NewPCG(1, 2))
	for _, m := range Models() {
		if m.Name == "mlp1000" || m.Name == "2c2d" { // 2c2d: internal/model's TestNetZeroAllocs
			continue
		}
		set := TinyData(70, rng) // 70 rows: epochs end within the run, with a short last batch
		if m.MNIST {
			set = RandomMNIST(200, rng)
		}
		for _, opt := range Optimizers {
			for _, dt := range []string{"float64", "float32"} {
				res, err := TimeIn(dt, m, opt, set, 40, 1, 1)
				if err != nil {
					t.Fatal(err)
				}
				if res.AllocsPerStep != 0 {
					t.Errorf("%s/%s/%s: %v allocations per step, want 0", m.Name, opt, dt, res.AllocsPerStep)
				}
			}
		}
	}
}

func TestTimeErrors(t *testing.T) {
	m := Models()[0]
	rng := rand.New(rand.NewPCG(1, 2))
	if _, err := Time(m, "adam", TinyData(10, rng), 5, 1, 1); err == nil {
		t.Error("Time with 2-feature data for a 784-input model: no error")
	}
	if _, err := Time(m, "no-such-optimizer", RandomMNIST(10, rng), 5, 1, 1); err == nil {
		t.Error("Time with an unknown optimizer: no error")
	}
	if _, err := Time(m, "adam", RandomMNIST(10, rng), 0, 1, 1); err == nil {
		t.Error("Time with 0 steps: no error")
	}
	if _, err := TimeIn("float16", m, "adam", RandomMNIST(10, rng), 5, 1, 1); err == nil {
		t.Error("TimeIn with dtype float16: no error")
	}
}

// The float32 step learns as the float64 one does, and its first loss agrees to float32's
// precision (the same initialization, rounded).
func TestFloat32Step(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	set := TinyData(320, rng)
	m := Models()[3]
	a, err := TimeIn("float64", m, "adam", set, 1, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := TimeIn("float32", m, "adam", set, 1, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(a.Loss-b.Loss) / a.Loss; d > 1e-5 || a.Loss == b.Loss {
		t.Errorf("float32 loss %v, float64 %v: want close, not equal", b.Loss, a.Loss)
	}
}

func TestLearns(t *testing.T) {
	// The tiny MLP must actually learn its regression: the loss after training is well
	// below the loss at the start.
	rng := rand.New(rand.NewPCG(5, 6))
	set := TinyData(320, rng)
	m := Models()[3]
	first, err := Time(m, "adam", set, 1, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	last, err := Time(m, "adam", set, 2000, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !(last.Loss < first.Loss/2) {
		t.Errorf("loss %v after 2000 adam steps, want below half of the first %v", last.Loss, first.Loss)
	}
}
