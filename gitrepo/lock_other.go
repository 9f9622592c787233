//go:build !unix

package gitrepo

import (
	"context"
	"errors"
)

// lockFile is not implemented outside Unix: URL mirrors need flock.
func lockFile(ctx context.Context, path string) (func(), error) {
	return nil, errors.New("file locks are only supported on Unix")
}
