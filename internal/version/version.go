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

// Commit returns the VCS revision the binary was built from, with "+dirty" when the tree had
// changes, or "" when the build recorded none (outside a git checkout, or -buildvcs=false).
func Commit() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, dirty string
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.modified":
			if kv.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	return rev + dirty
}

// Go returns the Go version the binary was built with.
func Go() string { return runtime.Version() }
