// Package shareddata finds the real data sets in ../shared/data for tests and
// the evaluation. Users' clones do not have that folder, so everything that
// reads it must say so and skip rather than fail.
package shareddata

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// EnvVar overrides where the data folder is.
const EnvVar = "THREADDIGEST_SHARED_DATA"

// Find returns the shared data folder: $THREADDIGEST_SHARED_DATA, or
// ../shared/data beside the module root found by walking up from the working
// directory to go.mod.
func Find() (string, error) {
	if dir := os.Getenv(EnvVar); dir != "" {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir, nil
		}
		return "", errors.New(EnvVar + "=" + dir + " is not a directory")
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			data := filepath.Join(dir, "..", "shared", "data")
			if fi, err := os.Stat(data); err == nil && fi.IsDir() {
				return filepath.Clean(data), nil
			}
			return "", errors.New("../shared/data not found beside the module root " + dir)
		}
		if filepath.Dir(dir) == dir {
			return "", errors.New("module root (go.mod) not found above " + wd)
		}
	}
}

// Dir returns the shared data folder, or skips the test with a message saying
// it is absent.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir, err := Find()
	if err != nil {
		tb.Skipf("skipping: shared data sets are absent (%v); they live in ../shared/data on developer machines and CI", err)
	}
	return dir
}

// Path returns a file inside the shared data folder, skipping the test when
// the folder or the file is absent.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{Dir(tb)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("skipping: %s is absent from the shared data", p)
	}
	return p
}
