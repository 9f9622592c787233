// Package sopsage decrypts SOPS files (YAML, JSON, dotenv) with age keys
// that the operator gives gitwave, in-process: the SOPS tree, AES cipher,
// stores and age key source, behind a local key service that knows only
// those keys. The planner reads it through its Decrypter seam.
package sopsage

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"filippo.io/age"
	gosops "github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/config"
	sopslogging "github.com/getsops/sops/v3/logging"
	"github.com/getsops/sops/v3/stores/dotenv"
	sopsjson "github.com/getsops/sops/v3/stores/json"
	sopsyaml "github.com/getsops/sops/v3/stores/yaml"
	"github.com/sirupsen/logrus"
)

func init() {
	// SOPS logs through logrus at warn level, some lines quoting file
	// content; gitwave reports every failure as an error of its own.
	sopslogging.SetLevel(logrus.ErrorLevel)
}

// Keys are the age identities the operator gives gitwave to decrypt
// SOPS files: from gitwave.yaml's sops.ageKeyFile, the
// --sops-age-key-file flag or SOPS_AGE_KEY_FILE, never from a repository.
// A nil *Keys holds no key: every SOPS file then fails to decrypt.
type Keys struct {
	ids   sopsage.ParsedIdentities
	cache cache
	// Source names where the keys were read, for messages.
	Source string
}

// LoadKeys reads an age key file: one AGE-SECRET-KEY-1… line per key,
// blank lines and # comments ignored, as age-keygen writes it.
func LoadKeys(path string) (*Keys, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read SOPS age key file: %w", err)
	}
	k, err := ParseKeys("age key file "+path, data)
	if err != nil {
		return nil, fmt.Errorf("SOPS age key file %s: %w", path, err)
	}
	return k, nil
}

// ParseKeys parses age identities; source names them in messages.
func ParseKeys(source string, data []byte) (*Keys, error) {
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		// age's message never quotes the key material.
		return nil, fmt.Errorf("parse age identities: %w", err)
	}
	return &Keys{ids: sopsage.ParsedIdentities(ids), Source: source}, nil
}

// sopsFormat is the store a SOPS file is read with.
type sopsFormat int

const (
	sopsYAML sopsFormat = iota
	sopsJSON
	sopsDotenv
)

var (
	sopsCiphertext = []byte("ENC[AES256_GCM,")
	sopsYAMLBlock  = regexp.MustCompile(`(?m)^sops:\s*$`)
	sopsJSONBlock  = regexp.MustCompile(`"sops"\s*:\s*\{`)
	sopsDotenvMAC  = regexp.MustCompile(`(?m)^sops_mac=`)
)

// detectSOPS reports whether data looks like a SOPS file and in which
// format: the `sops` metadata block of YAML and JSON, or dotenv's sops_
// keys, next to AES-GCM ciphertext (the MAC always is). The store then
// confirms it; a file that only mentions these words stays plain.
func detectSOPS(data []byte) (sopsFormat, bool) {
	if !bytes.Contains(data, sopsCiphertext) {
		return 0, false
	}
	switch {
	case sopsDotenvMAC.Match(data):
		return sopsDotenv, true
	case bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) && sopsJSONBlock.Match(data):
		return sopsJSON, true
	case sopsYAMLBlock.Match(data):
		return sopsYAML, true
	}
	return 0, false
}

// sopsStore is what gitwave needs of a SOPS store.
type sopsStore interface {
	LoadEncryptedFile(in []byte) (gosops.Tree, error)
	EmitPlainFile(in gosops.TreeBranches) ([]byte, error)
}

func storeFor(f sopsFormat) sopsStore {
	switch f {
	case sopsJSON:
		return sopsjson.NewStore(&config.JSONStoreConfig{})
	case sopsDotenv:
		return dotenv.NewStore(&config.DotenvStoreConfig{})
	}
	return sopsyaml.NewStore(&config.YAMLStoreConfig{})
}

// errNotSOPS says a file that looked like SOPS has no metadata block.
var errNotSOPS = errors.New("not a SOPS file")

// decrypted is a SOPS file's plaintext and the values that were encrypted
// in it.
type decrypted struct {
	plain  []byte
	values []string
}

// decryptSOPS decrypts one SOPS file with k's age identities and checks its
// MAC. It never returns ciphertext: any failure is an error saying why,
// never quoting the file's content.
func (k *Keys) decryptSOPS(f sopsFormat, data []byte) (*decrypted, error) {
	store := storeFor(f)
	tree, err := store.LoadEncryptedFile(data)
	if errors.Is(err, gosops.MetadataNotFound) {
		return nil, errNotSOPS
	}
	if err != nil {
		return nil, fmt.Errorf("read SOPS file: %w", err)
	}
	dataKey, err := k.dataKey(&tree.Metadata)
	if err != nil {
		return nil, err
	}
	before := treeLeaves(tree.Branches)
	cipher := aes.NewCipher()
	mac, err := tree.Decrypt(dataKey, cipher)
	if err != nil {
		return nil, fmt.Errorf("a value does not decrypt with the file's data key (the file was changed after it was encrypted)")
	}
	want, err := cipher.Decrypt(tree.Metadata.MessageAuthenticationCode, dataKey, tree.Metadata.LastModified.Format(time.RFC3339))
	if err != nil || want != mac {
		return nil, errors.New("MAC mismatch: the file was changed after it was encrypted")
	}
	plain, err := store.EmitPlainFile(tree.Branches)
	if err != nil {
		return nil, fmt.Errorf("write decrypted SOPS file: %w", err)
	}
	return &decrypted{plain: plain, values: encryptedValues(before, treeLeaves(tree.Branches))}, nil
}

// dataKey recovers the file's data key through gitwave's local key
// service, which knows only the operator's age identities.
func (k *Keys) dataKey(md *gosops.Metadata) ([]byte, error) {
	recipients := ageRecipients(md)
	if len(recipients) == 0 {
		return nil, errors.New("the file has no age recipient; gitwave decrypts with age keys only")
	}
	if k == nil || len(k.ids) == 0 {
		return nil, fmt.Errorf("no age key is configured (sops.ageKeyFile in gitwave.yaml, --sops-age-key-file or SOPS_AGE_KEY_FILE); the file is encrypted for %s", strings.Join(recipients, ", "))
	}
	key, err := md.GetDataKeyWithKeyServices(newAgeKeyService(k.ids), []string{sopsage.KeyTypeIdentifier})
	if err != nil {
		return nil, fmt.Errorf("no matching key: none of the age keys in %s opens it; the file is encrypted for %s", k.Source, strings.Join(recipients, ", "))
	}
	return key, nil
}

// ageRecipients lists the age public keys a file's data key is encrypted
// for.
func ageRecipients(md *gosops.Metadata) []string {
	var out []string
	for _, g := range md.KeyGroups {
		for _, mk := range g {
			if a, ok := mk.(*sopsage.MasterKey); ok {
				out = append(out, a.Recipient)
			}
		}
	}
	return out
}

// treeLeaves lists a tree's leaf values (comments left out) in walk order;
// decrypting keeps the shape, so two walks pair up leaf by leaf. In a
// document that is a Kubernetes object, apiVersion, kind, metadata and
// type are left out: they name the object, which every output shows
// anyway, and masking every "v1" or "Secret" would hide the whole diff.
func treeLeaves(branches gosops.TreeBranches) []any {
	var out []any
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case gosops.TreeBranch:
			for _, it := range t {
				if _, isComment := it.Key.(gosops.Comment); !isComment {
					walk(it.Value)
				}
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		case gosops.Comment:
		default:
			out = append(out, t)
		}
	}
	for _, b := range branches {
		object := hasKey(b, "apiVersion") && hasKey(b, "kind")
		for _, it := range b {
			if k, _ := it.Key.(string); object && objectIdentityKeys[k] {
				continue
			}
			if _, isComment := it.Key.(gosops.Comment); !isComment {
				walk(it.Value)
			}
		}
	}
	return out
}

// objectIdentityKeys are the top-level fields of a Kubernetes object that
// name it rather than hold its content.
var objectIdentityKeys = map[string]bool{"apiVersion": true, "kind": true, "metadata": true, "type": true}

func hasKey(b gosops.TreeBranch, key string) bool {
	for _, it := range b {
		if it.Key == key {
			return true
		}
	}
	return false
}

// encryptedValues returns the plaintext of every leaf that was ciphertext
// before decryption: the file's secrets. Leaves left in clear (by
// unencrypted_suffix or a regex) were never secret. Booleans are left out:
// masking every "true" would hide everything and protect nothing.
func encryptedValues(before, after []any) []string {
	var out []string
	for i, b := range before {
		s, ok := b.(string)
		if !ok || !strings.HasPrefix(s, "ENC[") || i >= len(after) {
			continue
		}
		switch v := after[i].(type) {
		case bool:
		case string:
			out = append(out, v)
		default:
			out = append(out, fmt.Sprint(v))
		}
	}
	return out
}
