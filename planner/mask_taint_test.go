package planner

import (
	"encoding/base64"
	"errors"
	"io/fs"
	"testing"
)

// TestSecretValuesRedact checks what counts as carrying a decrypted value:
// a long value anywhere (and its base64), a short one only as a whole
// string; and that a masked error keeps its classification.
func TestSecretValuesRedact(t *testing.T) {
	s := &SecretValues{}
	s.add("pa55word-xyz", "42")
	tests := []struct{ in, want string }{
		{"pa55word-xyz", MaskUnchanged},
		{"dsn=postgres://u:pa55word-xyz@db", "dsn=postgres://u:" + MaskUnchanged + "@db"},
		{base64.StdEncoding.EncodeToString([]byte("pa55word-xyz")), MaskUnchanged},
		{"42", MaskUnchanged},
		{"port 4242", "port 4242"},
		{"nothing here", "nothing here"},
	}
	for _, tt := range tests {
		if got := s.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	inner := &fs.PathError{Op: "apply", Path: "x", Err: errors.New(`Invalid value: "pa55word-xyz"`)}
	err := s.RedactError(inner)
	if err.Error() != `apply x: Invalid value: "`+MaskUnchanged+`"` {
		t.Errorf("RedactError message %q", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Errorf("the masked error lost its type")
	}
	if got := (*SecretValues)(nil).Redact("pa55word-xyz"); got != "pa55word-xyz" {
		t.Errorf("a nil set masked %q", got)
	}
}
