package notify

import (
	"net/url"
	"regexp"
	"strings"
	"time"
)

// exprNamespaces are the functions Argo CD gives expressions and templates
// besides app and context: time, strings and the repo helpers that need
// no Git access.
var exprNamespaces = map[string]any{
	"time": map[string]any{
		"Now": time.Now, "Parse": parseTime,
		"Nanosecond": time.Nanosecond, "Microsecond": time.Microsecond, "Millisecond": time.Millisecond,
		"Second": time.Second, "Minute": time.Minute, "Hour": time.Hour,
		"Layout": time.Layout, "ANSIC": time.ANSIC, "UnixDate": time.UnixDate, "RubyDate": time.RubyDate,
		"RFC822": time.RFC822, "RFC822Z": time.RFC822Z, "RFC850": time.RFC850, "RFC1123": time.RFC1123,
		"RFC1123Z": time.RFC1123Z, "RFC3339": time.RFC3339, "RFC3339Nano": time.RFC3339Nano,
		"Kitchen": time.Kitchen, "Stamp": time.Stamp, "StampMilli": time.StampMilli,
		"StampMicro": time.StampMicro, "StampNano": time.StampNano,
	},
	"strings": map[string]any{
		"ReplaceAll": strings.ReplaceAll, "ToUpper": strings.ToUpper, "ToLower": strings.ToLower,
	},
	"repo": map[string]any{
		"RepoURLToHTTPS": repoURLToHTTPS, "FullNameByRepoURL": fullNameByRepoURL, "QueryEscape": url.QueryEscape,
	},
}

// parseTime parses an RFC 3339 time as Argo CD's time.Parse does; like it,
// it panics on a bad value, which the expression engine reports as the
// condition's error.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// scpLike is git@host:owner/repo.git.
var scpLike = regexp.MustCompile(`^([\w.-]+)@([\w.-]+):(.+)$`)

// repoURLToHTTPS turns an ssh or scp-like Git URL into https://host/path
// without .git, as Argo CD's repo.RepoURLToHTTPS.
func repoURLToHTTPS(raw string) string {
	if m := scpLike.FindStringSubmatch(raw); m != nil {
		raw = "https://" + m[2] + "/" + m[3]
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme, u.User = "https", nil
	u.Host = u.Hostname()
	u.Path = strings.TrimSuffix(u.Path, ".git")
	return u.String()
}

// fullNameByRepoURL is owner/repo of a Git URL.
func fullNameByRepoURL(raw string) string {
	u, err := url.Parse(repoURLToHTTPS(raw))
	if err != nil {
		return ""
	}
	return strings.Trim(u.Path, "/")
}
