// Package sopsfixture encrypts test files as `sops --encrypt --age` does,
// with the SOPS libraries and no sops binary, so that tests make their own
// encrypted fixtures for keys they generate.
package sopsfixture

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/stores/dotenv"
	sopsjson "github.com/getsops/sops/v3/stores/json"
	sopsyaml "github.com/getsops/sops/v3/stores/yaml"
)

// Options tune an encryption. The zero value encrypts every value except
// those whose key ends in _unencrypted, as sops does by default.
type Options struct {
	// EncryptedRegex, when set, encrypts only the values whose key matches
	// it (sops' --encrypted-regex, "^(data|stringData)$").
	EncryptedRegex string
}

type store interface {
	LoadPlainFile([]byte) (sops.TreeBranches, error)
	EmitEncryptedFile(sops.Tree) ([]byte, error)
}

func storeFor(format string) (store, error) {
	switch format {
	case "yaml":
		return sopsyaml.NewStore(&config.YAMLStoreConfig{}), nil
	case "json":
		return sopsjson.NewStore(&config.JSONStoreConfig{}), nil
	case "dotenv":
		return dotenv.NewStore(&config.DotenvStoreConfig{}), nil
	}
	return nil, fmt.Errorf("sops format %q: want yaml, json or dotenv", format)
}

// Encrypt encrypts plain (format "yaml", "json" or "dotenv") for the age
// recipient.
func Encrypt(format string, plain []byte, recipient string, opts Options) ([]byte, error) {
	st, err := storeFor(format)
	if err != nil {
		return nil, err
	}
	branches, err := st.LoadPlainFile(plain)
	if err != nil {
		return nil, fmt.Errorf("read plaintext: %w", err)
	}
	mk, err := sopsage.MasterKeyFromRecipient(recipient)
	if err != nil {
		return nil, err
	}
	dataKey := make([]byte, 32)
	if _, err := rand.Read(dataKey); err != nil {
		return nil, err
	}
	if err := mk.Encrypt(dataKey); err != nil {
		return nil, err
	}
	md := sops.Metadata{KeyGroups: []sops.KeyGroup{{mk}}, Version: "3.13.3",
		LastModified: time.Now().UTC().Truncate(time.Second)}
	if opts.EncryptedRegex != "" {
		md.EncryptedRegex = opts.EncryptedRegex
	} else {
		md.UnencryptedSuffix = sops.DefaultUnencryptedSuffix
	}
	tree := sops.Tree{Branches: branches, Metadata: md}
	cipher := aes.NewCipher()
	mac, err := tree.Encrypt(dataKey, cipher)
	if err != nil {
		return nil, err
	}
	tree.Metadata.MessageAuthenticationCode, err = cipher.Encrypt(mac, dataKey, md.LastModified.Format(time.RFC3339))
	if err != nil {
		return nil, err
	}
	return st.EmitEncryptedFile(tree)
}
