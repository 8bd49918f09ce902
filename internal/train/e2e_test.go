package train

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/config"
)

// e2eMNIST are the end-to-end runs of issue 13: 2 epochs of MNIST at batch 128 with an
// evaluation of both sets before training and after each epoch, on one thread, as
// configs/mnist-softmax.yaml and configs/mnist-mlp.yaml (and scripts/mnist_torch.py) run them.
var e2eMNIST = []struct{ name, doc string }{
	{"softmax", `
data: {source: mnist, path: PATH}
model: {kind: linear, loss: cross_entropy}
optimizer: {name: adam, lr: 0.001}
train: {epochs: 2, batch_size: 128, threads: 1}
`},
	{"mlp-784-256-10", `
data: {source: mnist, path: PATH}
model: {kind: mlp, hidden: [256], activation: relu, loss: cross_entropy}
optimizer: {name: nesterov, lr: 0.1, momentum: 0.9}
train: {epochs: 2, batch_size: 128, threads: 1}
`},
}

// BenchmarkMNISTEndToEnd times whole runs (setup and data loading included) on the MNIST files
// of ./data/mnist; it is skipped without them (optimbench data get mnist).
//
//	go test ./internal/train -run '^$' -bench MNISTEndToEnd -benchtime 1x -cpuprofile cpu.out
func BenchmarkMNISTEndToEnd(b *testing.B) {
	dir, err := filepath.Abs("../../data/mnist")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		b.Skip("no MNIST in ../../data/mnist")
	}
	for _, tc := range e2eMNIST {
		b.Run(tc.name, func(b *testing.B) {
			var raw map[string]any
			if err := yaml.Unmarshal([]byte(strings.Replace(tc.doc, "PATH", dir, 1)), &raw); err != nil {
				b.Fatal(err)
			}
			for range b.N {
				c, err := config.Decode(raw, "e2e.yaml")
				if err != nil {
					b.Fatal(err)
				}
				r, err := Setup(context.Background(), c, Limits{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := r.Execute(context.Background(), b.TempDir(), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
