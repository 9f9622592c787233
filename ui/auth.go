package ui

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Auth holds the credentials the status page asks for: a user name and
// password (basic auth) or a bearer token. The zero value asks for none.
type Auth struct {
	Username, Password string
	BearerToken        string
}

// required reports whether any credential is asked for.
func (a Auth) required() bool {
	return a.Username != "" || a.Password != "" || a.BearerToken != ""
}

// allows reports whether r carries the credentials, compared in constant
// time (over digests, so that lengths leak nothing either).
func (a Auth) allows(r *http.Request) bool {
	switch {
	case !a.required():
		return true
	case a.BearerToken != "":
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return ok && same(got, a.BearerToken)
	default:
		u, p, ok := r.BasicAuth()
		// Both comparisons run, whatever the first answers.
		userOK, passOK := same(u, a.Username), same(p, a.Password)
		return ok && userOK && passOK
	}
}

// challenge answers 401 with the scheme the page wants.
func (a Auth) challenge(w http.ResponseWriter) {
	if a.BearerToken != "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gitwave"`)
	} else {
		w.Header().Set("WWW-Authenticate", `Basic realm="gitwave", charset="UTF-8"`)
	}
	http.Error(w, "credentials required", http.StatusUnauthorized)
}

// credentials returns the credentials a request must carry: read again
// through Options.ReadAuth when it is set, or else the last ones read.
func (s *Server) credentials() Auth {
	if s.opts.ReadAuth == nil {
		return s.opts.Auth
	}
	a, err := s.opts.ReadAuth()
	if err != nil {
		msg := err.Error()
		if prev := s.authErr.Swap(&msg); prev == nil || *prev != msg {
			s.opts.Logger.Warn("status page: cannot read its credentials; the last ones read still apply", "error", msg)
		}
		return *s.auth.Load()
	}
	s.authErr.Store(nil)
	s.auth.Store(&a)
	return a
}

func same(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
