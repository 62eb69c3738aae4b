package main

import (
	"os"
	"testing"
)

// runMainEnv, set in a test binary's environment, makes it run the command
// (main) instead of the tests: tests start it as a real process they can
// signal, without building the command first.
const runMainEnv = "THREADDIGEST_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}
