package data

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckFiles(t *testing.T) {
	dir := t.TempDir()
	rows := func(n int, row string) string { return strings.Repeat(row, n) }
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "a,b,y\n"+rows(5, "1,2,0\n"))
	late := write("late.csv", "a,b,y\n"+rows(CheckRows, "1,2,0\n")+"1,x,0\n") // bad past the checked rows
	tests := []struct {
		name, path, target string
		want               string // "" = accepted
	}{
		{"good", good, "", ""},
		{"target", good, "b", ""},
		{"missing file", filepath.Join(dir, "missing.csv"), "", "no such file"},
		{"a folder", dir, "", "folder"},
		{"unknown target", good, "z", `target column "z" not found`},
		{"duplicate header", write("dup.csv", "a,a,y\n1,2,0\n"), "", "appears twice"},
		{"bad number", write("nan.csv", "a,b,y\n1,2,0\n1,abc,1\n"), "", `parse "abc"`},
		{"nan label", write("nanlabel.csv", "a,b,y\n1,2,0\n1,2,NaN\n"), "", "not finite"},
		{"ragged", write("ragged.csv", "a,b,y\n1,2\n"), "", "2 fields, header has 3"},
		{"header only", write("empty.csv", "a,b,y\n"), "", "no data rows"},
		{"bad row after the checked ones", late, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCSV(context.Background(), tt.path, tt.target, true)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckCSV: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), filepath.Base(tt.path)) {
				t.Fatalf("CheckCSV: %v; want an error naming the file with %q", err, tt.want)
			}
			// The check reports what the full read reports.
			if _, rerr := ReadCSV(tt.path, tt.target, true); rerr == nil || rerr.Error() != err.Error() {
				t.Errorf("ReadCSV: %v; CheckCSV: %v", rerr, err)
			}
		})
	}
	if _, err := ReadCSV(late, "", true); err == nil {
		t.Errorf("the full read accepted %s", late)
	}

	lsv := []struct{ name, body, want string }{
		{"good", "1 1:0.5 3:2\n0 2:1 # comment\n", ""},
		{"bad index", "1 1:0.5\n0 0:1\n", "feature index"},
		{"not increasing", "1 3:1 2:1\n", "not increasing"},
		{"nan label", "nan 1:1\n", "not finite"},
		{"only comments", "# x\n\n", "no data rows"},
	}
	for _, tt := range lsv {
		t.Run("libsvm "+tt.name, func(t *testing.T) {
			p := write(strings.ReplaceAll(tt.name, " ", "_")+".libsvm", tt.body)
			err := CheckLibSVM(context.Background(), p, true)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckLibSVM: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckLibSVM: %v; want %q", err, tt.want)
			}
			if _, rerr := ReadLibSVM(p, true); rerr == nil || rerr.Error() != err.Error() {
				t.Errorf("ReadLibSVM: %v; CheckLibSVM: %v", rerr, err)
			}
		})
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := CheckCSV(ctx, late, "", true); !errors.Is(err, context.Canceled) {
		t.Errorf("CheckCSV with a done context: %v", err)
	}
}
