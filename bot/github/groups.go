package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	gh "github.com/google/go-github/v60/github"
)

// Groups returns the teams, as "org/team-slug", that login is an active
// member of in the organization owning repo. An App cannot use GET
// /user/teams, so it lists the organization's teams and asks for the user's
// membership in each; the answer is cached per (org, user).
func (h *Host) Groups(ctx context.Context, repo, login string) ([]string, error) {
	org, _, err := splitRepo(repo)
	if err != nil {
		return nil, err
	}
	if teams, ok := h.groups.Get(org, login); ok {
		return teams, nil
	}
	inst, _, _, err := h.client(ctx, repo)
	if err != nil {
		return nil, err
	}
	slugs, err := listTeams(ctx, inst.client, org)
	if err != nil {
		return nil, err
	}
	var teams []string
	for _, slug := range slugs {
		m, _, err := inst.client.Teams.GetTeamMembershipBySlug(ctx, org, slug, login)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("github: membership of %s in team %s/%s: %w", login, org, slug, err)
		}
		if m.GetState() == "active" {
			teams = append(teams, org+"/"+slug)
		}
	}
	h.groups.Put(org, login, teams)
	return teams, nil
}

// listTeams lists the slugs of every team in org.
func listTeams(ctx context.Context, c *gh.Client, org string) ([]string, error) {
	opts := &gh.ListOptions{PerPage: pageSize}
	var slugs []string
	for {
		page, resp, err := c.Teams.ListTeams(ctx, org, opts)
		if err != nil {
			return nil, fmt.Errorf("github: list teams of %s: %w", org, err)
		}
		for _, t := range page {
			slugs = append(slugs, t.GetSlug())
		}
		if resp.NextPage == 0 {
			return slugs, nil
		}
		opts.Page = resp.NextPage
	}
}

func isNotFound(err error) bool {
	var e *gh.ErrorResponse
	return errors.As(err, &e) && e.Response != nil && e.Response.StatusCode == http.StatusNotFound
}
