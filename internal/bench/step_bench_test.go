package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkTrainStep times the whole training step of `optimbench train` (shuffled batching,
// gather, loss and gradient, optimizer update) on the anchor models with random data of their
// shape; it reports samples/s, ns/step and allocs/step of the timed steps (the framework's
// ns/op also counts the warm-up), in float64 and float32.
func BenchmarkTrainStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	mnist := RandomMNIST(10000, rng)
	tiny := TinyData(320, rng)
	for _, dt := range []string{"float64", "float32"} {
		for _, m := range Models() {
			for _, opt := range Optimizers {
				b.Run(dt+"/"+m.Name+"/"+opt, func(b *testing.B) {
					set := tiny
					if m.MNIST {
						set = mnist
					}
					res, err := TimeIn(dt, m, opt, set, b.N, 1, 1)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(res.SamplesPerSec, "samples/s")
					b.ReportMetric(res.StepMicros*1e3, "ns/step")
					b.ReportMetric(res.AllocsPerStep, "allocs/step")
				})
			}
		}
	}
}

// BenchmarkTrainStepThreads times the whole training step of the MLPs and 2c2d on 1 and 2
// threads in both precisions: what `train.threads` buys end to end, element-wise passes and
// the optimizer update included.
func BenchmarkTrainStepThreads(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	mnist := RandomMNIST(10000, rng)
	for _, dt := range []string{"float64", "float32"} {
		for _, m := range Models() {
			if !m.MNIST || m.Name == "softmax" {
				continue
			}
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/threads=%d", dt, m.Name, threads), func(b *testing.B) {
					res, err := TimeIn(dt, m, "momentum", mnist, b.N, 1, threads)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(res.SamplesPerSec, "samples/s")
					b.ReportMetric(res.StepMicros*1e3, "ns/step")
				})
			}
		}
	}
}
