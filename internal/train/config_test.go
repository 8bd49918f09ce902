package train

import (
	"context"
	"errors"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
)

// The resolved config.yaml must decode to the same configuration. (A test of package config
// until the split; it is here because the run's length, which resolves the schedule, is
// known once the data are, by Setup.)
func TestResolvedYAMLRoundTrip(t *testing.T) {
	for _, doc := range []string{base, `
problem: {function: quadratic, scales: [1, 100], start: [1, 1]}
optimizer: {name: rmsprop, centered: true}
schedule: {name: sgdr, mult: 2}
train: {epochs: 50}
`, `
data: {source: csv, path: testdata/regression.csv, target: y, test_fraction: 0}
model: {kind: linear, loss: mse}
optimizer: {name: nadam}
schedule: {name: cosine, unit: step, warmup: 3}
train: {epochs: 4, batch_size: full, batch_schedule: {name: multistep, milestones: [2]}}
`} {
		c, err := config.Decode(parse(t, doc), "")
		if err != nil {
			t.Fatal(err)
		}
		r, err := Setup(context.Background(), c, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		out := c.YAML(r.Plan.Length)
		c2, err := config.Decode(parse(t, string(out)), "")
		if err != nil {
			t.Fatalf("resolved config does not decode: %v\n%s", err, out)
		}
		r2, err := Setup(context.Background(), c2, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if out2 := c2.YAML(r2.Plan.Length); string(out2) != string(out) {
			t.Errorf("round trip changed the config:\n%s\n---\n%s", out, out2)
		}
	}
}

// FuzzSetup is the Setup half of what was FuzzDecode (config's FuzzDecode keeps the Decode
// half): what decodes sets up, or fails with bad input.
func FuzzSetup(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte("problem: {function: beale}\noptimizer: {name: nadam}\n"))
	f.Add([]byte("data: {source: csv, path: x.csv}\nmodel: {}\noptimizer: {name: sgd}\ntrain: {batch_size: full}\n"))
	f.Add([]byte("optimizer: {name: adam, lr: .nan}\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		var m map[string]any
		if yaml.Unmarshal(doc, &m) != nil {
			return
		}
		c, err := config.Decode(m, "fuzz.yaml")
		if err != nil {
			if !errors.Is(err, report.ErrBadInput) {
				t.Fatalf("error %v is not ErrBadInput", err)
			}
			return
		}
		if c.Data != nil && c.Data.Name != "synthetic" {
			return // would read files
		}
		if c.Data != nil && c.Data.Values.Int("n") > 5000 {
			return
		}
		if _, err := Setup(context.Background(), c, Limits{}); err != nil && !errors.Is(err, report.ErrBadInput) {
			t.Fatalf("Setup error %v is not ErrBadInput", err)
		}
	})
}
