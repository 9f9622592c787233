package planner

import (
	"errors"
	"fmt"
	"io/fs"

	"sigs.k8s.io/yaml"
)

// RepoConfigFile is the name of the repository's own gitwave settings.
const RepoConfigFile = ".gitwave.yaml"

// RepoConfig is what a repository says about itself in .gitwave.yaml. Every
// field is optional; command-line flags override it.
type RepoConfig struct {
	// Apps are files or folders holding the root Applications and
	// ApplicationSets. Empty means gitwave finds every Application and
	// ApplicationSet in the repository and takes those that no other
	// Application renders as the roots.
	Apps []string `json:"apps,omitempty"`
	// Clusters are files or folders holding Argo CD cluster Secrets. Empty
	// means the whole repository is searched for them.
	Clusters []string `json:"clusters,omitempty"`
	// Exclude are globs ("docs/**") of paths gitwave never reads manifests
	// from when it searches.
	Exclude []string `json:"exclude,omitempty"`
	// RepoURL is the URL the repository's Applications use to name this
	// repository. Sources with this URL (or with no URL) are read from the
	// repository itself.
	RepoURL string `json:"repoURL,omitempty"`
	// Policy is the path of the policy.csv file, for the bot.
	Policy string `json:"policy,omitempty"`
	// GitFileGlobbing is how git files generators match files[].path:
	// "default" (or empty), Argo CD's default, where "*" also crosses "/";
	// or "strict", the doublestar matching Argo CD enables with
	// --enable-new-git-file-globbing.
	GitFileGlobbing GitFileGlobbing `json:"gitFileGlobbing,omitempty"`
	// EncryptedPaths are folders where every Secret must be SOPS-encrypted:
	// `gitwave validate` reports a plaintext Secret committed there.
	EncryptedPaths []string `json:"encryptedPaths,omitempty"`
}

// LoadRepoConfig reads .gitwave.yaml from the repository root. A missing
// file gives the zero RepoConfig.
func LoadRepoConfig(repo fs.FS) (RepoConfig, error) {
	var c RepoConfig
	data, err := fs.ReadFile(repo, RepoConfigFile)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read %s: %w", RepoConfigFile, err)
	}
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return c, fmt.Errorf("%s: %w", RepoConfigFile, err)
	}
	if err := c.GitFileGlobbing.Valid(); err != nil {
		return c, fmt.Errorf("%s: %w", RepoConfigFile, err)
	}
	for _, p := range append(append(append([]string{}, c.Apps...), c.Clusters...), c.EncryptedPaths...) {
		if _, err := RepoPath("", p); err != nil {
			return c, fmt.Errorf("%s: %w", RepoConfigFile, err)
		}
	}
	return c, nil
}
