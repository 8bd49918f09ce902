#!/usr/bin/env bash
# The report in a real browser (make report-browser): installs Debian's headless Chromium if
# missing, draws the report of the committed fixture benchmark
# (internal/verdict/testdata/tiny/analysis.json), loads it in Chromium and checks what
# rendered: the DOM after loading holds every figure (4 inline <svg>) and every table (one
# per problem, a row per optimizer), and a screenshot of the whole page is not blank and shows
# every optimizer's colour. The screenshot stays in $OUT (default a new temporary folder)
# for a person to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-$(mktemp -d)}"
mkdir -p "$OUT"
FIXTURE=internal/verdict/testdata/tiny

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "report-browser: chromium is missing; run as root to install it (apt-get install chromium)" >&2
    exit 1
  fi
  start=$(date +%s)
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  echo "report-browser: installed $(chromium --version 2>/dev/null) in $(( $(date +%s) - start )) s"
fi

go build -o "$OUT/optimbench" .
"$OUT/optimbench" report "$FIXTURE" --out "$OUT/report.html" >/dev/null

# Chromium as root needs --no-sandbox; it writes D-Bus noise on stderr.
browse() { chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "$@" 2>/dev/null; }
browse --dump-dom "file://$OUT/report.html" > "$OUT/dom.html"
browse --window-size=1280,4200 --screenshot="$OUT/screenshot.png" "file://$OUT/report.html" >/dev/null

/usr/bin/python3 - "$OUT" "$FIXTURE/analysis.json" <<'PY'
import json, re, struct, sys, zlib

out, fixture = sys.argv[1], sys.argv[2]
a = json.load(open(fixture))
dom = open(out + "/dom.html", encoding="utf-8").read()
fail = []

svgs = re.findall(r'<svg\b[^>]*class="figure"', dom)
if len(svgs) != 4:
    fail.append("%d figures (svg) in the DOM, want 4" % len(svgs))
for name in ("performance", "sensitivity", "profile", "budget"):
    m = re.search(r'<svg\b[^>]*id="fig-%s".*?</svg>' % name, dom, re.S)
    if not m or len(re.findall(r"<(path|text)\b", m.group(0))) < 20:
        fail.append("figure %s is empty in the DOM" % name)
tables = re.findall(r'<table class="results".*?</table>', dom, re.S)
if len(tables) != len(a["problems"]):
    fail.append("%d tables, want %d" % (len(tables), len(a["problems"])))
for t in tables:
    rows = re.findall(r"<tr><td>", t)
    if len(rows) != len(a["optimizers"]):
        fail.append("a table has %d rows, want %d" % (len(rows), len(a["optimizers"])))
if re.search(r'(src|href)\s*=\s*["\']?\s*(https?:)?//', dom):
    fail.append("the page references something outside it")


def png_pixels(path):
    """The RGB(A) rows of an 8-bit PNG (what Chromium writes), unfiltered."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    assert depth == 8 and ctype in (2, 6), "unexpected PNG type"
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, ul = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + left) & 255
            elif f == 2: line[i] = (line[i] + up) & 255
            elif f == 3: line[i] = (line[i] + (left + up) // 2) & 255
            elif f == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


w, h, bpp, rows = png_pixels(out + "/screenshot.png")
ink, colours = 0, {}
for line in rows[::2]:
    for i in range(0, len(line), bpp * 2):
        px = tuple(line[i:i + 3])
        if px != (255, 255, 255):
            ink += 1
        colours[px] = colours.get(px, 0) + 1
total = (h // 2) * (w // 2)
if ink < 0.02 * total:
    fail.append("the screenshot is nearly blank (%.2f %% ink)" % (100.0 * ink / total))
palette = {"blue": (0x00, 0x72, 0xB2), "vermillion": (0xD5, 0x5E, 0x00), "bluish green": (0x00, 0x9E, 0x73), "reddish purple": (0xCC, 0x79, 0xA7)}
for (name, c), opt in zip(palette.items(), a["optimizers"]):
    near = sum(n for px, n in colours.items() if max(abs(px[k] - c[k]) for k in range(3)) <= 12)
    if near < 50:
        fail.append("the screenshot shows %s's colour (%s) on %d pixels" % (opt["name"], name, near))
print("report-browser: %d svg figures, %d tables, screenshot %dx%d with %.1f %% ink: %s" % (
    len(svgs), len(tables), w, h, 100.0 * ink / total, out + "/screenshot.png"))
if fail:
    print("report-browser: FAIL: " + "; ".join(fail), file=sys.stderr)
    sys.exit(1)
PY
