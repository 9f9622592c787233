package examplerepo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// gitTimeout bounds one git command of Build, Scale and ScaleChange, which
// take no context.
const gitTimeout = 2 * time.Minute

// The identity on every commit this package makes.
const (
	AuthorName  = "gitwave example"
	AuthorEmail = "example@gitwave.invalid"
)

// gitDir runs git in one working tree.
type gitDir struct {
	dir string
}

// run runs git with args and returns its standard output. when, if not
// zero, is the author and committer date.
func (g gitDir) run(ctx context.Context, when time.Time, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = g.dir
	cmd.Env = gitEnv(when)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(stdout.String())
		}
		return "", fmt.Errorf("git %s in %s: %w: %s", strings.Join(args, " "), g.dir, err, msg)
	}
	return stdout.String(), nil
}

// gitEnv is the environment of every git command: the process's
// environment without GIT_* variables (a caller's GIT_DIR must not redirect
// us), with global and system configuration off and a fixed identity.
func gitEnv(when time.Time) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME="+AuthorName,
		"GIT_AUTHOR_EMAIL="+AuthorEmail,
		"GIT_COMMITTER_NAME="+AuthorName,
		"GIT_COMMITTER_EMAIL="+AuthorEmail,
	)
	if !when.IsZero() {
		stamp := fmt.Sprintf("@%d +0000", when.Unix())
		env = append(env, "GIT_AUTHOR_DATE="+stamp, "GIT_COMMITTER_DATE="+stamp)
	}
	return env
}

// initRepo creates an empty repository in g.dir with branch main.
func (g gitDir) initRepo(ctx context.Context) error {
	_, err := g.run(ctx, time.Time{}, "-c", "init.defaultBranch="+MainBranch, "init", "-q", "--template=")
	return err
}

// commitAll stages every change in the working tree, commits it at when and
// returns the new commit's id.
func (g gitDir) commitAll(ctx context.Context, message string, when time.Time) (string, error) {
	if _, err := g.run(ctx, when, "add", "-A"); err != nil {
		return "", err
	}
	if _, err := g.run(ctx, when, "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", message); err != nil {
		return "", err
	}
	return g.revParse(ctx, "HEAD")
}

// revParse returns the commit id rev names.
func (g gitDir) revParse(ctx context.Context, rev string) (string, error) {
	out, err := g.run(ctx, time.Time{}, "rev-parse", "--verify", "-q", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", rev, err)
	}
	return strings.TrimSpace(out), nil
}

// changedFiles lists the paths that differ between two commits, sorted as
// git sorts them.
func (g gitDir) changedFiles(ctx context.Context, from, to string) ([]string, error) {
	out, err := g.run(ctx, time.Time{}, "diff", "--name-only", "-z", "--no-renames", from, to)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range strings.Split(out, "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}
