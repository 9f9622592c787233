package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Defaults of the source caches.
const (
	// DefaultFetchInterval is how long a Git mirror's refs are trusted.
	DefaultFetchInterval = 30 * time.Second
	// DefaultHelmIndexTTL is how long a chart repository's index is trusted.
	DefaultHelmIndexTTL = 5 * time.Minute
)

// scpLike matches git's user@host:path form (no scheme, a colon before any
// slash).
var scpLike = regexp.MustCompile(`^(?:([A-Za-z0-9._~-]+)@)?([A-Za-z0-9.-]+):([^/\\].*)$`)

// RepoKey returns the identity of a Git repository URL: two URLs with the
// same key are the same repository. The scheme, the user, a default port
// (22, 80, 443), the case, a trailing slash and a ".git" suffix do not
// count, so that
// https://github.com/Acme/apps, https://github.com/acme/apps.git/,
// git@github.com:acme/apps and ssh://git@github.com/acme/apps.git are one
// repository. file:// URLs keep their path. A string that is no URL is
// returned trimmed.
func RepoKey(raw string) string {
	s := strings.TrimSpace(raw)
	var host, path string
	switch {
	case strings.Contains(s, "://"):
		u, err := url.Parse(s)
		if err != nil {
			return strings.ToLower(s)
		}
		if strings.EqualFold(u.Scheme, "file") {
			return "file://" + trimRepoPath(u.Path)
		}
		host, path = u.Hostname(), u.Path
		if port := u.Port(); port != "" && port != "22" && port != "80" && port != "443" {
			host += ":" + port
		}
	case scpLike.MatchString(s):
		m := scpLike.FindStringSubmatch(s)
		host, path = m[2], m[3]
	default:
		return trimRepoPath(s)
	}
	return strings.ToLower(host + "/" + strings.TrimPrefix(trimRepoPath(path), "/"))
}

// trimRepoPath drops trailing slashes and one ".git" suffix.
func trimRepoPath(p string) string {
	p = strings.TrimRight(p, "/")
	p = strings.TrimSuffix(p, ".git")
	return strings.TrimRight(p, "/")
}

// HelmRepoKey returns the identity of a chart repository URL: the scheme
// (https and oci differ) and host in lowercase, the path without trailing
// slashes.
func HelmRepoKey(raw string) string {
	s := strings.TrimSpace(raw)
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return strings.TrimRight(s, "/")
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.Path, "/")
}

// validateRepos checks repos[]: names, hosts, URLs and credentials.
func validateRepos(repos []Repo) error {
	names, keys := map[string]int{}, map[string]int{}
	for i, r := range repos {
		where := fmt.Sprintf("repos[%d]", i)
		if r.Name != "" {
			where += " (" + r.Name + ")"
		}
		if r.Name == "" || r.URL == "" {
			return fmt.Errorf("%s: name and url are required", where)
		}
		if r.Host != "github" && r.Host != "gitlab" && r.Host != "none" {
			return fmt.Errorf("%s: host %q: want github, gitlab or none", where, r.Host)
		}
		if j, ok := names[r.Name]; ok {
			return fmt.Errorf("%s: name is already used by repos[%d]", where, j)
		}
		if j, ok := keys[RepoKey(r.URL)]; ok {
			return fmt.Errorf("%s: url %s is the same repository as repos[%d]", where, redactUserInfo(r.URL), j)
		}
		names[r.Name], keys[RepoKey(r.URL)] = i, i
		if err := validateRepoCredentials(r); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

// validateRepoCredentials checks that a repository's credentials fit its URL.
func validateRepoCredentials(r Repo) error {
	scheme := "ssh"
	if i := strings.Index(r.URL, "://"); i > 0 {
		scheme = strings.ToLower(r.URL[:i])
	} else if !scpLike.MatchString(r.URL) {
		return fmt.Errorf("url %q: want https://, ssh://, file:// or user@host:path", r.URL)
	}
	if u, err := url.Parse(r.URL); err == nil && u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword || scheme == "https" || scheme == "http" {
			return fmt.Errorf("url %s: credentials do not belong in the url: use tokenFile", redactUserInfo(r.URL))
		}
	}
	switch {
	case r.TokenFile != "" && r.SSHKeyFile != "":
		return fmt.Errorf("set tokenFile or sshKeyFile, not both")
	case r.TokenFile != "" && scheme != "https" && scheme != "http":
		return fmt.Errorf("tokenFile needs an https url, not %s", scheme)
	case r.SSHKeyFile != "" && scheme != "ssh":
		return fmt.Errorf("sshKeyFile needs an ssh url (ssh:// or git@host:path)")
	case r.SSHKeyFile != "" && r.KnownHostsFile == "":
		return fmt.Errorf("sshKeyFile needs knownHostsFile: gitwave refuses unknown host keys")
	case r.KnownHostsFile != "" && scheme != "ssh":
		return fmt.Errorf("knownHostsFile needs an ssh url")
	}
	return nil
}

// validateHelmRepos checks helmRepos[]: URLs and credentials.
func validateHelmRepos(repos []HelmRepo) error {
	keys := map[string]int{}
	for i, r := range repos {
		where := fmt.Sprintf("helmRepos[%d]", i)
		if r.URL != "" {
			where += " (" + redactUserInfo(r.URL) + ")"
		}
		u, err := url.Parse(r.URL)
		switch {
		case r.URL == "":
			return fmt.Errorf("%s: url is required", where)
		case err != nil || u.Host == "":
			return fmt.Errorf("%s: url: want https://host/path or oci://host/path", where)
		case u.User != nil:
			return fmt.Errorf("%s: credentials do not belong in the url: use usernameFile and passwordFile", where)
		case u.Scheme != "https" && u.Scheme != "oci" && u.Scheme != "http":
			return fmt.Errorf("%s: scheme %q: want https or oci", where, u.Scheme)
		case (r.UsernameFile == "") != (r.PasswordFile == ""):
			return fmt.Errorf("%s: set usernameFile and passwordFile together", where)
		case u.Scheme == "http" && r.UsernameFile != "":
			return fmt.Errorf("%s: credentials are never sent over plain http: use https", where)
		}
		if j, ok := keys[HelmRepoKey(r.URL)]; ok {
			return fmt.Errorf("%s: the same repository as helmRepos[%d]", where, j)
		}
		keys[HelmRepoKey(r.URL)] = i
	}
	return nil
}

// redactUserInfo masks the user part of a URL for an error message.
func redactUserInfo(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw // scp-like: a user but never a password
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable url)"
	}
	if u.User == nil {
		return raw
	}
	u.User = url.User("***")
	return u.String()
}

// ServedRepos returns the repositories gitwave serves (host github or
// gitlab: webhooks, comments, deploys on merge), leaving out those it only
// reads (host none).
func (c *Config) ServedRepos() []Repo {
	var out []Repo
	for _, r := range c.Repos {
		if r.Host != "none" {
			out = append(out, r)
		}
	}
	return out
}
