package bench

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const torchOutput = `{"kind": "info", "torch": "1.13.0a0", "blas_core": "SkylakeX", "threads": 1, "import_s": 1.5, "data": "random", "openblas_coretype": "SkylakeX"}
/usr/lib/python3/dist-packages/torch/__init__.py: UserWarning: something
{"kind": "result", "model": "mlp256", "optimizer": "adam", "batch": 128, "steps": 400, "seconds": 2.0, "samples_per_s": 25600.0, "step_us": 5000.0, "loss": 2.3}
{"kind": "result", "model": "tiny", "optimizer": "adam", "batch": 32, "steps": 3200, "seconds": 0.64, "samples_per_s": 160000.0, "step_us": 200.0, "loss": 0.01}
{"kind": "end", "maxrss_kb": 420000}
`

func TestParseTorch(t *testing.T) {
	info, res, err := ParseTorch(strings.NewReader(torchOutput))
	if err != nil {
		t.Fatal(err)
	}
	want := TorchInfo{Version: "1.13.0a0", BLASCore: "SkylakeX", Threads: 1, ImportSec: 1.5, Data: "random", CoreType: "SkylakeX", MaxRSSKiB: 420000}
	if info != want {
		t.Errorf("info = %+v, want %+v", info, want)
	}
	if len(res) != 2 {
		t.Fatalf("%d results, want 2", len(res))
	}
	if got := res[0]; got.Model != "mlp256" || got.Optimizer != "adam" || got.Batch != 128 || got.Steps != 400 || got.SamplesPerSec != 25600 || got.StepMicros != 5000 {
		t.Errorf("result 0 = %+v", got)
	}

	for name, bad := range map[string]string{
		"error":      `{"kind": "error", "error": "cannot import torch"}`,
		"malformed":  `{"kind": "result", "model": `,
		"incomplete": `{"kind": "result", "model": "mlp256", "optimizer": "adam"}`,
		"wrong type": `{"kind": "result", "model": "mlp256", "optimizer": "adam", "samples_per_s": "fast"}`,
	} {
		if _, _, err := ParseTorch(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: no error for %s", name, bad)
		}
	}
}

func TestReport(t *testing.T) {
	info, res, err := ParseTorch(strings.NewReader(torchOutput))
	if err != nil {
		t.Fatal(err)
	}
	r := &Report{BLAS: "gonum (pure Go)", Data: "random", Rows: []Row{
		{Result: Result{Model: "mlp256", Optimizer: "adam", Batch: 128, SamplesPerSec: 12800, StepMicros: 10000}, Title: "MLP 784-256-10"},
		{Result: Result{Model: "tiny", Optimizer: "adam", Batch: 32, SamplesPerSec: 8e6, StepMicros: 4}, Title: "MLP 2-16-1"},
		{Result: Result{Model: "softmax", Optimizer: "adam", Batch: 128, SamplesPerSec: 1e5, StepMicros: 1280}, Title: "softmax 784→10"},
	}}
	r.AddTorch(info, res)
	if got := r.Rows[0].Ratio; got != 0.5 {
		t.Errorf("mlp256 ratio %v, want 0.5", got)
	}
	if got := r.Rows[2].Ratio; got != 0 {
		t.Errorf("softmax ratio %v without a PyTorch result, want 0", got)
	}
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"0.50×", "25600", "a run of 3200 steps: optimbench 0.013 s, PyTorch 2.140 s", "core SkylakeX"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestTorchEnv(t *testing.T) {
	if env := strings.Join(TorchEnv(nil, 1, 2, ""), " "); !strings.Contains(env, "OMP_NUM_THREADS=1") || !strings.Contains(env, "OPENBLAS_NUM_THREADS=2") {
		t.Errorf("1 torch thread, 2 BLAS threads: %s", env)
	}
	env := TorchEnv([]string{"PATH=/bin", "OMP_NUM_THREADS=8"}, 1, 1, "SkylakeX")
	for _, want := range []string{"PATH=/bin", "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1", "OPENBLAS_CORETYPE=SkylakeX"} {
		if !slices.Contains(env, want) {
			t.Errorf("env %v lacks %s", env, want)
		}
	}
	if slices.Contains(env, "OMP_NUM_THREADS=8") {
		t.Errorf("env %v keeps OMP_NUM_THREADS=8", env)
	}
	env = TorchEnv([]string{"OPENBLAS_CORETYPE=Haswell"}, 1, 1, "SkylakeX")
	if slices.Contains(env, "OPENBLAS_CORETYPE=Haswell") || !slices.Contains(env, "OPENBLAS_CORETYPE=SkylakeX") {
		t.Errorf("env %v: want OPENBLAS_CORETYPE=SkylakeX in place of Haswell", env)
	}
	env = TorchEnv([]string{"OPENBLAS_CORETYPE=Zen"}, 1, 1, "")
	if !slices.Contains(env, "OPENBLAS_CORETYPE=Zen") {
		t.Errorf("env %v: want the environment's OPENBLAS_CORETYPE=Zen kept with an empty core type", env)
	}
}

// TestTorchFake runs the serve protocol against stand-in scripts, so it needs no PyTorch: one
// that answers every request with a canned result, one that exits 3 as bench_torch.py does
// without torch, one that fails, one that answers with an error line.
func TestTorchFake(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	info := `{"kind": "info", "torch": "1.13.0a0", "blas_core": "SkylakeX", "threads": 1, "import_s": 1.5}`
	result := `{"kind": "result", "model": "tiny", "optimizer": "adam", "batch": 32, "steps": 5, "seconds": 0.001, "samples_per_s": 160000.0, "step_us": 200.0, "loss": 0.01}`
	ok := write("ok.sh", "test \"$OPENBLAS_NUM_THREADS\" = 1 || exit 9\n"+
		"echo '"+info+"'\necho 'a warning'\nwhile read -r line; do echo '"+result+"'; done\necho '{\"kind\": \"end\", \"maxrss_kb\": 77}'\n")
	noTorch := write("notorch.sh", "echo '{\"kind\": \"error\", \"error\": \"cannot import torch\"}'; exit 3\n")
	fail := write("fail.sh", "echo boom >&2; exit 1\n")
	errLine := write("err.sh", "echo '"+info+"'\nread -r line; echo '{\"kind\": \"error\", \"error\": \"request: bad\"}'\n")
	tiny := Models()[3]
	o := TorchOptions{Python: sh, Threads: 1, Rows: 100}
	ctx := context.Background()

	o.Script = ok
	tp, err := StartTorch(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		res, err := tp.Time(tiny, "adam", 5)
		if err != nil || res.Model != "tiny" || res.SamplesPerSec != 160000 {
			t.Errorf("Time: %+v, %v", res, err)
		}
	}
	if err := tp.Close(); err != nil {
		t.Error(err)
	}
	if tp.Info.Version != "1.13.0a0" || tp.Info.MaxRSSKiB != 77 {
		t.Errorf("info %+v, want version 1.13.0a0 and maxrss 77", tp.Info)
	}

	o.Script = noTorch
	if _, err := StartTorch(ctx, o); !errors.Is(err, ErrNoTorch) {
		t.Errorf("exit 3: err %v, want ErrNoTorch", err)
	}
	o.Script = fail
	if _, err := StartTorch(ctx, o); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("failing script: err %v, want one with its stderr", err)
	}
	o.Script = errLine
	tp, err = StartTorch(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tp.Time(tiny, "adam", 5); err == nil || !strings.Contains(err.Error(), "request: bad") {
		t.Errorf("error line: err %v, want the script's error", err)
	}
	tp.Close()
}

// TestBenchTorchScript runs the committed scripts/bench_torch.py for a few steps when
// /usr/bin/python3 has torch (skipped otherwise and with -short: importing torch takes ≈ 1.5 s).
func TestBenchTorchScript(t *testing.T) {
	if testing.Short() {
		t.Skip("imports torch")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import torch").Run(); err != nil {
		t.Skip("no torch in /usr/bin/python3")
	}
	tp, err := StartTorch(context.Background(), TorchOptions{Python: "/usr/bin/python3",
		Script: filepath.Join("..", "..", "scripts", "bench_torch.py"), Threads: 1, Rows: 500, CoreType: FastCoreType()})
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := Select([]string{"softmax", "tiny"})
	for _, m := range ms {
		for _, opt := range Optimizers {
			r, err := tp.Time(m, opt, 5)
			if err != nil {
				t.Fatal(err)
			}
			if r.Steps != 5 || r.Model != m.Name || r.Optimizer != opt || r.Batch != m.Batch || !(r.SamplesPerSec > 0) {
				t.Errorf("result %+v", r)
			}
		}
	}
	if err := tp.Close(); err != nil {
		t.Fatal(err)
	}
	if tp.Info.Threads != 1 || tp.Info.Version == "" || tp.Info.MaxRSSKiB <= 0 {
		t.Errorf("info %+v, want 1 thread, a version and the peak memory", tp.Info)
	}
}
