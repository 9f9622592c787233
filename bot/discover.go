package bot

import (
	"context"

	"github.com/gitwave/gitwave/planner"
)

// discoverAt reads co's repository at rev (a branch, a tag or a commit)
// and discovers its apps: the one way bot goes from a fetched repository
// to a revision's apps. A full SHA is read as it is, without resolving it
// again.
func (b *Bot) discoverAt(ctx context.Context, co *checkout, rev string) (planner.Source, *planner.Inventory, error) {
	sha := rev
	if !fullSHA.MatchString(rev) {
		var err error
		if sha, err = co.resolve(ctx, rev); err != nil {
			return planner.Source{}, nil, err
		}
	}
	src, err := co.source(ctx, sha)
	if err != nil {
		return planner.Source{}, nil, err
	}
	inv, err := b.planner.Discover(ctx, src)
	return src, inv, err
}
