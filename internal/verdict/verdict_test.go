package verdict

import (
	"bytes"
	"errors"
	"html/template"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/benchmark"
	"github.com/optimbench/optimbench/internal/report"
)

// fixtureDir holds a made-up analysis of three problems and four optimizers
// (scripts/gen_report_fixture.py).
const fixtureDir = "testdata/tiny"

func fixture(t *testing.T) *benchmark.Analysis {
	t.Helper()
	a, err := benchmark.ReadAnalysis(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// external matches a reference to anything outside the page: a src or href to a URL, a CSS
// import or url() of one.
var external = regexp.MustCompile(`(?i)((src|href)\s*=\s*["']?\s*(https?:)?//|@import|url\(\s*["']?\s*(https?:)?//)`)

func TestHTML(t *testing.T) {
	a := fixture(t)
	page, err := Build(a).HTML()
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	for _, want := range []string{`id="protocol"`, `id="verdict"`, `id="table"`, `id="performance"`,
		`id="sensitivity"`, `id="profile"`, `id="budget"`, `id="stamp"`} {
		if !strings.Contains(html, want) {
			t.Errorf("no section %s", want)
		}
	}
	for _, p := range a.Problems {
		if !strings.Contains(html, `id="table-`+p.Name+`"`) {
			t.Errorf("no table of problem %s", p.Name)
		}
	}
	for _, o := range a.Optimizers {
		if n := strings.Count(html, "<td>"+o.Name); n != len(a.Problems) {
			t.Errorf("optimizer %s: %d table rows, want %d", o.Name, n, len(a.Problems))
		}
	}
	st := a.Stamp
	for _, want := range []string{st.Version, st.Commit, st.Go, st.CPU, st.DType, "1 thread per run", st.Date} {
		if !strings.Contains(html, want) {
			t.Errorf("stamp lacks %q", want)
		}
	}
	if n := strings.Count(html, "<svg"); n != 4 {
		t.Errorf("%d svg figures, want 4", n)
	}
	if strings.Contains(html, "<?xml") {
		t.Error("an SVG keeps its XML prolog inside the page")
	}
	if m := external.FindString(html); m != "" {
		t.Errorf("the page references something outside it: %q", m)
	}
	if !strings.Contains(html, `class="best"`) || !strings.Contains(html, `class="tie"`) || !strings.Contains(html, " ★</td>") || !strings.Contains(html, " ≈</td>") {
		t.Error("no winner or seed-noise marking in the table")
	}
	// The deviations from DeepOBS's defaults come on the first screen: before the verdict.
	dev := strings.Index(html, template.HTMLEscapeString(a.Protocol.Deviations[0]))
	if dev < 0 || dev > strings.Index(html, `id="verdict"`) {
		t.Errorf("the deviations are not on the first screen (at %d)", dev)
	}
}

func TestVerdicts(t *testing.T) {
	r := Build(fixture(t))
	if len(r.Verdicts) != 3 {
		t.Fatalf("%d verdicts, want 3", len(r.Verdicts))
	}
	// mnist_logreg: lion 0.2581, adam 0.2731, momentum 0.2742 (σ 0.0064 each, 3 seeds: Welch
	// p ≈ 0.079 and 0.065) and sgd 0.3605 (far behind).
	v := r.Verdicts[0]
	for _, want := range []string{"mnist_logreg: lion wins on final test loss", "within seed noise of it", "adam (Welch p = 0.079", "momentum (Welch p = 0.065"} {
		if !strings.Contains(v, want) {
			t.Errorf("verdict %q lacks %q", v, want)
		}
	}
	if strings.Contains(v, "sgd") {
		t.Errorf("verdict %q counts sgd within noise", v)
	}
	if v := r.Verdicts[1]; !strings.Contains(v, "sgd wins") || !strings.Contains(v, "ahead of the runner-up momentum beyond seed noise") {
		t.Errorf("quadratic_deep verdict %q", v)
	}
	// two_d_beale has no test set: the winner is named on the final training loss.
	if v := r.Verdicts[2]; !strings.Contains(v, "lion wins on final training loss") {
		t.Errorf("two_d_beale verdict %q", v)
	}
	// The optimizer whose every setting diverged says so in the table.
	var found bool
	for _, row := range r.Tables[1].Rows {
		if row.Optimizer == "lion" && row.Cells[0].Text == "every setting diverged" {
			found = true
		}
	}
	if !found {
		t.Error("quadratic_deep: lion's row does not say every setting diverged")
	}
}

func TestMarkdown(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.md")
	if err := writeFixture(t, out); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	md := string(doc)
	for _, want := range []string{"## Verdict", "## Performance, speed and tuneability", "departs from DeepOBS", "v0.0.0-fixture", "** ★ |", " ≈ |", "| lion |"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	for _, name := range []string{"performance", "sensitivity", "profile", "budget"} {
		if !strings.Contains(md, "](report_files/"+name+".png)") {
			t.Errorf("report.md does not link %s.png", name)
		}
		b, err := os.ReadFile(filepath.Join(dir, "report_files", name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s.png: %v", name, err)
		}
	}
}

// writeFixture copies the fixture into a fresh folder and writes its report to outs.
func writeFixture(t *testing.T, outs ...string) error {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(fixtureDir, benchmark.AnalysisFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, benchmark.AnalysisFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return Write(dir, outs)
}

func TestBadDir(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	corrupt := filepath.Join(dir, "corrupt")
	for _, d := range []string{empty, corrupt} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(corrupt, benchmark.AnalysisFile), []byte(`{"schema": 1, "problems": [`), 0o644)
	hollow := filepath.Join(dir, "hollow")
	os.Mkdir(hollow, 0o755)
	os.WriteFile(filepath.Join(hollow, benchmark.AnalysisFile), []byte(`{"schema": 1}`), 0o644)
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct{ name, dir, names string }{
		{"missing", filepath.Join(dir, "nope"), filepath.Join(dir, "nope")},
		{"not a folder", file, file},
		{"no analysis", empty, filepath.Join(empty, benchmark.AnalysisFile)},
		{"corrupt", corrupt, filepath.Join(corrupt, benchmark.AnalysisFile)},
		{"no problems", hollow, filepath.Join(hollow, benchmark.AnalysisFile)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name+".html")
			err := Write(tc.dir, []string{out})
			if !errors.Is(err, report.ErrBadInput) {
				t.Fatalf("err = %v, want bad input", err)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.names) || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line naming %s", msg, tc.names)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s written on failure", out)
			}
		})
	}
}

func TestCheckOuts(t *testing.T) {
	for _, tc := range []struct {
		name string
		outs []string
		ok   bool
	}{
		{"html", []string{"r.html"}, true},
		{"both", []string{"r.html", "d/r.md"}, true},
		{"htm upper", []string{"R.HTM"}, true},
		{"none", nil, false},
		{"pdf", []string{"r.pdf"}, false},
		{"twice", []string{"a/r.html", "a/./r.html"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckOuts(tc.outs)
			var oe *report.OptionError
			if tc.ok != (err == nil) || (err != nil && (!errors.As(err, &oe) || oe.Option != "Out")) {
				t.Errorf("CheckOuts(%q) = %v", tc.outs, err)
			}
		})
	}
}

// TestWriteAllOrNone: when one file cannot be written (report_files is a file, so the
// figures' folder cannot be made) nothing is written, the earlier report stays, and no
// folder or temporary file is left behind.
func TestWriteAllOrNone(t *testing.T) {
	dir := t.TempDir()
	html := filepath.Join(dir, "report.html")
	os.WriteFile(html, []byte("before"), 0o644)
	os.WriteFile(filepath.Join(dir, "report_files"), []byte("in the way"), 0o644)
	err := writeFixture(t, html, filepath.Join(dir, "report.md"), filepath.Join(dir, "new", "deep", "r.html"))
	if !errors.Is(err, report.ErrBadInput) {
		t.Fatalf("err = %v, want bad input", err)
	}
	if b, _ := os.ReadFile(html); string(b) != "before" {
		t.Errorf("report.html changed on failure: %.40q", b)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "report.html,report_files" {
		t.Errorf("left behind: %v", names)
	}
	// Both formats at once, into a folder that does not exist yet.
	out := filepath.Join(dir, "fresh", "r")
	if err := writeFixture(t, out+".html", out+".md"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{out + ".html", out + ".md", filepath.Join(out+"_files", "profile.png")} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
}

// TestColours: an optimizer takes the same colour in every figure, its place in the
// benchmark's list, also where a figure lists the optimizers in another order.
func TestColours(t *testing.T) {
	a := fixture(t)
	// The profile lists its optimizers reversed: the colours must follow the names.
	for i, j := 0, len(a.Profile.Rho)-1; i < j; i, j = i+1, j-1 {
		a.Profile.Rho[i], a.Profile.Rho[j] = a.Profile.Rho[j], a.Profile.Rho[i]
	}
	want := map[string]int{}
	for i, o := range a.Optimizers {
		want[o.Name] = i
	}
	for _, f := range Build(a).figures() {
		n := 0
		for _, pn := range f.Panels.Panels {
			for _, s := range pn.Series {
				n++
				if c, ok := want[s.Label]; !ok || c != s.Color {
					t.Errorf("%s: %s has colour %d, want %d", f.Name, s.Label, s.Color, c)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no series", f.Name)
		}
	}
}
