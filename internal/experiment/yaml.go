package experiment

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/sched"
)

// Load reads a train configuration file with Viper, applies the
// `--set key=value` overrides in order, and decodes the result.
func Load(path string, sets []string) (*Config, error) {
	raw, err := ReadRaw(path, sets)
	if err != nil {
		return nil, err
	}
	return Decode(raw, path)
}

// ReadRaw reads a YAML file into nested maps (with one viper.New per call,
// never the global) and applies the overrides.
func ReadRaw(path string, sets []string) (map[string]any, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, BadInput(fmt.Errorf("config %s: no such file", path))
		}
		return nil, BadInput(fmt.Errorf("config %s: %w", path, err))
	}
	v := viper.New()
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		return nil, BadInput(fmt.Errorf("config %s: %s", path, yamlMessage(err)))
	}
	for _, kv := range sets {
		key, val, err := ParseSet(kv)
		if err != nil {
			return nil, err
		}
		v.Set(key, val)
	}
	raw := v.AllSettings()
	// Viper's settings omit keys whose value is empty (`optimiser: {}`), so
	// that a misspelt empty section would pass unnoticed: put them back.
	if b, err := os.ReadFile(path); err == nil {
		var doc map[string]any
		if yaml.Unmarshal(b, &doc) == nil {
			restoreEmpty(raw, doc)
		}
	}
	return raw, nil
}

// restoreEmpty adds to dst the keys of src that dst lacks (lower-cased, as
// Viper has them), recursing into mappings both hold.
func restoreEmpty(dst, src map[string]any) {
	for k, sv := range src {
		k = strings.ToLower(k)
		dv, ok := dst[k]
		if !ok {
			dst[k] = sv
			continue
		}
		dm, dok := dv.(map[string]any)
		sm, sok := sv.(map[string]any)
		if dok && sok {
			restoreEmpty(dm, sm)
		}
	}
}

// yamlMessage shortens a YAML error to its useful part ("yaml: line 3: …").
func yamlMessage(err error) string {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if i := strings.Index(msg, "yaml:"); i >= 0 {
		msg = msg[i:]
	}
	if msg == "" {
		msg = "not a YAML mapping"
	}
	return msg
}

// ParseSet splits a `--set key=value` override; the value is read as a YAML
// scalar or flow list (`--set model.hidden=[256,128]`).
func ParseSet(kv string) (key string, val any, err error) {
	key, raw, ok := strings.Cut(kv, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" || strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") || strings.Contains(key, "..") {
		return "", nil, BadInput(fmt.Errorf("--set %q: want key=value with a dotted key such as optimizer.lr=0.1", kv))
	}
	if err := yaml.Unmarshal([]byte(raw), &val); err != nil {
		return "", nil, BadInput(fmt.Errorf("--set %s: value %q: %s", key, raw, yamlMessage(err)))
	}
	return strings.ToLower(key), val, nil
}

// YAML returns the fully resolved configuration, keys in canonical order,
// with the schedule resolved for the run's length: config.yaml of a run.
func (c *Config) YAML(s sched.Config) []byte {
	top := mapping()
	top.add("name", c.Name)
	top.add("seed", c.Seed)
	if c.Problem != nil {
		p := mapping()
		p.add("function", c.Problem.Function)
		p.add("start", c.Problem.Start)
		if c.Problem.Function == "quadratic" {
			p.add("scales", c.Problem.Scales)
		}
		p.add("noise", c.Problem.Noise)
		top.add("problem", p)
	} else {
		d := c.Data
		dm := mapping()
		for _, k := range dataKeys(d.Source, d.Generator) {
			switch k {
			case "source":
				dm.add(k, d.Source)
			case "path":
				dm.add(k, d.Path)
			case "target":
				dm.add(k, d.Target)
			case "generator":
				dm.add(k, d.Generator)
			case "n":
				dm.add(k, d.N)
			case "features":
				dm.add(k, d.Features)
			case "classes":
				dm.add(k, d.Classes)
			case "noise":
				dm.add(k, d.Noise)
			case "limit":
				dm.add(k, d.Limit)
			case "test_fraction":
				dm.add(k, d.TestFraction)
			case "standardize":
				dm.add(k, d.Standardize)
			}
		}
		top.add("data", dm)
		m := mapping()
		m.add("kind", c.Model.Kind)
		if c.Model.Kind == "mlp" {
			m.add("hidden", c.Model.Hidden)
			m.add("activation", c.Model.Activation)
		}
		m.add("loss", c.Model.Loss)
		m.add("init", c.Model.Init)
		top.add("model", m)
	}
	o := mapping()
	o.add("name", c.Optimizer.Name)
	for _, k := range c.Optimizer.Keys {
		o.add(k, c.Optimizer.Values[k])
	}
	top.add("optimizer", o)

	sm := mapping()
	sm.add("name", s.Name)
	sm.add("unit", s.Unit)
	sm.add("warmup", s.Warmup)
	keys, _ := sched.Keys(s.Name)
	for _, k := range keys {
		sm.add(k, s.Value(k))
	}
	top.add("schedule", sm)

	t := c.Train
	tm := mapping()
	tm.add("epochs", t.Epochs)
	if c.Problem == nil {
		if t.FullBatch {
			tm.add("batch_size", "full")
		} else {
			tm.add("batch_size", t.BatchSize)
		}
		b := t.BatchSchedule
		bm := mapping()
		bm.add("name", b.Name)
		bkeys, _ := sched.BatchKeys(b.Name)
		for _, k := range bkeys {
			bm.add(k, b.Value(k))
		}
		tm.add("batch_schedule", bm)
		tm.add("shuffle", t.Shuffle)
	}
	tm.add("eval_every", t.EvalEvery)
	tm.add("diverge_factor", t.DivergeFactor)
	tm.add("on_diverge", t.OnDiverge)
	if t.ReferenceOptimum { // only when on, so that existing configurations keep their hash
		tm.add("reference_optimum", true)
	}
	top.add("train", tm)

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(top.n); err != nil {
		panic(fmt.Sprintf("experiment: encoding resolved config: %v", err)) // only scalars and lists of numbers: cannot fail
	}
	enc.Close()
	return buf.Bytes()
}

// ymap builds a YAML mapping node with keys in insertion order.
type ymap struct{ n *yaml.Node }

func mapping() ymap { return ymap{&yaml.Node{Kind: yaml.MappingNode}} }

func (m ymap) add(k string, v any) {
	m.n.Content = append(m.n.Content, scalar("!!str", k), node(v))
}

func scalar(tag, v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v} }

func formatFloat(x float64) string {
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") { // keep it a float when read back: 1 → 1.0
		s += ".0"
	}
	return s
}

func node(v any) *yaml.Node {
	switch x := v.(type) {
	case ymap:
		return x.n
	case string:
		return scalar("!!str", x)
	case bool:
		return scalar("!!bool", strconv.FormatBool(x))
	case int:
		return scalar("!!int", strconv.Itoa(x))
	case uint64:
		return scalar("!!int", strconv.FormatUint(x, 10))
	case float64:
		return scalar("!!float", formatFloat(x))
	case []int:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, e := range x {
			seq.Content = append(seq.Content, scalar("!!int", strconv.Itoa(e)))
		}
		return seq
	case []float64:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, e := range x {
			seq.Content = append(seq.Content, scalar("!!float", formatFloat(e)))
		}
		return seq
	}
	panic(fmt.Sprintf("experiment: no YAML form for %T", v))
}
