package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// allowed lists, for each package, the internal packages its non-test code may import: the
// arrows of docs/ARCHITECTURE.md. A package not listed may import no internal package.
var allowed = map[string][]string{
	"cmd":       {"bench", "benchmark", "config", "data", "datasets", "model", "plot", "report", "sweep", "train", "version", "verdict"},
	"bench":     {"data", "model", "optim", "train"},
	"benchmark": {"config", "param", "report", "sweep", "train", "version"},
	"sweep":     {"config", "param", "report", "train", "version"},
	"train":     {"config", "data", "model", "optim", "report", "sched", "version"},
	"config":    {"data", "datasets", "model", "optim", "param", "report", "sched", "suggest"},
	"plot":      {"model", "report", "suggest"},
	"verdict":   {"benchmark", "plot", "report"},
	"optim":     {"param"},
	"sched":     {"param"},
	"datasets":  {"suggest"},
}

const module = "github.com/optimbench/optimbench/"

// TestArchitecture keeps the dependencies pointing the way docs/ARCHITECTURE.md draws them:
// plot reads files and never trains, the leaf packages import no middle layer, only cmd
// knows the command line.
func TestArchitecture(t *testing.T) {
	dirs, _ := filepath.Glob("internal/*")
	dirs = append(dirs, "cmd")
	for _, dir := range dirs {
		name := filepath.Base(dir)
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range ast.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				dep, ok := strings.CutPrefix(path, module+"internal/")
				if !ok {
					continue
				}
				if !slices.Contains(allowed[name], dep) {
					t.Errorf("%s imports internal/%s, which docs/ARCHITECTURE.md does not allow", f, dep)
				}
			}
		}
	}
}

// TestNoFlagsBelowCmd: the messages of the packages below cmd name no flag (a string literal
// with "--" followed by a letter); the command line names its flags itself.
func TestNoFlagsBelowCmd(t *testing.T) {
	files, _ := filepath.Glob("internal/*/*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasSuffix(f, "bench/torch.go") { // torch.go runs a Python script with its own flags
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			code, _, _ := strings.Cut(line, "//")
			if j := strings.Index(code, "\""); j >= 0 && strings.Contains(code[j:], "--") {
				rest := code[j:]
				k := strings.Index(rest, "--")
				if k+2 < len(rest) && rest[k+2] >= 'a' && rest[k+2] <= 'z' {
					t.Errorf("%s:%d names a flag: %s", f, i+1, strings.TrimSpace(line))
				}
			}
		}
	}
}
