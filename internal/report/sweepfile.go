package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// SweepFile is sweep.yaml: the resolved sweep, enough to reproduce it, with its fingerprint
// and its points in order (results.csv rows; shard k of n runs the points with index ≡ k mod n).
type SweepFile struct {
	Name        string       `yaml:"name"`
	Config      string       `yaml:"config"`
	Sets        []string     `yaml:"sets,flow"`
	Fingerprint string       `yaml:"fingerprint"`
	Version     string       `yaml:"optimbench_version"`
	Runs        int          `yaml:"runs"`
	Seed        uint64       `yaml:"seed"`
	Base        yaml.Node    `yaml:"base"`
	Grid        yaml.Node    `yaml:"grid,omitempty"`
	Random      yaml.Node    `yaml:"random,omitempty"`
	Seeds       []uint64     `yaml:"seeds,flow,omitempty"`
	Keys        []string     `yaml:"keys,flow"`
	Points      []SweepPoint `yaml:"points"`
}

// SweepPoint is one point of sweep.yaml: its index, run id and the values it sets.
type SweepPoint struct {
	Index int       `yaml:"index"`
	ID    string    `yaml:"id"`
	Set   yaml.Node `yaml:"set"`
}

const sweepFileHeader = "# optimbench sweep, resolved: the points in order (results.csv rows, shard k of n\n" +
	"# runs the points with index ≡ k mod n). Do not edit: the fingerprint guards runs/.\n"

// WriteSweepFile writes dir/sweep.yaml atomically and durably.
func WriteSweepFile(dir string, f *SweepFile) error {
	b, err := EncodeYAML(f)
	if err != nil {
		return fmt.Errorf("encoding sweep.yaml: %w", err)
	}
	return WriteFileDurable(filepath.Join(dir, "sweep.yaml"), append([]byte(sweepFileHeader), b...))
}

// ReadSweepFile reads a sweep folder's sweep.yaml. A folder without one, or with one that is
// not YAML, is bad input. (A sweep.yaml without a fingerprint reads; those that rely on it —
// resuming, merging — check it.)
func ReadSweepFile(dir string) (*SweepFile, error) {
	path := filepath.Join(dir, "sweep.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, BadInput(fmt.Errorf("%s is not a sweep folder: no sweep.yaml", dir))
		}
		return nil, err
	}
	var f SweepFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		return nil, BadInput(fmt.Errorf("%s: %s", path, YAMLMessage(err)))
	}
	return &f, nil
}
