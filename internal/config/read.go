package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/report"
)

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
func Read(path string) (*Document, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, report.BadInput(fmt.Errorf("config %s: no such file", path))
		}
		return nil, report.BadInput(fmt.Errorf("config %s: %w", path, err))
	}
	return Parse(path, b)
}

// Parse reads a configuration from b; file names it in errors.
func Parse(file string, b []byte) (*Document, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, report.BadInput(fmt.Errorf("config %s: %s", file, report.YAMLMessage(err)))
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
// (model.hidden=[256,128]). The key is lower-cased.
func ParseSet(kv string) (key string, val any, err error) {
	key, raw, ok := strings.Cut(kv, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" || strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") || strings.Contains(key, "..") {
		return "", nil, report.BadInput(fmt.Errorf("override %q: want key=value with a dotted key such as optimizer.lr=0.1", kv))
	}
	if err := yaml.Unmarshal([]byte(raw), &val); err != nil {
		return "", nil, report.BadInput(fmt.Errorf("override %s: value %q: %s", key, raw, report.YAMLMessage(err)))
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
