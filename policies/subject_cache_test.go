package policies

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestSubjectCacheAnswersAsMerge checks that subjects with many groups, whose
// rule sets are cached, get the same answers as a fresh merge, across more
// subjects than the cache holds and from many goroutines at once.
func TestSubjectCacheAnswersAsMerge(t *testing.T) {
	text := benchPolicy()
	p := mustParse(t, text, Options{})
	subjects := make([]Subject, subjectCacheSize+50)
	r := rand.New(rand.NewPCG(11, 31))
	for i := range subjects {
		s := Subject{Login: fmt.Sprintf("user-%d", i)}
		for n := cacheMinGroups + r.IntN(20); n > 0; n-- {
			s.Groups = append(s.Groups, fmt.Sprintf("ORG/team-%d", r.IntN(benchGroups+100)))
		}
		subjects[i] = s
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 1))
			for j := 0; j < 400; j++ {
				s := subjects[r.IntN(len(subjects))]
				project := fmt.Sprintf("proj-%d", r.IntN(benchRoles))
				cluster := fmt.Sprintf("cluster-%d-x", r.IntN(50))
				got := p.Authorize(s, "sync", "app", project, cluster)
				rs := p.merge(s)
				want := p.check(rs, resourceApplications, "sync", project+"/app").allowed() &&
					p.check(rs, resourceClusters, "sync", cluster).allowed()
				if got.Allowed != want {
					t.Errorf("%s on %s/%s: cached answer %v, fresh merge %v", s.Login, project, cluster, got.Allowed, want)
					return
				}
			}
		}(uint64(w))
	}
	wg.Wait()
	if n := len(p.cache.entries); n > subjectCacheSize {
		t.Errorf("cache holds %d subjects, more than %d", n, subjectCacheSize)
	}
}

// TestSubjectCacheTellsSubjectsApart checks that two subjects differing only
// in one group, or in group order, never share an answer wrongly.
func TestSubjectCacheTellsSubjectsApart(t *testing.T) {
	p := mustParse(t, benchPolicy(), Options{})
	var groups []string
	for k := 100; k < 100+cacheMinGroups; k++ {
		groups = append(groups, fmt.Sprintf("org/team-%d", k))
	}
	with := Subject{Login: "a", Groups: append(groups[:len(groups):len(groups)], "org/team-7")}
	without := Subject{Login: "a", Groups: append(groups[:len(groups):len(groups)], "org/team-8")}
	for i := 0; i < 3; i++ {
		if !p.Authorize(with, "sync", "x", "proj-7", "cluster-7-a").Allowed {
			t.Fatal("member of org/team-7 denied proj-7")
		}
		if p.Authorize(without, "sync", "x", "proj-7", "cluster-7-a").Allowed {
			t.Fatal("non-member of org/team-7 allowed proj-7 after a member asked")
		}
	}
	reversed := Subject{Login: "a", Groups: append([]string{"org/team-7"}, groups...)}
	if !p.Authorize(reversed, "sync", "x", "proj-7", "cluster-7-a").Allowed {
		t.Fatal("group order changed the answer")
	}
}
