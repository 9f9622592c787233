package notify

import (
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// smtpMessage is one message the fake SMTP server accepted.
type smtpMessage struct {
	From string
	To   []string
	Data string
}

// fakeSMTP is a minimal SMTP server on loopback (EHLO, MAIL, RCPT, DATA,
// QUIT) that records what it accepts.
type fakeSMTP struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []smtpMessage
}

func newFakeSMTP(t *testing.T) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 fake ESMTP")
	var m smtpMessage
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			tp.PrintfLine("250 fake")
		case "MAIL":
			m = smtpMessage{From: strings.Trim(strings.TrimPrefix(line, "MAIL FROM:"), "<>")}
			tp.PrintfLine("250 ok")
		case "RCPT":
			m.To = append(m.To, strings.Trim(strings.TrimPrefix(line, "RCPT TO:"), "<>"))
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 go on")
			b, err := readDot(tp)
			if err != nil {
				return
			}
			m.Data = b
			f.mu.Lock()
			f.msgs = append(f.msgs, m)
			f.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

func readDot(tp *textproto.Conn) (string, error) {
	lines, err := tp.ReadDotLines()
	return strings.Join(lines, "\n"), err
}

func (f *fakeSMTP) messages() []smtpMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]smtpMessage(nil), f.msgs...)
}

func TestEmailSendsTheCatalogTemplateThroughSMTP(t *testing.T) {
	srv := newFakeSMTP(t)
	host, port, _ := net.SplitHostPort(srv.ln.Addr().String())
	cm := `
context: |
  argocdUrl: https://cd.acme.example
service.email.ops: |
  host: ` + host + `
  port: ` + port + `
  from: gitwave@acme.example
`
	cfg, err := ParseConfig([]byte(cm), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := testEngine(t, cfg, openStore(t), nil, nil)
	st := paymentService(subscribe("on-sync-succeeded.ops", "oncall@acme.example, sre@acme.example"))
	st.LastSync.Result, st.Sync = "Succeeded", "Synced"
	e.Observe(t.Context(), AppState{}, st)
	drain(t, e)

	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("SMTP got %d messages; want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != "gitwave@acme.example" || strings.Join(m.To, ",") != "oncall@acme.example,sre@acme.example" {
		t.Errorf("envelope from %q to %q", m.From, m.To)
	}
	for _, want := range []string{
		"Subject: Application payment-service has been successfully synced.",
		"Application payment-service has been successfully synced at 2026-12-02T10:00:40Z.",
		"https://cd.acme.example/applications/payment-service?operation=true",
	} {
		if !strings.Contains(m.Data, want) {
			t.Errorf("message lacks %q:\n%s", want, m.Data)
		}
	}
	if strings.Contains(m.Data, ":white_check_mark:") {
		t.Errorf("the slack-only emoji is in the email (serviceType is not the service's):\n%s", m.Data)
	}
}
