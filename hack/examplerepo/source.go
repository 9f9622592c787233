package examplerepo

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ModulePath is the module whose root holds testdata/example.
const ModulePath = "github.com/gitwave/gitwave"

// Options says where the example comes from. The zero value uses the
// example bundled with the module.
type Options struct {
	// Source is the path of the example folder holding repo/ and pr/.
	// Empty means FindSource.
	Source string
}

// source returns the example folder Build reads, checking that it holds
// repo/ and pr/.
func (o Options) source() (string, error) {
	src := o.Source
	if src == "" {
		var err error
		if src, err = FindSource(); err != nil {
			return "", err
		}
	}
	for _, sub := range []string{repoDir, prDir} {
		info, err := os.Stat(filepath.Join(src, sub))
		if err != nil {
			return "", fmt.Errorf("example %s: %w", src, err)
		}
		if !info.IsDir() {
			return "", fmt.Errorf("example %s: %s is not a folder", src, sub)
		}
	}
	return src, nil
}

// The folders of an example.
const (
	repoDir = "repo"
	prDir   = "pr"
	// deleteFile lists, in pr/, the paths the pull request deletes.
	deleteFile = "DELETE"
)

// FindSource returns the path of testdata/example in gitwave's module: it
// walks up from the working directory, and then from this package's source
// folder, to the go.mod that declares ModulePath.
func FindSource() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, start := range starts {
		if root, ok := moduleRoot(start); ok {
			return filepath.Join(root, "testdata", "example"), nil
		}
	}
	return "", errors.New("find testdata/example: no go.mod for module " + ModulePath +
		" above the working directory; set Options.Source")
}

// moduleRoot walks up from dir to the folder whose go.mod declares
// ModulePath.
func moduleRoot(dir string) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if modulePathOf(filepath.Join(dir, "go.mod")) == ModulePath {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// modulePathOf returns the module path a go.mod declares, or "".
func modulePathOf(gomod string) string {
	f, err := os.Open(gomod)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}
