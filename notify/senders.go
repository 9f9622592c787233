package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"

	"github.com/argoproj/notifications-engine/pkg/services"
	"github.com/sirupsen/logrus"
)

// sender delivers one notification to one destination within ctx.
type sender interface {
	send(ctx context.Context, n services.Notification, dest services.Destination) error
}

// newSenders builds one sender per configured service: gitwave's own for
// slack, webhook and email, the engine's for every other type.
func newSenders(cfg *Config) (map[string]sender, error) {
	out := map[string]sender{}
	for _, name := range sortedKeys(cfg.Services) {
		sc := cfg.Services[name]
		var s sender
		var err error
		switch sc.Type {
		case "slack":
			s, err = newSlackSender(sc.Options)
		case "webhook":
			s, err = newWebhookSender(name, sc.Options)
		case "email":
			s, err = newEmailSender(sc.Options)
		default:
			var svc services.NotificationService
			svc, err = services.NewService(sc.Type, sc.Options)
			s = engineSender{svc: svc}
		}
		if err != nil {
			return nil, fmt.Errorf("service %s (%s): %w", name, sc.Type, err)
		}
		out[name] = s
	}
	return out, nil
}

// engineSender runs a notifications-engine service, which takes no
// context, under the deadline: on timeout the call is abandoned (its
// goroutine ends when the service's own request does). Every error is
// taken as worth retrying.
type engineSender struct{ svc services.NotificationService }

func (s engineSender) send(ctx context.Context, n services.Notification, dest services.Destination) error {
	done := make(chan error, 1)
	go func() { done <- s.svc.Send(n, dest) }()
	select {
	case err := <-done:
		if err != nil {
			return retryable(err)
		}
		return nil
	case <-ctx.Done():
		return retryable(ctx.Err())
	}
}

// retryableError marks an error after which a later attempt can succeed.
type retryableError struct{ error }

func (e retryableError) Retryable() bool { return true }
func (e retryableError) Unwrap() error   { return e.error }

func retryable(err error) error { return retryableError{err} }

// isRetryable says whether sending again can help: a 5xx or 429 answer, a
// timeout or a network error, or an error marked so.
func isRetryable(err error) bool {
	var r interface{ Retryable() bool }
	if errors.As(err, &r) {
		return r.Retryable()
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne)
}

// statusError is an HTTP answer outside 2xx.
type statusError struct {
	what   string
	status int
}

func (e statusError) Error() string   { return fmt.Sprintf("%s: HTTP %d", e.what, e.status) }
func (e statusError) Retryable() bool { return e.status >= 500 || e.status == 429 }

var (
	bridgeOnce sync.Once
	// engineLog is where the engine's log lines go: the newest Engine's
	// logger and redactor.
	engineLog atomic.Pointer[logrusHook]
)

// bridgeEngineLogs sends the engine's logrus warnings and errors (a
// trigger whose expression failed on an app, a missing field) to log at
// debug level, redacted; its debug dumps of HTTP requests, which hold
// tokens, are never enabled.
func bridgeEngineLogs(log *slog.Logger, r redactor) {
	engineLog.Store(&logrusHook{log: log, redact: r})
	bridgeOnce.Do(func() {
		logrus.SetOutput(io.Discard)
		logrus.SetLevel(logrus.WarnLevel)
		logrus.AddHook(logrusHook{})
	})
}

type logrusHook struct {
	log    *slog.Logger
	redact redactor
}

func (logrusHook) Levels() []logrus.Level {
	return []logrus.Level{logrus.ErrorLevel, logrus.WarnLevel}
}

func (logrusHook) Fire(e *logrus.Entry) error {
	if h := engineLog.Load(); h != nil {
		h.log.Debug("notifications-engine: " + h.redact.text(e.Message))
	}
	return nil
}
