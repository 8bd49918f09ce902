package train

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/report"
)

// Limits bound what a run may take of the machine.
type Limits struct {
	// Memory is the most bytes a run may allocate besides its data. 0 means the memory the
	// machine has available when the run is set up (MemAvailable of /proc/meminfo; no check
	// where that is unknown); a negative value turns the check off.
	Memory int64
	// Share is the number of runs that run at once (a sweep's workers), which share Memory:
	// each may use 1/Share of it. 0 or 1: the run is alone.
	Share int
}

// MemoryError is a run that would need more memory than it may use: exit status 2, before
// anything large is allocated. Key is the configuration key that asks for most of it.
type MemoryError struct {
	File      string
	Key       string
	Need, Max int64
	Available bool   // Max is the machine's available memory, not a given limit
	Share     int    // runs at once sharing the memory (Limits.Share)
	Parts     string // what the estimate is made of
}

func (e *MemoryError) Error() string { return e.Text("") }

// Text is the message, telling how to allow more with flag when flag is not "".
func (e *MemoryError) Text(flag string) string {
	what := "the limit of " + Bytes(e.Max)
	if e.Available {
		what = "the " + Bytes(e.Max) + " of memory available"
	}
	if e.Share > 1 {
		what += fmt.Sprintf(" to each of %d runs at once", e.Share)
	}
	need := "about " + Bytes(e.Need)
	if e.Need == math.MaxInt64 { // the estimate saturated
		need = Bytes(e.Need)
	}
	msg := fmt.Sprintf("config %s: %s: the run needs %s (%s), more than %s", e.File, e.Key, need, e.Parts, what)
	if flag != "" {
		msg += fmt.Sprintf(" (%s SIZE allows more)", flag)
	}
	return msg
}

// Is makes a MemoryError bad input.
func (e *MemoryError) Is(target error) bool { return target == report.ErrBadInput }

// Bytes formats a number of bytes for people: 512 B, 3.1 MiB, 16.4 GiB.
func Bytes(n int64) string {
	if n == math.MaxInt64 {
		return "more than 8 EiB"
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f, u := float64(n), 0
	for f >= 1024 && u < len(units)-1 {
		f /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.3g %s", f, units[u])
}

// memoryPart is one term of a run's memory estimate and the key it grows with.
type memoryPart struct {
	what  string
	key   string
	bytes int64
}

// estimateMemory returns the bytes a run of c on train allocates besides its data: the model's
// parameters and gradient, its activations for the largest batch and evaluation chunks, the
// optimizer's state, the averaged weights, the batch buffers, and the copies a checkpoint
// and params.safetensors encode. It allocates nothing large.
func estimateMemory(c *config.Config, train, test *data.Set, classes, maxBatch int, lim Limits) []memoryPart {
	// train.dtype float32: 4 bytes a value of the parameters, gradient, optimizer state,
	// activations and batches (checkpoints keep float64 copies).
	z, bpv, threadBytes := model.Footprint(c.ModelSpec(), train.D, classes, max(maxBatch, evalRows)), int64(8), model.ThreadBytes()
	if Float32(c) {
		z, bpv, threadBytes = model.FootprintOf[float32](c.ModelSpec(), train.D, classes, max(maxBatch, evalRows)), 4, model.ThreadBytesOf[float32]()
	}
	p8 := sat(z.Params, bpv)
	// The activations are for max(batch, evalRows) rows: they grow with the batch size only
	// above evalRows.
	actKey := modelKey(c)
	if maxBatch > evalRows {
		actKey = "train.batch_size"
	}
	scratch := z.Scratch
	if z.Packs {
		scratch = satAdd(scratch, sat(int64(threads(c, lim)-1), threadBytes))
	}
	parts := []memoryPart{{"parameters and gradient", modelKey(c), sat(p8, 2)},
		{"activations", actKey, scratch}}
	if z.Tensors != nil {
		l := optim.Layout{Size: int(z.Params)}
		for _, t := range z.Tensors {
			l.Tensors = append(l.Tensors, optim.Tensor{Name: t.Name, Offset: t.Offset, Rows: t.Rows, Cols: t.Cols, Matrix: t.Weight, Kernel: t.Kernel})
		}
		e, _ := optim.Lookup(c.Optimizer.Name)
		v := optim.Defaults(c.Optimizer.Name)
		for k, x := range c.Optimizer.Values {
			v[k] = x
		}
		floats := e.Floats(v, l)
		opt := sat(floats, bpv)
		key := "optimizer.name"
		for _, s := range e.Params {
			if s.Key == "history_size" {
				key = "optimizer.history_size" // L-BFGS: 2·history_size vectors
			}
		}
		parts = append(parts, memoryPart{"optimizer state", key, opt})
		if every, _ := c.Train.Values["checkpoint_every"].(int); every > 0 {
			parts = append(parts, memoryPart{"checkpoint copies", "train.checkpoint_every", sat(sat(z.Params, 8)+sat(floats, 8), 2)})
		}
	} else {
		parts = append(parts, memoryPart{"optimizer state", "optimizer.name", math.MaxInt64})
	}
	if c.Average != nil {
		parts = append(parts, memoryPart{"averaged weights", "train.average", p8})
	}
	parts = append(parts, memoryPart{"params.safetensors", modelKey(c), p8})
	rows := sat(int64(maxBatch), int64(train.D)+1)
	switch {
	case Float32(c): // every evaluation converts its rows and targets
		rows += int64(evalRows) * (int64(train.D) + 1)
	case train.Bytes() || (test != nil && test.Bytes()):
		rows += int64(evalRows) * int64(train.D)
	}
	parts = append(parts, memoryPart{"batch buffers", "train.batch_size", sat(rows, bpv)})
	return parts
}

// threads is the number of threads of c's matrix products: train.threads, or every core
// shared among the runs that run at once (lim.Share).
func threads(c *config.Config, lim Limits) int {
	if n, _ := c.Train.Values["threads"].(int); n > 0 {
		return n
	}
	return max(1, runtime.GOMAXPROCS(0)/max(lim.Share, 1))
}

// modelKey is the key a model's size grows with.
func modelKey(c *config.Config) string {
	if len(c.ModelSpec().Hidden) > 0 {
		return "model.hidden"
	}
	if len(c.ModelSpec().Layers) > 0 {
		return "model.layers"
	}
	return "model.kind"
}

// checkMemory refuses a run whose estimate exceeds lim (a *MemoryError naming the key of its
// largest part).
func checkMemory(c *config.Config, parts []memoryPart, lim Limits) error {
	if lim.Memory < 0 {
		return nil
	}
	var need int64
	big := parts[0]
	for _, p := range parts {
		need = satAdd(need, p.bytes)
		if p.bytes > big.bytes {
			big = p
		}
	}
	max, available := lim.Memory, false
	if max == 0 {
		avail, ok := memAvailable()
		if !ok {
			return nil
		}
		max, available = avail, true
	}
	if lim.Share > 1 {
		max /= int64(lim.Share)
	}
	if need <= max {
		return nil
	}
	var desc bytes.Buffer
	for _, p := range parts {
		if p.bytes >= need/100 {
			if desc.Len() > 0 {
				desc.WriteString(", ")
			}
			fmt.Fprintf(&desc, "%s %s", p.what, Bytes(p.bytes))
		}
	}
	return &MemoryError{File: c.File, Key: big.key, Need: need, Max: max, Available: available, Share: lim.Share, Parts: desc.String()}
}

// memAvailable is MemAvailable of /proc/meminfo in bytes, when the system says.
func memAvailable() (int64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := bytes.Fields(sc.Bytes())
		if len(fields) >= 2 && string(fields[0]) == "MemAvailable:" {
			kb, err := strconv.ParseInt(string(fields[1]), 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

func sat(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
