package gitrepo

import (
	"context"
	"log/slog"
	"time"
)

// Options says which repository Open reads and how it reaches it. The zero
// value of every field but Location is usable.
type Options struct {
	// Location is a local path (a working copy or a bare repository) or a
	// URL: https://, http://, ssh://, git://, file://, or the scp-like
	// user@host:path form. Credentials in a URL's user part are moved out of
	// the URL before it is stored anywhere.
	Location string
	// CacheDir holds one bare mirror per URL. Zero means
	// os.UserCacheDir()/gitwave/git. Unused for local paths.
	CacheDir string
	// Token authenticates https fetches and pushes with HTTP basic auth. It is
	// passed to git through its environment, never written to disk, and
	// masked in every error.
	Token string
	// TokenSource, when set, is asked for a token on every call that talks
	// to the remote (clone, fetch, push), which then authenticates with it
	// instead of Token, so that one long-lived Repo always uses a current
	// short-lived token (a GitHub installation token lives an hour). It is
	// handled as Token is: in the environment, never on disk, masked. An
	// empty token falls back to Token and the URL's own credentials.
	TokenSource func(ctx context.Context) (string, error)
	// TokenUser is the user name sent with Token or TokenSource's token. Zero means
	// "x-access-token", which GitHub expects; GitLab accepts "oauth2".
	TokenUser string
	// SSHKeyFile is a private key used for ssh URLs. Zero means ssh's own
	// defaults.
	SSHKeyFile string
	// SSHKnownHostsFile, when set, is the only known_hosts file ssh consults,
	// and unknown hosts are refused. Zero means ssh's own defaults.
	SSHKnownHostsFile string
	// CommandTimeout bounds every local git call (rev-parse, ls-tree, one
	// blob read). Zero means one minute.
	CommandTimeout time.Duration
	// FetchTimeout bounds every network git call (clone, fetch, push). Zero
	// means ten minutes.
	FetchTimeout time.Duration
	// FetchInterval is how old a URL mirror's branches and tags may be when
	// Resolve looks up a name: if the last fetch is older, Resolve fetches
	// first. Zero means Resolve always fetches before looking up a name. A
	// full SHA already in the mirror never causes a fetch.
	FetchInterval time.Duration
	// CommitterName and CommitterEmail sign the commits RevertOnBranch makes
	// unless GIT_COMMITTER_* and GIT_AUTHOR_* are set in the environment.
	// Zero means "gitwave" and "gitwave@localhost".
	CommitterName  string
	CommitterEmail string
	// Logger receives one debug record per git call, with secrets masked.
	// Zero means slog.Default().
	Logger *slog.Logger
}

const (
	defaultCommandTimeout = time.Minute
	defaultFetchTimeout   = 10 * time.Minute
	defaultTokenUser      = "x-access-token"
)

// withDefaults returns o with every zero field that has a default filled in.
func (o Options) withDefaults() Options {
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = defaultCommandTimeout
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = defaultFetchTimeout
	}
	if o.TokenUser == "" {
		o.TokenUser = defaultTokenUser
	}
	if o.CommitterName == "" {
		o.CommitterName = "gitwave"
	}
	if o.CommitterEmail == "" {
		o.CommitterEmail = "gitwave@localhost"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}
