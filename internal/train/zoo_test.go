package train

import (
	"context"
	"math"
	"testing"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/optim"
)

// Every optimizer trains a small MLP through the loop (closures, evaluation points and second
// rates included) to finite losses, and runs the learning-rate range test.
func TestEveryOptimizerTrainsAndRangeTests(t *testing.T) {
	for _, name := range optim.Names() {
		t.Run(name, func(t *testing.T) {
			raw := parse(t, base)
			raw["optimizer"] = map[string]any{"name": name}
			raw["train"] = map[string]any{"epochs": 2, "batch_size": 16}
			execute(t, raw)
			c, err := config.Decode(raw, "")
			if err != nil {
				t.Fatal(err)
			}
			r, err := Setup(context.Background(), c, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.LRFind(context.Background(), LRFindOptions{Min: 1e-5, Max: 1, Steps: 20})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Points) == 0 || math.IsNaN(res.Summary.Suggested) {
				t.Errorf("lrfind: %d points, suggestion %v", len(res.Points), res.Summary.Suggested)
			}
		})
	}
}
