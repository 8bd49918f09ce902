package sweep

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/optimbench/optimbench/internal/report"
)

// Shard is the slice of a sweep one process runs (SPEC §9): the points with
// index ≡ Index (mod Count). Count 0 means the whole sweep, unsharded.
type Shard struct {
	Index, Count int
	Source       string // where the index came from, for messages
}

// Validate checks that the index lies in 0..Count−1 (bad input otherwise).
func (sh Shard) Validate() error {
	if sh.Count == 0 && sh.Index == 0 {
		return nil
	}
	if sh.Count < 1 {
		return report.BadInput(fmt.Errorf("shard count must be >= 1, got %d", sh.Count))
	}
	if sh.Index < 0 || sh.Index >= sh.Count {
		return report.BadInput(fmt.Errorf("shard index %d (from %s) is outside 0..%d: indices are 0-based, below the shard count %d",
			sh.Index, sh.Source, sh.Count-1, sh.Count))
	}
	return nil
}

// String describes the shard: `shard 3 of 8 (from SLURM_ARRAY_TASK_ID)`.
func (sh Shard) String() string {
	if sh.Count == 0 {
		return "all points"
	}
	return fmt.Sprintf("shard %d of %d (from %s)", sh.Index, sh.Count, sh.Source)
}

// FileName is the shard's results file in the sweep's shards/ folder:
// shard-003-of-008.csv (zero-padded so that the files sort).
func (sh Shard) FileName() string {
	w := len(strconv.Itoa(sh.Count))
	return fmt.Sprintf("shard-%0*d-of-%0*d.csv", w, sh.Index, w, sh.Count)
}

// parseShardFile reads k and n back from a shard file name.
func parseShardFile(name string) (k, n int, ok bool) {
	rest, found := strings.CutPrefix(name, "shard-")
	if !found {
		return 0, 0, false
	}
	rest, found = strings.CutSuffix(rest, ".csv")
	if !found {
		return 0, 0, false
	}
	ks, ns, found := strings.Cut(rest, "-of-")
	if !found {
		return 0, 0, false
	}
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	return k, n, err1 == nil && err2 == nil && n > 0 && k >= 0 && k < n
}

// ArrayRange writes shard indices as a Slurm --array expression: 0-3,7.
func ArrayRange(idx []int) string {
	idx = append([]int(nil), idx...)
	sort.Ints(idx)
	var parts []string
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, strconv.Itoa(idx[i]))
		case j == i+1:
			parts = append(parts, strconv.Itoa(idx[i]), strconv.Itoa(idx[j]))
		default:
			parts = append(parts, strconv.Itoa(idx[i])+"-"+strconv.Itoa(idx[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
