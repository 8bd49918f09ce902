package verdict

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/optimbench/optimbench/internal/benchmark"
	"github.com/optimbench/optimbench/internal/report"
)

// Formats are the extensions of a report file: an HTML page or a Markdown document.
var Formats = []string{".html", ".htm", ".md"}

// CheckOuts validates the report files: each of a known format, none twice. A bad one is
// an OptionError of the option Out.
func CheckOuts(outs []string) error {
	if len(outs) == 0 {
		return optErr("FILE is required (.html or .md)")
	}
	seen := map[string]bool{}
	for _, out := range outs {
		ext := strings.ToLower(filepath.Ext(out))
		if !slices.Contains(Formats, ext) {
			return optErr("%s: unsupported format %q (use .html or .md)", out, ext)
		}
		key := filepath.Clean(out)
		if seen[key] {
			return optErr("%s: given twice", out)
		}
		seen[key] = true
	}
	return nil
}

func optErr(format string, args ...any) error {
	return &report.OptionError{Scope: "report", Option: "Out", Msg: fmt.Sprintf(format, args...)}
}

// Write reads dir's analysis.json and writes the report to each file of outs in the format
// of its extension (.html: one page; .md: the document and its PNG figures in
// FilesDir(out)). The files are written all or none, each atomically: on a failure nothing
// new is left behind and the files there before stay intact.
func Write(dir string, outs []string) error {
	if err := CheckOuts(outs); err != nil {
		return err
	}
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return report.BadInput(fmt.Errorf("report: %s: no such folder (want the folder optimbench benchmark wrote)", dir))
	} else if err != nil {
		return report.BadInput(fmt.Errorf("report: %w", err))
	} else if !fi.IsDir() {
		return report.BadInput(fmt.Errorf("report: %s: not a benchmark folder", dir))
	}
	a, err := benchmark.ReadAnalysis(dir)
	if err != nil {
		return err
	}
	if len(a.Problems) == 0 || len(a.Optimizers) == 0 {
		return report.BadInput(fmt.Errorf("report: %s: no problems or no optimizers to report on", filepath.Join(dir, benchmark.AnalysisFile)))
	}
	files, err := Build(a).Files(outs)
	if err != nil {
		return err
	}
	return writeAll(files)
}

// Files renders the report for each of outs: the files to write, by path.
func (r *Report) Files(outs []string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, out := range outs {
		if strings.ToLower(filepath.Ext(out)) == ".md" {
			doc, figs, err := r.Markdown(out)
			if err != nil {
				return nil, err
			}
			files[out] = doc
			for p, b := range figs {
				files[p] = b
			}
			continue
		}
		page, err := r.HTML()
		if err != nil {
			return nil, err
		}
		files[out] = page
	}
	return files, nil
}

// writeAll writes files all or none, making their folders; the folders it made are removed
// again when writing fails. A folder that cannot be made or written to is bad input (the
// file the user named).
func writeAll(files map[string][]byte) error {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var made []string
	undo := func() {
		for i := len(made) - 1; i >= 0; i-- {
			os.Remove(made[i]) // only empty folders go
		}
	}
	for _, p := range paths {
		m, err := mkdirs(filepath.Dir(p))
		made = append(made, m...)
		if err != nil {
			undo()
			return report.BadInput(fmt.Errorf("report: %w", err))
		}
	}
	data := make([][]byte, len(paths))
	for i, p := range paths {
		data[i] = files[p]
	}
	if err := report.WriteFilesAtomic(paths, data); err != nil {
		undo()
		return report.BadInput(fmt.Errorf("report: %w", err))
	}
	return nil
}

// mkdirs makes dir and its missing parents and returns those it made, outermost first.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	slices.Reverse(missing)
	var made []string
	for _, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return made, err
		}
		made = append(made, d)
	}
	return made, nil
}
