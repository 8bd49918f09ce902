package cmd

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/optimbench/optimbench/internal/train"
)

// memoryFlag is --max-memory: a size (16GiB, 800MB, 2e9) or "off".
type memoryFlag struct{ lim *train.Limits }

func (m memoryFlag) String() string {
	switch {
	case m.lim == nil || m.lim.Memory == 0:
		return ""
	case m.lim.Memory < 0:
		return "off"
	}
	return train.Bytes(m.lim.Memory)
}

func (memoryFlag) Type() string { return "SIZE" }

func (m memoryFlag) Set(s string) error {
	n, err := parseBytes(s)
	if err != nil {
		return err
	}
	m.lim.Memory = n
	return nil
}

// memoryVar registers --max-memory on cmd, setting lim.Memory.
func memoryVar(cmd *cobra.Command, lim *train.Limits) {
	cmd.Flags().Var(memoryFlag{lim}, "max-memory", "the most memory a run may use besides its data, e.g. 16GiB or 800MB, or off "+
		"(default: the memory available when it starts)")
}

// sizeUnits are the suffixes of parseBytes: Kubernetes' quantities (K = 1000, Ki = 1024), with
// or without a trailing B.
var sizeUnits = []struct {
	suffix string
	factor float64
}{
	{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40},
	{"K", 1e3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
}

// parseBytes reads a positive number of bytes with an optional unit, or "off" (−1).
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "off") {
		return -1, nil
	}
	num, factor := strings.TrimSuffix(t, "B"), 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(num, u.suffix) {
			num, factor = strings.TrimSuffix(num, u.suffix), u.factor
			break
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a size (say 16GiB, 800MB, 2e9 or off)", s)
	}
	b := f * factor
	if b >= math.MaxInt64 {
		return math.MaxInt64, nil
	}
	return max(int64(b), 1), nil
}
