package verdict

import (
	"fmt"
	"strings"
)

// NoiseRule says how the table marks the winner and what counts as seed noise (SPEC §10).
const NoiseRule = "★ marks the best value of a column: the best mean over the rerun seeds " +
	"(lowest loss, highest accuracy, fewest epochs to the target, best expected result of one " +
	"random tuning trial). ≈ marks a performance value within seed noise of the best: a " +
	"two-sided Welch t-test of the two means over the seeds gives p ≥ 0.05 (with fewer than 2 " +
	"seeds, their mean ± std intervals overlap). Values are mean ± std over the seeds; " +
	"accuracies in per cent."

// header is the report's first screen: title, stamp, the protocol and its deviations.
type header struct {
	Title, Stamp, Protocol string
	Deviations             []string
}

func (r *Report) header() header {
	a := r.a
	name := a.Name
	if name == "" {
		name = "benchmark"
	}
	st := a.Stamp
	version := st.Version
	if st.Commit != "" {
		version += " (commit " + st.Commit + ")"
	}
	threads := "default threads"
	if st.Threads == 1 {
		threads = "1 thread per run"
	} else if st.Threads > 1 {
		threads = fmt.Sprintf("%d threads per run", st.Threads)
	}
	workers := fmt.Sprintf("%d parallel runs", st.Workers)
	if st.Workers == 1 {
		workers = "1 run at a time"
	}
	stamp := fmt.Sprintf("optimbench %s · %s · CPU %s · %s · %s · %s · %s",
		version, st.Go, orUnknown(st.CPU), orUnknown(st.DType), threads, workers, orUnknown(st.Date))
	pr := a.Protocol
	protocol := fmt.Sprintf("Protocol: each optimizer is tuned on seed %d; the setting with the best %s is rerun over %s (%s); speed is %s to reach each problem's target.",
		pr.TuneSeed, ruleLabel(pr.Rule), seedsText(a), joinSeeds(pr.Seeds), "epochs and seconds")
	return header{Title: "optimbench report: " + name, Stamp: stamp, Protocol: protocol, Deviations: pr.Deviations}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func joinSeeds(seeds []uint64) string {
	if len(seeds) == 0 {
		return "none"
	}
	s := make([]string, len(seeds))
	for i, v := range seeds {
		s[i] = fmt.Sprint(v)
	}
	if len(s) > 12 {
		return "seeds " + strings.Join(s[:3], ", ") + " … " + s[len(s)-1]
	}
	return "seeds " + strings.Join(s, ", ")
}
