package gitrepo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// location is Options.Location taken apart: either a local path or a remote
// URL with any credentials moved out of it.
type location struct {
	// path is set for a local repository.
	path string
	// url is the remote URL without user password, as handed to git.
	url string
	// scheme is the URL's lowercase scheme; "ssh" for the scp-like form.
	scheme string
	// user and password come from an http(s) URL's user part.
	user, password string
}

// scpLike matches git's user@host:path form (no scheme, a colon before any
// slash).
var scpLike = regexp.MustCompile(`^(?:[A-Za-z0-9._~-]+@)?[A-Za-z0-9.-]+:[^/\\]`)

// remoteSchemes are the URL schemes Open clones into the cache.
var remoteSchemes = map[string]bool{"https": true, "http": true, "ssh": true, "git": true, "file": true}

// parseLocation splits a user's Location into a local path or a remote URL.
func parseLocation(raw string) (location, error) {
	if raw == "" {
		return location{}, fmt.Errorf("open repository: no location given")
	}
	if i := strings.Index(raw, "://"); i > 0 {
		u, err := url.Parse(raw)
		if err != nil {
			return location{}, fmt.Errorf("open repository %s: parse URL: %w", redactURL(raw), stripURLError(err))
		}
		scheme := strings.ToLower(u.Scheme)
		if !remoteSchemes[scheme] {
			return location{}, fmt.Errorf("open repository %s: unsupported URL scheme %q", redactURL(raw), u.Scheme)
		}
		loc := location{scheme: scheme}
		if u.User != nil {
			pw, hasPassword := u.User.Password()
			switch {
			case scheme == "https" || scheme == "http":
				// Either part may be a token (https://TOKEN@host is a
				// common spelling): both leave the URL.
				loc.user, loc.password = u.User.Username(), pw
				u.User = nil
			case hasPassword:
				u.User = url.User(u.User.Username())
			}
		}
		u.Scheme = scheme
		u.Host = strings.ToLower(u.Host)
		loc.url = u.String()
		return loc, nil
	}
	if scpLike.MatchString(raw) && !strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, ".") {
		return location{url: raw, scheme: "ssh"}, nil
	}
	return location{path: raw}, nil
}

// stripURLError drops the *url.Error wrapper, whose text repeats the raw URL
// and so could carry a password.
func stripURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// remote reports whether the location is a URL that is cloned into the cache.
func (l location) remote() bool { return l.url != "" }

// String returns the location as shown in errors and logs: never with a
// password.
func (l location) String() string {
	if l.remote() {
		return l.url
	}
	return l.path
}

// cacheKey returns the name of the location's mirror under CacheDir: a hash
// of the URL normalized so that trivially different spellings (case of the
// host, a trailing slash or ".git") share one mirror.
func (l location) cacheKey() string {
	n := strings.TrimSuffix(strings.TrimSuffix(l.url, "/"), ".git")
	if i := strings.Index(n, "://"); i > 0 {
		rest := n[i+3:]
		host, path, _ := strings.Cut(rest, "/")
		n = l.scheme + "://" + strings.ToLower(host) + "/" + path
	} else {
		host, path, _ := strings.Cut(n, ":")
		n = "ssh://" + strings.ToLower(host) + "/" + strings.TrimPrefix(path, "/")
	}
	sum := sha256.Sum256([]byte(n))
	return hex.EncodeToString(sum[:12])
}

// userInfo matches the user part of a URL inside any text.
var userInfo = regexp.MustCompile(`://[^/@\s]*@`)

// redactURL masks the user part of every URL in s.
func redactURL(s string) string {
	return userInfo.ReplaceAllString(s, "://***@")
}
