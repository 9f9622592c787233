package policies

import "strings"

// A paths object may name another repository: "OWNER/REPO:GLOB" grants
// GLOB in that repository, and an unqualified glob means the repository
// that holds the policy file (Options.Repo). Changed files are asked about
// in the same form: "OWNER/REPO:path" for a file of another repository,
// a bare path for one of the policy's own.
//
// The text before the first ":" qualifies only when it is a repository
// name: two or more non-empty "/"-separated segments of letters, digits,
// ".", "_" and "-". A bare path of the policy's own repository that would
// read as qualified ("dir/x:y.yaml") must be asked about qualified with
// that repository's name; QualifyPath does so.

// splitRepoPath splits a paths object or request into its repository, ""
// when unqualified, and its path or glob.
func splitRepoPath(s string) (repo, path string) {
	i := strings.IndexByte(s, ':')
	if i < 0 || !isRepoName(s[:i]) {
		return "", s
	}
	return s[:i], s[i+1:]
}

// isRepoName reports whether s reads as OWNER/REPO (or GROUP/SUB/PROJECT).
func isRepoName(s string) bool {
	segs := strings.Split(s, "/")
	if len(segs) < 2 {
		return false
	}
	for _, seg := range segs {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				return false
			}
		}
	}
	return true
}

// QualifyPath is the object a policy is asked about for path, a file of
// repository repo (OWNER/REPO): "repo:path". A policy whose Options.Repo
// is repo reads it as its own file, exactly as the bare path. Pass "" as
// repo for a file of the policy's own repository when its name is unknown;
// a path holding ":" is then returned as it is.
func QualifyPath(repo, path string) string {
	if repo == "" {
		return path
	}
	return repo + ":" + path
}

// canonPath is the form a paths request is matched in: "repo:path", the
// repository lower-cased and "" for the policy's own repository (home).
// The first ":" always separates the two, so a bare path holding ":" can
// never be read as another repository's.
func canonPath(home, s string) string {
	repo, path := splitRepoPath(s)
	if home != "" && strings.EqualFold(repo, home) {
		repo = ""
	}
	return strings.ToLower(repo) + ":" + path
}
