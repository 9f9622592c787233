package github

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	gh "github.com/google/go-github/v60/github"

	"github.com/gitwave/gitwave/bot"
)

// DefaultBaseURL is GitHub's REST API root.
const DefaultBaseURL = "https://api.github.com/"

// DefaultGroupsTTL is how long team memberships are cached when
// Options.GroupsTTL is zero.
const DefaultGroupsTTL = 2 * time.Minute

// MaxCommentLength is the longest comment body GitHub accepts, in
// characters; longer bodies are refused with 422.
const MaxCommentLength = 65536

// MaxStatusDescription is the longest commit status description GitHub
// accepts, in characters. SetStatus shortens longer ones.
const MaxStatusDescription = 140

// Options configures a GitHub App host.
type Options struct {
	// AppID is the GitHub App's id. Required.
	AppID int64
	// PrivateKey is the App's PEM-encoded RSA private key. Required.
	PrivateKey []byte
	// WebhookSecret is the App's webhook secret. Required: webhooks are
	// never accepted unsigned.
	WebhookSecret []byte
	// BaseURL is the REST API root; empty means DefaultBaseURL. For GitHub
	// Enterprise Server use "https://HOST/api/v3/".
	BaseURL string
	// HTTPClient carries every request; nil means http.DefaultClient. Its
	// Transport is wrapped with App authentication and its Timeout kept.
	HTTPClient *http.Client
	// Installations maps "owner/name" to an installation id known in
	// advance; repositories not listed are looked up once and cached.
	Installations map[string]int64
	// GroupsTTL is how long a user's team memberships are cached; zero
	// means DefaultGroupsTTL, negative disables the cache.
	GroupsTTL time.Duration
}

// Host is a GitHub App acting on the repositories it is installed on. It is
// safe for concurrent use.
type Host struct {
	webhookSecret []byte
	baseURL       *url.URL
	httpClient    *http.Client
	appTransport  *ghinstallation.AppsTransport
	transport     http.RoundTripper
	appID         int64
	key           *rsa.PrivateKey
	app           *gh.Client

	mu            sync.Mutex
	installations map[string]int64
	clients       map[int64]*installation

	groups *bot.GroupCache
}

// installation is one App installation: its token source and API client.
type installation struct {
	transport *ghinstallation.Transport
	client    *gh.Client
}

var _ bot.Host = (*Host)(nil)

// New returns a GitHub App host. It refuses a missing App id, private key or
// webhook secret.
func New(opts Options) (*Host, error) {
	if opts.AppID <= 0 {
		return nil, errors.New("github: app id is required")
	}
	if len(opts.WebhookSecret) == 0 {
		return nil, errors.New("github: webhook secret is required (unsigned webhooks are never accepted)")
	}
	base, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	httpClient := opts.HTTPClient
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	rt := httpClient.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	key, err := parsePrivateKey(opts.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("github: app %d: %w", opts.AppID, err)
	}
	atr := ghinstallation.NewAppsTransportFromPrivateKey(rt, opts.AppID, key)
	atr.BaseURL = strings.TrimRight(base.String(), "/")
	h := &Host{
		webhookSecret: append([]byte(nil), opts.WebhookSecret...),
		baseURL:       base,
		httpClient:    httpClient,
		appTransport:  atr,
		transport:     rt,
		appID:         opts.AppID,
		key:           key,
		installations: map[string]int64{},
		clients:       map[int64]*installation{},
		groups:        bot.NewGroupCache(groupsTTL(opts.GroupsTTL)),
	}
	h.app = h.newClient(atr)
	for repo, id := range opts.Installations {
		h.installations[repo] = id
	}
	return h, nil
}

// Name returns "github".
func (h *Host) Name() string { return "github" }

func parseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		raw = DefaultBaseURL
	}
	if !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("github: base URL %q is not an absolute URL", raw)
	}
	return u, nil
}

// newClient returns a go-github client that sends through rt to the
// configured base URL.
func (h *Host) newClient(rt http.RoundTripper) *gh.Client {
	c := gh.NewClient(&http.Client{Transport: rt, Timeout: h.httpClient.Timeout})
	base := *h.baseURL
	c.BaseURL = &base
	return c
}

// splitRepo splits "owner/name".
func splitRepo(repo string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("github: repository %q is not owner/name", repo)
	}
	return owner, name, nil
}

// parsePrivateKey reads a PEM-encoded RSA key (PKCS #1 or PKCS #8). Its
// errors never quote the key.
func parsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("private key is not PEM-encoded")
	}
	if key, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return key, nil
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("private key is neither a PKCS #1 nor a PKCS #8 RSA key")
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("private key is not an RSA key")
	}
	return key, nil
}

// groupsTTL is how long team memberships are cached: DefaultGroupsTTL
// unless the options say otherwise.
func groupsTTL(ttl time.Duration) time.Duration {
	if ttl == 0 {
		return DefaultGroupsTTL
	}
	return ttl
}
