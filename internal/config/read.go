package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/report"
)

// maxConfigBytes bounds a configuration file (16 MiB). Tests lower it.
//
// Why 16 MiB: the largest configuration in configs/ is 1.1 KB, and a sweep whose grid lists
// ten thousand values by hand or from a script is still well under 1 MiB, so the bound leaves
// a factor of over 1000 for files of one's own. Reading is what the bound is about: a file of
// 16 MiB (of comments) takes 1.7 s and 170 MB to read (its bytes, the node tree, Viper's
// maps; EPYC Zen 3), so a mistaken path (a data file, a disk image, a stream) fails at once
// instead of filling memory before it fails to parse.
var maxConfigBytes int64 = 16 << 20

// ErrSecondDocument is wrapped by the error for a configuration file that holds a second YAML
// document (after ---), which would otherwise be dropped without a word.
var ErrSecondDocument = errors.New("a second YAML document")

// ErrNoValue is wrapped by the error for a key=value override whose value is empty or YAML's
// null, which would otherwise keep the file's value or the default without a word.
var ErrNoValue = errors.New("empty value")

// Document is a YAML configuration file read into nested maps (keys lower-cased), with its
// node tree, which keeps the order of the keys (a sweep's grid axes follow it).
type Document struct {
	File string
	Raw  map[string]any
	Root *yaml.Node // the top mapping
}

// Read reads a train or sweep configuration file. It is the one reader of both: YAML read by
// Viper (one viper.New per file), keys lower-cased as SPEC §2 writes them, with the empty
// mappings Viper drops put back, so that a misspelt empty block is still reported, and the
// node tree kept for the order of the keys.
//
// The file must be a regular file (a folder, a named pipe or a device such as /dev/zero is
// refused before it is opened, wrapping data.ErrNotRegular) of at most maxConfigBytes (16 MiB,
// checked by its size and again while reading, wrapping data.ErrTooLarge), holding one YAML
// document.
func Read(path string) (*Document, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, report.BadInput(fmt.Errorf("config %s: %w", path, err))
	}
	return Parse(path, b)
}

// readFile reads the configuration file path within the bounds of Read.
func readFile(path string) ([]byte, error) {
	st, err := os.Stat(path) // before opening: opening a named pipe blocks
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("no such file")
		}
		return nil, err
	}
	if err := checkRegular(st); err != nil {
		return nil, err
	}
	if st.Size() > maxConfigBytes {
		return nil, tooLarge("is " + byteSize(st.Size()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readBounded(f) // the file may have grown since, or be a /proc file of size 0
}

// readBounded reads r to its end, but no more than maxConfigBytes and one byte.
func readBounded(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > maxConfigBytes {
		return nil, tooLarge("reads more than " + byteSize(maxConfigBytes))
	}
	return b, nil
}

// tooLargeError is a file beyond maxConfigBytes; it wraps data.ErrTooLarge.
type tooLargeError struct{ size string }

func (e *tooLargeError) Error() string {
	return e.size + "; a configuration file is at most " + byteSize(maxConfigBytes)
}
func (e *tooLargeError) Unwrap() error { return data.ErrTooLarge }

func tooLarge(size string) error { return &tooLargeError{size} }

// checkRegular is nil for a regular file, else an error wrapping data.ErrNotRegular that says
// what the file is instead.
func checkRegular(st fs.FileInfo) error {
	m := st.Mode()
	var kind string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		kind = "a folder"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a block device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	default:
		kind = "a special file"
	}
	return fmt.Errorf("%s, %w (a configuration is read from a regular file only)", kind, data.ErrNotRegular)
}

// byteSize writes n as "16 MiB" when it is a whole number of MiB, else as "1000 bytes".
func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Parse reads a configuration from b; file names it in errors. b holds one YAML document:
// a second one is refused (wrapping ErrSecondDocument, naming its line), though empty ones
// after the first (a lone --- at the end, or only comments after it) are accepted.
func Parse(file string, b []byte) (*Document, error) {
	doc, err := oneDocument(b)
	if err != nil {
		return nil, report.BadInput(fmt.Errorf("config %s: %w", file, err))
	}
	d := &Document{File: file}
	if len(doc.Content) == 0 {
		d.Raw = map[string]any{}
		return d, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, report.BadInput(fmt.Errorf("config %s: not a YAML mapping", file))
	}
	var doc0 map[string]any
	if err := root.Decode(&doc0); err != nil {
		return nil, report.BadInput(fmt.Errorf("config %s: %s", file, report.YAMLMessage(err)))
	}
	lower, kerr := lowerKeys(doc0, "")
	if kerr != nil {
		return nil, &ConfigError{File: file, Key: kerr.key, Msg: kerr.msg}
	}
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(b)); err != nil {
		return nil, report.BadInput(fmt.Errorf("config %s: %s", file, report.YAMLMessage(err)))
	}
	raw := v.AllSettings()
	restoreEmpty(raw, lower.(map[string]any))
	d.Raw, d.Root = raw, root
	return d, nil
}

// oneDocument decodes the first YAML document of b, and refuses a later one that holds
// anything: yaml.Unmarshal, like Viper, would read the first and drop the rest.
func oneDocument(b []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var first yaml.Node
	if err := dec.Decode(&first); err != nil && err != io.EOF {
		return nil, errors.New(report.YAMLMessage(err))
	}
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if err == io.EOF {
			return &first, nil
		}
		if err != nil {
			return nil, errors.New(report.YAMLMessage(err))
		}
		if c := next.Content; len(c) != 1 || c[0].Kind != yaml.ScalarNode || c[0].Tag != "!!null" || c[0].Value != "" {
			return nil, fmt.Errorf("line %d: %w starts here (after ---); a configuration file holds one", next.Line, ErrSecondDocument)
		}
	}
}

// restoreEmpty adds to dst the keys of src that dst lacks, recursing into mappings both hold:
// Viper's settings leave out keys whose value is an empty mapping (`optimiser: {}`).
func restoreEmpty(dst, src map[string]any) {
	for k, sv := range src {
		dv, ok := dst[k]
		if !ok {
			dst[k] = sv
			continue
		}
		dm, dok := dv.(map[string]any)
		sm, sok := sv.(map[string]any)
		if dok && sok {
			restoreEmpty(dm, sm)
		}
	}
}

type keyErr struct{ key, msg string }

// lowerKeys lower-cases the keys of every mapping in v.
func lowerKeys(v any, path string) (any, *keyErr) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			lk := strings.ToLower(k)
			p := lk
			if path != "" {
				p = path + "." + lk
			}
			if _, dup := out[lk]; dup {
				return nil, &keyErr{p, "given twice (keys are not case-sensitive)"}
			}
			le, err := lowerKeys(e, p)
			if err != nil {
				return nil, err
			}
			out[lk] = le
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			le, err := lowerKeys(e, path)
			if err != nil {
				return nil, err
			}
			out[i] = le
		}
		return out, nil
	}
	return v, nil
}

// Load reads a train configuration file, applies the `key=value` overrides in order (Set)
// and decodes the result.
func Load(path string, sets []string) (*Config, error) {
	d, err := Read(path)
	if err != nil {
		return nil, err
	}
	for _, kv := range sets {
		if err := Set(d.Raw, kv); err != nil {
			return nil, err
		}
	}
	return Decode(d.Raw, path)
}

// ParseSet splits a `key=value` override; the value is read as a YAML scalar or flow list
// (model.hidden=[256,128]). The key is lower-cased. An empty value, or one that YAML reads as
// null (null, ~, Null), is an error wrapping ErrNoValue: set in a file, null leaves a key at
// its default, and an override that keeps the file's value or the default without a word is
// always a mistake.
func ParseSet(kv string) (key string, val any, err error) {
	key, raw, ok := strings.Cut(kv, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" || strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") || strings.Contains(key, "..") {
		return "", nil, report.BadInput(fmt.Errorf("override %q: want key=value with a dotted key such as optimizer.lr=0.1", kv))
	}
	if err := yaml.Unmarshal([]byte(raw), &val); err != nil {
		return "", nil, report.BadInput(fmt.Errorf("override %s: value %q: %s", key, raw, report.YAMLMessage(err)))
	}
	if val == nil {
		const hint = " (give a value, or drop the override to keep the file's)"
		if strings.TrimSpace(raw) == "" {
			return "", nil, report.BadInput(fmt.Errorf("override %s=%s: %w"+hint, key, raw, ErrNoValue))
		}
		return "", nil, report.BadInput(fmt.Errorf("override %s=%s: %q reads as YAML's null, an %w"+hint, key, raw, raw, ErrNoValue))
	}
	return strings.ToLower(key), val, nil
}

// Set applies one `key=value` override to raw: the one way an override is applied, to a
// train configuration or to a sweep's base.
func Set(raw map[string]any, kv string) error {
	key, val, err := ParseSet(kv)
	if err != nil {
		return err
	}
	if err := SetPath(raw, key, val); err != nil {
		return report.BadInput(fmt.Errorf("override %s: %w", key, err))
	}
	return nil
}

// SetPath sets the dotted key k in the nested maps m, creating mappings on the way; v is
// copied, so that no two configurations share it.
func SetPath(m map[string]any, k string, v any) error {
	parts := strings.Split(strings.ToLower(k), ".")
	for i, p := range parts[:len(parts)-1] {
		next, ok := m[p]
		if !ok || next == nil {
			nm := map[string]any{}
			m[p] = nm
			m = nm
			continue
		}
		nm, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is %s, not a mapping", strings.Join(parts[:i+1], "."), Describe(next))
		}
		m = nm
	}
	m[parts[len(parts)-1]] = DeepCopy(v)
	return nil
}

// DeepCopy copies nested maps and lists.
func DeepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = DeepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = DeepCopy(e)
		}
		return l
	}
	return v
}
