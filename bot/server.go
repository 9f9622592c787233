package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/store"
)

// acceptTimeout bounds the store write of one webhook: GitHub gives up
// after ten seconds.
const acceptTimeout = 5 * time.Second

// readyTimeout bounds the store query of one readiness probe.
const readyTimeout = 2 * time.Second

// Handler serves POST /webhooks/github, POST /webhooks/gitlab, GET /healthz
// (the process answers), GET /readyz (its store answers too) and GET
// /metrics.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/{host}", b.serveWebhook)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", b.serveReady)
	mux.Handle("GET /metrics", promhttp.HandlerFor(b.opts.Registry, promhttp.HandlerOpts{}))
	return mux
}

// serveReady answers 200 when the store answers a query, else 503 with
// the reason, so that a replica that lost its database gets no webhooks.
func (b *Bot) serveReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := b.opts.Store.Ping(ctx); err != nil {
		b.log.Warn("not ready", "error", err)
		http.Error(w, "store unreachable", http.StatusServiceUnavailable)
		return
	}
	_, _ = io.WriteString(w, "ok\n")
}

// serveWebhook admits, verifies, parses, filters and stores one delivery
// with its job, then answers. A request whose headers cannot be a signed
// delivery is refused before its body is read; the body is read in one of a
// bounded number of turns; Verify runs on the raw body before Parse; a bad
// signature stores nothing.
func (b *Bot) serveWebhook(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	name := r.PathValue("host")
	h := b.hosts[name]
	if h == nil {
		http.Error(w, fmt.Sprintf("host %q is not configured", name), http.StatusNotFound)
		return
	}
	if ref := b.admit(h, r); ref != nil {
		b.refuse(w, r, name, start, ref)
		return
	}
	release, ok := b.takeTurn(r.Context())
	if !ok {
		b.metrics.webhook(name, "busy", start)
		b.log.Warn("webhook refused: too many at once", "host", name, "remote", r.RemoteAddr)
		refuseBusy(w, "too many webhooks at once; retry later")
		return
	}
	defer release()
	body, ref := readBody(w, r, b.opts.MaxBody)
	if ref != nil {
		b.refuse(w, r, name, start, ref)
		return
	}
	d, err := h.Verify(r, body)
	if err != nil {
		b.refuse(w, r, name, start, &refusal{http.StatusUnauthorized, "unauthorized", err})
		return
	}
	ev, err := h.Parse(d, body)
	if err != nil {
		b.metrics.webhook(name, "invalid", start)
		b.log.Warn("webhook not understood", "host", name, "delivery", d.ID, "event", d.Event, "error", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), acceptTimeout)
	defer cancel()
	code, outcome, msg := b.accept(ctx, d, ev, body)
	b.metrics.webhook(name, outcome, start)
	b.log.Debug("webhook", "host", name, "delivery", d.ID, "event", d.Event, "repo", ev.Repo, "outcome", outcome, "reason", msg)
	if code == http.StatusServiceUnavailable {
		refuseBusy(w, msg)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg+"\n")
}

// refuse answers a request refused before it was parsed. A refused
// signature is answered without the reason, which is logged.
func (b *Bot) refuse(w http.ResponseWriter, r *http.Request, host string, start time.Time, ref *refusal) {
	b.metrics.webhook(host, ref.outcome, start)
	b.log.Warn("webhook refused", "host", host, "remote", r.RemoteAddr, "code", ref.code, "error", ref.err)
	msg := ref.err.Error()
	if ref.code == http.StatusUnauthorized {
		msg = "webhook signature or token is missing or does not match"
	}
	http.Error(w, msg, ref.code)
}

// accept stores a verified event with its job. It returns the HTTP code,
// the metrics outcome and the answer's text.
func (b *Bot) accept(ctx context.Context, d Delivery, ev Event, body []byte) (int, string, string) {
	if ev.Kind == EventIgnored {
		return http.StatusOK, "ignored", "ignored: " + ev.Reason
	}
	repo, ok := b.repos[repoKey(d.Host, ev.Repo)]
	if !ok {
		return http.StatusOK, "ignored", fmt.Sprintf("ignored: repository %s is not served by gitwave", ev.Repo)
	}
	job, why := jobFor(d, ev, repo)
	if job == nil {
		return http.StatusOK, "ignored", "ignored: " + why
	}
	work := workOf(ev)
	accepted, err := b.opts.Store.Accept(ctx, store.Delivery{Host: d.Host, ID: d.ID, Event: d.Event, Payload: body,
		ReceivedAt: d.At, Work: work}, *job)
	if err != nil {
		b.log.Error("store webhook", "host", d.Host, "delivery", d.ID, "error", err)
		return http.StatusServiceUnavailable, "error", "could not store the delivery; retry it"
	}
	if !accepted {
		return http.StatusOK, "duplicate", fmt.Sprintf("duplicate: delivery %s, or another delivery of the same work (%s), was accepted before", d.ID, work)
	}
	return http.StatusAccepted, "accepted", fmt.Sprintf("accepted: %s job for %s", job.Kind, job.Key)
}

// pushDelay holds a push to the default branch back, so that the merged
// pull request event of the same merge deploys it with its author's grants.
const pushDelay = 15 * time.Second

// jobPayload is what a job carries: the event as parsed when accepted.
type jobPayload struct {
	Host     string `json:"host"`
	Delivery string `json:"delivery"`
	Event    Event  `json:"event"`
}

// jobFor turns an event into its job, or says why the event needs none.
func jobFor(d Delivery, ev Event, repo config.Repo) (*store.Job, string) {
	j := &store.Job{Kind: string(ev.Kind)}
	switch ev.Kind {
	case EventPullRequest:
		if ev.PR == nil {
			return nil, "pull request event without a pull request"
		}
		j.Key = prKey(ev.Repo, ev.PR.Number)
		j.Dedupe = j.Key + "@" + ev.PR.HeadSHA
	case EventComment:
		if ev.PR == nil || ev.Comment == nil {
			return nil, "comment event without a pull request or comment"
		}
		if ev.Comment.Bot {
			return nil, fmt.Sprintf("comment %s is from a bot", ev.Comment.ID)
		}
		if p := ParseComment(ev.Comment.Body); p.Command == nil && p.Reply == "" {
			return nil, fmt.Sprintf("comment %s is not a gitwave command", ev.Comment.ID)
		}
		j.Key = prKey(ev.Repo, ev.PR.Number)
		if p := ParseComment(ev.Comment.Body); p.Command != nil && p.Command.Verb == VerbTerminate {
			// /terminate must not wait behind the /sync it stops.
			j.Key = "terminate:" + j.Key
		}
	case EventMerged:
		if ev.PR == nil {
			return nil, "merge event without a pull request"
		}
		j.Key = deployKey(ev.Repo)
	case EventPush:
		if ev.Ref != repo.DefaultBranch {
			return nil, fmt.Sprintf("push to %s, not to the default branch %s", ev.Ref, repo.DefaultBranch)
		}
		j.Key = deployKey(ev.Repo)
		j.RunAfter = time.Now().Add(pushDelay)
	default:
		return nil, fmt.Sprintf("event kind %q is not handled", ev.Kind)
	}
	payload, err := json.Marshal(jobPayload{Host: d.Host, Delivery: d.ID, Event: ev})
	if err != nil {
		return nil, fmt.Sprintf("encode event: %v", err)
	}
	j.Payload = payload
	return j, ""
}

// prKey serializes the jobs of one pull request.
func prKey(repo string, n int) string { return fmt.Sprintf("pr:%s#%d", repo, n) }

// deployKey serializes the deployments of one repository.
func deployKey(repo string) string { return "deploy:" + repo }

// decodePayload reads a job's payload.
func decodePayload(job *store.Job) (jobPayload, error) {
	var p jobPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return p, permanent(fmt.Errorf("job %d (%s): decode payload: %w", job.ID, job.Kind, err))
	}
	if p.Event.Repo == "" {
		return p, permanent(errors.New("payload names no repository"))
	}
	return p, nil
}
