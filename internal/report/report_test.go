package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMetricsWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	w, err := CreateMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := []Row{
		{Epoch: 0, LR: 0.1, BatchSize: 32, TrainLoss: 1.0 / 3, TestLoss: 0.5, TrainAcc: 0.25, TestAcc: Empty},
		{Epoch: 1, Step: 10, Examples: 320, LR: 1e-7, BatchSize: 32, TrainLoss: math.NaN(), TestLoss: math.Inf(1), TrainAcc: Empty, TestAcc: Empty, Seconds: 1.5},
	}
	for _, r := range rows {
		if err := w.Write(r, true); err != nil {
			t.Fatal(err)
		}
		// Each row is on disk as soon as Write returns.
		b, _ := os.ReadFile(path)
		if !strings.HasSuffix(string(b), "\n") {
			t.Errorf("row not flushed: %q", b)
		}
	}
	if err := w.Write(Row{Epoch: 2, Examples: -1, BatchSize: -1, TrainLoss: 2, TestLoss: Empty, TrainAcc: Empty, TestAcc: Empty}, false); err != nil {
		t.Fatal(err)
	}
	w.Close()
	b, _ := os.ReadFile(path)
	want := "epoch,step,examples,lr,batch_size,train_loss,test_loss,train_acc,test_acc,seconds\n" +
		"0,0,0,0.1,32,0.3333333333333333,0.5,0.25,,0.000000\n" +
		"1,10,320,1e-07,32,NaN,+Inf,,,1.500000\n" +
		"2,0,,0,,2,,,,0.000000\n"
	if string(b) != want {
		t.Errorf("metrics.csv:\n%s\nwant:\n%s", b, want)
	}
	tab, err := ReadTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows != 3 || tab.Cols["train_loss"][0] != 1.0/3 || !math.IsNaN(tab.Cols["test_acc"][0]) || !math.IsInf(tab.Cols["test_loss"][1], 1) {
		t.Errorf("read back %+v", tab)
	}
}

func TestReadTableTornRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.csv")
	os.WriteFile(path, []byte("a,b\n1,2\n3,4\n5"), 0o644)
	tab, err := ReadTable(path)
	if err != nil || tab.Rows != 2 {
		t.Errorf("torn last row: rows %v err %v, want 2 rows", tab, err)
	}
	os.WriteFile(path, []byte("a,b\n1,x\n"), 0o644)
	if _, err := ReadTable(path); err == nil || !strings.Contains(err.Error(), "m.csv:2") {
		t.Errorf("bad cell: %v", err)
	}
}

func TestTrajectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trajectory.csv")
	w, err := CreateTrajectory(path, 2)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(0, 3, []float64{-1.5, 2})
	w.Write(1, 2.5, []float64{-1.25, 1.75})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if want := "step,loss,x1,x2\n0,3,-1.5,2\n1,2.5,-1.25,1.75\n"; string(b) != want {
		t.Errorf("trajectory.csv %q, want %q", b, want)
	}
}

func TestWriteJSONAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	s := &Summary{Name: "x", Status: StatusDiverged, Final: Metrics{TrainLoss: Value(math.NaN()), TestAcc: Value(0.5)}}
	if err := WriteJSON(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSummary(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusDiverged || got.Final.TrainLoss != nil || *got.Final.TestAcc != 0.5 {
		t.Errorf("read back %+v", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x"), []byte("x")); err == nil {
		t.Error("WriteFileAtomic into a missing folder succeeded")
	}
}
