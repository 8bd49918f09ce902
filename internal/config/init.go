package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/optimbench/optimbench/internal/param"
	"github.com/optimbench/optimbench/internal/report"
)

// InitFile is `model.init: {file: PATH}`: the run starts from the tensors of a safetensors
// file (a run's params.safetensors, or PyTorch's safetensors.torch.save_file) instead of a
// random initialization. Decode resolves the path and hashes the file; train checks its
// tensors against the model's and loads them. It is the value of the model block's "init"
// key; the words of initKey stay strings.
type InitFile struct {
	// Path is the file as given, joined to the folder of the configuration file when
	// relative (as a sweep's base is): what messages name.
	Path string
	// Abs is Path made absolute: what config.yaml writes, so that the run folder's
	// config.yaml (train --resume) finds the same file.
	Abs string
	// SHA256 is the hash of the file's bytes, hex. The content hash and the run id include
	// it (not the path), and config.yaml pins it as model.init.sha256.
	SHA256 string
}

// InitFile returns the model's init file, when model.init names one.
func (c *Config) InitFile() (InitFile, bool) {
	if c.Model == nil {
		return InitFile{}, false
	}
	f, ok := c.Model.Values["init"].(InitFile)
	return f, ok
}

// decodeInitFile reads model.init when it is a mapping {file: PATH, sha256: HEX}; sha256,
// optional, pins the file's content. It returns the model section without the mapping, for
// the rest of the block to decode as usual, and nil when init is not a mapping.
func decodeInitFile(s *Section) (*Section, *InitFile, error) {
	if _, ok := s.Get("init").(map[string]any); !ok {
		return s, nil, nil
	}
	sub, err := s.Sub("init")
	if err != nil {
		return nil, nil, err
	}
	if err := sub.CheckKeys([]string{"file", "sha256"}, nil); err != nil {
		return nil, nil, err
	}
	given, err := sub.Str("file", "")
	if err != nil {
		return nil, nil, err
	}
	if given == "" {
		return nil, nil, sub.Errf("file", "required: the safetensors file to start from (or give init a name: %s)", initChoices())
	}
	pin, err := sub.Str("sha256", "")
	if err != nil {
		return nil, nil, err
	}
	if b, err := hex.DecodeString(pin); pin != "" && (err != nil || len(b) != sha256.Size) {
		return nil, nil, sub.Errf("sha256", "must be the 64 hexadecimal digits of a SHA-256, got %q", pin)
	}
	pin = strings.ToLower(pin)
	f := InitFile{Path: given}
	if !filepath.IsAbs(given) && s.file != "" {
		f.Path = filepath.Join(filepath.Dir(s.file), given)
	}
	if f.Abs, err = filepath.Abs(f.Path); err != nil {
		return nil, nil, sub.Errf("file", "%s: %v", f.Path, err)
	}
	if f.SHA256, err = fileSum(f.Abs); err != nil {
		return nil, nil, sub.Errf("file", "%s: %v", f.Path, err)
	}
	if pin != "" && pin != f.SHA256 {
		return nil, nil, sub.Errf("sha256", "the file %s has sha256 %s, not %s (it changed since this configuration was written)", f.Path, f.SHA256, pin)
	}
	return s.without("init"), &f, nil
}

func initChoices() string { return strings.Join(initKey.Choices, ", ") }

// sumCache keeps the hashes of the init files already read, by path, size and modification
// time: a sweep decodes every point twice, and all may start from one large file. The train
// package hashes the bytes it loads again, so a stale entry can only refuse a run.
var sumCache = struct {
	sync.Mutex
	m map[sumKey]string
}{m: map[sumKey]string{}}

type sumKey struct {
	path       string
	size, nano int64
}

// fileSum is the SHA-256 of the regular file at path, of at most report.MaxSafetensorsFile
// bytes.
func fileSum(path string) (string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", errors.New("no such file")
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	if !st.Mode().IsRegular() {
		return "", errors.New("not a regular file")
	}
	if st.Size() > report.MaxSafetensorsFile {
		return "", fmt.Errorf("%d bytes, more than the 4 GiB a parameter file may hold", st.Size())
	}
	key := sumKey{path, st.Size(), st.ModTime().UnixNano()}
	sumCache.Lock()
	sum, ok := sumCache.m[key]
	sumCache.Unlock()
	if ok {
		return sum, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(f, report.MaxSafetensorsFile)); err != nil {
		return "", err
	}
	sum = hex.EncodeToString(h.Sum(nil))
	sumCache.Lock()
	sumCache.m[key] = sum
	sumCache.Unlock()
	return sum, nil
}

// mapping is model.init as config.yaml writes it, {file, sha256}, or as the content hash
// writes it, {sha256}: the same values at another path are the same run.
func (f InitFile) mapping(hash bool) report.Mapping {
	m := report.NewMapping(false)
	if !hash {
		m.Add("file", f.Abs)
	}
	m.Add("sha256", f.SHA256)
	return m
}

// modelMapping is the model block as config.yaml (hash false) or the content hash writes it.
func (c *Config) modelMapping(hash bool) report.Mapping {
	f, ok := c.InitFile()
	if !ok {
		return blockMapping("kind", c.Model)
	}
	m := report.NewMapping(false)
	m.Add("kind", c.Model.Name)
	for _, s := range c.Model.Specs {
		if s.Key == "init" {
			m.Add("init", f.mapping(hash))
			continue
		}
		addKeys(m, []param.Spec{s}, c.Model.Values)
	}
	return m
}
