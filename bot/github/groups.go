package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/gitwave/gitwave/bot"
)

// Groups returns the names among named whose team login is an active member
// of, spelled as in named. A bare name "x" is the team with slug x in the
// organization owning repo, "org/x" the team x of org; any other name is no
// team and is not asked about. Each team is asked about with GET
// /orgs/{org}/teams/{slug}/memberships/{username} through repo's
// installation (404: not a member, nor is a pending invitation), and the
// answer is cached per (team, user).
func (h *Host) Groups(ctx context.Context, repo, login string, named []string) ([]string, error) {
	owner, _, err := splitRepo(repo)
	if err != nil {
		return nil, err
	}
	if len(named) == 0 {
		return nil, nil
	}
	inst, _, _, err := h.client(ctx, repo)
	if err != nil {
		return nil, err
	}
	resolve := func(name string) (string, bool) { return teamOf(owner, name) }
	member := func(ctx context.Context, team string) (bool, error) {
		org, slug, _ := strings.Cut(team, "/")
		m, _, err := inst.client.Teams.GetTeamMembershipBySlug(ctx, org, slug, login)
		if isNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("github: membership of %s in team %s: %w", login, team, err)
		}
		return m.GetState() == "active", nil
	}
	return h.groups.Members(ctx, login, named, bot.Membership{Resolve: resolve, Member: member})
}

// teamOf maps a policy name to "org/slug", lower case: a bare name is a team
// of owner. It reports false for a name that cannot be a team, one with more
// than one "/" or a character no organization or team slug holds.
func teamOf(owner, name string) (string, bool) {
	org, slug, qualified := strings.Cut(name, "/")
	if !qualified {
		org, slug = owner, name
	}
	if !bot.IsGroupName(org) || !bot.IsGroupName(slug) {
		return "", false
	}
	return strings.ToLower(org + "/" + slug), true
}

func isNotFound(err error) bool {
	var e *gh.ErrorResponse
	return errors.As(err, &e) && e.Response != nil && e.Response.StatusCode == http.StatusNotFound
}
