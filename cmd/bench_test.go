package cmd

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBench(t *testing.T) {
	t.Run("table", func(t *testing.T) {
		code, out, errOut := runCLI(t, "bench", "--models", "tiny", "--steps", "5", "--no-torch")
		if code != 0 {
			t.Fatalf("exit %d, stderr %s", code, errOut)
		}
		for _, want := range []string{"MLP 2-16-1", "momentum", "adam", "not run (--no-torch)"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		code, out, errOut := runCLI(t, "bench", "--models", "softmax", "--optimizers", "sgd", "--steps", "3", "--rows", "300", "--no-torch", "--json", "--data", t.TempDir()+"/none")
		if code != 2 {
			t.Errorf("--data of a missing folder: exit %d, want 2 (stderr %s)", code, errOut)
		}
		code, out, errOut = runCLI(t, "bench", "--models", "softmax", "--optimizers", "sgd", "--steps", "3", "--rounds", "1", "--rows", "300", "--no-torch", "--json", "--threads", "2")
		if code != 0 {
			t.Fatalf("exit %d, stderr %s", code, errOut)
		}
		var rep struct {
			BLAS    string `json:"blas"`
			Data    string `json:"data"`
			Threads int    `json:"threads"`
			Results []struct {
				Model         string  `json:"model"`
				Optimizer     string  `json:"optimizer"`
				Steps         int     `json:"steps"`
				SamplesPerSec float64 `json:"samples_per_s"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		if rep.BLAS == "" || rep.Threads != 2 || len(rep.Results) != 1 || rep.Results[0].Model != "softmax" || rep.Results[0].Steps != 3 || !(rep.Results[0].SamplesPerSec > 0) {
			t.Errorf("report %+v", rep)
		}
	})
	t.Run("float32", func(t *testing.T) {
		code, out, errOut := runCLI(t, "bench", "--models", "tiny", "--steps", "5", "--no-torch", "--dtype", "float32")
		if code != 0 {
			t.Fatalf("exit %d, stderr %s", code, errOut)
		}
		if !strings.Contains(out, "optimbench: float32, 1 thread(s), pure Go, ") || !strings.Contains(out, "float32 kernel") {
			t.Errorf("the notes do not say float32 and its kernel:\n%s", out)
		}
	})
	for _, args := range [][]string{
		{"bench", "--models", "resnet"},
		{"bench", "--optimizers", "no-such-optimizer", "--models", "tiny", "--no-torch"},
		{"bench", "--steps", "-1"},
		{"bench", "--rounds", "0"},
		{"bench", "--threads", "0"},
		{"bench", "--dtype", "float16"},
		{"bench", "--torch-blas-threads", "-1"},
		{"bench", "extra"},
	} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
