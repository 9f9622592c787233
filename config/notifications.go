package config

import (
	"fmt"
	"path"
	"strings"
)

// Notifications says where the Argo CD notifications configuration comes
// from: the argocd-notifications-cm ConfigMap as a file (ConfigMap) or as a
// path in the roots repository, read from its default branch and never from
// a pull request (RepoPath); and the argocd-notifications-secret that its
// $name references resolve from (Secret: a Secret manifest or a directory
// with one file per key).
type Notifications struct {
	ConfigMap string `json:"configMap,omitempty"`
	RepoPath  string `json:"repoPath,omitempty"`
	Secret    string `json:"secret,omitempty"`
	// ArgocdURL is context.argocdUrl in templates; empty means the
	// ConfigMap's context, then gitwave's status page.
	ArgocdURL string `json:"argocdUrl,omitempty"`
}

// validate checks that exactly one source is given and that RepoPath stays
// inside the repository.
func (n *Notifications) validate() error {
	if n == nil {
		return nil
	}
	switch {
	case n.ConfigMap == "" && n.RepoPath == "":
		return fmt.Errorf("notifications: set configMap (a file) or repoPath (a path in the roots repository)")
	case n.ConfigMap != "" && n.RepoPath != "":
		return fmt.Errorf("notifications: set configMap or repoPath, not both")
	case n.RepoPath != "":
		clean := path.Clean(n.RepoPath)
		if path.IsAbs(n.RepoPath) || clean == ".." || strings.HasPrefix(clean, "../") {
			return fmt.Errorf("notifications.repoPath %q: want a path inside the roots repository", n.RepoPath)
		}
	}
	if n.ArgocdURL != "" && !strings.HasPrefix(n.ArgocdURL, "https://") && !strings.HasPrefix(n.ArgocdURL, "http://") {
		return fmt.Errorf("notifications.argocdUrl %q: want an http(s) URL", n.ArgocdURL)
	}
	return nil
}
