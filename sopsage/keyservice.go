package sopsage

import (
	"context"
	"errors"

	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/keyservice"
	"google.golang.org/grpc"
)

// ageKeyService is a local SOPS key service that decrypts data keys with
// the operator's age identities and nothing else: no key from the
// environment, the home directory or an SSH key, and no cloud KMS.
type ageKeyService struct {
	ids sopsage.ParsedIdentities
}

// newAgeKeyService returns the key services GetDataKeyWithKeyServices
// asks: only gitwave's own.
func newAgeKeyService(ids sopsage.ParsedIdentities) []keyservice.KeyServiceClient {
	return []keyservice.KeyServiceClient{ageKeyService{ids: ids}}
}

var errOnlyAge = errors.New("gitwave decrypts SOPS data keys with age identities only")

// Decrypt opens an age-encrypted data key. With no identity it fails
// rather than let the age key source look for keys on its own.
func (s ageKeyService) Decrypt(_ context.Context, req *keyservice.DecryptRequest, _ ...grpc.CallOption) (*keyservice.DecryptResponse, error) {
	ak := req.GetKey().GetAgeKey()
	if ak == nil || len(s.ids) == 0 {
		return nil, errOnlyAge
	}
	mk := &sopsage.MasterKey{Recipient: ak.GetRecipient(), EncryptedKey: string(req.GetCiphertext())}
	s.ids.ApplyToMasterKey(mk)
	plain, err := mk.Decrypt()
	if err != nil {
		return nil, err
	}
	return &keyservice.DecryptResponse{Plaintext: plain}, nil
}

// Encrypt is not offered: gitwave never encrypts.
func (ageKeyService) Encrypt(context.Context, *keyservice.EncryptRequest, ...grpc.CallOption) (*keyservice.EncryptResponse, error) {
	return nil, errors.New("gitwave does not encrypt SOPS files")
}
