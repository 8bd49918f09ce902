package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMetricsWriterExtraColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	w, err := CreateMetrics(path, "train_subopt")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rows := []Row{
		{LR: 0.1, BatchSize: 8, TrainLoss: 1.5, TestLoss: Empty, TrainAcc: Empty, TestAcc: Empty, Extra: []float64{0.25}},
		{Epoch: 1, Step: 4, Examples: 32, LR: 0.1, BatchSize: 8, TrainLoss: math.NaN(), TestLoss: Empty, TrainAcc: Empty, TestAcc: Empty, Extra: []float64{math.NaN()}},
	}
	for _, r := range rows {
		if err := w.Write(r, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Write(Row{TrainLoss: 1}, false); err == nil {
		t.Error("a row without its extra cell was written")
	}
	b, _ := os.ReadFile(path)
	want := "epoch,step,examples,lr,batch_size,train_loss,test_loss,train_acc,test_acc,seconds,train_subopt\n" +
		"0,0,0,0.1,8,1.5,,,,0.000000,0.25\n" +
		"1,4,32,0.1,8,NaN,,,,0.000000,NaN\n"
	if got := string(b); got != want {
		t.Errorf("metrics.csv:\n%s\nwant:\n%s", got, want)
	}
	tab, err := ReadTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.Cols["train_subopt"]; len(got) != 2 || got[0] != 0.25 || !math.IsNaN(got[1]) {
		t.Errorf("train_subopt read back as %v", got)
	}
}

func TestMetricsWriterNoExtraByDefault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	w, err := CreateMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Row{TrainLoss: 1, Extra: []float64{2}}, false); err == nil {
		t.Error("an extra cell without its column was written")
	}
	w.Close()
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "train_subopt") {
		t.Errorf("header %q names an extra column", b)
	}
}
