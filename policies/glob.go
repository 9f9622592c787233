package policies

import (
	"strings"
	"unicode/utf8"
)

// objectPattern is a compiled object pattern from the fifth field of a p line.
// It is matched by hand, never compiled into a regular expression, so that user
// text cannot change how matching works or how long it takes.
type objectPattern struct {
	raw  string
	kind patternKind
	// lit is the whole pattern for matchExact, and the directory with a
	// trailing slash for matchUnder.
	lit string
	// segs holds the pattern split at "/" for matchPath.
	segs []string
	// repoScoped is true for a paths pattern: it matches only requests of
	// repo ("" for the policy's own repository), unless anyRepo.
	repoScoped bool
	repo       string
	anyRepo    bool
}

type patternKind uint8

const (
	matchAll   patternKind = iota // "*" or "**": every object
	matchExact                    // no wildcard
	matchUnder                    // "dir/**": dir itself and everything below it (paths)
	matchPath                     // path glob: "*" and "?" within a segment, "**" across segments
	matchFlat                     // Argo CD glob: "*" and "?" cross "/"
)

// compileObject compiles pattern for the given resource. Paths use path
// semantics (see compilePathObject); every other resource uses Argo CD's
// flat glob, where "*" also matches "/". The pattern must have passed
// checkObject.
func compileObject(res resource, pattern string) objectPattern {
	if res == resourcePaths {
		return compilePathObject("", pattern)
	}
	return compileGlob(res, pattern)
}

// compilePathObject compiles a paths pattern, bare or "OWNER/REPO:GLOB";
// one qualified with home, the policy's own repository, is bare. "*"
// alone, as in role:admin's line, matches every path of every repository.
// Such a pattern matches requests in canonPath form.
func compilePathObject(home, pattern string) objectPattern {
	if pattern == "*" {
		return objectPattern{raw: pattern, kind: matchAll, repoScoped: true, anyRepo: true}
	}
	repo, glob := splitRepoPath(pattern)
	if home != "" && strings.EqualFold(repo, home) {
		repo = ""
	}
	op := compileGlob(resourcePaths, glob)
	op.raw, op.repoScoped, op.repo = pattern, true, strings.ToLower(repo)
	return op
}

// compileGlob compiles a pattern without a repository.
func compileGlob(res resource, pattern string) objectPattern {
	op := objectPattern{raw: pattern}
	switch {
	case pattern == "*" || pattern == "**":
		op.kind = matchAll
	case !strings.ContainsAny(pattern, "*?"):
		op.kind, op.lit = matchExact, pattern
	case res != resourcePaths:
		op.kind = matchFlat
	case strings.HasSuffix(pattern, "/**") && !strings.ContainsAny(pattern[:len(pattern)-3], "*?"):
		op.kind, op.lit = matchUnder, pattern[:len(pattern)-2]
	default:
		op.kind, op.segs = matchPath, strings.Split(pattern, "/")
	}
	return op
}

// match reports whether object matches the pattern.
func (op *objectPattern) match(object string) bool {
	if op.repoScoped && !op.anyRepo {
		repo, path, ok := strings.Cut(object, ":")
		if !ok {
			repo, path = "", object
		}
		if repo != op.repo {
			return false
		}
		object = path
	}
	switch op.kind {
	case matchAll:
		return true
	case matchExact:
		return object == op.lit
	case matchUnder:
		return strings.HasPrefix(object, op.lit) || object == op.lit[:len(op.lit)-1]
	case matchPath:
		return matchSegments(op.segs, object)
	case matchFlat:
		return matchWild(op.raw, object)
	}
	return false
}

// matchWild matches s against a pattern where "*" matches any run of bytes and
// "?" matches one character. It backtracks only to the last "*", so it runs in
// O(len(pattern)*len(s)) at worst.
func matchWild(p, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[sx:])
				px++
				sx += n
				continue
			default:
				if c == s[sx] {
					px++
					sx++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		px, sx = starP+1, starS
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// matchSegments matches a slash-separated path against pattern segments. A
// segment "**" matches zero or more whole path segments; any other segment is
// matched with matchWild against exactly one path segment, so "*" never
// crosses "/". Like matchWild it backtracks only to the last "**".
func matchSegments(segs []string, path string) bool {
	pi, po := 0, 0
	starPi, starPo := -1, 0
	for po <= len(path) {
		if pi < len(segs) {
			if segs[pi] == "**" {
				starPi, starPo = pi, po
				pi++
				continue
			}
			seg, next := pathSegment(path, po)
			if matchWild(segs[pi], seg) {
				pi, po = pi+1, next
				continue
			}
		}
		if starPi < 0 {
			return false
		}
		_, starPo = pathSegment(path, starPo)
		pi, po = starPi+1, starPo
	}
	for pi < len(segs) && segs[pi] == "**" {
		pi++
	}
	return pi == len(segs)
}

// pathSegment returns the segment of path starting at offset and the offset of
// the next segment, which is len(path)+1 after the last one.
func pathSegment(path string, offset int) (string, int) {
	end := strings.IndexByte(path[offset:], '/')
	if end < 0 {
		return path[offset:], len(path) + 1
	}
	return path[offset : offset+end], offset + end + 1
}
