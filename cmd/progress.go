package cmd

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/optimbench/optimbench/internal/report"
)

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// runProgress shows a run's evaluations: a live bar on a terminal, one line
// per evaluation otherwise.
type runProgress struct {
	w      io.Writer
	name   string
	bar    *progressbar.ProgressBar
	epochs int
}

// newBar is the live progress bar of train and sweep on a terminal;
// predict shows the time left from the bar's own rate.
func newBar(w io.Writer, name string, predict bool) *progressbar.ProgressBar {
	return progressbar.NewOptions(1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(name),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(predict),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(0),
	)
}

func newRunProgress(w io.Writer, name string, tty bool) *runProgress {
	p := &runProgress{w: w, name: name}
	if tty {
		p.bar = newBar(w, name, true)
	}
	return p
}

func (p *runProgress) Start(epochs int) {
	p.epochs = epochs
	if p.bar != nil {
		p.bar.ChangeMax(epochs)
	}
}

func (p *runProgress) Row(r report.Row, hasTest bool) {
	line := formatRow(r, hasTest)
	if p.bar != nil {
		p.bar.Describe(p.name + "  " + line)
		_ = p.bar.Set(r.Epoch)
		return
	}
	fmt.Fprintf(p.w, "%s epoch %d/%d  %s\n", p.name, r.Epoch, p.epochs, line)
}

func (p *runProgress) Finish(s *report.Summary) {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}

func formatRow(r report.Row, hasTest bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "train_loss %.5g", r.TrainLoss)
	if hasTest {
		fmt.Fprintf(&b, "  test_loss %.5g", r.TestLoss)
	}
	if !math.IsNaN(r.TestAcc) {
		fmt.Fprintf(&b, "  test_acc %.4f", r.TestAcc)
	} else if !math.IsNaN(r.TrainAcc) {
		fmt.Fprintf(&b, "  train_acc %.4f", r.TrainAcc)
	}
	fmt.Fprintf(&b, "  lr %.3g", r.LR)
	return b.String()
}
