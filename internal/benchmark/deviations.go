package benchmark

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/param"
)

// DeepOBSDType is the element type DeepOBS computes in.
const DeepOBSDType = "float32"

// problemKeysIgnored are the train keys that do not change a problem's numbers (SPEC §11:
// results do not depend on the threads; a checkpoint only saves the state), and dtype, which
// dtypeDeviations compares with DeepOBS's float32 (a preset, like every config, defaults to
// float64: comparing with it would call DeepOBS's own float32 a departure).
var problemKeysIgnored = []string{"threads", "checkpoint_every", "dtype"}

// deviations lists where the protocol departs from DeepOBS's defaults: the seeds, the rule,
// each optimizer's search, the element type, and each problem's departures from the
// DeepOBS preset it names (epochs, a subset of the training data, any other key).
func (b *Benchmark) deviations() []string {
	var out []string
	if len(b.Seeds) != 10 {
		out = append(out, fmt.Sprintf("reruns on %d seeds (DeepOBS: 10)", len(b.Seeds)))
	}
	if b.Rule.Mode != "final" {
		out = append(out, fmt.Sprintf("selection rule %s (DeepOBS's default: the final value)", b.Rule))
	}
	out = append(out, b.searchDeviations()...)
	out = append(out, b.dtypeDeviations()...)
	for _, p := range b.Problems {
		out = append(out, b.problemDeviations(p)...)
	}
	return out
}

// searchDeviations are where the optimizers' searches depart from DeepOBS's lr grid, one
// line per departure with the optimizers it applies to ("every optimizer" when all), in
// the order first met.
func (b *Benchmark) searchDeviations() []string {
	var texts []string
	who := map[string][]string{}
	for _, o := range b.Optimizers {
		for _, d := range o.Search.deviations() {
			if _, ok := who[d]; !ok {
				texts = append(texts, d)
			}
			who[d] = append(who[d], o.Name)
		}
	}
	out := make([]string, len(texts))
	for i, d := range texts {
		names := strings.Join(who[d], ", ")
		if len(who[d]) == len(b.Optimizers) && len(b.Optimizers) > 1 {
			names = "every optimizer"
		}
		out[i] = names + ": " + d
	}
	return out
}

// deviations are where an optimizer's search departs from DeepOBS's lr grid.
func (s SearchSpec) deviations() []string {
	var out []string
	switch {
	case s.Sampler == "grid" && !slices.Equal(s.LR, DeepOBSLRGrid.LR):
		out = append(out, fmt.Sprintf("lr grid of %d values from %s to %s (DeepOBS: 36 values from 1e-05 to 100)",
			len(s.LR), param.Format(s.LR[0]), param.Format(s.LR[len(s.LR)-1])))
	case s.Sampler != "grid":
		out = append(out, fmt.Sprintf("%s search of %d trials over %s (DeepOBS: a grid over the lr)",
			s.Sampler, s.Trials, strings.Join(s.info().Keys, ", ")))
	}
	if s.Method == "halving" {
		out = append(out, fmt.Sprintf("successive halving (eta %d, first rung %s): candidates dropped on shorter runs (DeepOBS: every candidate runs the full length)",
			s.Eta, epochsText(s.MinEpochs)))
	}
	return out
}

// epochsText is "1 epoch", "3 epochs".
func epochsText(n int) string {
	if n == 1 {
		return "1 epoch"
	}
	return fmt.Sprintf("%d epochs", n)
}

// dtypeDeviations names the element types of the problems' runs other than DeepOBS's:
// train.dtype where the schema has it, float64 (the engine's) where it does not.
func (b *Benchmark) dtypeDeviations() []string {
	var names []string
	byType := map[string][]string{}
	for _, p := range b.Problems {
		c, err := config.Decode(problemBase(p, b.Optimizers[0], b.TuneSeed), p.File)
		if err != nil {
			continue // Read decoded every candidate: unreachable
		}
		dt, ok := c.Train.Values["dtype"].(string)
		if !ok {
			dt = "float64"
		}
		if dt == DeepOBSDType {
			continue
		}
		if _, seen := byType[dt]; !seen {
			names = append(names, dt)
		}
		byType[dt] = append(byType[dt], p.Name)
	}
	var out []string
	for _, dt := range names {
		who := "every problem"
		if len(byType[dt]) < len(b.Problems) {
			who = strings.Join(byType[dt], ", ")
		}
		out = append(out, fmt.Sprintf("computed in %s on %s (DeepOBS: %s)", dt, who, DeepOBSDType))
	}
	return out
}

// problemDeviations compares a problem that names a DeepOBS preset (testproblem:) with the
// bare preset, key by key of its data, model and train blocks, both decoded with the same
// optimizer and seed. A problem that names no preset has no DeepOBS defaults to depart from.
func (b *Benchmark) problemDeviations(p Problem) []string {
	name, _ := p.Raw["testproblem"].(string)
	if name == "" {
		return nil
	}
	c, err := config.Decode(problemBase(p, b.Optimizers[0], b.TuneSeed), p.File)
	if err != nil {
		return nil // Read decoded every candidate: unreachable
	}
	bare := Problem{Name: p.Name, File: p.File, Raw: map[string]any{"testproblem": name}}
	ref, err := config.Decode(problemBase(bare, b.Optimizers[0], b.TuneSeed), p.File)
	if err != nil {
		return nil
	}
	var out []string
	for _, blk := range []struct {
		key      string
		got, ref *config.Block
	}{{"data", c.Data, ref.Data}, {"model", c.Model, ref.Model}, {"train", &c.Train, &ref.Train}} {
		for _, d := range blockDeviations(blk.key, blk.got, blk.ref) {
			out = append(out, p.Name+": "+d)
		}
	}
	return out
}

// blockDeviations lists the keys whose values differ between a problem's block and its
// preset's, in words for the common ones (epochs, data.limit).
func blockDeviations(key string, got, ref *config.Block) []string {
	switch {
	case got == nil && ref == nil:
		return nil
	case got == nil || ref == nil || got.Name != ref.Name:
		return []string{fmt.Sprintf("its own %s block (DeepOBS's preset: another)", key)}
	}
	var out []string
	seen := map[string]bool{}
	for _, specs := range [][]param.Spec{got.Specs, ref.Specs} {
		for _, s := range specs {
			if seen[s.Key] || (key == "train" && slices.Contains(problemKeysIgnored, s.Key)) {
				continue
			}
			seen[s.Key] = true
			g, r := got.Values[s.Key], ref.Values[s.Key]
			if reflect.DeepEqual(g, r) {
				continue
			}
			out = append(out, keyDeviation(key+"."+s.Key, g, r))
		}
	}
	return out
}

// keyDeviation says how one key departs from the preset.
func keyDeviation(key string, got, ref any) string {
	switch key {
	case "train.epochs":
		if g, ok := got.(int); ok {
			return fmt.Sprintf("%s (DeepOBS: %s)", epochsText(g), param.Format(ref))
		}
	case "data.limit":
		if n, ok := got.(int); ok && n > 0 {
			return fmt.Sprintf("trains on the first %d training examples only (data.limit; the preset: the whole training set)", n)
		}
	}
	return fmt.Sprintf("%s %s (DeepOBS: %s)", key, describe(got), describe(ref))
}

// describe formats a key's value ("unset" for none).
func describe(v any) string {
	if v == nil {
		return "unset"
	}
	return param.Format(v)
}
