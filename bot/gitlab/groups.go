package gitlab

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/gitwave/gitwave/bot"
)

// Groups returns the names among named whose group login belongs to,
// directly or through a parent group, spelled as in named. A name holding
// "/" is a group's full path ("acme/platform-admins", "acme"'s subgroup,
// whether or not it holds the project); a bare name "x" is the subgroup
// "<top>/x" of the project's top-level group, or that top-level group itself
// when x is its name. A bare name never means another top-level group:
// anyone can create one on a shared instance. Each group is asked about with
// GET /groups/:id/members/all/:user_id (404: not a member), and the answer is
// cached per (group, user). A user GitLab does not know belongs to none.
func (h *Host) Groups(ctx context.Context, repo, login string, named []string) ([]string, error) {
	if err := checkRepo(repo); err != nil {
		return nil, err
	}
	if len(named) == 0 {
		return nil, nil
	}
	top, _, _ := strings.Cut(repo, "/")
	userID := sync.OnceValues(func() (int64, error) { return h.userID(ctx, login) })
	resolve := func(name string) (string, bool) { return groupOf(top, name) }
	member := func(ctx context.Context, group string) (bool, error) {
		id, err := userID()
		if err != nil || id == 0 {
			return false, err
		}
		m, _, err := h.client.GroupMembers.GetInheritedGroupMember(group, id, gl.WithContext(ctx))
		if errors.Is(err, gl.ErrNotFound) {
			return false, nil // not a member, or no such group
		}
		if err != nil {
			return false, fmt.Errorf("gitlab: membership of %s in group %s: %w", login, group, err)
		}
		return m.State == "" || m.State == "active", nil
	}
	return h.groups.Members(ctx, login, named, bot.Membership{Resolve: resolve, Member: member})
}

// userID finds login's user id, 0 for a user GitLab does not know.
func (h *Host) userID(ctx context.Context, login string) (int64, error) {
	users, _, err := h.client.Users.ListUsers(&gl.ListUsersOptions{Username: gl.Ptr(login)}, gl.WithContext(ctx))
	if err != nil {
		return 0, fmt.Errorf("gitlab: find user %s: %w", login, err)
	}
	if len(users) == 0 {
		return 0, nil
	}
	return users[0].ID, nil
}

// groupOf maps a policy name to a group's full path, lower case: a bare
// name is a subgroup of top, or top itself. It reports false for a name no
// group path can have.
func groupOf(top, name string) (string, bool) {
	path := name
	if !strings.Contains(name, "/") && !strings.EqualFold(name, top) {
		path = top + "/" + name
	}
	for _, seg := range strings.Split(path, "/") {
		if !bot.IsGroupName(seg) {
			return "", false
		}
	}
	return strings.ToLower(path), true
}
