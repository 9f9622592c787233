package github_test

import (
	"testing"

	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/hostfake"
)

const repo = "acme/k8s-gitops"

// newHost starts a GitHub double with repo installed and an adapter
// pointed at it.
func newHost(t *testing.T, opts github.Options) (*github.Host, *hostfake.GitHub) {
	t.Helper()
	fake := hostfake.NewGitHub(t)
	fake.AddRepo(repo, 77)
	opts.AppID = fake.AppID
	opts.PrivateKey = fake.PrivateKey
	opts.WebhookSecret = fake.WebhookSecret
	opts.BaseURL = fake.URL
	h, err := github.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h, fake
}
