package sweep

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A shard of a sweep whose folder holds its points cache decodes only its own points and gets
// the same points (ids, seeds, fingerprint) as a full validation; a cache of another sweep, or
// one that disagrees with the shard's own points, is not used.
func TestShardUsesPointsCache(t *testing.T) {
	src := t.TempDir()
	writeFile(t, src, "base.yaml", "data: {source: synthetic, n: 60}\nmodel: {kind: linear}\noptimizer: {name: sgd}\ntrain: {epochs: 1}\n")
	file := writeFile(t, src, "s.yaml", "base: base.yaml\ngrid:\n  optimizer.lr: [0.1, 0.2, 0.3, 0.4, 0.5]\nseeds: [1, 2, 3]\n")
	dir := t.TempDir()
	load := func(o LoadOptions) *Sweep {
		t.Helper()
		s, err := Load(context.Background(), file, o)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	full := load(LoadOptions{})
	if !full.validatedAll {
		t.Fatal("a sweep loaded without a folder did not validate every point")
	}
	shard := Shard{Index: 1, Count: 4}
	if s := load(LoadOptions{Dir: dir, Shard: shard}); !s.validatedAll {
		t.Error("a shard without a cache took its points from nowhere")
	}
	if err := full.WriteCache(dir); err != nil {
		t.Fatal(err)
	}
	same := func(what string, s *Sweep, cached bool) {
		t.Helper()
		if s.validatedAll == cached {
			t.Errorf("%s: validated every point %v, want %v", what, s.validatedAll, !cached)
		}
		if s.Fingerprint != full.Fingerprint {
			t.Errorf("%s: fingerprint %s, the full validation's %s", what, s.Fingerprint, full.Fingerprint)
		}
		for i, p := range s.Points {
			if q := full.Points[i]; p.ID != q.ID || p.Seed != q.Seed || p.Hash != q.Hash {
				t.Errorf("%s: point %d is %s/%d, the full validation's %s/%d", what, i, p.ID, p.Seed, q.ID, q.Seed)
			}
		}
	}
	same("shard with the cache", load(LoadOptions{Dir: dir, Shard: shard}), true)
	same("whole sweep with the cache", load(LoadOptions{Dir: dir}), false)

	// The shard runs from the cache as from a full validation.
	execSweep(t, load(LoadOptions{Dir: dir, Shard: shard}), dir, Options{Workers: 2, Shard: shard})

	// A cache line of one of the shard's own points that disagrees: everything is decoded.
	b, _ := os.ReadFile(filepath.Join(dir, cacheFile))
	lines := strings.Split(string(b), "\n")
	torn := strings.Replace(strings.Join(lines, "\n"), lines[2], "7 "+strings.Join(strings.Fields(lines[2])[1:], " "), 1) // point 1
	writeFile(t, dir, cacheFile, torn)
	same("shard with a cache that disagrees", load(LoadOptions{Dir: dir, Shard: shard}), false)
	writeFile(t, dir, cacheFile, string(b[:len(b)/2]))
	same("shard with a torn cache", load(LoadOptions{Dir: dir, Shard: shard}), false)
	writeFile(t, dir, cacheFile, string(b))

	// Another base file is another sweep: its key differs.
	writeFile(t, src, "base.yaml", "data: {source: synthetic, n: 61}\nmodel: {kind: linear}\noptimizer: {name: sgd}\ntrain: {epochs: 1}\n")
	if s := load(LoadOptions{Dir: dir, Shard: shard}); !s.validatedAll || s.Fingerprint == full.Fingerprint {
		t.Errorf("a changed base file: validated all %v, fingerprint %s (the old one %s)", s.validatedAll, s.Fingerprint, full.Fingerprint)
	}
}
