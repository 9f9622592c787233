package planner

import (
	"encoding/base64"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// minRedactLen is the shortest decrypted value masked wherever it occurs
// inside a longer string. A shorter one ("1", "on") is masked only where a
// whole string equals it: hiding every "on" in a manifest would hide
// everything and protect nothing.
const minRedactLen = 4

// SecretValues are the plaintext strings that came out of SOPS files
// while rendering one app: whatever a template or a generator does with
// them, and wherever they land (a Secret, a ConfigMap, an env var, an
// annotation), they are secrets. Every output masks them. A nil
// *SecretValues holds nothing. It is safe for concurrent use.
type SecretValues struct {
	mu   sync.Mutex
	vals map[string]bool
	repl *strings.Replacer // built on first use after a change
}

// add records decrypted values, with their base64 form (Helm's b64enc,
// Kustomize's generated data) when long enough.
func (s *SecretValues) add(vals ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vals == nil {
		s.vals = map[string]bool{}
	}
	for _, v := range vals {
		if v == "" {
			continue
		}
		s.vals[v] = true
		if len(v) >= minRedactLen {
			s.vals[base64.StdEncoding.EncodeToString([]byte(v))] = true
		}
	}
	s.repl = nil
}

// addAll records every value of other.
func (s *SecretValues) addAll(other *SecretValues) {
	if other == nil || other == s {
		return
	}
	other.mu.Lock()
	vals := make([]string, 0, len(other.vals))
	for v := range other.vals {
		vals = append(vals, v)
	}
	other.mu.Unlock()
	s.add(vals...)
}

// Empty reports whether no value was recorded.
func (s *SecretValues) Empty() bool {
	if s == nil {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.vals) == 0
}

// replacer returns a replacer of every long value by the mask, longest
// first so that a value inside another never leaves a piece behind.
func (s *SecretValues) replacer() (*strings.Replacer, map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repl == nil {
		var long []string
		for v := range s.vals {
			if len(v) >= minRedactLen {
				long = append(long, v)
			}
		}
		slices.SortFunc(long, func(a, b string) int { return len(b) - len(a) })
		pairs := make([]string, 0, 2*len(long))
		for _, v := range long {
			pairs = append(pairs, v, MaskUnchanged)
		}
		s.repl = strings.NewReplacer(pairs...)
	}
	return s.repl, s.vals
}

// Redact returns text with every decrypted value in it masked: the whole
// text when it equals a value, else every occurrence of a long value.
func (s *SecretValues) Redact(text string) string {
	if s.Empty() {
		return text
	}
	repl, vals := s.replacer()
	if vals[text] {
		return MaskUnchanged
	}
	return repl.Replace(text)
}

// Holds reports whether text carries a decrypted value.
func (s *SecretValues) Holds(text string) bool {
	return !s.Empty() && s.Redact(text) != text
}

// RedactError returns err, or an error with the same message masked when
// the message carries a decrypted value (a template's fail, a YAML error
// quoting a line, an API server's "Invalid value"). The masked error
// unwraps to the original so that callers can still classify it
// (apierrors.IsInvalid); print only its Error().
func (s *SecretValues) RedactError(err error) error {
	if err == nil || !s.Holds(err.Error()) {
		return err
	}
	return &redactedError{msg: s.Redact(err.Error()), err: err}
}

// redactedError is an error whose message has decrypted values masked.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// MaskDecrypted returns copies of a pair of objects (either may be nil) in
// which every string holding a decrypted value is masked. A string that
// differs between the two sides is masked whole on both, the "after" side
// as changed, since the other side may hold an older value that s does
// not know: a diff shows that the value changed, never what it was or is.
// Map keys are left as they are. With an empty s the objects are returned
// as they are.
func MaskDecrypted(before, after *unstructured.Unstructured, s *SecretValues) (*unstructured.Unstructured, *unstructured.Unstructured) {
	if s.Empty() {
		return before, after
	}
	var b, a any
	if before != nil {
		b = before.Object
	}
	if after != nil {
		a = after.Object
	}
	mb, ma := s.maskPair(b, a, before != nil, after != nil)
	return asObject(mb, before), asObject(ma, after)
}

func asObject(v any, orig *unstructured.Unstructured) *unstructured.Unstructured {
	if orig == nil {
		return nil
	}
	m, _ := v.(map[string]any)
	return &unstructured.Unstructured{Object: m}
}

// maskPair masks two values found at the same path; hasB and hasA say
// whether each side has a value there. It copies what it changes.
func (s *SecretValues) maskPair(b, a any, hasB, hasA bool) (any, any) {
	bm, bIsMap := b.(map[string]any)
	am, aIsMap := a.(map[string]any)
	if (bIsMap || !hasB) && (aIsMap || !hasA) && (bIsMap || aIsMap) {
		return s.maskMaps(bm, am, hasB, hasA)
	}
	bl, bIsList := b.([]any)
	al, aIsList := a.([]any)
	if (bIsList || !hasB) && (aIsList || !hasA) && (bIsList || aIsList) {
		return s.maskLists(bl, al, hasB, hasA)
	}
	if bIsMap || bIsList || aIsMap || aIsList {
		// Different shapes at one path: each side on its own.
		nb, _ := s.maskPair(b, nil, hasB, false)
		_, na := s.maskPair(nil, a, false, hasA)
		return nb, na
	}
	return s.maskLeaf(b, a, hasB, hasA)
}

func (s *SecretValues) maskMaps(bm, am map[string]any, hasB, hasA bool) (any, any) {
	var nb, na map[string]any
	if hasB {
		nb = make(map[string]any, len(bm))
	}
	if hasA {
		na = make(map[string]any, len(am))
	}
	for k, av := range am {
		bv, inB := bm[k]
		x, y := s.maskPair(bv, av, inB, true)
		if inB {
			nb[k] = x
		}
		na[k] = y
	}
	for k, bv := range bm {
		if _, inA := am[k]; !inA {
			nb[k], _ = s.maskPair(bv, nil, true, false)
		}
	}
	return mapOrNil(nb, hasB), mapOrNil(na, hasA)
}

func mapOrNil(m map[string]any, has bool) any {
	if !has {
		return nil
	}
	return m
}

func (s *SecretValues) maskLists(bl, al []any, hasB, hasA bool) (any, any) {
	var nb, na []any
	if hasB {
		nb = make([]any, len(bl))
	}
	if hasA {
		na = make([]any, len(al))
	}
	for i := range max(len(bl), len(al)) {
		inB, inA := i < len(bl), i < len(al)
		var bv, av any
		if inB {
			bv = bl[i]
		}
		if inA {
			av = al[i]
		}
		x, y := s.maskPair(bv, av, inB, inA)
		if inB {
			nb[i] = x
		}
		if inA {
			na[i] = y
		}
	}
	var rb, ra any
	if hasB {
		rb = nb
	}
	if hasA {
		ra = na
	}
	return rb, ra
}

// maskLeaf masks two scalars at one path.
func (s *SecretValues) maskLeaf(b, a any, hasB, hasA bool) (any, any) {
	bs, bIsStr := b.(string)
	as, aIsStr := a.(string)
	bHolds := hasB && bIsStr && s.Holds(bs)
	aHolds := hasA && aIsStr && s.Holds(as)
	if !bHolds && !aHolds {
		return b, a
	}
	if hasB && hasA && bs != as {
		return MaskUnchanged, MaskChanged
	}
	if bHolds {
		b = s.Redact(bs)
	}
	if aHolds {
		a = s.Redact(as)
	}
	return b, a
}

// MaskObject returns o's manifest as every output shows it: Secret values
// masked, and every decrypted value the render recorded.
func MaskObject(o *Object) *unstructured.Unstructured {
	_, m := MaskSecrets(nil, o.Manifest)
	_, m = MaskDecrypted(nil, m, o.Secrets)
	return m
}

// secretsOf joins the decrypted values of every object of a diff: the base
// revision's render knows the values the new one replaced.
func secretsOf(lists ...[]*Object) *SecretValues {
	var sets []*SecretValues
	for _, l := range lists {
		for _, o := range l {
			if !o.Secrets.Empty() && !slices.Contains(sets, o.Secrets) {
				sets = append(sets, o.Secrets)
			}
		}
	}
	switch len(sets) {
	case 0:
		return nil
	case 1:
		return sets[0]
	}
	out := &SecretValues{}
	for _, s := range sets {
		out.addAll(s)
	}
	return out
}

// markSecrets hands the render's decrypted values to every object it
// rendered; a render that decrypted nothing marks nothing.
func markSecrets(out []Rendered, s *SecretValues) {
	if s.Empty() {
		return
	}
	for i := range out {
		out[i].Secrets = s
	}
}

// redactRenderError masks decrypted values in a failed render's message.
func redactRenderError(re *RenderError, s *SecretValues) {
	re.Err = s.RedactError(re.Err)
}
