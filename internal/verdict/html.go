package verdict

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strings"

	"github.com/optimbench/optimbench/internal/plot"
)

// htmlFigure is a figure drawn as inline SVG.
type htmlFigure struct {
	figure
	SVG template.HTML
}

// svgProlog is what vgsvg writes before the <svg> element: the XML declaration and a
// comment, which do not belong inside an HTML document.
var svgProlog = regexp.MustCompile(`(?s)\A.*?(<svg\b)`)

// inlineSVG draws f as SVG for an HTML page: no prolog, scaled to the page's width, named
// for screen readers. Its text names the Liberation Sans font, which the page's style maps
// to metric-compatible fonts the reader has (Arial, Helvetica), so nothing is fetched.
func inlineSVG(f figure) (template.HTML, error) {
	b, err := plot.RenderPanels(".svg", f.Panels)
	if err != nil {
		return "", fmt.Errorf("report: figure %s: %w", f.Name, err)
	}
	s := svgProlog.ReplaceAllString(string(b), "$1")
	label := template.HTMLEscapeString(f.Heading)
	s = strings.Replace(s, "<svg", fmt.Sprintf(`<svg role="img" aria-label="%s" class="figure" id="fig-%s"`, label, f.Name), 1)
	return template.HTML(s), nil // gonum's SVG: the labels in it are escaped by vgsvg
}

// HTML is the report as one self-contained HTML page: inline style, inline SVG figures,
// nothing fetched.
func (r *Report) HTML() ([]byte, error) {
	var figs []htmlFigure
	for _, f := range r.figures() {
		svg, err := inlineSVG(f)
		if err != nil {
			return nil, err
		}
		figs = append(figs, htmlFigure{f, svg})
	}
	var b bytes.Buffer
	err := pageTemplate.Execute(&b, struct {
		*Report
		Head    header
		Figures []htmlFigure
		Rule    string
	}{r, r.header(), figs, NoiseRule})
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return b.Bytes(), nil
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Head.Title}}</title>
<style>
body{font-family:"Liberation Sans",Arial,Helvetica,sans-serif;margin:1.5em auto;max-width:78em;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin:0 0 .2em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}
.stamp{color:#555;font-size:.9em}
.deviations{border-left:4px solid #D55E00;background:#fff4ec;padding:.4em 1em;margin:1em 0}
.ok{border-left:4px solid #009E73;background:#eefaf5;padding:.4em 1em;margin:1em 0}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.92em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right;white-space:nowrap}
th{white-space:normal;vertical-align:bottom}
.scroll{overflow-x:auto}
th:first-child,td:first-child{text-align:left}
caption{text-align:left;font-weight:bold;padding:.3em 0}
td.best{font-weight:bold;background:#e8f3fb}
td.tie{background:#f3f3f3}
svg.figure{max-width:100%;height:auto;display:block}
svg.figure text{font-family:"Liberation Sans",Arial,Helvetica,sans-serif !important}
figcaption{color:#444;font-size:.92em;max-width:60em}
</style>
</head>
<body>
<header>
<h1>{{.Head.Title}}</h1>
<p class="stamp" id="stamp">{{.Head.Stamp}}</p>
</header>
<section id="protocol">
{{if .Head.Deviations}}<div class="deviations"><strong>This protocol departs from DeepOBS's defaults:</strong>
<ul>{{range .Head.Deviations}}<li>{{.}}</li>{{end}}</ul></div>
{{else}}<div class="ok">The protocol follows DeepOBS's defaults.</div>{{end}}
<p>{{.Head.Protocol}}</p>
</section>
<section id="verdict">
<h2>Verdict</h2>
<ul>{{range .Verdicts}}<li>{{.}}</li>{{end}}</ul>
</section>
<section id="table">
<h2>Performance, speed and tuneability</h2>
<p>{{.Rule}}</p>
{{range .Tables}}<div class="scroll"><table class="results" id="table-{{.Problem}}">
<caption>{{.Caption}}</caption>
<thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr><td>{{.Optimizer}}{{if .Baseline}} (baseline){{end}}</td>{{range .Cells}}<td{{if .Best}} class="best"{{else if .Tie}} class="tie"{{end}}{{if .Note}} title="{{.Note}}"{{end}}>{{.Text}}{{if .Best}} ★{{else if .Tie}} ≈{{end}}</td>{{end}}</tr>
{{end}}</tbody>
</table></div>
{{end}}</section>
{{range .Figures}}<section id="{{.Name}}">
<h2>{{.Heading}}</h2>
<figure>
{{.SVG}}
<figcaption>{{.Caption}}</figcaption>
</figure>
</section>
{{end}}<footer><p class="stamp">{{.Head.Stamp}}</p></footer>
</body>
</html>
`))
