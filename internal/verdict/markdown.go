package verdict

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/optimbench/optimbench/internal/plot"
)

// FilesDir is the folder beside a Markdown report that holds its figures: report.md's are
// in report_files/.
func FilesDir(md string) string {
	return strings.TrimSuffix(md, filepath.Ext(md)) + "_files"
}

// Markdown is the report as Markdown with PNG figures: it returns the document and the
// figures' files, named as the document links them (FilesDir(md)/NAME.png, relative to the
// document's folder).
func (r *Report) Markdown(md string) (doc []byte, files map[string][]byte, err error) {
	dir := filepath.Base(FilesDir(md))
	files = map[string][]byte{}
	var b bytes.Buffer
	h := r.header()
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", mdText(h.Title), mdText(h.Stamp))
	if len(h.Deviations) > 0 {
		b.WriteString("> **This protocol departs from DeepOBS's defaults:**\n>\n")
		for _, d := range h.Deviations {
			fmt.Fprintf(&b, "> - %s\n", mdText(d))
		}
		b.WriteString("\n")
	} else {
		b.WriteString("> The protocol follows DeepOBS's defaults.\n\n")
	}
	fmt.Fprintf(&b, "%s\n\n## Verdict\n\n", mdText(h.Protocol))
	for _, v := range r.Verdicts {
		fmt.Fprintf(&b, "- %s\n", mdText(v))
	}
	fmt.Fprintf(&b, "\n## Performance, speed and tuneability\n\n%s\n\n", mdText(NoiseRule))
	for _, t := range r.Tables {
		writeMDTable(&b, t)
	}
	for _, f := range r.figures() {
		png, err := plot.RenderPanels(".png", f.Panels)
		if err != nil {
			return nil, nil, fmt.Errorf("report: figure %s: %w", f.Name, err)
		}
		name := f.Name + ".png"
		files[filepath.Join(FilesDir(md), name)] = png
		fmt.Fprintf(&b, "## %s\n\n![%s](%s/%s)\n\n%s\n\n", f.Heading, f.Heading, dir, name, mdText(f.Caption))
	}
	return b.Bytes(), files, nil
}

// writeMDTable writes one problem's table.
func writeMDTable(b *bytes.Buffer, t problemTable) {
	fmt.Fprintf(b, "**%s**\n\n|", mdText(t.Caption))
	for _, c := range t.Columns {
		fmt.Fprintf(b, " %s |", mdCell(c))
	}
	b.WriteString("\n|")
	for i := range t.Columns {
		if i == 0 {
			b.WriteString(" :--- |")
		} else {
			b.WriteString(" ---: |")
		}
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		name := row.Optimizer
		if row.Baseline {
			name += " (baseline)"
		}
		fmt.Fprintf(b, "| %s |", mdCell(name))
		for _, c := range row.Cells {
			text := mdCell(c.Text)
			switch {
			case c.Best:
				text = "**" + text + "** ★"
			case c.Tie:
				text += " ≈"
			}
			fmt.Fprintf(b, " %s |", text)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

// mdText escapes the characters Markdown would take for markup in running text.
func mdText(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", "[", `\[`).Replace(s)
}

// mdCell is mdText that also escapes a table's column separator.
func mdCell(s string) string { return strings.ReplaceAll(mdText(s), "|", `\|`) }
