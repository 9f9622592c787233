package sopsage

import (
	"fmt"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/gitwave/gitwave/hack/sopsfixture"
)

// BenchmarkSOPSDecryptFile measures what decrypting adds per file (issue
// 15's figure: under 5 ms): one 20-value Secret, data key unwrapped with
// age, values decrypted, MAC checked, plaintext emitted. The decryption
// cache is bypassed.
func BenchmarkSOPSDecryptFile(b *testing.B) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	keys, err := ParseKeys("test key", []byte(id.String()))
	if err != nil {
		b.Fatal(err)
	}
	var doc strings.Builder
	doc.WriteString("apiVersion: v1\nkind: Secret\nmetadata:\n  name: bench\nstringData:\n")
	for i := range 20 {
		fmt.Fprintf(&doc, "  key%d: value-%d-%s\n", i, i, strings.Repeat("x", 32))
	}
	enc, err := sopsfixture.Encrypt("yaml", []byte(doc.String()), id.Recipient().String(), sopsfixture.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := keys.decryptSOPS(sopsYAML, enc); err != nil {
			b.Fatal(err)
		}
	}
}
