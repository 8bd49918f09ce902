// Package version reports which optimbench build is running.
package version

import (
	"runtime"
	"runtime/debug"
)

// Version is set at link time (-ldflags "-X ...version.Version=v1.2.3");
// otherwise it is taken from the module's build information.
var Version = ""

// String returns the optimbench version, "devel" for an unversioned build.
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// Go returns the Go version the binary was built with.
func Go() string { return runtime.Version() }
