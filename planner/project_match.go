package planner

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gobwas/glob"
)

// This file holds the matching rules of Argo CD's AppProject, rule for
// rule: glob patterns (github.com/gobwas/glob, as Argo CD uses it) where an
// entry starting with "!" denies what it names, Git URLs normalized before
// they are compared, and resource lists matched with filepath.Match.

// isDeny reports whether a pattern is a deny entry ("!kube-system").
func isDeny(pattern string) bool { return strings.HasPrefix(pattern, "!") }

// globMatch matches val against pattern as Argo CD does: "*" matches
// everything, a deny pattern "!x" matches whatever x does not, and a
// pattern that does not compile matches nothing.
func globMatch(pattern, val string, separators ...rune) bool {
	if isDeny(pattern) {
		return !compiledMatch(pattern[1:], val, separators...)
	}
	if pattern == "*" {
		return true
	}
	return compiledMatch(pattern, val, separators...)
}

func compiledMatch(pattern, val string, separators ...rune) bool {
	g, err := glob.Compile(pattern, separators...)
	if err != nil {
		return false
	}
	return g.Match(val)
}

// sourcePermitted reports whether a source's repository URL is permitted
// by sourceRepos. An entry that matches permits it; a deny entry that the
// URL does not pass refuses it at once, whatever came before. It returns
// the deny entry that refused, if one did.
func sourcePermitted(sourceRepos []string, repoURL string) (bool, string) {
	src := normalizeGitURL(repoURL)
	permitted := false
	for _, entry := range sourceRepos {
		pattern := normalizeGitURL(entry)
		if isDeny(entry) {
			pattern = "!" + normalizeGitURL(strings.TrimPrefix(entry, "!"))
		}
		switch matched := globMatch(pattern, src, '/'); {
		case matched:
			permitted = true
		case isDeny(pattern):
			return false, entry
		}
	}
	return permitted, ""
}

// destinationMatched is Argo CD's destination rule for one cluster
// identity (name and server) and a namespace. An entry matches when its
// server or its name matches and its namespace does. An entry with a deny
// name or server that the destination does not pass refuses it, as does
// an entry with a deny namespace it does not pass whose server matches.
// It returns the entry that refused, if one did.
func destinationMatched(dests []Destination, name, server, namespace string) (bool, *Destination) {
	permitted := false
	for i := range dests {
		item := &dests[i]
		nameOK := name != "" && globMatch(item.Name, name)
		serverOK := server != "" && globMatch(item.Server, server)
		nsOK := globMatch(item.Namespace, namespace)
		switch {
		case (serverOK || nameOK) && nsOK:
			permitted = true
		case !nameOK && isDeny(item.Name) || !serverOK && isDeny(item.Server) && nsOK:
			return false, item
		case !nsOK && isDeny(item.Namespace) && serverOK:
			return false, item
		}
	}
	return permitted, nil
}

// scpURL is the user@host:path form of an SSH repository URL.
var scpURL = regexp.MustCompile(`^(ssh://)?([^/:]*?)@[^@]+$`)

// normalizeGitURL puts a repository URL in the form Argo CD compares:
// lower case, without ".git", with the scp-like SSH form turned into a URL
// and without its "ssh://" scheme. A URL that does not parse normalizes
// to "".
func normalizeGitURL(repo string) string {
	repo = strings.ToLower(strings.TrimSpace(repo))
	if scpURL.MatchString(repo) && !strings.HasPrefix(repo, "ssh://") {
		repo = "ssh://" + strings.Replace(repo, ":", "/", 1)
	}
	repo = strings.TrimSuffix(repo, ".git")
	u, err := url.Parse(repo)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.String(), "ssh://")
}

// inGroupKindList reports whether group and kind match an entry of a
// namespaced resource list.
func inGroupKindList(list []GroupKind, group, kind string) bool {
	for _, e := range list {
		if fileMatch(e.Kind, kind) && fileMatch(e.Group, group) {
			return true
		}
	}
	return false
}

// inClusterList reports whether group, kind and name match an entry of a
// cluster resource list; an entry without a name matches every name.
func inClusterList(list []ClusterResourceRestriction, group, kind, name string) bool {
	for _, e := range list {
		if fileMatch(e.Kind, kind) && fileMatch(e.Group, group) && (e.Name == "" || fileMatch(e.Name, name)) {
			return true
		}
	}
	return false
}

func fileMatch(pattern, val string) bool {
	ok, err := filepath.Match(pattern, val)
	return ok && err == nil
}
