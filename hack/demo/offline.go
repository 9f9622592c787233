package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"strings"

	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/policies"
)

// diffLinesShown bounds the changed lines shown per object in the offline
// step, so that the step stays a screen or two; `gitwave diff` prints whole
// diffs with their context.
const diffLinesShown = 6

// offlineDiff renders the pull request against its merge base with no
// cluster at all, as `gitwave diff --base main --head pr/1` does, and
// checks each app's change against the policy of main (the trusted
// revision) for the PR's author and, for contrast, for a member of a team
// that may not make it. It needs nothing built but gitwave.
func (d *demo) offlineDiff(ctx context.Context) error {
	base, err := d.offlineSource(ctx, examplerepo.MainBranch)
	if err != nil {
		return err
	}
	head, err := d.offlineSource(ctx, d.repo.HeadSHA)
	if err != nil {
		return err
	}
	rep, err := (&planner.Planner{}).DiffRevisions(ctx, base, head, planner.DiffOptions{Changed: d.repo.Changed})
	if err != nil {
		return err
	}
	pol, err := loadPolicy(base)
	if err != nil {
		return err
	}
	fmt.Printf("gitwave diff --repo %s --base main --head pr/1 (clusters from the repository's cluster Secrets)\n", d.repo.Dir)
	authors := []policies.Subject{{Login: "carol", Groups: []string{"acme/platform"}}, {Login: "bob", Groups: []string{"acme/payment-team"}}}
	printOfflineReport(rep, d.repo.Changed, pol, authors)
	return nil
}

// offlineSource reads the example repository at rev with the clusters its
// own cluster Secrets name: no local cluster runs yet.
func (d *demo) offlineSource(ctx context.Context, rev string) (planner.Source, error) {
	sha, err := d.git.Resolve(ctx, rev)
	if err != nil {
		return planner.Source{}, err
	}
	tree, err := d.git.Tree(ctx, sha)
	if err != nil {
		return planner.Source{}, err
	}
	cfg, err := planner.LoadRepoConfig(tree)
	if err != nil {
		return planner.Source{}, err
	}
	return planner.Source{Repo: tree, RepoURL: cfg.RepoURL, Revision: sha, Config: cfg}, nil
}

// loadPolicy reads the policy file the repository's .gitwave.yaml names,
// at src (main: a pull request never grants itself anything).
func loadPolicy(src planner.Source) (*policies.Policy, error) {
	data, err := fs.ReadFile(src.Repo, src.Config.Policy)
	if err != nil {
		return nil, fmt.Errorf("read policy %s at %s: %w", src.Config.Policy, src.Revision[:12], err)
	}
	return policies.Load(bytes.NewReader(data), src.Config.Policy, policies.Options{DefaultRole: "role:readonly"})
}

// printOfflineReport prints each app the change touches with its object
// diffs (each cut to diffLinesShown lines) and, per author, the policy's
// verdict on the files of that app the change touches.
func printOfflineReport(rep *planner.Report, changed []string, pol *policies.Policy, authors []policies.Subject) {
	unchanged := 0
	for i := range rep.Apps {
		a := &rep.Apps[i]
		if a.Status == planner.AppUnchanged {
			unchanged++
			continue
		}
		added, modified, removed := a.Counts()
		fmt.Printf("\n  %s on %s: %s (+%d ~%d -%d)\n", a.App.App, a.App.Cluster, a.Status, added, modified, removed)
		if a.Error != "" {
			fmt.Printf("    error: %s\n", a.Error)
		}
		for _, ch := range a.Changes {
			switch ch.Action {
			case planner.ActionUnchanged:
			case planner.ActionChanged:
				fmt.Printf("    %s %s (%s, wave %d)\n%s", ch.Action, ch.Key, ch.Phase, ch.Wave, changedLines(ch.Diff, diffLinesShown))
			default:
				fmt.Printf("    %s %s (%s, wave %d)\n", ch.Action, ch.Key, ch.Phase, ch.Wave)
			}
		}
		files := rep.FilesRead(a, changed)
		for _, s := range authors {
			fmt.Printf("    policy: %s (%s) %s\n", s.Login, strings.Join(s.Groups, ", "), verdictLine(pol.CheckChange(s, files)))
		}
	}
	fmt.Printf("\n  %d other app(s) rendered unchanged; %d problem(s) in the repository\n", unchanged, len(rep.Errors))
}

// verdictLine is a policy verdict in one line: may make the change, or
// how many of its files lack which grant, naming the first.
func verdictLine(v policies.ChangeVerdict) string {
	if v.Allowed {
		return "may make this change"
	}
	if len(v.Denied) == 0 {
		return "may not: " + v.Reason
	}
	d := v.Denied[0]
	line := fmt.Sprintf("may NOT: %s lacks %q", d.Path, d.Missing)
	if len(v.Denied) > 1 {
		line += fmt.Sprintf(", and %d other file(s)", len(v.Denied)-1)
	}
	return line
}

// changedLines are the added and removed lines of a unified diff, indented
// under their object and cut to max, saying how many were left out.
func changedLines(diff string, max int) string {
	var b strings.Builder
	shown, more := 0, 0
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "+++ ") || strings.HasPrefix(l, "--- ") || (!strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "-")) {
			continue
		}
		if shown == max {
			more++
			continue
		}
		b.WriteString("      " + l + "\n")
		shown++
	}
	if more > 0 {
		fmt.Fprintf(&b, "      ... %d more changed line(s)\n", more)
	}
	return b.String()
}
