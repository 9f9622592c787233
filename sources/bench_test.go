package sources

import (
	"context"
	"testing"

	"github.com/gitwave/gitwave/config"
)

// BenchmarkChartFetch fetches one chart from an httptest Helm repository
// and from an in-process OCI registry: cold (an empty cache: the index or
// tag list and the archive) and cached (an exact version fetched before).
// requests/op is what the repository received; a cache hit must be 0.
func BenchmarkChartFetch(b *testing.B) {
	helm := newChartServer(b, false)
	helm.publish(b, "podinfo", "6.7.0", 16<<10, "")
	oci := newOCIServer(b, "", "")
	oci.push(b, "podinfo", "6.7.0", 16<<10)
	repos := []struct {
		name, url string
		cfg       config.HelmRepo
		requests  func() int64
	}{
		{"helm", helm.repoURL(), config.HelmRepo{URL: helm.repoURL()}, helm.requests.Load},
		{"oci", oci.repoURL(), config.HelmRepo{URL: oci.repoURL(), CAFile: oci.ca}, oci.requests.Load},
	}
	ctx := context.Background()
	for _, rp := range repos {
		for _, version := range []string{"6.7.0", "6.*"} {
			b.Run(rp.name+"/cold/"+version, func(b *testing.B) {
				before := rp.requests()
				for b.Loop() {
					r, err := New(helmConfig(rp.cfg), b.TempDir())
					if err != nil {
						b.Fatal(err)
					}
					if _, err := r.Chart(ctx, rp.url, "podinfo", version, 1<<20); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(rp.requests()-before)/float64(b.N), "requests/op")
			})
		}
		b.Run(rp.name+"/cached/6.7.0", func(b *testing.B) {
			r, err := New(helmConfig(rp.cfg), b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			if _, err := r.Chart(ctx, rp.url, "podinfo", "6.7.0", 1<<20); err != nil {
				b.Fatal(err)
			}
			before := rp.requests()
			for b.Loop() {
				if _, err := r.Chart(ctx, rp.url, "podinfo", "6.7.0", 1<<20); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rp.requests()-before)/float64(b.N), "requests/op")
		})
	}
}

// BenchmarkGitTree reads a listed repository's tree at main within the
// fetch interval: no fetch (fetches/op 0), one rev-parse and one ls-tree.
func BenchmarkGitTree(b *testing.B) {
	work, _ := newWorkRepo(b, map[string]string{"apps/a.yaml": "a\n", "apps/b.yaml": "b\n"})
	root := b.TempDir()
	gitIn(b, root, "clone", "--quiet", "--bare", work, root+"/acme/apps.git")
	s := newGitServer(b, root, "")
	url := s.URL + "/acme/apps.git"
	r, err := New(&config.Config{FetchInterval: config.Duration(1 << 40),
		Repos: []config.Repo{{Name: "apps", Host: "none", URL: url, DefaultBranch: "main"}}}, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	if _, _, err := r.Tree(ctx, url, "main"); err != nil {
		b.Fatal(err)
	}
	before := s.advertisements.Load()
	for b.Loop() {
		if _, _, err := r.Tree(ctx, url, "main"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.advertisements.Load()-before)/float64(b.N), "fetches/op")
}
