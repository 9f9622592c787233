package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(context.Background(), Options{DSN: filepath.Join(b.TempDir(), "bench.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkAccept measures what a webhook handler waits for before it
// answers: storing the delivery and enqueueing its job in one transaction.
func BenchmarkAccept(b *testing.B) {
	s := benchStore(b)
	payload := make([]byte, 8<<10) // a typical pull_request payload is 8-30 KiB
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		d := Delivery{Host: "github", ID: fmt.Sprintf("delivery-%d", i), Event: "pull_request", Payload: payload}
		ok, err := s.Accept(ctx, d, Job{Kind: "pull_request", Key: fmt.Sprintf("pr:acme/gitops#%d", i%50), Payload: []byte(d.ID)})
		if err != nil || !ok {
			b.Fatalf("Accept = %v, %v", ok, err)
		}
	}
}

// BenchmarkClaimComplete measures a worker's overhead per job.
func BenchmarkClaimComplete(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	const batch = 1000
	b.ReportAllocs()
	for b.Loop() {
		j, err := s.Claim(ctx, "bench", time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if j == nil {
			b.StopTimer()
			jobs := make([]Job, batch)
			for k := range jobs {
				jobs[k] = Job{Kind: "work", Key: fmt.Sprintf("k%d", k%20)}
			}
			if err := s.Enqueue(ctx, jobs...); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if j, err = s.Claim(ctx, "bench", time.Minute); err != nil || j == nil {
				b.Fatalf("Claim after enqueue = %v, %v", j, err)
			}
		}
		if err := s.Complete(ctx, j.ID); err != nil {
			b.Fatal(err)
		}
	}
}
