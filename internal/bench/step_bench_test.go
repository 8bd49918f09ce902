package bench

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkTrainStep times the whole training step of `optimbench train` (shuffled batching,
// gather, loss and gradient, optimizer update) on the anchor models with random data of their
// shape; it reports samples/s and shows 0 allocs/op.
func BenchmarkTrainStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	mnist := RandomMNIST(10000, rng)
	tiny := TinyData(320, rng)
	for _, m := range Models() {
		for _, opt := range Optimizers {
			b.Run(m.Name+"/"+opt, func(b *testing.B) {
				set := tiny
				if m.MNIST {
					set = mnist
				}
				tr, err := NewTrainer(m, opt, set, 1)
				if err != nil {
					b.Fatal(err)
				}
				tr.Step()
				b.ReportAllocs()
				for b.Loop() {
					tr.Step()
				}
				b.ReportMetric(float64(m.Batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
