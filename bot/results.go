package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
)

// skippedApp is an app a deployment left alone, with why. reason is
// Markdown for one line: a repository or cluster string in it must be
// escaped with markdown.Code.
type skippedApp struct {
	app    planner.AppKey
	reason string
}

// maxSyncReport is the most bytes of a sync report, with room left in a
// GitHub comment for what a reply puts around it.
const maxSyncReport = markdown.GitHubLimit - 8192

// syncReport renders sync results per cluster: for each app the waves it
// went through, what was applied and pruned, the hooks, the time taken and,
// for a failure, its cause. title is the heading's text, as Markdown. App
// and cluster names and messages are escaped; a failure's message is cut
// to markdown.MaxInline characters, and apps past maxSyncReport bytes are
// counted rather than listed.
func syncReport(marker, title string, results []reconcile.AppResult, skipped []skippedApp) string {
	var b strings.Builder
	if marker != "" {
		b.WriteString(marker + "\n")
	}
	fmt.Fprintf(&b, "### %s\n\n", title)
	budget := maxSyncReport - b.Len() - 256
	left := 0
	take := func(s string) bool {
		if left > 0 || len(s) > budget {
			left++
			return false
		}
		budget -= len(s)
		return true
	}
	byCluster := map[string][]reconcile.AppResult{}
	var clusters []string
	for _, r := range results {
		c := r.App.Cluster.Name
		if _, ok := byCluster[c]; !ok {
			clusters = append(clusters, c)
		}
		byCluster[c] = append(byCluster[c], r)
	}
	slices.Sort(clusters)
	if len(results) == 0 {
		b.WriteString("No app was synced.\n")
	}
	for _, c := range clusters {
		heading := fmt.Sprintf("#### Cluster %s\n\n", markdown.Code(c)) +
			"| App | Result | Waves | Applied | Pruned | Hooks | Time |\n|---|---|---|--:|--:|---|---|\n"
		var rows, failures strings.Builder
		for _, r := range byCluster[c] {
			row := resultRow(r) + "\n"
			failure := ""
			if r.Err != nil && !r.Skipped {
				failure = fmt.Sprintf("- %s: %s\n", markdown.Code(r.App.Name), markdown.Code(r.Err.Error()))
			}
			if rows.Len() == 0 && !take(heading) {
				left += len(byCluster[c]) - 1 // the apps of the cluster, not its heading
				break
			}
			if take(row + failure) {
				rows.WriteString(row)
				failures.WriteString(failure)
			}
		}
		if rows.Len() == 0 {
			continue
		}
		b.WriteString(heading + rows.String())
		if failures.Len() > 0 {
			b.WriteString("\n**Failed:**\n" + failures.String())
		}
		b.WriteString("\n")
	}
	var notSynced strings.Builder
	for _, s := range skipped {
		if line := fmt.Sprintf("- %s on %s: %s\n", markdown.Code(s.app.App), markdown.Code(s.app.Cluster), s.reason); take(line) {
			notSynced.WriteString(line)
		}
	}
	if notSynced.Len() > 0 {
		b.WriteString("**Not synced:**\n" + notSynced.String())
	}
	if left > 0 {
		fmt.Fprintf(&b, "\n:scissors: %d more apps are left out of this report to keep it within the host's size limit.\n", left)
	}
	return b.String()
}

// maxHooks is how many hooks an app's row names.
const maxHooks = 10

// resultRow is one app's row.
func resultRow(r reconcile.AppResult) string {
	name := markdown.CodeCell(r.App.Name)
	switch {
	case r.Skipped:
		return fmt.Sprintf("| %s | :fast_forward: skipped: an app of an earlier wave failed | - | - | - | - | - |", name)
	case r.Result == nil && r.Err != nil:
		return fmt.Sprintf("| %s | :x: not started | - | - | - | - | - |", name)
	case r.Result == nil:
		return fmt.Sprintf("| %s | :white_check_mark: app of apps: its children sync as apps | - | - | - | - | - |", name)
	}
	res := r.Result
	state := ":white_check_mark: " + string(res.Phase)
	if r.Err != nil || res.Phase != applier.SyncSucceeded {
		state = ":x: " + string(res.Phase)
	}
	if res.Attempts > 1 {
		state += fmt.Sprintf(" after %d attempts", res.Attempts)
	}
	applied, hooks := 0, []string{}
	for _, s := range res.Steps {
		for _, o := range s.Objects {
			switch {
			case o.Hook:
				hooks = append(hooks, fmt.Sprintf("%s %s", markdown.CodeCell(o.Key.Name), strings.TrimPrefix(o.Action, "hook")))
			case o.Action == applier.ActionCreated || o.Action == applier.ActionConfigured:
				applied++
			}
		}
	}
	pruned, kept := 0, 0
	for _, o := range res.Pruned {
		if o.Action == applier.ActionPruned {
			pruned++
		} else {
			kept++
		}
	}
	prunedCell := fmt.Sprint(pruned)
	if kept > 0 {
		prunedCell += fmt.Sprintf(" (%d kept)", kept)
	}
	if len(hooks) > maxHooks {
		hooks = append(hooks[:maxHooks], fmt.Sprintf("%d more", len(hooks)-maxHooks))
	}
	return fmt.Sprintf("| %s | %s | %s | %d | %s | %s | %s (%s waiting for health) |", name, state, stepList(res.Steps),
		applied, prunedCell, dash(strings.Join(hooks, ", ")), seconds(res.Duration), seconds(res.WaitDuration))
}

// stepList names the steps a sync ran: "PreSync → -1, 0, 1 → PostSync".
func stepList(steps []applier.StepResult) string {
	var parts []string
	var waves []string
	flush := func() {
		if len(waves) > 0 {
			parts = append(parts, "waves "+strings.Join(waves, ", "))
			waves = nil
		}
	}
	for _, s := range steps {
		if s.Phase == planner.PhaseSync {
			waves = append(waves, fmt.Sprint(s.Wave))
			continue
		}
		flush()
		parts = append(parts, string(s.Phase))
	}
	flush()
	return dash(strings.Join(parts, " → "))
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// failedCount counts the results that did not succeed.
func failedCount(results []reconcile.AppResult) int {
	n := 0
	for _, r := range results {
		if r.Err != nil {
			n++
		}
	}
	return n
}
