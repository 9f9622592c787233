package planner

import "strings"

// pathspecMatch reports whether a repository file matches a pathspec as
// `git ls-files -- PATTERN` matches it (no pathspec magic, case
// sensitive): the pattern names the file itself or a directory above it
// ("some-path" matches "some-path/a/b.yaml"), or, when it holds a wildcard,
// matches the whole path with wildmatch where "*" and "?" also match "/"
// ("some-path/*.yaml" matches "some-path/staging/config.yaml"). This is
// Argo CD's default git files generator matching.
func pathspecMatch(pattern, name string) bool {
	if pattern == "" || pattern == "." {
		return true
	}
	if strings.HasPrefix(name, pattern) {
		if len(name) == len(pattern) || pattern[len(pattern)-1] == '/' || name[len(pattern)] == '/' {
			return true
		}
	}
	return strings.ContainsAny(pattern, `*?[\`) && wildmatch(pattern, name)
}

// wildmatch matches text against a shell glob as git's wildmatch does
// without WM_PATHNAME: "*" matches any run of bytes, "/" included; "?" any
// one byte; "[...]" a byte in a set (ranges, "!" or "^" to negate, POSIX
// classes such as "[:digit:]"); "\" quotes the next byte. A malformed
// bracket matches nothing.
func wildmatch(pattern, text string) bool {
	p, t := 0, 0
	starP, starT := -1, -1
	for t < len(text) {
		if p < len(pattern) {
			switch c := pattern[p]; c {
			case '*':
				for p < len(pattern) && pattern[p] == '*' {
					p++
				}
				if p == len(pattern) {
					return true
				}
				starP, starT = p, t
				continue
			case '?':
				p, t = p+1, t+1
				continue
			case '[':
				if next, ok, valid := matchBracket(pattern, p, text[t]); valid && ok {
					p, t = next, t+1
					continue
				} else if !valid {
					return false
				}
			case '\\':
				if p+1 < len(pattern) && pattern[p+1] == text[t] {
					p, t = p+2, t+1
					continue
				}
			default:
				if c == text[t] {
					p, t = p+1, t+1
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starT++
		p, t = starP, starT
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// matchBracket matches c against the bracket expression starting at
// pattern[open] == '['. It returns the index after the closing ']', whether
// c is in the set, and whether the expression is well formed.
func matchBracket(pattern string, open int, c byte) (next int, ok, valid bool) {
	i := open + 1
	negate := false
	if i < len(pattern) && (pattern[i] == '!' || pattern[i] == '^') {
		negate, i = true, i+1
	}
	matched := false
	for first := true; i < len(pattern); first = false {
		ch := pattern[i]
		switch {
		case ch == ']' && !first:
			return i + 1, matched != negate, true
		case ch == '[' && i+1 < len(pattern) && pattern[i+1] == ':':
			end := strings.Index(pattern[i+2:], ":]")
			if end < 0 {
				return 0, false, false
			}
			class := pattern[i+2 : i+2+end]
			in, known := inCharClass(class, c)
			if !known {
				return 0, false, false
			}
			matched = matched || in
			i += 2 + end + 2
			continue
		case ch == '\\':
			if i++; i >= len(pattern) {
				return 0, false, false
			}
			ch = pattern[i]
		}
		lo, hi := ch, ch
		if i+2 < len(pattern) && pattern[i+1] == '-' && pattern[i+2] != ']' {
			hi = pattern[i+2]
			if hi == '\\' && i+3 < len(pattern) {
				hi = pattern[i+3]
				i++
			}
			i += 2
		}
		matched = matched || (lo <= c && c <= hi)
		i++
	}
	return 0, false, false
}

// inCharClass reports whether c is in the POSIX class name, and whether
// the class is known.
func inCharClass(name string, c byte) (in, known bool) {
	isUpper, isLower, isDigit := 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9'
	isAlpha := isUpper || isLower
	isPrint := c >= 0x20 && c < 0x7f
	switch name {
	case "alnum":
		return isAlpha || isDigit, true
	case "alpha":
		return isAlpha, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7f, true
	case "digit":
		return isDigit, true
	case "graph":
		return isPrint && c != ' ', true
	case "lower":
		return isLower, true
	case "print":
		return isPrint, true
	case "punct":
		return isPrint && c != ' ' && !isAlpha && !isDigit, true
	case "space":
		return c == ' ' || ('\t' <= c && c <= '\r'), true
	case "upper":
		return isUpper, true
	case "xdigit":
		return isDigit || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F'), true
	}
	return false, false
}
