package model

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The cache sizes of this CPU, read once from Linux's sysfs, with defaults (a 256 KiB L2 and an
// 8 MiB L3, small for a server core) where it says nothing.
var cacheL2, cacheL3 = cacheSizes("/sys/devices/system/cpu/cpu0/cache")

const (
	defaultL2 = 256 << 10
	defaultL3 = 8 << 20
)

// cacheSizes returns the sizes of the level-2 and level-3 caches described in dir (index*/level,
// type and size, as "512K"), or the defaults for what it cannot read.
func cacheSizes(dir string) (l2, l3 int) {
	l2, l3 = defaultL2, defaultL3
	idx, _ := filepath.Glob(filepath.Join(dir, "index*"))
	for _, d := range idx {
		level := readSysfs(filepath.Join(d, "level"))
		typ := readSysfs(filepath.Join(d, "type"))
		size, ok := parseCacheSize(readSysfs(filepath.Join(d, "size")))
		if !ok || (typ != "Unified" && typ != "Data") {
			continue
		}
		switch level {
		case "2":
			l2 = size
		case "3":
			l3 = size
		}
	}
	return l2, l3
}

func readSysfs(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// parseCacheSize parses sysfs's "32K", "1024K" or "32M" (or plain bytes); sizes outside 4 KiB
// to 4 GiB are refused.
func parseCacheSize(s string) (int, bool) {
	mult := 1
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, s[:len(s)-1]
	}
	v, err := strconv.Atoi(s)
	if err != nil || v <= 0 || v > (4<<30)/mult || v*mult < 4<<10 {
		return 0, false
	}
	return v * mult, true
}

// cacheBlocking returns the rows mc and columns nc of the blocks of C for a kernel on elements
// of size bytes: an mc×kcBlock block of packed A takes half of L2 (B's
// panel, kcBlock×nr, sits in L1 and streams the other half through), and a kcBlock×nc block
// of packed B a quarter of L3, as BLIS and OpenBLAS size them; both are bounded by the packing
// space (mcBlock, ncBlock). On the Zen 3 EPYC (512 KiB L2, 32 MiB L3) that is mc = 128 and
// nc = 1008 for float64.
func cacheBlocking(size int) (mc, nc int) { return blockingFor(cacheL2, cacheL3, size) }

// blockingFor is cacheBlocking for caches of l2 and l3 bytes.
func blockingFor(l2, l3, size int) (mc, nc int) {
	return blockSide(l2/2/(kcBlock*size), 8, mcBlock), blockSide(l3/4/(kcBlock*size), 24, ncBlock)
}

// blockSide rounds v down to a multiple of unit within unit..most.
func blockSide(v, unit, most int) int {
	return min(max(v/unit*unit, unit), most)
}
