package bot_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gitwave/gitwave/bot/hostfake"
)

// benchRate is the load of BenchmarkWebhookAccept, in requests per second.
const benchRate = 200

// BenchmarkWebhookAccept sends signed pull_request webhooks over loopback
// at 200 requests per second (open loop, at most 64 in flight) and reports
// the latency of the answer: signature check, parse and the SQLite write of
// delivery and job included. Run with -benchtime=2000x for a stable p99.
func BenchmarkWebhookAccept(b *testing.B) {
	f := newFixture(b, fixtureOptions{})
	srv := httptest.NewServer(f.bot.Handler())
	defer srv.Close()
	// Each request is new work (another pull request): the same event sent
	// again is answered 200 as a duplicate, which is not what this measures.
	events, bodies := make([]string, b.N), make([][]byte, b.N)
	for i := range b.N {
		events[i], bodies[i] = f.gh.Webhook(b, hostfake.GitHubWebhook{Example: "pull_request.opened", Repo: exampleRepo, DefaultBranch: "main",
			Number: i + 1, HeadSHA: f.ex.HeadSHA, BaseRef: "main", Sender: "bob"})
	}
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	lat := make([]time.Duration, b.N)
	codes := make([]int, b.N)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / benchRate)
	defer tick.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			in := f.gh.SignedRequest(events[i], bodies[i])
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/github", bytes.NewReader(bodies[i]))
			req.Header = in.Header
			start := time.Now()
			resp, err := client.Do(req)
			lat[i] = time.Since(start)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	b.StopTimer()
	for i, c := range codes {
		if c != http.StatusAccepted {
			b.Fatalf("request %d answered %d; want 202", i, c)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}
