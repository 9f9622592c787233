package gitlab_test

import (
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/gitlab"
	"github.com/gitwave/gitwave/bot/hostfake"
)

const project = "acme/platform/k8s-gitops"

const (
	headSHA  = "1111111111111111111111111111111111111111"
	oldSHA   = "2222222222222222222222222222222222222222"
	mergeSHA = "3333333333333333333333333333333333333333"
)

// newHost starts a GitLab double with the project and an adapter pointed
// at it.
func newHost(t *testing.T, opts gitlab.Options) (*gitlab.Host, *hostfake.GitLab) {
	t.Helper()
	fake := hostfake.NewGitLab(t)
	fake.AddProject(project)
	opts.BaseURL = fake.URL
	opts.Token = fake.Token
	opts.WebhookSecret = fake.WebhookSecret
	h, err := gitlab.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h, fake
}

// count counts recorded requests with method whose path ends in suffix.
func count(fake *hostfake.GitLab, method, suffix string) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}
