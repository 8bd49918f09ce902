package config

import (
	"fmt"
	"strings"

	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/param"
	"github.com/optimbench/optimbench/internal/sched"
)

// KeyTables returns the key tables of docs/SPEC.md §11 in Markdown, generated from the schema:
// one row per key of every data source, model kind, test function, optimizer, schedule,
// batch schedule and train option, with its type, default, valid values and doc.
func KeyTables() string {
	var b strings.Builder
	section := func(title, intro string) {
		fmt.Fprintf(&b, "### %s\n\n%s\n\n", title, intro)
	}
	table := func(groups []group) {
		b.WriteString("| block | key | type | default | valid | meaning |\n|---|---|---|---|---|---|\n")
		for _, g := range groups {
			for _, s := range g.specs {
				fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s |\n", g.name, s.Key, s.Type, cell(s.DefaultText()), cell(valid(s)), cell(s.Doc))
			}
		}
		b.WriteString("\n")
	}
	var data []group
	for _, s := range sources {
		data = append(data, group{"`source: " + s.Name + "`", s.Params})
	}
	section("data", "`source` (default `synthetic`) picks the source; its keys:")
	table(data)
	var models []group
	for _, k := range modelKinds {
		models = append(models, group{"`kind: " + k.Name + "`", k.Params})
	}
	section("model", "`kind` (default `linear`) picks the model; its keys:")
	table(models)
	var fns []group
	for _, f := range functions {
		fns = append(fns, group{"`function: " + f.Name + "`", f.Params})
	}
	section("problem", "`function` (required) picks the test function; its keys:")
	table(fns)
	var opts []group
	for _, e := range optim.Entries() {
		opts = append(opts, group{"`name: " + e.Name + "`", append([]param.Spec{lrSpec(&e)}, e.Params...)})
	}
	section("optimizer", "`name` (required) picks the optimizer (§4); `lr` is the base rate of the schedule, with the optimizer's default:")
	table(opts)
	scheds := []group{{"every schedule", sched.Common}}
	for _, e := range sched.Entries() {
		if len(e.Params) > 0 {
			scheds = append(scheds, group{"`name: " + e.Name + "`", e.Params})
		}
	}
	section("schedule", "`name` (default `constant`) picks the schedule (§5); `unit` and `warmup` apply to all:")
	table(scheds)
	var batches []group
	for _, e := range sched.BatchEntries() {
		if len(e.Params) > 0 {
			batches = append(batches, group{"`name: " + e.Name + "`", e.Params})
		}
	}
	section("train.batch_schedule", "`name` (default `constant`, no keys) picks the batch-size schedule (§6):")
	table(batches)
	section("train", "A problem run takes no `batch_size`, `batch_schedule` or `shuffle`.")
	table([]group{{"train", trainData}})
	var avg []group
	for _, k := range averageKinds {
		avg = append(avg, group{"`kind: " + k.Name + "`", k.Params})
	}
	section("train.average", "`kind` (required when the block is given) picks the weight average, evaluated in the `avg_*` columns of metrics.csv:")
	table(avg)
	return b.String()
}

type group struct {
	name  string
	specs []param.Spec
}

// valid writes a key's valid values.
func valid(s param.Spec) string {
	var parts []string
	switch s.Type {
	case param.Enum:
		parts = append(parts, strings.Join(s.Choices, " | "))
	case param.BatchSize:
		parts = append(parts, s.Range.String()+" or full")
	default:
		if r := s.Range.String(); r != "" {
			parts = append(parts, r)
		}
	}
	if s.NonEmpty {
		parts = append(parts, "non-empty")
	}
	if s.OmitIfDefault {
		parts = append(parts, "written to config.yaml only when set")
	}
	return strings.Join(parts, "; ")
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
