package model

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeCaches writes a sysfs cache directory: one index per entry of level, type and size.
func fakeCaches(t *testing.T, entries [][3]string) string {
	t.Helper()
	dir := t.TempDir()
	for i, e := range entries {
		d := filepath.Join(dir, "index"+string(rune('0'+i)))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for j, name := range []string{"level", "type", "size"} {
			if err := os.WriteFile(filepath.Join(d, name), []byte(e[j]+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func TestCacheSizes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries [][3]string
		l2, l3  int
	}{
		{"zen3", [][3]string{{"1", "Data", "32K"}, {"1", "Instruction", "32K"}, {"2", "Unified", "512K"}, {"3", "Unified", "32768K"}}, 512 << 10, 32 << 20},
		{"megabytes", [][3]string{{"2", "Unified", "2M"}, {"3", "Unified", "105M"}}, 2 << 20, 105 << 20},
		{"no L3", [][3]string{{"1", "Data", "48K"}, {"2", "Unified", "1024K"}}, 1 << 20, defaultL3},
		{"garbage", [][3]string{{"2", "Unified", "lots"}, {"3", "Unified", "0K"}}, defaultL2, defaultL3},
		{"absurd", [][3]string{{"2", "Unified", "1"}, {"3", "Unified", "99999999M"}}, defaultL2, defaultL3},
		{"instruction only", [][3]string{{"2", "Instruction", "4096K"}}, defaultL2, defaultL3},
		{"empty", nil, defaultL2, defaultL3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l2, l3 := cacheSizes(fakeCaches(t, tc.entries))
			if l2 != tc.l2 || l3 != tc.l3 {
				t.Errorf("cacheSizes = %d, %d, want %d, %d", l2, l3, tc.l2, tc.l3)
			}
		})
	}
	if l2, l3 := cacheSizes(filepath.Join(t.TempDir(), "missing")); l2 != defaultL2 || l3 != defaultL3 {
		t.Errorf("cacheSizes of a missing directory = %d, %d, want the defaults", l2, l3)
	}
}

// TestBlocking checks the block sizes for a few CPUs, and that every size fits the packing
// space in whole panels of every kernel.
func TestBlocking(t *testing.T) {
	for _, tc := range []struct {
		l2, l3, size int
		mc, nc       int
	}{
		{512 << 10, 32 << 20, 8, 128, ncBlock},    // Zen 3 EPYC, float64
		{512 << 10, 32 << 20, 4, 256, ncBlock},    // float32
		{256 << 10, 6 << 20, 8, 64, 768},          // Haswell desktop
		{2 << 20, 105 << 20, 8, mcBlock, ncBlock}, // Emerald Rapids
		{4 << 10, 4 << 10, 8, 8, 24},              // tiny caches: one panel
	} {
		mc, nc := blockingFor(tc.l2, tc.l3, tc.size)
		if mc != tc.mc || nc != tc.nc {
			t.Errorf("blockingFor(%d, %d, %d) = %d, %d, want %d, %d", tc.l2, tc.l3, tc.size, mc, nc, tc.mc, tc.nc)
		}
	}
	for _, size := range []int{4, 8} {
		mc, nc := cacheBlocking(size)
		for _, k := range append(append([]microKernel(nil), kernels...), goKernel, avx512Like) {
			if mc%k.mr != 0 || nc%k.nr != 0 || mc > mcBlock || nc > ncBlock {
				t.Errorf("cacheBlocking(%d) = %d, %d: not whole panels of %d×%d within %d×%d", size, mc, nc, k.mr, k.nr, mcBlock, ncBlock)
			}
		}
	}
}

// avx512Like has the tile of the AVX-512 kernel, to check the blocking on CPUs without it.
var avx512Like = microKernel{name: "8x24", mr: 8, nr: 24}
