package main

import (
	"os"
	"testing"
)

// execMainEnv, set to 1, makes the test binary run gitwave's main with its
// arguments instead of the tests: tests start real `gitwave serve`
// processes from it (see startReplica) without building another binary.
const execMainEnv = "GITWAVE_TEST_EXEC_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(execMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
