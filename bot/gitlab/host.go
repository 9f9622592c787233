package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/gitwave/gitwave/bot"
)

// DefaultBaseURL is GitLab.com.
const DefaultBaseURL = "https://gitlab.com/"

// DefaultGroupsTTL is how long group memberships are cached when
// Options.GroupsTTL is zero.
const DefaultGroupsTTL = 2 * time.Minute

// MaxCommentLength is the longest note body GitLab accepts, in characters.
const MaxCommentLength = 1000000

// Options configures a GitLab host.
type Options struct {
	// BaseURL is the instance's URL; empty means DefaultBaseURL. "/api/v4"
	// is added when missing.
	BaseURL string
	// Token is a personal, group or project access token with the api
	// scope. Required.
	Token []byte
	// WebhookSecret is the secret token of the webhook. Required: webhooks
	// are never accepted unsigned.
	WebhookSecret []byte
	// HTTPClient carries every request; nil means a client with the
	// library's defaults.
	HTTPClient *http.Client
	// Username is the token owner's username, whose notes are gitwave's own
	// (Comment.Bot). Empty: looked up once with GET /user when comments are
	// first listed.
	Username string
	// GroupsTTL is how long a user's group memberships are cached; zero
	// means DefaultGroupsTTL, negative disables the cache.
	GroupsTTL time.Duration
}

// Host is a GitLab instance as seen through one access token. It is safe for
// concurrent use.
type Host struct {
	token         string
	webhookSecret []byte
	client        *gl.Client
	groups        *bot.GroupCache

	mu       sync.Mutex
	username string
}

var _ bot.Host = (*Host)(nil)

// New returns a GitLab host. It refuses a missing token or webhook secret.
func New(opts Options) (*Host, error) {
	if len(opts.Token) == 0 {
		return nil, errors.New("gitlab: token is required")
	}
	if len(opts.WebhookSecret) == 0 {
		return nil, errors.New("gitlab: webhook secret is required (unsigned webhooks are never accepted)")
	}
	base := opts.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	clientOpts := []gl.ClientOptionFunc{gl.WithBaseURL(base)}
	if opts.HTTPClient != nil {
		clientOpts = append(clientOpts, gl.WithHTTPClient(opts.HTTPClient))
	}
	c, err := gl.NewClient(string(opts.Token), clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("gitlab: client for %s: %w", base, err)
	}
	return &Host{
		token:         string(opts.Token),
		webhookSecret: append([]byte(nil), opts.WebhookSecret...),
		client:        c,
		groups:        bot.NewGroupCache(groupsTTL(opts.GroupsTTL)),
		username:      opts.Username,
	}, nil
}

// Name returns "gitlab".
func (h *Host) Name() string { return "gitlab" }

// CloneToken returns the access token; clone over https as user "oauth2".
func (h *Host) CloneToken(ctx context.Context, repo string) (string, error) {
	return h.token, nil
}

// self returns the token owner's username, asking GitLab once.
func (h *Host) self(ctx context.Context) (string, error) {
	h.mu.Lock()
	name := h.username
	h.mu.Unlock()
	if name != "" {
		return name, nil
	}
	u, _, err := h.client.Users.CurrentUser(gl.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("gitlab: read the token's user: %w", err)
	}
	h.mu.Lock()
	h.username = u.Username
	h.mu.Unlock()
	return u.Username, nil
}

// knownSelf returns the token owner's username if already known.
func (h *Host) knownSelf() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.username
}

// checkRepo refuses a path that is not group/project.
func checkRepo(repo string) error {
	i := strings.LastIndex(repo, "/")
	if i <= 0 || i == len(repo)-1 {
		return fmt.Errorf("gitlab: project %q is not group/project", repo)
	}
	return nil
}

// groupsTTL is how long team memberships are cached: DefaultGroupsTTL
// unless the options say otherwise.
func groupsTTL(ttl time.Duration) time.Duration {
	if ttl == 0 {
		return DefaultGroupsTTL
	}
	return ttl
}
