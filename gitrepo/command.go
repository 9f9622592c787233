package gitrepo

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// gitEnv is the environment and the secrets of every git process a Repo
// starts.
type gitEnv struct {
	env     []string
	secrets []string
}

// droppedEnv are inherited variables that would point git at another
// repository or add configuration behind gitwave's back (as happens when
// gitwave runs inside a git hook).
var droppedEnv = []string{
	"GIT_DIR=", "GIT_WORK_TREE=", "GIT_INDEX_FILE=", "GIT_OBJECT_DIRECTORY=",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES=", "GIT_COMMON_DIR=", "GIT_NAMESPACE=",
	"GIT_PREFIX=", "GIT_QUARANTINE_PATH=", "GIT_CONFIG_PARAMETERS=",
	"GIT_CONFIG_COUNT=", "GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "GIT_SSH_COMMAND=",
	"GIT_TERMINAL_PROMPT=", "LC_ALL=",
}

// newGitEnv builds the environment for loc: no prompts, the C locale, the
// token as an http.extraHeader scoped to the remote's origin, and the ssh key.
func newGitEnv(loc location, o Options) gitEnv {
	var ge gitEnv
	for _, kv := range os.Environ() {
		if !hasAnyPrefix(kv, droppedEnv) {
			ge.env = append(ge.env, kv)
		}
	}
	ge.env = append(ge.env, "GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never", "LC_ALL=C")
	var user, password string
	switch {
	case o.Token != "":
		user, password = o.TokenUser, o.Token
	case loc.password != "":
		user, password = loc.user, loc.password
	case loc.user != "":
		// A user part alone is a token spelled https://TOKEN@host.
		user = loc.user
		ge.secrets = append(ge.secrets, user)
	}
	if user+password != "" && (loc.scheme == "https" || loc.scheme == "http") {
		cred := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
		ge.secrets = append(ge.secrets, password, cred)
		ge.env = append(ge.env,
			"GIT_CONFIG_COUNT=1",
			"GIT_CONFIG_KEY_0=http."+originOf(loc.url)+".extraHeader",
			"GIT_CONFIG_VALUE_0=Authorization: Basic "+cred,
		)
	}
	if loc.scheme == "ssh" {
		ssh := "ssh -o BatchMode=yes"
		if o.SSHKeyFile != "" {
			ssh += " -o IdentitiesOnly=yes -i " + shellQuote(o.SSHKeyFile)
		}
		if o.SSHKnownHostsFile != "" {
			ssh += " -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" + shellQuote(o.SSHKnownHostsFile)
		}
		ge.env = append(ge.env, "GIT_SSH_COMMAND="+ssh)
	}
	return ge
}

// originOf returns scheme://host[:port]/ of a URL, the scope git matches
// http.<url>.* settings against, so the token is never sent to another host
// after a redirect.
func originOf(u string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host + "/"
}

// redact masks every secret and every URL user part in s.
func (ge gitEnv) redact(s string) string {
	for _, secret := range ge.secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return redactURL(s)
}

// gitCall is one git invocation.
type gitCall struct {
	// dir is the working directory; zero means the current one.
	dir string
	// args follow "git".
	args []string
	// timeout bounds the call on top of the caller's context.
	timeout time.Duration
	// stdin, when set, feeds the process.
	stdin io.Reader
}

// run runs a git call and returns its standard output. Its error names the
// subcommand, carries git's own message with secrets masked, and wraps
// context.DeadlineExceeded when the call timed out.
func (r *Repo) run(ctx context.Context, c gitCall) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", c.args...)
	cmd.Dir = c.dir
	cmd.Env = r.env.env
	cmd.Stdin = c.stdin
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r.opts.Logger.Debug("git", "repo", r.loc.String(), "args", r.env.redact(strings.Join(c.args, " ")),
		"duration", time.Since(start), "error", err != nil)
	if err == nil {
		return stdout.Bytes(), nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	return stdout.Bytes(), &gitError{
		subcommand: subcommand(c.args),
		stderr:     r.env.redact(strings.TrimSpace(stderr.String())),
		err:        err,
	}
}

// gitError is a failed git call. Its text is already free of secrets.
type gitError struct {
	subcommand string
	stderr     string
	err        error
}

// Error returns "git SUBCOMMAND: CAUSE: STDERR".
func (e *gitError) Error() string {
	msg := fmt.Sprintf("git %s: %v", e.subcommand, e.err)
	if e.stderr != "" {
		msg += ": " + e.stderr
	}
	return msg
}

// Unwrap returns the process or context error.
func (e *gitError) Unwrap() error { return e.err }

// exitCode returns git's exit status, or -1 when err is not an exit.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// subcommand returns the first argument that is not a global option.
func subcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "-c" || args[i] == "-C" || args[i] == "--git-dir":
			i++
		case strings.HasPrefix(args[i], "-"):
		default:
			return args[i]
		}
	}
	return "?"
}

// hasAnyPrefix reports whether s starts with one of prefixes.
func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// shellQuote quotes s for the shell that runs GIT_SSH_COMMAND.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
