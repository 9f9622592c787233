package github

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gitwave/gitwave/bot"
)

// Webhook headers GitHub sends with every delivery.
const (
	HeaderSignature = "X-Hub-Signature-256"
	HeaderDelivery  = "X-GitHub-Delivery"
	HeaderEvent     = "X-GitHub-Event"
)

// ErrBadSignature is returned by Verify for a missing or wrong signature.
var ErrBadSignature = errors.New("github: webhook signature does not match")

// CheckHeaders refuses a request without X-Hub-Signature-256 in the
// sha256=<hex> form, X-GitHub-Delivery or X-GitHub-Event, before its body is
// read.
func (h *Host) CheckHeaders(hdr http.Header) error {
	sig := hdr.Get(HeaderSignature)
	if sig == "" {
		return fmt.Errorf("%w: no %s header", ErrBadSignature, HeaderSignature)
	}
	if hexSum, ok := strings.CutPrefix(sig, "sha256="); !ok || len(hexSum) != 2*sha256.Size {
		return fmt.Errorf("%w: %s is not sha256=<64 hex digits>", ErrBadSignature, HeaderSignature)
	}
	for _, name := range []string{HeaderDelivery, HeaderEvent} {
		if hdr.Get(name) == "" {
			return fmt.Errorf("github: webhook has no %s header", name)
		}
	}
	return nil
}

// Verify checks X-Hub-Signature-256, the HMAC-SHA256 of body keyed with the
// webhook secret, in constant time, and only then reads the delivery id and
// event name.
func (h *Host) Verify(r *http.Request, body []byte) (bot.Delivery, error) {
	if err := VerifySignature(h.webhookSecret, r.Header.Get(HeaderSignature), body); err != nil {
		return bot.Delivery{}, err
	}
	d := bot.Delivery{
		Host:  h.Name(),
		ID:    r.Header.Get(HeaderDelivery),
		Event: r.Header.Get(HeaderEvent),
		At:    time.Now().UTC(),
	}
	if d.ID == "" {
		return bot.Delivery{}, fmt.Errorf("github: webhook has no %s header", HeaderDelivery)
	}
	if d.Event == "" {
		return bot.Delivery{}, fmt.Errorf("github: webhook %s has no %s header", d.ID, HeaderEvent)
	}
	return d, nil
}

// VerifySignature checks a "sha256=<hex>" signature of body against secret
// in constant time. An empty secret verifies nothing.
func VerifySignature(secret []byte, signature string, body []byte) error {
	if len(secret) == 0 {
		return errors.New("github: no webhook secret configured")
	}
	hexSum, ok := strings.CutPrefix(signature, "sha256=")
	if !ok {
		if signature == "" {
			return fmt.Errorf("%w: no %s header", ErrBadSignature, HeaderSignature)
		}
		return fmt.Errorf("%w: %s is not sha256=<hex>", ErrBadSignature, HeaderSignature)
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return fmt.Errorf("%w: %s is not hex", ErrBadSignature, HeaderSignature)
	}
	if !hmac.Equal(got, Sign(secret, body)) {
		return ErrBadSignature
	}
	return nil
}

// Sign returns the raw HMAC-SHA256 of body keyed with secret, as GitHub
// computes it for X-Hub-Signature-256.
func Sign(secret, body []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return mac.Sum(nil)
}
