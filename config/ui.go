package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// UI configures the read-only status page (gitwave.yaml `ui:`). It is off
// unless Listen is set, and it listens on its own address so that it is
// not exposed with the webhooks.
type UI struct {
	// Listen is the status page's HTTP address ("127.0.0.1:8081");
	// empty serves no page.
	Listen string `json:"listen,omitempty"`
	// ExternalURL is the page's address as users reach it
	// ("https://gitwave.example.com"); when set, PR comments and commit
	// statuses link to it.
	ExternalURL string `json:"externalURL,omitempty"`
	// BasicAuth asks for a user name and password read from files.
	BasicAuth *BasicAuth `json:"basicAuth,omitempty"`
	// BearerTokenFile asks for "Authorization: Bearer <token>" with the
	// token read from this file.
	BearerTokenFile string `json:"bearerTokenFile,omitempty"`
}

// BasicAuth names the files holding the status page's user name and
// password.
type BasicAuth struct {
	UsernameFile string `json:"usernameFile,omitempty"`
	PasswordFile string `json:"passwordFile,omitempty"`
}

// Enabled reports whether the status page is served.
func (u UI) Enabled() bool { return u.Listen != "" }

func (u UI) validate() error {
	if u.Listen != "" {
		if _, _, err := net.SplitHostPort(u.Listen); err != nil {
			return fmt.Errorf("ui.listen %q: want host:port: %w", u.Listen, err)
		}
	}
	if u.ExternalURL != "" {
		p, err := url.Parse(u.ExternalURL)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.RawQuery != "" || p.Fragment != "" {
			return fmt.Errorf("ui.externalURL %q: want an absolute http(s) URL without query or fragment", u.ExternalURL)
		}
	}
	if b := u.BasicAuth; b != nil {
		if b.UsernameFile == "" || b.PasswordFile == "" {
			return fmt.Errorf("ui.basicAuth: usernameFile and passwordFile are both required")
		}
		if u.BearerTokenFile != "" {
			return fmt.Errorf("ui: set basicAuth or bearerTokenFile, not both")
		}
	}
	return nil
}

// ExternalBase is ExternalURL without its trailing slashes.
func (u UI) ExternalBase() string { return strings.TrimRight(u.ExternalURL, "/") }
