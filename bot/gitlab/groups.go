package gitlab

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

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
	if groups, ok := h.groups.get(namespace, login); ok {
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
	h.groups.put(namespace, login, groups)
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

// groupCache remembers memberships per (namespace, user) for a while.
type groupCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[[2]string]groupEntry
}

type groupEntry struct {
	groups  []string
	expires time.Time
}

func newGroupCache(ttl time.Duration) *groupCache {
	if ttl == 0 {
		ttl = DefaultGroupsTTL
	}
	return &groupCache{ttl: ttl, entries: map[[2]string]groupEntry{}}
}

func (c *groupCache) get(namespace, user string) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[[2]string{namespace, user}]
	if !ok || time.Now().After(e.expires) {
		return nil, false
	}
	return append([]string(nil), e.groups...), true
}

func (c *groupCache) put(namespace, user string, groups []string) {
	if c.ttl < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[[2]string{namespace, user}] = groupEntry{
		groups:  append([]string(nil), groups...),
		expires: time.Now().Add(c.ttl),
	}
}
