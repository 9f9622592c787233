package policies

import "strings"

// foldName returns the canonical form of a login, group or role name: ASCII
// lower case. It reports false for a name that can never match a rule: an
// empty name, or one holding non-ASCII, control or space characters. Rejecting
// non-ASCII outright, instead of folding it, is what keeps a homoglyph login
// such as "аlice" (Cyrillic а) from ever matching the rule for "alice".
func foldName(name string) (string, bool) {
	if name == "" {
		return "", false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f {
			return "", false
		}
	}
	return strings.ToLower(name), true
}
