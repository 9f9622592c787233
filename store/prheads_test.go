package store

import "testing"

func TestDiffedHeadPerPullRequest(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *Store) {
		if head, err := s.DiffedHead(ctx(t), "acme/gitops", 7); err != nil || head != "" {
			t.Fatalf("DiffedHead before any diff = %q, %v; want none", head, err)
		}
		for _, h := range []string{"aaa", "bbb"} {
			if err := s.SetDiffedHead(ctx(t), "acme/gitops", 7, h); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetDiffedHead(ctx(t), "acme/gitops", 8, "ccc"); err != nil {
			t.Fatal(err)
		}
		if head, err := s.DiffedHead(ctx(t), "acme/gitops", 7); err != nil || head != "bbb" {
			t.Errorf("DiffedHead(#7) = %q, %v; want the newer head bbb", head, err)
		}
		if head, _ := s.DiffedHead(ctx(t), "acme/other", 7); head != "" {
			t.Errorf("DiffedHead of another repository's #7 = %q; want none", head)
		}
		if err := s.SetDiffedHead(ctx(t), "acme/gitops", 7, ""); err == nil {
			t.Error("SetDiffedHead without a head succeeded")
		}
	})
}
