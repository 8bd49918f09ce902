package config

import (
	"errors"
	"testing"

	"github.com/optimbench/optimbench/internal/report"
)

// A batch schedule that grows may not cap the batch size below train.batch_size: the run
// would train at the cap from the first update on.
func TestBatchMaxBelowBatchSize(t *testing.T) {
	for _, tc := range []struct {
		name string
		sets []string
		bad  bool
	}{
		{"step max below", []string{"train.batch_schedule={name: step, every: 1, max: 8}"}, true},
		{"multistep max below", []string{"train.batch_schedule={name: multistep, milestones: [2], max: 15}"}, true},
		{"max below after a set batch size", []string{"train.batch_size=64", "train.batch_schedule={name: step, max: 32}"}, true},
		{"max equal", []string{"train.batch_schedule={name: step, every: 1, max: 16}"}, false},
		{"max above", []string{"train.batch_schedule={name: step, every: 1, max: 17}"}, false},
		{"max 0 is the training set", []string{"train.batch_schedule={name: step, every: 1, max: 0}"}, false},
		{"constant", []string{"train.batch_schedule={name: constant}", "train.batch_size=64"}, false},
		{"full batch", []string{"train.batch_size=full", "train.batch_schedule={name: step, max: 8}"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(withSets(t, parse(t, base), tc.sets...), "b.yaml")
			if !tc.bad {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, report.ErrBadInput) || ce.Key != "train.batch_schedule.max" {
				t.Fatalf("Decode: error %v (%T), want a ConfigError for train.batch_schedule.max", err, err)
			}
			want := map[string]string{"step max below": "(16) or 0, got 8", "multistep max below": "(16) or 0, got 15",
				"max below after a set batch size": "(64) or 0, got 32"}[tc.name]
			checkInputError(t, tc.name, err, nil, "config b.yaml: train.batch_schedule.max: must be >= batch_size "+want)
		})
	}
}
