package sweep

import (
	"fmt"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/version"
)

// resultRow is a point's row of results.csv; sum is nil for a point without a summary.
func (s *Sweep) resultRow(p *Point, sum *report.Summary) []string {
	cells := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		for _, o := range p.Set {
			if o.Key == k {
				cells[i] = formatValue(o.Value)
			}
		}
	}
	return report.ResultRow(p.ID, p.Seed, cells, sum)
}

func overridesNode(set []Override) *yaml.Node {
	m := report.NewMapping(true)
	for _, o := range set {
		m.Add(o.Key, o.Value)
	}
	return report.Node(m)
}

// file is the content of sweep.yaml.
func (s *Sweep) file() *report.SweepFile {
	abs, err := filepath.Abs(s.File)
	if err != nil {
		abs = s.File
	}
	f := &report.SweepFile{Name: s.Name, Config: abs, Sets: s.Sets, Fingerprint: s.Fingerprint,
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
		base := report.NewMapping(false)
		base.Add("file", b)
		base.Add("config", s.Base)
		f.Base = *report.Node(base)
	} else {
		f.Base = *report.Node(s.Base)
	}
	if len(s.Grid) > 0 {
		g := report.NewMapping(false)
		for _, a := range s.Grid {
			g.Add(a.Key, a.Values)
		}
		f.Grid = *report.Node(g)
	}
	if s.Random != nil {
		sp := report.NewMapping(false)
		for _, d := range s.Random.Space {
			var bounds any = []any{d.Low, d.High}
			if d.Kind == "int_uniform" {
				bounds = []any{int(d.Low), int(d.High)}
			}
			if d.Kind == "choice" {
				bounds = d.Choices
			}
			dm := report.NewMapping(true)
			dm.Add(d.Kind, bounds)
			sp.Add(d.Key, dm)
		}
		r := report.NewMapping(false)
		r.Add("trials", s.Random.Trials)
		r.Add("space", sp)
		f.Random = *report.Node(r)
	}
	for _, p := range s.Points {
		f.Points = append(f.Points, report.SweepPoint{Index: p.Index, ID: p.ID, Set: *overridesNode(p.Set)})
	}
	return f
}

// readSweepFile reads dir/sweep.yaml, which must carry the fingerprint that guards runs/.
func readSweepFile(dir string) (*report.SweepFile, error) {
	f, err := report.ReadSweepFile(dir)
	if err != nil {
		return nil, err
	}
	if f.Fingerprint == "" {
		return nil, report.BadInput(fmt.Errorf("%s: no fingerprint", filepath.Join(dir, "sweep.yaml")))
	}
	return f, nil
}
