package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/param"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/sched"
)

// YAML returns the fully resolved configuration, keys in canonical order, with the schedule
// resolved for a run of length units (epochs, or updates with schedule.unit step): the
// config.yaml of a run. It decodes back to the same configuration.
func (c *Config) YAML(length int) []byte {
	p, err := sched.Resolve(c.Schedule, length)
	if err != nil {
		panic(fmt.Sprintf("config: resolving a validated schedule: %v", err))
	}
	return c.encode(c.Name, p, false)
}

// encode writes the document with the schedule's keys taken from sp; for a hash, an init
// file by its content alone (InitFile.mapping).
func (c *Config) encode(name string, sp param.Values, hash bool) []byte {
	top := report.NewMapping(false)
	top.Add("name", name)
	top.Add("seed", c.Seed)
	if c.IsProblem() {
		top.Add("problem", blockMapping("function", c.Problem))
	} else {
		top.Add("data", blockMapping("source", c.Data))
		top.Add("model", c.modelMapping(hash))
	}
	o := report.NewMapping(false)
	o.Add("name", c.Optimizer.Name)
	o.Add("lr", c.Schedule.LR)
	addKeys(o, c.Optimizer.Specs, c.Optimizer.Values)
	top.Add("optimizer", o)

	e, _ := sched.Lookup(c.Schedule.Name)
	s := report.NewMapping(false)
	s.Add("name", e.Name)
	s.Add("unit", c.Schedule.Unit)
	s.Add("warmup", c.Schedule.Warmup)
	addKeys(s, e.Params, sp)
	top.Add("schedule", s)

	t := report.NewMapping(false)
	for _, spec := range c.Train.Specs {
		v := c.Train.Values[spec.Key]
		if spec.OmitIfDefault && equalValue(v, spec.Default) {
			continue
		}
		t.Add(spec.Key, v)
		if spec.Key == "batch_size" {
			b := report.NewMapping(false)
			be, _ := sched.LookupBatch(c.Batch.Name)
			b.Add("name", be.Name)
			bp, _ := sched.ResolveBatch(c.Batch)
			addKeys(b, be.Params, bp)
			t.Add("batch_schedule", b)
		}
	}
	if c.Average != nil {
		t.Add("average", blockMapping("kind", c.Average))
	}
	top.Add("train", t)
	out, err := report.EncodeYAML(top)
	if err != nil {
		panic(fmt.Sprintf("config: encoding the resolved config: %v", err)) // scalars and lists only: cannot fail
	}
	return out
}

// blockMapping is a block as config.yaml writes it: its naming key, then its keys.
func blockMapping(naming string, b *Block) report.Mapping {
	m := report.NewMapping(false)
	m.Add(naming, b.Name)
	addKeys(m, b.Specs, b.Values)
	return m
}

// addKeys adds the keys of specs with their values in v; a key that is left at its default
// and declared OmitIfDefault is left out, and so is one that v lacks (the unresolved schedule
// of the content hash; a derived key left unset until it is used).
func addKeys(m report.Mapping, specs []param.Spec, v param.Values) {
	for _, s := range specs {
		x, ok := v[s.Key]
		if !ok {
			if s.OmitIfDefault {
				continue
			}
			x = zero(s.Type)
		}
		if s.OmitIfDefault && equalValue(x, s.Default) {
			continue
		}
		if l, ok := x.([]param.Values); ok {
			m.Add(s.Key, scheduleList(l))
			continue
		}
		m.Add(s.Key, x)
	}
}

// scheduleList writes sequential's schedules: a block list of mappings, each with its name,
// its warmup and its keys in the order of its entry.
func scheduleList(list []param.Values) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	if len(list) == 0 {
		seq.Style = yaml.FlowStyle
	}
	for _, v := range list {
		name, _ := v["name"].(string)
		warmup, _ := v["warmup"].(int)
		m := report.NewMapping(false)
		m.Add("name", name)
		m.Add("warmup", warmup)
		if e, err := sched.Lookup(name); err == nil {
			addKeys(m, e.Params, v)
		}
		seq.Content = append(seq.Content, report.Node(m))
	}
	return seq
}

// zero is the zero value of a type, as the content hash writes an unresolved schedule key.
func zero(t param.Type) any {
	switch t {
	case param.Float:
		return 0.0
	case param.Int:
		return 0
	case param.Bool:
		return false
	case param.Ints:
		return []int(nil)
	case param.Floats:
		return []float64(nil)
	case param.Schedules:
		return []param.Values(nil)
	}
	return ""
}

func equalValue(a, b any) bool {
	switch x := a.(type) {
	case []int:
		y, ok := b.([]int)
		return ok && slices.Equal(x, y)
	case []float64:
		y, ok := b.([]float64)
		return ok && slices.Equal(x, y)
	}
	return a == b
}

// ResolvedHash is the SHA-256 of the resolved configuration of a run of length units
// (YAML) with its name left out: the same for a configuration and for the config.yaml its
// run wrote, decoded again, which a checkpoint compares.
func (c *Config) ResolvedHash(length int) string {
	p, err := sched.Resolve(c.Schedule, length)
	if err != nil {
		panic(fmt.Sprintf("config: resolving a validated schedule: %v", err))
	}
	sum := sha256.Sum256(c.encode("", p, true))
	return hex.EncodeToString(sum[:])
}

// Hash is the content hash of a configuration: SHA-256 of its canonical YAML with the name
// left out (it does not change the result) and the learning-rate schedule unresolved — each
// of its keys written as the zero value of its type, then the keys the file sets listed
// apart as schedule.KEY=VALUE lines — since the defaults that depend on the run's length are
// only known once the data are. An init file (model.init.file) enters by the SHA-256 of its
// bytes, not its path. Two configurations have the same hash exactly when they describe the
// same run.
func Hash(c *Config) string {
	h := sha256.New()
	h.Write(c.encode("", param.Values{}, true))
	keys := make([]string, 0, len(c.Schedule.Params))
	for k := range c.Schedule.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "schedule.%s=%s\n", k, param.Format(c.Schedule.Params[k]))
	}
	return hex.EncodeToString(h.Sum(nil))
}
