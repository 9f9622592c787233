package sopsage

import (
	"crypto/sha256"
	"errors"
	"sync"
)

// maxCachedDecryptions bounds the decryption cache; past it the cache
// starts over.
const maxCachedDecryptions = 4096

// cache remembers decryptions by the ciphertext's hash: an app rendered for
// many clusters decrypts each file once.
type cache struct {
	mu sync.Mutex
	m  map[[32]byte]*decrypted
}

// Decrypt returns the plaintext of a SOPS file and the values that were
// encrypted in it (the file's secrets), or ok false when data is not a
// SOPS file (no `sops` metadata block, no dotenv sops_ keys). A SOPS file
// that does not decrypt is an error saying why (no age key configured, no
// matching key, MAC mismatch) that never quotes the file; its ciphertext is
// never returned. A nil *Keys has no key. Decryptions are cached by the
// file's hash.
func (k *Keys) Decrypt(data []byte) (plain []byte, secrets []string, ok bool, err error) {
	format, looks := detectSOPS(data)
	if !looks {
		return nil, nil, false, nil
	}
	dec, err := k.decryptCached(format, data)
	if errors.Is(err, errNotSOPS) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, true, err
	}
	return dec.plain, dec.values, true, nil
}

// LooksEncrypted reports whether data looks like a SOPS file, without
// decrypting it.
func LooksEncrypted(data []byte) bool {
	_, ok := detectSOPS(data)
	return ok
}

func (k *Keys) decryptCached(format sopsFormat, data []byte) (*decrypted, error) {
	if k == nil {
		return k.decryptSOPS(format, data)
	}
	sum := sha256.Sum256(data)
	k.cache.mu.Lock()
	dec, ok := k.cache.m[sum]
	k.cache.mu.Unlock()
	if ok {
		return dec, nil
	}
	dec, err := k.decryptSOPS(format, data)
	if err != nil {
		return nil, err
	}
	k.cache.mu.Lock()
	if k.cache.m == nil || len(k.cache.m) >= maxCachedDecryptions {
		k.cache.m = map[[32]byte]*decrypted{}
	}
	k.cache.m[sum] = dec
	k.cache.mu.Unlock()
	return dec, nil
}
