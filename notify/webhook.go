package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/argoproj/notifications-engine/pkg/services"
	"sigs.k8s.io/yaml"
)

// webhookSender sends service.webhook.NAME: the URL with the template's
// webhook.NAME.path appended, its method (default GET) and body (default
// the message), the service's headers and basic auth.
type webhookSender struct {
	name   string
	opts   services.WebhookOptions
	client *http.Client
}

func newWebhookSender(name string, raw []byte) (*webhookSender, error) {
	var opts services.WebhookOptions
	if err := yaml.Unmarshal(raw, &opts); err != nil {
		return nil, err
	}
	if opts.URL == "" {
		return nil, fmt.Errorf("url is required")
	}
	return &webhookSender{name: name, opts: opts, client: &http.Client{Transport: newTransport(opts.InsecureSkipVerify)}}, nil
}

func (s *webhookSender) send(ctx context.Context, n services.Notification, dest services.Destination) error {
	method, target, body := http.MethodGet, s.opts.URL, n.Message
	if w, ok := n.Webhook[dest.Service]; ok {
		body = w.Body
		method = firstNonEmpty(w.Method, method)
		if w.Path != "" {
			target = strings.TrimRight(target, "/") + "/" + strings.TrimLeft(w.Path, "/")
		}
	}
	what := fmt.Sprintf("webhook %s: %s", s.name, method)
	req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	what += " " + req.URL.Path
	for _, h := range s.opts.Headers {
		req.Header.Set(h.Name, h.Value)
	}
	if s.opts.BasicAuth != nil {
		req.SetBasicAuth(s.opts.BasicAuth.Username, s.opts.BasicAuth.Password)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return statusError{what: what, status: resp.StatusCode}
	}
	return nil
}

// newTransport is the default transport, with certificate checks off only
// when the service says insecureSkipVerify.
func newTransport(insecure bool) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the operator asked for it
	}
	return t
}
