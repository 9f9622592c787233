package ui

import (
	"net/url"
	"strings"
)

// AppPath is the path of the page of app on cluster for repository repo,
// with every part query-escaped (app names come from Git).
func AppPath(repo, app, cluster string) string {
	return "/app?" + url.Values{"repo": {repo}, "app": {app}, "cluster": {cluster}}.Encode()
}

// AppURL is AppPath under base, the page's external URL; "" when base is
// empty (no links without an external URL).
func AppURL(base, repo, app, cluster string) string {
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + AppPath(repo, app, cluster)
}

// FleetURL is the fleet grid under base; "" when base is empty.
func FleetURL(base string) string {
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + "/"
}
