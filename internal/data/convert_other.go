//go:build purego || !amd64

package data

// bytesToFloats writes p/scale for each byte p of src into dst (same length).
func bytesToFloats(dst []float64, src []uint8, scale float64) {
	bytesToFloatsGo(dst, src, scale)
}
