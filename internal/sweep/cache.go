package sweep

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/version"
)

// cacheFile is the points cache in a sweep folder: the seed, hash and run id of every point, as
// a full validation found them, under a key of everything they derive from. A shard of a large
// sweep decodes only its own points and takes the others' from it (SPEC §10).
const cacheFile = ".points"

// cachedPoint is one line of the cache.
type cachedPoint struct {
	seed     uint64
	hash, id string
}

// cacheKey hashes what the points derive from: optimbench's version, the sweep file and its
// base file (their bytes), the overrides and the number of points. A file a point reads
// (model.init) is in the point's own hash, which a shard checks for its own points.
func (s *Sweep) cacheKey() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "optimbench points cache\n%s\n%q\n%d\n", version.String(), s.Sets, len(s.Points))
	for _, f := range []string{s.File, s.BaseFile} {
		if f == "" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%d\n", len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readCache returns the cached points of dir for key, or nil when there is no cache of this
// sweep (none, another key, a torn file).
func readCache(dir, key string, n int) []cachedPoint {
	b, err := os.ReadFile(filepath.Join(dir, cacheFile))
	if err != nil {
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() || sc.Text() != "optimbench points "+key {
		return nil
	}
	out := make([]cachedPoint, 0, n)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			return nil
		}
		seed, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return nil
		}
		out = append(out, cachedPoint{seed, f[1], f[2]})
	}
	if len(out) != n || sc.Err() != nil {
		return nil
	}
	return out
}

// writeCache writes the points cache of s into dir, atomically; a sweep whose points were not
// all validated (a shard that took the cache) has nothing new to write.
func (s *Sweep) writeCache(dir string) error {
	if s.cacheKeyOf == "" || !s.validatedAll {
		return nil
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "optimbench points %s\n", s.cacheKeyOf)
	for _, p := range s.Points {
		fmt.Fprintf(&b, "%d %s %s\n", p.Seed, p.Hash, p.ID)
	}
	return report.WriteFileAtomic(filepath.Join(dir, cacheFile), b.Bytes())
}

// WriteCache writes the points cache into dir (the sweep's folder) when s validated every
// point; Execute does it after taking the folder.
func (s *Sweep) WriteCache(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return s.writeCache(dir)
}
