package notify

import (
	"fmt"
	"io/fs"
	"path"

	"github.com/gitwave/gitwave/config"
)

// FromSettings reads the notifications configuration gitwave.yaml names:
// the ConfigMap file, or the file at repoPath in defaultBranch, which the
// caller takes from the roots repository's default branch and never from a
// pull request. It returns nil when gitwave.yaml configures no
// notifications.
func FromSettings(c *config.Config, defaultBranch fs.FS) (*Config, error) {
	n := c.Notifications
	if n == nil {
		return nil, nil
	}
	if n.ConfigMap != "" {
		return LoadConfig(c.Path(n.ConfigMap), c.Path(n.Secret))
	}
	sec, err := LoadSecrets(c.Path(n.Secret))
	if err != nil {
		return nil, err
	}
	return LoadConfigFromTree(defaultBranch, n.RepoPath, sec)
}

// LoadConfigFromTree reads the ConfigMap at repoPath of a tree of the roots
// repository.
func LoadConfigFromTree(tree fs.FS, repoPath string, sec Secrets) (*Config, error) {
	if tree == nil {
		return nil, fmt.Errorf("notifications repoPath %s: no tree of the roots repository", repoPath)
	}
	manifest, err := fs.ReadFile(tree, path.Clean(repoPath))
	if err != nil {
		return nil, fmt.Errorf("notifications repoPath: %w", err)
	}
	cfg, err := ParseConfig(manifest, sec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", repoPath, err)
	}
	return cfg, nil
}
