package version

import (
	"regexp"
	"testing"
)

// Commit is a full revision, perhaps marked +dirty, or empty when the build recorded none
// (go test binaries record none).
func TestCommitForm(t *testing.T) {
	if c := Commit(); !regexp.MustCompile(`^([0-9a-f]{40})?(\+dirty)?$`).MatchString(c) {
		t.Errorf("Commit() = %q, want a 40-digit revision, +dirty, both or nothing", c)
	}
	if String() == "" || Go() == "" {
		t.Errorf("String() %q, Go() %q: want both set", String(), Go())
	}
}
