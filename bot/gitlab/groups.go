package gitlab

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"
)

// Groups returns the full paths of the groups in repo's namespace ancestry
// ("acme", "acme/platform" for "acme/platform/k8s-gitops") that login
// belongs to, directly or through a parent group. A user GitLab does not know
// belongs to none.
func (h *Host) Groups(ctx context.Context, repo, login string) ([]string, error) {
	if err := checkRepo(repo); err != nil {
		return nil, err
	}
	namespace := repo[:strings.LastIndex(repo, "/")]
	if groups, ok := h.groups.Get(namespace, login); ok {
		return groups, nil
	}
	users, _, err := h.client.Users.ListUsers(&gl.ListUsersOptions{Username: gl.Ptr(login)}, gl.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("gitlab: find user %s: %w", login, err)
	}
	var groups []string
	if len(users) > 0 {
		groups, err = h.memberOf(ctx, ancestry(namespace), users[0].ID, login)
		if err != nil {
			return nil, err
		}
	}
	h.groups.Put(namespace, login, groups)
	return groups, nil
}

// memberOf keeps the groups in paths that user id belongs to.
func (h *Host) memberOf(ctx context.Context, paths []string, id int64, login string) ([]string, error) {
	var groups []string
	for _, path := range paths {
		m, _, err := h.client.GroupMembers.GetInheritedGroupMember(path, id, gl.WithContext(ctx))
		if errors.Is(err, gl.ErrNotFound) {
			continue // not a member, or a user namespace rather than a group
		}
		if err != nil {
			return nil, fmt.Errorf("gitlab: membership of %s in group %s: %w", login, path, err)
		}
		if m.State == "" || m.State == "active" {
			groups = append(groups, path)
		}
	}
	return groups, nil
}

// ancestry lists a namespace and its parents, outermost first.
func ancestry(namespace string) []string {
	parts := strings.Split(namespace, "/")
	out := make([]string, len(parts))
	for i := range parts {
		out[i] = strings.Join(parts[:i+1], "/")
	}
	return out
}
