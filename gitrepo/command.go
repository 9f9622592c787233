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
	"slices"
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

// newGitEnv builds the environment for loc without credentials: no
// prompts, the C locale, and the ssh key.
func newGitEnv(loc location, o Options) gitEnv {
	var ge gitEnv
	for _, kv := range os.Environ() {
		if !hasAnyPrefix(kv, droppedEnv) {
			ge.env = append(ge.env, kv)
		}
	}
	ge.env = append(ge.env, "GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never", "LC_ALL=C")
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

// withStaticCredentials returns ge with Options.Token, or else the URL's
// credentials, as an http.extraHeader scoped to the remote's origin.
func (ge gitEnv) withStaticCredentials(loc location, o Options) gitEnv {
	switch {
	case o.Token != "":
		return ge.withBasicAuth(loc, o.TokenUser, o.Token)
	case loc.password != "":
		return ge.withBasicAuth(loc, loc.user, loc.password)
	case loc.user != "":
		// A user part alone is a token spelled https://TOKEN@host.
		ge.secrets = append(slices.Clip(ge.secrets), loc.user)
		return ge.withBasicAuth(loc, loc.user, "")
	}
	return ge
}

// withBasicAuth returns a copy of ge that sends user and password as HTTP
// basic auth to loc's origin, and masks them. It returns ge itself for a
// URL that is not http(s) or when both are empty.
func (ge gitEnv) withBasicAuth(loc location, user, password string) gitEnv {
	if user+password == "" || (loc.scheme != "https" && loc.scheme != "http") {
		return ge
	}
	cred := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	return gitEnv{
		env: append(slices.Clip(ge.env),
			"GIT_CONFIG_COUNT=1",
			"GIT_CONFIG_KEY_0=http."+originOf(loc.url)+".extraHeader",
			"GIT_CONFIG_VALUE_0=Authorization: Basic "+cred,
		),
		secrets: append(slices.Clip(ge.secrets), password, cred),
	}
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
	// env, when set, replaces the Repo's environment: a network call's,
	// with the credentials of the moment.
	env *gitEnv
}

// run runs a git call and returns its standard output. Its error names the
// subcommand, carries git's own message with secrets masked, and wraps
// context.DeadlineExceeded when the call timed out.
func (r *Repo) run(ctx context.Context, c gitCall) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	ge := r.env
	if c.env != nil {
		ge = *c.env
	}
	cmd := exec.CommandContext(ctx, "git", c.args...)
	cmd.Dir = c.dir
	cmd.Env = ge.env
	cmd.Stdin = c.stdin
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r.opts.Logger.Debug("git", "repo", r.loc.String(), "args", ge.redact(strings.Join(c.args, " ")),
		"duration", time.Since(start), "error", err != nil)
	if err == nil {
		return stdout.Bytes(), nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	return stdout.Bytes(), &gitError{
		subcommand: subcommand(c.args),
		stderr:     ge.redact(strings.TrimSpace(stderr.String())),
		err:        err,
	}
}

// runRemote runs a git call that talks to the remote (clone, fetch, push)
// with the credentials of the moment: the token Options.TokenSource gives
// for this call when it is set, else the static ones.
func (r *Repo) runRemote(ctx context.Context, c gitCall) ([]byte, error) {
	if r.opts.TokenSource != nil {
		token, err := r.opts.TokenSource(ctx)
		if err != nil {
			return nil, fmt.Errorf("get a token: %w", err)
		}
		if token != "" {
			ge := r.tokenless.withBasicAuth(r.loc, r.opts.TokenUser, token)
			c.env = &ge
		}
	}
	return r.run(ctx, c)
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
