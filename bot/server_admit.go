package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// Admission of a webhook request, before and while its body is read. The
// body of a request is read only when its headers could be a signed
// delivery, and only by one of MaxConcurrentWebhooks turns, so that
// unsigned or slow requests cannot fill the memory.

// turnWait is how long a request waits for a turn before it is answered
// 503: long enough for a burst of real deliveries, which take milliseconds
// each, to pass.
const turnWait = time.Second

// busyRetryAfter is the Retry-After of a 503.
const busyRetryAfter = 5 * time.Second

// refusal is a request refused with an HTTP code and a metrics outcome.
type refusal struct {
	code    int
	outcome string
	err     error
}

func (r *refusal) Error() string { return r.err.Error() }

// admit checks what can be checked before the body is read: a JSON content
// type, the host's signature or token header and its event and delivery
// headers, and a declared length within MaxBody.
func (b *Bot) admit(h Host, r *http.Request) *refusal {
	if ct := r.Header.Get("Content-Type"); !isJSON(ct) {
		return &refusal{http.StatusUnsupportedMediaType, "invalid",
			fmt.Errorf("webhook content type %q is not application/json; set the webhook's content type to application/json", ct)}
	}
	if err := h.CheckHeaders(r.Header); err != nil {
		return &refusal{http.StatusUnauthorized, "unauthorized", err}
	}
	if r.ContentLength > b.opts.MaxBody {
		return &refusal{http.StatusRequestEntityTooLarge, "invalid",
			fmt.Errorf("webhook body of %d bytes is over the limit of %d", r.ContentLength, b.opts.MaxBody)}
	}
	return nil
}

// isJSON reports whether a Content-Type header names JSON.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// takeTurn waits up to turnWait for one of the MaxConcurrentWebhooks turns
// and returns the function that gives it back, or false when none came free
// or the request went away.
func (b *Bot) takeTurn(ctx context.Context) (release func(), ok bool) {
	release = func() { <-b.webhookTurns }
	select {
	case b.webhookTurns <- struct{}{}:
		return release, true
	default:
	}
	t := time.NewTimer(turnWait)
	defer t.Stop()
	select {
	case b.webhookTurns <- struct{}{}:
		return release, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

// refuseBusy answers 503 with Retry-After.
func refuseBusy(w http.ResponseWriter, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(busyRetryAfter/time.Second)))
	http.Error(w, msg, http.StatusServiceUnavailable)
}

// readBody reads at most limit bytes of the body, in one allocation when
// the request declares its length.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *refusal) {
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= limit {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &refusal{http.StatusRequestEntityTooLarge, "invalid", fmt.Errorf("read body: %w", err)}
	case err != nil:
		return nil, &refusal{http.StatusBadRequest, "invalid", fmt.Errorf("read body: %w", err)}
	}
	return buf.Bytes(), nil
}
