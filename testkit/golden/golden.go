// Package golden checks test output against golden files kept under
// testdata, and rewrites them when a test runs with -update, for the change
// to be reviewed in the diff. Each test package owns its -update flag and
// passes its value.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Check compares got with the golden file at path; with update it writes got
// there instead, making the file's folder if need be.
func Check(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; review the change, then rewrite the file by running the test with -update\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
