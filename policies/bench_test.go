package policies

import (
	"fmt"
	"strings"
	"testing"
)

const (
	benchRoles  = 300
	benchGroups = 500
)

// benchPolicy returns a 2,000-line policy: 300 roles of five p lines each
// (applications, clusters, paths with a deny inside) and 500 g lines giving
// each of 500 groups one of the roles.
func benchPolicy() string {
	var b strings.Builder
	for i := 0; i < benchRoles; i++ {
		fmt.Fprintf(&b, "p, role:team-%d, applications, *, proj-%d/*, allow\n", i, i)
		fmt.Fprintf(&b, "p, role:team-%d, applications, sync, shared/svc-%d-*, allow\n", i, i)
		fmt.Fprintf(&b, "p, role:team-%d, clusters, sync, cluster-%d-*, allow\n", i, i%50)
		fmt.Fprintf(&b, "p, role:team-%d, paths, modify, apps/svc-%d/**, allow\n", i, i)
		fmt.Fprintf(&b, "p, role:team-%d, paths, modify, apps/svc-%d/secrets/**, deny\n", i, i)
	}
	for k := 0; k < benchGroups; k++ {
		fmt.Fprintf(&b, "g, org/team-%d, role:team-%d\n", k, k%benchRoles)
	}
	return b.String()
}

// benchSubject is a member of n of the policy's groups.
func benchSubject(n int) Subject {
	s := Subject{Login: "alice"}
	for k := 0; k < n; k++ {
		s.Groups = append(s.Groups, fmt.Sprintf("org/team-%d", k))
	}
	return s
}

func loadBench(b *testing.B) *Policy {
	b.Helper()
	text := benchPolicy()
	if n := strings.Count(text, "\n"); n != 2000 {
		b.Fatalf("bench policy has %d lines, want 2000", n)
	}
	p, err := Load(strings.NewReader(text), "bench.csv", Options{})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkAuthorize measures one Authorize decision on the 2,000-line policy,
// for a subject in 5 groups and for one in all 500. The goal is under 10 µs.
func BenchmarkAuthorize(b *testing.B) {
	p := loadBench(b)
	for _, n := range []int{5, benchGroups} {
		s := benchSubject(n)
		b.Run(fmt.Sprintf("groups=%d", n), func(b *testing.B) {
			if d := p.Authorize(s, "sync", "app", "proj-3", "cluster-3-eu"); !d.Allowed {
				b.Fatalf("bench request denied: %s", d.Reason)
			}
			b.ReportAllocs()
			for b.Loop() {
				p.Authorize(s, "sync", "app", "proj-3", "cluster-3-eu")
			}
		})
	}
}

// BenchmarkAuthorizeDenied measures a denial, which also looks for the roles
// that would grant the request.
func BenchmarkAuthorizeDenied(b *testing.B) {
	p := loadBench(b)
	s := benchSubject(5)
	if d := p.Authorize(s, "sync", "app", "proj-299", "cluster-3-eu"); d.Allowed || len(d.Suggest) != 1 {
		b.Fatalf("bench request: %+v", d)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Authorize(s, "sync", "app", "proj-299", "cluster-3-eu")
	}
}

// BenchmarkAuthorizeCasbin measures the same question asked of casbin with
// the same model, for comparison: casbin scans every line per request.
func BenchmarkAuthorizeCasbin(b *testing.B) {
	p := loadBench(b)
	ref, err := newCasbinEnforcer(p, Options{})
	if err != nil {
		b.Fatal(err)
	}
	s := benchSubject(5)
	for b.Loop() {
		app, _ := ref.allowed(s, "applications", "sync", "proj-3/app")
		cluster, _ := ref.allowed(s, "clusters", "sync", "cluster-3-eu")
		if !app || !cluster {
			b.Fatal("casbin denied the bench request")
		}
	}
}

// BenchmarkCheckChange measures CheckChange for a pull request of 1,000 files,
// a tenth of them outside the author's folders.
func BenchmarkCheckChange(b *testing.B) {
	p := loadBench(b)
	s := benchSubject(5)
	files := make([]string, 1000)
	for i := range files {
		svc := i % 5
		if i%10 == 0 {
			svc = 100 + i%50
		}
		files[i] = fmt.Sprintf("apps/svc-%d/templates/f-%d.yaml", svc, i)
	}
	if v := p.CheckChange(s, files); len(v.Denied) != 100 {
		b.Fatalf("bench change: %d denied, want 100", len(v.Denied))
	}
	b.ReportAllocs()
	for b.Loop() {
		p.CheckChange(s, files)
	}
}

// BenchmarkLoad measures loading and indexing the 2,000-line policy.
func BenchmarkLoad(b *testing.B) {
	text := benchPolicy()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(strings.NewReader(text), "bench.csv", Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
