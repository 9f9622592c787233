package sources

import (
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// VersionNotFoundError is a chart version or range that no version of the
// chart in its repository satisfies.
type VersionNotFoundError struct {
	RepoURL, Chart, Version string
	// Nearest are the available versions closest to Version, newest first.
	Nearest []string
}

func (e *VersionNotFoundError) Error() string {
	msg := fmt.Sprintf("chart %s version %q not found in %s", e.Chart, e.Version, e.RepoURL)
	if len(e.Nearest) == 0 {
		return msg + ": the chart has no versions there"
	}
	return msg + "; nearest available: " + strings.Join(e.Nearest, ", ")
}

// ChartNotFoundError is a chart name that a repository does not have.
type ChartNotFoundError struct {
	RepoURL, Chart string
}

func (e *ChartNotFoundError) Error() string {
	return fmt.Sprintf("chart %s not found in %s", e.Chart, e.RepoURL)
}

// pickVersion returns the version of available (any order) that version
// asks for: the same string, else the highest one in the range. Pre-releases
// match only a range that names a pre-release, as in Helm.
func pickVersion(available []string, version string) (string, bool) {
	if slices.Contains(available, version) {
		return version, true
	}
	constraint, err := semver.NewConstraint(orStar(version))
	if err != nil {
		return "", false
	}
	best, bestV := "", (*semver.Version)(nil)
	for _, a := range available {
		v, err := semver.NewVersion(a)
		if err != nil || !constraint.Check(v) {
			continue
		}
		if bestV == nil || v.GreaterThan(bestV) {
			best, bestV = a, v
		}
	}
	return best, bestV != nil
}

func orStar(version string) string {
	if version == "" {
		return "*"
	}
	return version
}

// nearestVersions lists up to five available versions around the one asked
// for: the neighbours of an exact version, the newest ones for a range.
func nearestVersions(available []string, version string) []string {
	type pair struct {
		s string
		v *semver.Version
	}
	var vs []pair
	for _, a := range available {
		if v, err := semver.NewVersion(a); err == nil {
			vs = append(vs, pair{a, v})
		}
	}
	slices.SortFunc(vs, func(a, b pair) int { return b.v.Compare(a.v) })
	lo, hi := 0, min(5, len(vs))
	if want, err := semver.NewVersion(version); err == nil && isExact(version) {
		i, _ := slices.BinarySearchFunc(vs, want, func(p pair, w *semver.Version) int { return w.Compare(p.v) })
		lo = max(0, min(i-2, len(vs)-5))
		hi = min(len(vs), lo+5)
	}
	out := make([]string, 0, hi-lo)
	for _, p := range vs[lo:hi] {
		out = append(out, p.s)
	}
	return out
}
