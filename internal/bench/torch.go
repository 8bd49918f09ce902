package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// TorchInfo is what scripts/bench_torch.py reports about its PyTorch.
type TorchInfo struct {
	Version     string  `json:"torch"`
	Dtype       string  `json:"dtype"` // the dtype the script trains in
	BLASCore    string  `json:"blas_core"`
	Threads     int     `json:"threads"`
	BLASThreads int     `json:"blas_threads"` // OPENBLAS_NUM_THREADS
	ImportSec   float64 `json:"import_s"`
	Data        string  `json:"data"`
	CoreType    string  `json:"openblas_coretype"`
	MaxRSSKiB   int64   `json:"maxrss_kb"`
	ScriptPath  string  `json:"script"`
}

// ErrNoTorch means that the Python given cannot import torch.
var ErrNoTorch = errors.New("python cannot import torch")

// ParseTorch reads the JSON lines of scripts/bench_torch.py: one "info" object, one "result"
// per model and optimizer, and an "end" object with the peak memory. Other lines (warnings
// printed by PyTorch) are skipped; an "error" object or a malformed result is an error.
func ParseTorch(r io.Reader) (TorchInfo, []Result, error) {
	var info TorchInfo
	var results []Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		kind, res, err := parseLine(sc.Bytes(), &info)
		if err != nil {
			return info, nil, fmt.Errorf("torch output line %d: %w", line, err)
		}
		if kind == "result" {
			results = append(results, res)
		}
	}
	if err := sc.Err(); err != nil {
		return info, nil, fmt.Errorf("torch output: %w", err)
	}
	return info, results, nil
}

// parseLine parses one line of the script's output: "info" and "end" lines fill info, a
// "result" line is returned, an "error" line is an error; kind is "" for a line that is not a
// JSON object.
func parseLine(line []byte, info *TorchInfo) (kind string, res Result, err error) {
	text := bytes.TrimSpace(line)
	if len(text) == 0 || text[0] != '{' {
		return "", res, nil
	}
	var head struct {
		Kind   string `json:"kind"`
		Error  string `json:"error"`
		MaxRSS int64  `json:"maxrss_kb"`
	}
	if err := json.Unmarshal(text, &head); err != nil {
		return "", res, err
	}
	switch head.Kind {
	case "info":
		err = json.Unmarshal(text, info)
	case "result":
		err = json.Unmarshal(text, &res)
		if err == nil && (res.Model == "" || res.Optimizer == "" || !(res.SamplesPerSec > 0)) {
			err = fmt.Errorf("incomplete result %s", text)
		}
	case "end":
		info.MaxRSSKiB = head.MaxRSS
	case "error":
		err = errors.New(head.Error)
	}
	return head.Kind, res, err
}

// TorchOptions says how to run scripts/bench_torch.py.
type TorchOptions struct {
	Python  string // e.g. /usr/bin/python3
	Script  string // path of bench_torch.py
	Threads int    // torch threads (1)
	Dtype   string // float64 or float32 ("": float64)
	// BLASThreads are OpenBLAS's threads, 0 for Threads: PyTorch's best 2-core setting is
	// often 1 torch thread with 2 BLAS threads, its two pools fighting otherwise.
	BLASThreads int
	CoreType    string   // OPENBLAS_CORETYPE to set (over the environment's); "" keeps the environment's
	MNIST       string   // folder of the MNIST IDX files, or "" for random data
	Rows        int      // rows of random MNIST-shaped data
	Env         []string // base environment (os.Environ() when nil)
}

// Torch is a running scripts/bench_torch.py --serve, which times one case per request so that
// optimbench and PyTorch can take turns on the same machine at the same moment.
type Torch struct {
	Info   TorchInfo
	script string
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Scanner
	stderr bytes.Buffer
}

// StartTorch starts the PyTorch script in serve mode and reads its info line. It returns
// ErrNoTorch when torch cannot be imported.
func StartTorch(ctx context.Context, o TorchOptions) (*Torch, error) {
	args := []string{o.Script, "--serve", "--threads", strconv.Itoa(max(1, o.Threads)), "--rows", strconv.Itoa(o.Rows)}
	if o.MNIST != "" {
		args = append(args, "--mnist", o.MNIST)
	}
	if o.Dtype != "" {
		args = append(args, "--dtype", o.Dtype)
	}
	t := &Torch{script: o.Python + " " + o.Script}
	t.cmd = exec.CommandContext(ctx, o.Python, args...)
	blas := o.BLASThreads
	if blas < 1 {
		blas = o.Threads
	}
	t.cmd.Env = TorchEnv(o.Env, o.Threads, blas, o.CoreType)
	t.cmd.Stderr = &t.stderr
	var err error
	if t.in, err = t.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("%s: %w", t.script, err)
	}
	stdout, err := t.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.script, err)
	}
	t.out = bufio.NewScanner(stdout)
	t.out.Buffer(make([]byte, 0, 64*1024), 1<<20)
	if err := t.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", t.script, err)
	}
	kind, _, err := t.next()
	if err == nil && kind != "info" {
		err = fmt.Errorf("first line is %q, want info", kind)
	}
	if err != nil {
		t.in.Close()
		waitErr := t.cmd.Wait()
		var exit *exec.ExitError
		if errors.As(waitErr, &exit) && exit.ExitCode() == 3 {
			return nil, ErrNoTorch
		}
		return nil, t.fail(err)
	}
	t.Info.ScriptPath = o.Script
	return t, nil
}

// next reads up to the next JSON line and parses it.
func (t *Torch) next() (kind string, res Result, err error) {
	for t.out.Scan() {
		kind, res, err = parseLine(t.out.Bytes(), &t.Info)
		if kind != "" || err != nil {
			return kind, res, err
		}
	}
	if err := t.out.Err(); err != nil {
		return "", res, err
	}
	return "", res, io.ErrUnexpectedEOF
}

func (t *Torch) fail(err error) error {
	if msg := lastLine(t.stderr.String()); msg != "" && errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: %w: %s", t.script, err, msg)
	}
	return fmt.Errorf("%s: %w", t.script, err)
}

// Time asks PyTorch to time steps steps of model m with optimizer opt.
func (t *Torch) Time(m Model, opt string, steps int) (Result, error) {
	req, _ := json.Marshal(map[string]any{"model": m.Name, "optimizer": opt, "steps": steps})
	if _, err := t.in.Write(append(req, '\n')); err != nil {
		return Result{}, t.fail(err)
	}
	kind, res, err := t.next()
	if err == nil && kind != "result" {
		err = fmt.Errorf("got a %q line, want a result", kind)
	}
	if err != nil {
		return Result{}, t.fail(err)
	}
	return res, nil
}

// Close ends the script, which reports its peak memory in Info.MaxRSSKiB.
func (t *Torch) Close() error {
	t.in.Close()
	for {
		kind, _, err := t.next()
		if err != nil || kind == "end" {
			break
		}
	}
	if err := t.cmd.Wait(); err != nil {
		return t.fail(err)
	}
	return nil
}

// TorchEnv returns env (os.Environ() when nil) with the thread variables set (OpenMP's to
// threads, the BLAS libraries' to blas) and, unless coreType is "", OPENBLAS_CORETYPE set to
// coreType in place of the environment's.
func TorchEnv(env []string, threads, blas int, coreType string) []string {
	if env == nil {
		env = os.Environ()
	}
	threads, blas = max(1, threads), max(1, blas)
	set := map[string]string{
		"OMP_NUM_THREADS":      strconv.Itoa(threads),
		"OPENBLAS_NUM_THREADS": strconv.Itoa(blas),
		"MKL_NUM_THREADS":      strconv.Itoa(blas),
	}
	if coreType != "" {
		set["OPENBLAS_CORETYPE"] = coreType
	}
	out := make([]string, 0, len(env)+4)
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for _, k := range []string{"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE"} {
		if v, ok := set[k]; ok {
			out = append(out, k+"="+v)
		}
	}
	return out
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
