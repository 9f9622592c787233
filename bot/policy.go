package bot

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"strings"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/policies"
)

// policyAt loads the policy file from src, which is always a revision of
// the default branch of repo (OWNER/REPO, the repository whose unqualified
// paths globs it grants), never a pull request's head: a pull request
// cannot grant itself rights. A missing or malformed file gives a Broken
// policy, which denies everything and says why.
func (b *Bot) policyAt(src planner.Source, repo string) *policies.Policy {
	file := b.opts.Policy.File
	if file == "" {
		file = src.Config.Policy
	}
	if file == "" {
		return policies.Broken(fmt.Errorf("no policy file is configured (policy.file in gitwave.yaml, or policy in %s)", planner.RepoConfigFile))
	}
	data, err := fs.ReadFile(src.Repo, file)
	if err != nil {
		return policies.Broken(fmt.Errorf("policy file %s at %s cannot be read: %w", file, short(src.Revision), err))
	}
	p, _ := policies.Load(bytes.NewReader(data), file, policies.Options{DefaultRole: b.opts.Policy.Default, Repo: repo})
	return p
}

// inRepo names files of repo as a policy asks about them: a path of
// another repository than the policy's is "OWNER/REPO:path"; one of the
// policy's own is bare, unless it holds a ":", which would read as another
// repository's ("org/k8s-apps:x" is a folder of the roots repository too).
func inRepo(repo string, files []string, own bool) []string {
	out := make([]string, len(files))
	for i, f := range files {
		if own && !strings.Contains(f, ":") {
			out[i] = f
			continue
		}
		out[i] = policies.QualifyPath(repo, f)
	}
	return out
}

// subject is who asks, with the teams or groups pol names that the host
// says login belongs to. A failure to read the groups is an error, not an
// empty list: a deny granted through a group must not be escaped by a host
// outage.
func subject(ctx context.Context, t *task, pol *policies.Policy, login string) (policies.Subject, error) {
	groups, err := t.host.Groups(ctx, t.repo.Name, login, pol.GroupNames())
	if err != nil {
		return policies.Subject{}, fmt.Errorf("teams of %s: %w", login, err)
	}
	return policies.Subject{Login: login, Groups: groups}, nil
}

// policyReport is the policy's verdict on a pull request: per app and
// overall.
type policyReport struct {
	verdict policies.ChangeVerdict
	perApp  map[planner.AppKey]string
	// denied are the apps whose files the author may not modify.
	denied   map[planner.AppKey]bool
	notes    []string
	status   Status
	subject  policies.Subject
	brokenBy error
}

// checkChange decides whether the author may modify the changed files, of
// repository repo (own: the repository holding the policy), and gives each
// app of rep the verdict on the files that touch it, by the dependencies
// the report worked out for its render diff.
func checkChange(pol *policies.Policy, s policies.Subject, rep *planner.Report, files []string, repo string, own bool) policyReport {
	pr := policyReport{verdict: pol.CheckChange(s, inRepo(repo, files, own)), perApp: map[planner.AppKey]string{}, denied: map[planner.AppKey]bool{},
		subject: s, brokenBy: pol.Err()}
	for i := range rep.Apps {
		d := &rep.Apps[i]
		touching := files
		if own {
			touching = rep.FilesRead(d, files)
		}
		v := pol.CheckChange(s, inRepo(repo, touching, own))
		pr.perApp[d.App], pr.denied[d.App] = verdictCell(v), !v.Allowed
	}
	pr.status = policyStatus(pr.verdict)
	pr.notes = append(policyNotes(pr.verdict), roleWarnings(pol)...)
	return pr
}

// skipLive keeps an app the author may not change from being diffed
// against its live cluster: a pull request that fails the policy reads
// nothing of the clusters.
func (pr policyReport) skipLive(app *planner.App) string {
	if pr.denied[app.Key()] {
		return fmt.Sprintf("%s may not make this change to it (see the Policy column)", pr.subject.Login)
	}
	return ""
}

// roleWarnings point out, in the comment, each line of the policy that
// names a role never defined: it grants nothing, which its author may not
// know. Other lines keep working.
func roleWarnings(pol *policies.Policy) []string {
	var notes []string
	for _, w := range pol.UndefinedRoles() {
		notes = append(notes, fmt.Sprintf(":warning: **Policy** %s %s", markdown.Code(pol.Name()), markdown.Code(w.String())))
	}
	for _, n := range pol.Notes() {
		notes = append(notes, ":information_source: **Policy** "+markdown.Code(n))
	}
	return notes
}

// verdictCell is an app's cell in the Policy column; file names are
// escaped for a table cell.
func verdictCell(v policies.ChangeVerdict) string {
	switch {
	case v.Allowed:
		return ":white_check_mark: allowed"
	case len(v.Denied) == 0:
		return ":no_entry: denied"
	case len(v.Denied) == 1:
		return fmt.Sprintf(":no_entry: %s needs %s", markdown.CodeCell(v.Denied[0].Path), markdown.CodeCell(v.Denied[0].Missing))
	}
	return fmt.Sprintf(":no_entry: %s and %d more need %s", markdown.CodeCell(v.Denied[0].Path), len(v.Denied)-1, markdown.CodeCell(v.Denied[0].Missing))
}

// policyStatus is the gitwave/policy commit status: it names the first
// file the author may not modify and the grant it needs. setStatuses
// bounds the description.
func policyStatus(v policies.ChangeVerdict) Status {
	if v.Allowed {
		return Status{Context: "gitwave/policy", State: "success", Description: v.Reason}
	}
	desc := v.Reason
	if len(v.Denied) > 0 {
		desc = fmt.Sprintf("%s: %s needs grant %q", v.Reason, v.Denied[0].Path, v.Denied[0].Missing)
	}
	return Status{Context: "gitwave/policy", State: "failure", Description: desc}
}

// policyNotes explain a denial in the comment: each file with the policy's
// reason. File names and reasons are escaped: they are text, never markup.
func policyNotes(v policies.ChangeVerdict) []string {
	if v.Allowed {
		return nil
	}
	notes := []string{":no_entry: **Policy:** " + markdown.Code(v.Reason) + "."}
	for i, d := range v.Denied {
		if i == 10 {
			notes = append(notes, fmt.Sprintf("… and %d more files.", len(v.Denied)-10))
			break
		}
		notes = append(notes, fmt.Sprintf("%s needs a %s grant: %s", markdown.Code(d.Path), markdown.Code(d.Missing), markdown.Code(d.Decision.Reason)))
	}
	return notes
}

// oneLine keeps text on one Markdown line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
