package notify

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Secrets are the values that $name references in service configuration
// resolve to: the argocd-notifications-secret.
type Secrets map[string]string

// LoadSecrets reads path: a Secret manifest (data in base64, stringData
// plain) or a directory with one file per key. An empty path gives no
// secrets. Values never appear in errors.
func LoadSecrets(path string) (Secrets, error) {
	if path == "" {
		return Secrets{}, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("notifications secret: %w", err)
	}
	if info.IsDir() {
		return secretsFromDir(path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("notifications secret: %w", err)
	}
	return ParseSecret(data)
}

// ParseSecret reads a Secret manifest.
func ParseSecret(manifest []byte) (Secrets, error) {
	var sec struct {
		Kind       string            `json:"kind"`
		Data       map[string]string `json:"data"`
		StringData map[string]string `json:"stringData"`
	}
	if err := yaml.Unmarshal(manifest, &sec); err != nil {
		return nil, fmt.Errorf("notifications secret: not a Secret manifest (the YAML does not parse)")
	}
	if sec.Kind != "Secret" {
		return nil, fmt.Errorf("notifications secret: kind is %q, want Secret", sec.Kind)
	}
	out := Secrets{}
	for k, v := range sec.Data {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("notifications secret: data.%s is not base64", k)
		}
		out[k] = string(b)
	}
	for k, v := range sec.StringData {
		out[k] = v
	}
	return out, nil
}

func secretsFromDir(dir string) (Secrets, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("notifications secret: %w", err)
	}
	out := Secrets{}
	for _, e := range entries {
		// Kubernetes volume mounts add ..data and dot-named links.
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("notifications secret: %w", err)
		}
		out[e.Name()] = strings.TrimRight(string(b), "\r\n")
	}
	return out, nil
}

// secretRef is Argo CD's $name reference.
var secretRef = regexp.MustCompile(`\$[\w-]+`)

// resolve replaces the $name references in s. A reference to a key the
// secret lacks is an error naming the key.
func (s Secrets) resolve(v string) (string, error) {
	var missing []string
	out := secretRef.ReplaceAllStringFunc(v, func(ref string) string {
		val, ok := s[ref[1:]]
		if !ok {
			missing = append(missing, ref)
			return ref
		}
		return val
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("%s not in the notifications secret", strings.Join(missing, ", "))
	}
	return out, nil
}

// resolveAll replaces references in every string of a decoded YAML value.
func (s Secrets) resolveAll(v any) (any, error) {
	switch t := v.(type) {
	case string:
		return s.resolve(t)
	case map[string]any:
		for k, e := range t {
			r, err := s.resolveAll(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			t[k] = r
		}
	case []any:
		for i, e := range t {
			r, err := s.resolveAll(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			t[i] = r
		}
	}
	return v, nil
}

// redactor replaces secret values in text that may reach a log or an error.
type redactor struct{ values []string }

func newRedactor(s Secrets) redactor {
	var vals []string
	for _, v := range s {
		if len(v) >= 4 {
			vals = append(vals, v)
		}
	}
	// Longest first, so that a value containing another is hidden whole.
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	return redactor{values: vals}
}

func (r redactor) text(s string) string {
	for _, v := range r.values {
		s = strings.ReplaceAll(s, v, "***")
	}
	return s
}

// err returns err with secret values replaced, or nil.
func (r redactor) err(err error) error {
	if err == nil {
		return nil
	}
	return redactedError{msg: r.text(err.Error()), retry: isRetryable(err)}
}

// redactedError keeps whether retrying can help across redaction.
type redactedError struct {
	msg   string
	retry bool
}

func (e redactedError) Error() string   { return e.msg }
func (e redactedError) Retryable() bool { return e.retry }
