package planner

import (
	"bytes"
	"errors"
	"regexp"
)

// Decrypter opens the encrypted files a render reads: SOPS files with the
// operator's age keys (package sopsage). Keys come from the operator,
// never from a repository.
type Decrypter interface {
	// Decrypt returns data's plaintext and the values that were encrypted
	// in it, or ok false when data is not an encrypted file. A file that is
	// encrypted and does not decrypt is an error saying why; it must never
	// quote the file.
	Decrypt(data []byte) (plain []byte, secrets []string, ok bool, err error)
}

// sopsMarkers tell a SOPS file without parsing it: AES-GCM ciphertext and
// the `sops` metadata block (YAML, JSON) or dotenv's sops_mac key.
var (
	sopsCiphertext = []byte("ENC[AES256_GCM,")
	sopsBlock      = regexp.MustCompile(`(?m)^sops:\s*$|"sops"\s*:\s*\{|(?m)^sops_mac=`)
)

// errNoDecrypter fails a SOPS file read by a renderer that was given no
// Decrypter: ciphertext is never rendered.
var errNoDecrypter = errors.New("no age key is configured (sops.ageKeyFile in gitwave.yaml, --sops-age-key-file or SOPS_AGE_KEY_FILE)")

// decrypt decrypts data with dec; with no Decrypter, a file that looks
// like SOPS fails.
func decrypt(dec Decrypter, data []byte) ([]byte, []string, bool, error) {
	if dec != nil {
		return dec.Decrypt(data)
	}
	if bytes.Contains(data, sopsCiphertext) && sopsBlock.Match(data) {
		return nil, nil, true, errNoDecrypter
	}
	return nil, nil, false, nil
}
