package gitlab

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gitwave/gitwave/bot"
)

// Webhook headers GitLab sends with every delivery.
const (
	HeaderToken     = "X-Gitlab-Token"
	HeaderEventUUID = "X-Gitlab-Event-UUID"
	HeaderEvent     = "X-Gitlab-Event"
)

// ErrBadToken is returned by Verify for a missing or wrong secret token.
var ErrBadToken = errors.New("gitlab: webhook secret token does not match")

// CheckHeaders refuses a request without X-Gitlab-Token or X-Gitlab-Event
// before its body is read.
func (h *Host) CheckHeaders(hdr http.Header) error {
	if hdr.Get(HeaderToken) == "" {
		return fmt.Errorf("%w: no %s header", ErrBadToken, HeaderToken)
	}
	if hdr.Get(HeaderEvent) == "" {
		return fmt.Errorf("gitlab: webhook has no %s header", HeaderEvent)
	}
	return nil
}

// Verify compares X-Gitlab-Token with the webhook secret in constant time,
// and only then reads the delivery id and event name.
func (h *Host) Verify(r *http.Request, body []byte) (bot.Delivery, error) {
	token := r.Header.Get(HeaderToken)
	if token == "" {
		return bot.Delivery{}, fmt.Errorf("%w: no %s header", ErrBadToken, HeaderToken)
	}
	// Comparing digests keeps the secret's length out of the timing too.
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256(h.webhookSecret)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return bot.Delivery{}, ErrBadToken
	}
	d := bot.Delivery{
		Host:  h.Name(),
		ID:    r.Header.Get(HeaderEventUUID),
		Event: r.Header.Get(HeaderEvent),
		At:    time.Now().UTC(),
	}
	if d.ID == "" {
		sum := sha256.Sum256(body)
		d.ID = "sha256:" + hex.EncodeToString(sum[:])
	}
	if d.Event == "" {
		return bot.Delivery{}, fmt.Errorf("gitlab: webhook %s has no %s header", d.ID, HeaderEvent)
	}
	return d, nil
}
