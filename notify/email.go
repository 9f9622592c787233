package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/argoproj/notifications-engine/pkg/services"
	"sigs.k8s.io/yaml"
)

// emailSender sends through SMTP: STARTTLS when the server offers it, AUTH
// PLAIN when a username is set; the recipient is a comma-separated list of
// addresses, the subject email.subject and the body email.body or the
// message.
type emailSender struct {
	opts services.EmailOptions
}

func newEmailSender(raw []byte) (*emailSender, error) {
	var opts services.EmailOptions
	if err := yaml.Unmarshal(raw, &opts); err != nil {
		return nil, err
	}
	if opts.Host == "" || opts.From == "" {
		return nil, fmt.Errorf("host and from are required")
	}
	if opts.Port == 0 {
		opts.Port = 587
	}
	return &emailSender{opts: opts}, nil
}

func (s *emailSender) send(ctx context.Context, n services.Notification, dest services.Destination) error {
	addr := net.JoinHostPort(s.opts.Host, strconv.Itoa(s.opts.Port))
	var to []string
	for _, a := range strings.Split(dest.Recipient, ",") {
		if a = strings.TrimSpace(a); a != "" {
			to = append(to, a)
		}
	}
	if len(to) == 0 {
		return fmt.Errorf("email: no recipient")
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("email via %s: %w", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if err := s.converse(conn, to, s.compose(n, to)); err != nil {
		return fmt.Errorf("email via %s: %w", addr, err)
	}
	return nil
}

// converse runs one SMTP session on conn.
func (s *emailSender) converse(conn net.Conn, to []string, msg []byte) error {
	c, err := smtp.NewClient(conn, s.opts.Host)
	if err != nil {
		return retryable(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: s.opts.Host, InsecureSkipVerify: s.opts.InsecureSkipVerify}); err != nil { //nolint:gosec // the operator asked for it
			return err
		}
	}
	if s.opts.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.opts.Username, s.opts.Password, s.opts.Host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.opts.From); err != nil {
		return smtpError(err)
	}
	for _, a := range to {
		if err := c.Rcpt(a); err != nil {
			return smtpError(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return smtpError(err)
	}
	if _, err := w.Write(msg); err != nil {
		return retryable(err)
	}
	if err := w.Close(); err != nil {
		return smtpError(err)
	}
	return c.Quit()
}

// compose is the RFC 5322 message.
func (s *emailSender) compose(n services.Notification, to []string) []byte {
	subject, body := "", n.Message
	if n.Email != nil {
		subject, body = n.Email.Subject, firstNonEmpty(n.Email.Body, body)
	}
	ctype := "text/plain"
	if s.opts.Html {
		ctype = "text/html"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: %s; charset=UTF-8\r\n\r\n",
		s.opts.From, strings.Join(to, ", "), mime.QEncoding.Encode("utf-8", strings.TrimSpace(subject)),
		time.Now().UTC().Format(time.RFC1123Z), ctype)
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	return []byte(b.String())
}

// smtpError marks 4xx replies (try again later) as retryable.
func smtpError(err error) error {
	if strings.HasPrefix(err.Error(), "4") {
		return retryable(err)
	}
	return err
}
