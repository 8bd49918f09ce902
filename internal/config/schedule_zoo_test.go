package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

// seqDoc is a sequential schedule: a warm-up linear then a cosine.
const seqDoc = `
data: {source: synthetic, generator: blobs, n: 100, features: 2, classes: 3, test_fraction: 0}
model: {kind: linear}
optimizer: {name: momentum, lr: 0.1}
schedule:
  name: sequential
  schedules:
    - {name: linear, start_factor: 0.1, iters: 3}
    - {name: cosine, min_lr: 0.001, warmup: 1}
  milestones: [3]
train: {epochs: 10, batch_size: full}
`

func TestSequentialDecode(t *testing.T) {
	c, err := Decode(parse(t, seqDoc), "seq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	list := c.Schedule.Params.Schedules("schedules")
	if len(list) != 2 || list[0].String("name") != "linear" || list[0].Float("start_factor") != 0.1 ||
		list[0].Int("iters") != 3 || list[1].Int("warmup") != 1 || len(list[0]) != 3 {
		t.Errorf("schedules decoded to %v", list)
	}
	// The resolved config.yaml lists each schedule resolved for the units it runs, and reads
	// back to the same.
	y := string(c.YAML(10))
	for _, want := range []string{"  schedules:\n    - name: linear\n      warmup: 0\n      start_factor: 0.1\n",
		"    - name: cosine\n      warmup: 1\n      period: 6\n      min_lr: 0.001\n", "  milestones: [3]\n"} {
		if !strings.Contains(y, want) {
			t.Errorf("config.yaml lacks %q:\n%s", want, y)
		}
	}
	c2, err := Decode(parse(t, y), "")
	if err != nil {
		t.Fatalf("resolved config does not decode: %v\n%s", err, y)
	}
	if y2 := string(c2.YAML(10)); y2 != y {
		t.Errorf("round trip changed the config:\n%s\n---\n%s", y, y2)
	}
	// The hash tells schedules apart, and not the order of a mapping's keys.
	other, err := Decode(withSets(t, parse(t, seqDoc), "schedule.schedules=[{name: linear, start_factor: 0.2, iters: 3}, {name: cosine}]"), "")
	if err != nil {
		t.Fatal(err)
	}
	same, err := Decode(withSets(t, parse(t, seqDoc), "schedule.schedules=[{iters: 3, start_factor: 0.1, name: linear}, {warmup: 1, min_lr: 0.001, name: cosine}]"), "")
	if err != nil {
		t.Fatal(err)
	}
	if Hash(other) == Hash(c) || Hash(same) != Hash(c) {
		t.Errorf("hashes: %s, other schedules %s, same keys reordered %s", Hash(c), Hash(other), Hash(same))
	}
}

// Keys of sequential's schedules are checked in full, with their paths in the errors.
func TestSequentialErrors(t *testing.T) {
	tests := []struct {
		set, key, msg string // msg: a part of the message
	}{
		{"schedule.schedules=[{name: linear, iter: 3}, {name: cosine}]", "schedule.schedules[0].iter", `did you mean "iters"`},
		{"schedule.schedules=[{name: linear}, {name: cosine, min_lr: -1}]", "schedule.schedules[1].min_lr", "must be >= 0"},
		{"schedule.schedules=[{name: linear}, {name: cosine, min_lr: 0.5}]", "schedule.schedules[1].min_lr", "must be <= lr (0.1)"},
		{"schedule.schedules=[{name: linear}, {name: cosin}]", "schedule.schedules[1].name", `did you mean "cosine"`},
		{"schedule.schedules=[{name: linear}, {k: 1}]", "schedule.schedules[1].name", "required"},
		{"schedule.schedules=[{name: linear, unit: step}, {name: cosine}]", "schedule.schedules[0].unit", "does not apply inside sequential"},
		{"schedule.schedules=[{name: linear, k: 1}, {name: cosine}]", "schedule.schedules[0].k", "does not apply to schedule linear"},
		{"schedule.schedules=[{name: linear}, 3]", "schedule.schedules[1]", "must be a mapping"},
		{"schedule.schedules=linear", "schedule.schedules", "must be a list of schedule mappings"},
		{"schedule.schedules=[]", "schedule.schedules", "at least one schedule"},
		{"schedule.milestones=[3, 5]", "schedule.milestones", "one switch point fewer"},
		{"schedule.schedules=[{name: linear}, {name: plateau}]", "schedule.schedules[1].name", "cannot run inside sequential"},
		{"schedule.schedules=[{name: linear}, {name: onecycle}]", "schedule.schedules[1].cycle_momentum", "must be false inside sequential"},
		{"schedule.schedules=[{name: linear}, {name: sequential}]", "schedule.schedules[1].name", "cannot be nested"},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			_, err := Decode(withSets(t, parse(t, seqDoc), tt.set), "seq.yaml")
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Key != tt.key || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want one for %s containing %q", err, tt.key, tt.msg)
			}
		})
	}
}

// The zoo's schedules decode with their keys; those that drive momentum need an optimizer
// that has it, and plateau's test_loss needs a test set.
func TestZooSchedulesDecode(t *testing.T) {
	for _, tt := range []struct {
		sets []string
		key  string // "" for valid
		msg  string
	}{
		{[]string{"schedule={name: onecycle, pct_start: 0.25, anneal: linear}"}, "", ""},
		{[]string{"schedule={name: onecycle}", "optimizer={name: adam}"}, "", ""},
		{[]string{"schedule={name: onecycle}", "optimizer={name: sgd}"}, "schedule.name", "drives momentum, which optimizer sgd does not have"},
		{[]string{"schedule={name: onecycle, cycle_momentum: false}", "optimizer={name: sgd}"}, "", ""},
		{[]string{"schedule={name: onecycle, anneal: cosine}"}, "schedule.anneal", `did you mean "cos"`},
		{[]string{"schedule={name: triangular, cycle_momentum: true, half_cycle_down: 2}"}, "", ""},
		{[]string{"schedule={name: triangular, cycle_momentum: true}", "optimizer={name: adagrad}"}, "schedule.name", "turn cycle_momentum off"},
		{[]string{"schedule={name: wsd, decay_shape: sqrt, warmup: 2}"}, "", ""},
		{[]string{"schedule={name: wsd, decay_shape: exp}"}, "schedule.decay_shape", "unknown value"},
		{[]string{"schedule={name: plateau, patience: 2, monitor: train_loss}"}, "", ""},
		{[]string{"schedule={name: plateau}"}, "", ""},
		{[]string{"schedule={name: plateau, monitor: test_loss}"}, "schedule.monitor", "needs a test set"},
		{[]string{"schedule={name: plateau, monitor: test_loss}", "data.test_fraction=0.25"}, "", ""},
		{[]string{"schedule={name: plateau, unit: step}"}, "schedule.unit", "must be epoch for schedule plateau"},
		{[]string{"schedule={name: exponential, k: -0.1}"}, "", ""},
		{[]string{"schedule={name: sgdr, peak_decay: 0.5}"}, "", ""},
		{[]string{"schedule={name: linear, start_factor: 0}"}, "schedule.start_factor", "must be in (0, 1]"},
	} {
		t.Run(strings.Join(tt.sets, " "), func(t *testing.T) {
			_, err := Decode(withSets(t, parse(t, seqDoc), tt.sets...), "z.yaml")
			if tt.key == "" {
				if err != nil {
					t.Errorf("Decode: %v", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Key != tt.key || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want one for %s containing %q", err, tt.key, tt.msg)
			}
		})
	}
}

// The keys the older schedules gained are left out of config.yaml at their defaults (their
// hashes are pinned in hash_test.go), and written when set.
func TestZooKeysOmittedAtDefault(t *testing.T) {
	doc := withSets(t, parse(t, seqDoc), "schedule={name: triangular, half_cycle: 3}")
	c, err := Decode(doc, "")
	if err != nil {
		t.Fatal(err)
	}
	y := string(c.YAML(10))
	for _, k := range []string{"half_cycle_down", "cycle_momentum", "base_momentum", "max_momentum"} {
		if strings.Contains(y, k) {
			t.Errorf("config.yaml writes %s at its default:\n%s", k, y)
		}
	}
	c, err = Decode(withSets(t, doc, "schedule.half_cycle_down=5", "schedule.cycle_momentum=true"), "")
	if err != nil {
		t.Fatal(err)
	}
	y = string(c.YAML(10))
	for _, k := range []string{"half_cycle_down: 5", "cycle_momentum: true"} {
		if !strings.Contains(y, k) {
			t.Errorf("config.yaml lacks %s:\n%s", k, y)
		}
	}
	if got := param.Format([]param.Values{{"name": "linear", "iters": 3}}); got != "[{iters: 3, name: linear}]" {
		t.Errorf("Format of a schedule list = %q", got)
	}
}

// A sequential in a file read as the commands read it (Viper) decodes as well.
func TestSequentialRead(t *testing.T) {
	d, err := Parse("seq.yaml", []byte(strings.ReplaceAll(seqDoc, "start_factor", "Start_Factor")))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Decode(d.Raw, "seq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Schedule.Params.Schedules("schedules")[0].Float("start_factor"); got != 0.1 {
		t.Errorf("start_factor read as %v, want 0.1", got)
	}
}
