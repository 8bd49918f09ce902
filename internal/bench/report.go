package bench

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/sys/cpu"
)

// FastCoreType is the OPENBLAS_CORETYPE to give OpenBLAS on this CPU: Debian's OpenBLAS 0.3.21
// does not recognise recent CPUs and falls back to slow generic kernels, so the comparison with
// PyTorch names the kernels itself (SkylakeX with AVX-512, Haswell with AVX2; "" otherwise).
func FastCoreType() string {
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL:
		return "SkylakeX"
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return "Haswell"
	}
	return ""
}

// Row is one model and optimizer, timed in optimbench and, when available, in PyTorch.
type Row struct {
	Result
	Title              string  `json:"title"`
	TorchSamplesPerSec float64 `json:"torch_samples_per_s,omitempty"`
	TorchStepMicros    float64 `json:"torch_step_us,omitempty"`
	Ratio              float64 `json:"ratio,omitempty"` // optimbench / PyTorch samples/s
}

// Report is the outcome of one `optimbench bench`.
type Report struct {
	BLAS      string     `json:"blas"`       // the matrix-product backend
	BLASCore  string     `json:"blas_core"`  // OpenBLAS kernels of the netlib build
	Data      string     `json:"data"`       // "mnist (DIR)" or "random …"
	MaxRSSKiB int64      `json:"maxrss_kb"`  // peak resident memory of optimbench
	Rounds    int        `json:"rounds"`     // each side's figure is its fastest of these rounds
	Threads   int        `json:"threads"`    // threads of optimbench's products (and PyTorch's)
	Dtype     string     `json:"dtype"`      // float64 or float32, both sides ("" reads float64)
	CPU       string     `json:"cpu"`        // the CPU's model name
	Torch     *TorchInfo `json:"pytorch"`    // nil when PyTorch was not run
	TorchNote string     `json:"torch_note"` // why PyTorch was not run, or ""
	Rows      []Row      `json:"results"`
	Warnings  []string   `json:"warnings,omitempty"`
}

// AddTorch pairs the PyTorch results with the rows of the same model and optimizer.
func (r *Report) AddTorch(info TorchInfo, results []Result) {
	r.Torch = &info
	for _, t := range results {
		for i := range r.Rows {
			row := &r.Rows[i]
			if row.Model == t.Model && row.Optimizer == t.Optimizer {
				row.TorchSamplesPerSec = t.SamplesPerSec
				row.TorchStepMicros = t.StepMicros
				row.Ratio = row.SamplesPerSec / t.SamplesPerSec
			}
		}
	}
}

// WriteTable writes the side-by-side table and the notes under it.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\toptimizer\tbatch\toptimbench samples/s\tPyTorch samples/s\tratio\toptimbench µs/step\tPyTorch µs/step\tallocs/step\t")
	for _, row := range r.Rows {
		torch, ratio, tstep := "-", "-", "-"
		if row.TorchSamplesPerSec > 0 {
			torch = fmt.Sprintf("%.0f", row.TorchSamplesPerSec)
			ratio = fmt.Sprintf("%.2f×", row.Ratio)
			tstep = fmt.Sprintf("%.1f", row.TorchStepMicros)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%s\t%s\t%.1f\t%s\t%.0f\t\n", row.Title, row.Optimizer, row.Batch,
			row.SamplesPerSec, torch, ratio, row.StepMicros, tstep, row.AllocsPerStep)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var notes []string
	if r.Rounds > 1 {
		notes = append(notes, fmt.Sprintf("each figure is the fastest of %d rounds, optimbench and PyTorch taking turns", r.Rounds))
	}
	core := ""
	if r.BLASCore != "" {
		core = ", core " + r.BLASCore
	}
	dtype := cmp.Or(r.Dtype, "float64")
	notes = append(notes, fmt.Sprintf("optimbench: %s, %d thread(s), %s%s; CPU %s; data: %s; peak memory %.0f MiB",
		dtype, max(r.Threads, 1), r.BLAS, core, orDash(r.CPU), r.Data, float64(r.MaxRSSKiB)/1024))
	if t := r.Torch; t != nil {
		notes = append(notes, fmt.Sprintf("PyTorch %s: %s, %d thread(s), %d OpenBLAS thread(s), OpenBLAS core %s (OPENBLAS_CORETYPE=%s); import torch %.2f s; peak memory %.0f MiB",
			t.Version, cmp.Or(t.Dtype, "float64"), t.Threads, max(t.BLASThreads, 1), orDash(t.BLASCore), orDash(t.CoreType), t.ImportSec, float64(t.MaxRSSKiB)/1024))
		for _, row := range r.Rows {
			if row.Model != "tiny" || row.TorchStepMicros == 0 {
				continue
			}
			const runSteps = 3200
			goRun := row.StepMicros * runSteps / 1e6
			torchRun := row.TorchStepMicros*runSteps/1e6 + t.ImportSec
			notes = append(notes, fmt.Sprintf("tiny %s, a run of %d steps: optimbench %.3f s, PyTorch %.3f s with import torch (%.0f× less time; %.0f× per step)",
				row.Optimizer, runSteps, goRun, torchRun, torchRun/goRun, row.TorchStepMicros/row.StepMicros))
		}
	} else if r.TorchNote != "" {
		notes = append(notes, "PyTorch: "+r.TorchNote)
	}
	for _, wn := range r.Warnings {
		notes = append(notes, "warning: "+wn)
	}
	_, err := fmt.Fprintln(w, "\n"+strings.Join(notes, "\n"))
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// CPUName is the CPU's model name (/proc/cpuinfo's "model name"), or "" where the system does
// not say.
func CPUName() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
