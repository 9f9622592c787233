package localcluster

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Work directories are named workDirPrefix+random and hold ownerFile, the
// pid of the process that made them.
const (
	workDirPrefix = "gitwave-localcluster-"
	ownerFile     = "owner.pid"
)

// writeOwner records the current process as the owner of workDir.
func writeOwner(workDir string) error {
	return os.WriteFile(filepath.Join(workDir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644)
}

// removeStale removes work directories under parent left behind by
// processes that died without Close (their children died with them).
func removeStale(parent string) {
	matches, _ := filepath.Glob(filepath.Join(parent, workDirPrefix+"*"))
	for _, dir := range matches {
		data, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // not ours, or still being created
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			_ = os.RemoveAll(dir)
		}
	}
}
