package sweep

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/optimbench/optimbench/internal/report"
)

// IncompleteError reports the shards a merge lacks.
type IncompleteError struct {
	Dir     string
	Count   int
	Missing []int             // shard indices without a complete, current file
	Why     map[int]string    // why a present file was not accepted
	Sweep   *SweepDescription // the sweep, to build a resubmission command
}

func (e *IncompleteError) Error() string {
	var why []string
	for _, k := range e.Missing {
		if w, ok := e.Why[k]; ok {
			why = append(why, fmt.Sprintf("shard %d: %s", k, w))
		}
	}
	msg := fmt.Sprintf("merge %s: missing shards %s of %d", e.Dir, ArrayRange(e.Missing), e.Count)
	if len(why) > 0 {
		msg += " (" + strings.Join(why, "; ") + ")"
	}
	return msg
}

// SweepDescription is what merge knows of a sweep from its sweep.yaml.
type SweepDescription struct {
	Name        string
	Config      string
	Sets        []string
	Fingerprint string
	Runs        int
}

// NoShardsError is a merge that cannot tell the shard count: no shard files, or files of
// several counts. It is bad input: the count must be given.
type NoShardsError struct {
	Dir, ShardDir string
	Counts        []int // the counts the files have (none, or several)
}

func (e *NoShardsError) Error() string {
	if len(e.Counts) == 0 {
		return fmt.Sprintf("merge %s: no shard files in %s; give the shard count to list the shards to submit", e.Dir, e.ShardDir)
	}
	return fmt.Sprintf("merge %s: shard files for several shard counts (%s); give the shard count", e.Dir, strings.Trim(fmt.Sprint(e.Counts), "[]"))
}

func (e *NoShardsError) Is(target error) bool { return target == report.ErrBadInput }

// MergeOutcome is what a merge wrote.
type MergeOutcome struct {
	Sweep *SweepDescription
	File  string // results.csv
	Count int    // shard count
	StatusCounts
	FailedShards []int // shards holding failed runs (to rerun)
}

// Merge checks that the shard files in dir/shards cover every point of the
// sweep of dir/sweep.yaml, with its fingerprint, and writes results.csv in
// point order. count 0 takes the shard count from the files when they agree
// on one. With shards missing it returns an *IncompleteError and writes
// nothing.
func Merge(dir string, count int) (*MergeOutcome, error) {
	sf, err := readSweepFile(dir)
	if err != nil {
		return nil, err
	}
	// Exclusive, like a whole-sweep run: no sweep or shard may be writing
	// into the folder while merge replaces its results.csv.
	unlock, err := lockFile(filepath.Join(dir, ".lock"), true)
	if err != nil {
		return nil, fmt.Errorf("merge %s: %w", dir, err)
	}
	defer unlock()
	desc := &SweepDescription{Name: sf.Name, Config: sf.Config, Sets: sf.Sets, Fingerprint: sf.Fingerprint, Runs: len(sf.Points)}
	shardDir := filepath.Join(dir, "shards")
	files, err := shardFiles(shardDir)
	if err != nil {
		return nil, err
	}
	if count < 0 {
		return nil, report.BadInput(fmt.Errorf("merge: the shard count must be >= 1, got %d", count))
	}
	if count == 0 {
		var counts []int
		for n := range files {
			counts = append(counts, n)
		}
		sort.Ints(counts)
		if len(counts) != 1 {
			return nil, &NoShardsError{Dir: dir, ShardDir: shardDir, Counts: counts}
		}
		count = counts[0]
	}
	header := report.ResultsHeader(sf.Keys)
	rows := make([][]string, len(sf.Points))
	inc := &IncompleteError{Dir: dir, Count: count, Why: map[int]string{}, Sweep: desc}
	out := &MergeOutcome{Sweep: desc, Count: count}
	for k := 0; k < count; k++ {
		path, ok := files[count][k]
		if !ok {
			inc.Missing = append(inc.Missing, k)
			continue
		}
		got, failed, err := readShard(path, header, sf, k, count)
		if err != nil {
			inc.Missing = append(inc.Missing, k)
			inc.Why[k] = err.Error()
			continue
		}
		for i, r := range got {
			rows[i] = r
		}
		if failed {
			out.FailedShards = append(out.FailedShards, k)
		}
	}
	if len(inc.Missing) > 0 {
		return nil, inc
	}
	for _, r := range rows {
		out.add(r[1])
	}
	cleanTemps(dir, "results.csv")
	out.File = filepath.Join(dir, "results.csv")
	if err := report.WriteCSV(out.File, header, rows); err != nil {
		return nil, fmt.Errorf("merge %s: %w", dir, err)
	}
	return out, nil
}

// shardFiles lists the shard files of shardDir by shard count, then index.
func shardFiles(shardDir string) (map[int]map[int]string, error) {
	entries, err := os.ReadDir(shardDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	files := map[int]map[int]string{} // count → index → file
	for _, e := range entries {
		k, n, ok := parseShardFile(e.Name())
		if !ok {
			continue
		}
		if files[n] == nil {
			files[n] = map[int]string{}
		}
		files[n][k] = filepath.Join(shardDir, e.Name())
	}
	return files, nil
}

// readShard reads one shard file and checks it against the sweep: header,
// fingerprint, and exactly the points of shard k of n.
func readShard(path string, header []string, sf *report.SweepFile, k, n int) (map[int][]string, bool, error) {
	res, err := report.ReadResults(path)
	if err != nil {
		return nil, false, fmt.Errorf("unreadable %s: %v", filepath.Base(path), err)
	}
	want := append(slices.Clip(header), "point", "fingerprint")
	if !slices.Equal(res.Header, want) {
		return nil, false, fmt.Errorf("%s has other columns than this sweep", filepath.Base(path))
	}
	rows := map[int][]string{}
	failed := false
	for _, r := range res.Rows {
		fp := r[len(r)-1]
		if fp != sf.Fingerprint {
			return nil, false, fmt.Errorf("%s is from another sweep (fingerprint %s, sweep.yaml has %s)", filepath.Base(path), fp, sf.Fingerprint)
		}
		i, err := strconv.Atoi(r[len(r)-2])
		if err != nil || i < 0 || i >= len(sf.Points) || i%n != k || sf.Points[i].ID != r[0] {
			return nil, false, fmt.Errorf("%s lists point %q (%s) that is not in this shard", filepath.Base(path), r[len(r)-2], r[0])
		}
		rows[i] = r[:len(r)-2]
		if r[1] == report.StatusFailed {
			failed = true
		}
	}
	for i := k; i < len(sf.Points); i += n {
		if _, ok := rows[i]; !ok {
			return nil, false, fmt.Errorf("%s lacks point %d", filepath.Base(path), i)
		}
	}
	return rows, failed, nil
}
