//go:build !unix

package sweep

// lockFile does nothing where flock does not exist.
func lockFile(path string, exclusive bool) (func(), error) { return func() {}, nil }
