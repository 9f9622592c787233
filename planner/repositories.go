package planner

import (
	"context"
	"fmt"
	"io/fs"
)

// Repositories gives the planner what an app's sources read outside the
// repository it was handed: other Git repositories at their
// targetRevision, and charts from Helm and OCI chart repositories. The
// planner stays pure: whoever calls it (the CLI, the bot, the reconcile
// loop) hands in an implementation, and only that implementation touches
// the network. The sources package implements it from gitwave.yaml's
// repos[] and helmRepos[]; tests use in-memory ones.
type Repositories interface {
	// Tree returns repoURL's tree at targetRevision (a branch, a tag, a
	// commit SHA, or "" and "HEAD" for the default branch) and the commit
	// SHA it resolved to. A repoURL that is not listed is an
	// *UnlistedSourceError.
	Tree(ctx context.Context, repoURL, targetRevision string) (fs.FS, string, error)
	// Chart returns the packaged chart named name from the chart
	// repository repoURL (https:// or oci://) at version, an exact version
	// or a semver range, with the version it resolved to and the archive's
	// digest ("sha256:…"). The archive is at most maxBytes long. A
	// repoURL that is not listed is an *UnlistedSourceError.
	Chart(ctx context.Context, repoURL, name, version string, maxBytes int64) (ChartArchive, error)
}

// ChartArchive is a packaged chart (.tgz) fetched from a chart repository.
type ChartArchive struct {
	// Data is the .tgz archive.
	Data []byte
	// Version is the chart version the request resolved to.
	Version string
	// Digest is the archive's "sha256:<hex>".
	Digest string
}

// UnlistedSourceError is a source whose repoURL is in neither repos[] nor
// helmRepos[]: gitwave never contacts a repository it was not told about.
type UnlistedSourceError struct {
	// RepoURL is the URL as the source spells it.
	RepoURL string
	// Chart is true when the source is a chart repository.
	Chart bool
}

func (e *UnlistedSourceError) Error() string {
	if e.Chart {
		return fmt.Sprintf("chart repository %s is not in helmRepos[] of gitwave.yaml (or --helm-repo): gitwave reads only listed repositories", e.RepoURL)
	}
	return fmt.Sprintf("repository %s is not in repos[] of gitwave.yaml (or --source): gitwave reads only listed repositories", e.RepoURL)
}
