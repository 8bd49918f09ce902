package experiment

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/version"
)

// StatusPending is the results.csv status of a point that has not run (or
// whose run was interrupted before it wrote its summary).
const StatusPending = "pending"

// ResultsHeader is the header of results.csv (SPEC §3) for swept keys, with
// a reason column added at the end.
func ResultsHeader(keys []string) []string {
	h := []string{"run_id", "status", "seed"}
	h = append(h, keys...)
	return append(h, "epochs", "steps", "final_train_loss", "final_test_loss", "best_test_loss",
		"final_test_acc", "best_test_acc", "seconds", "reason")
}

// resultRow is a point's row of results.csv; s is nil for a point without a
// summary.
func (s *Sweep) resultRow(p *Point, sum *report.Summary) []string {
	row := []string{p.ID, StatusPending, strconv.FormatUint(p.Config.Seed, 10)}
	for _, k := range s.Keys {
		cell := ""
		for _, o := range p.Set {
			if o.Key == k {
				cell = formatValue(o.Value)
			}
		}
		row = append(row, cell)
	}
	if sum == nil {
		return append(row, "", "", "", "", "", "", "", "", "")
	}
	row[1] = sum.Status
	f := func(x *float64) string {
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'g', -1, 64)
	}
	return append(row, strconv.Itoa(sum.Epochs), strconv.Itoa(sum.Steps), f(sum.Final.TrainLoss),
		f(sum.Final.TestLoss), f(sum.Best.TestLoss), f(sum.Final.TestAcc), f(sum.Best.TestAcc),
		strconv.FormatFloat(sum.Seconds, 'f', 3, 64), sum.Reason)
}

// writeCSV writes a csv file atomically and durably (results.csv and shard results, written
// once per sweep or shard).
func writeCSV(path string, header []string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		return err
	}
	return report.WriteFileDurable(path, buf.Bytes())
}

// sweepFile is sweep.yaml: the resolved sweep, enough to reproduce it, with
// its fingerprint.
type sweepFile struct {
	Name        string        `yaml:"name"`
	Config      string        `yaml:"config"`
	Sets        []string      `yaml:"sets,flow"`
	Fingerprint string        `yaml:"fingerprint"`
	Version     string        `yaml:"optimbench_version"`
	Runs        int           `yaml:"runs"`
	Seed        uint64        `yaml:"seed"`
	Base        yaml.Node     `yaml:"base"`
	Grid        yaml.Node     `yaml:"grid,omitempty"`
	Random      yaml.Node     `yaml:"random,omitempty"`
	Seeds       []uint64      `yaml:"seeds,flow,omitempty"`
	Keys        []string      `yaml:"keys,flow"`
	Points      []sweepPoints `yaml:"points"`
}

type sweepPoints struct {
	Index int       `yaml:"index"`
	ID    string    `yaml:"id"`
	Set   yaml.Node `yaml:"set"`
}

// valueNode is the YAML form of a configuration value; mappings get sorted
// keys, lists flow style.
func valueNode(v any) *yaml.Node {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range keys {
			m.Content = append(m.Content, scalar("!!str", k), valueNode(x[k]))
		}
		return m
	case []any:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, e := range x {
			seq.Content = append(seq.Content, valueNode(e))
		}
		return seq
	case string:
		return scalar("!!str", x)
	case bool:
		return scalar("!!bool", strconv.FormatBool(x))
	case int, int64, uint64:
		return scalar("!!int", formatValue(x))
	case float64:
		return scalar("!!float", formatFloat(x))
	case nil:
		return scalar("!!null", "null")
	}
	return scalar("!!str", fmt.Sprint(v))
}

func overridesNode(set []Override) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for _, o := range set {
		m.Content = append(m.Content, scalar("!!str", o.Key), valueNode(o.Value))
	}
	return m
}

// resolvedYAML is the content of sweep.yaml.
func (s *Sweep) resolvedYAML() ([]byte, error) {
	abs, err := filepath.Abs(s.File)
	if err != nil {
		abs = s.File
	}
	f := sweepFile{Name: s.Name, Config: abs, Sets: s.Sets, Fingerprint: s.Fingerprint,
		Version: version.String(), Runs: len(s.Points), Seed: s.Seed, Seeds: s.Seeds, Keys: s.Keys}
	if f.Sets == nil {
		f.Sets = []string{}
	}
	if f.Keys == nil {
		f.Keys = []string{}
	}
	if s.BaseFile != "" {
		b, err := filepath.Abs(s.BaseFile)
		if err != nil {
			b = s.BaseFile
		}
		// the base as read, --set applied, for the record
		f.Base = yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			scalar("!!str", "file"), scalar("!!str", b),
			scalar("!!str", "config"), valueNode(s.Base)}}
	} else {
		f.Base = *valueNode(s.Base)
	}
	if len(s.Grid) > 0 {
		g := yaml.Node{Kind: yaml.MappingNode}
		for _, a := range s.Grid {
			g.Content = append(g.Content, scalar("!!str", a.Key), valueNode(a.Values))
		}
		f.Grid = g
	}
	if s.Random != nil {
		sp := &yaml.Node{Kind: yaml.MappingNode}
		for _, d := range s.Random.Space {
			var bounds any = []any{d.Low, d.High}
			if d.Kind == "int_uniform" {
				bounds = []any{int(d.Low), int(d.High)}
			}
			if d.Kind == "choice" {
				bounds = d.Choices
			}
			dm := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle,
				Content: []*yaml.Node{scalar("!!str", d.Kind), valueNode(bounds)}}
			sp.Content = append(sp.Content, scalar("!!str", d.Key), dm)
		}
		f.Random = yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			scalar("!!str", "trials"), valueNode(s.Random.Trials),
			scalar("!!str", "space"), sp}}
	}
	for _, p := range s.Points {
		f.Points = append(f.Points, sweepPoints{Index: p.Index, ID: p.ID, Set: *overridesNode(p.Set)})
	}
	var buf bytes.Buffer
	buf.WriteString("# optimbench sweep, resolved: the points in order (results.csv rows, shard k of n\n" +
		"# runs the points with index ≡ k mod n). Do not edit: the fingerprint guards runs/.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&f); err != nil {
		return nil, fmt.Errorf("sweep %s: encoding sweep.yaml: %w", s.File, err)
	}
	enc.Close()
	return buf.Bytes(), nil
}

// readSweepFile reads a sweep folder's sweep.yaml.
func readSweepFile(dir string) (*sweepFile, error) {
	path := filepath.Join(dir, "sweep.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, BadInput(fmt.Errorf("%s is not a sweep folder: no sweep.yaml", dir))
		}
		return nil, err
	}
	var f sweepFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		return nil, BadInput(fmt.Errorf("%s: %s", path, yamlMessage(err)))
	}
	if f.Fingerprint == "" {
		return nil, BadInput(fmt.Errorf("%s: no fingerprint", path))
	}
	return &f, nil
}
