package gitrepo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
)

// Prefetch reads the files whose paths match into the Repo's blob cache in
// one pipelined exchange with git, instead of one round trip per file. A
// reader that is about to read most files of a kind (every manifest of a
// repository) calls it first; later reads of those files are memory reads.
// Paths that are not regular files are skipped.
func (t *Tree) Prefetch(ctx context.Context, match func(path string) bool) error {
	var oids []string
	for p, e := range t.entries {
		if (e.kind == kindFile || e.kind == kindExecutable) && e.size <= blobCacheBytes/4 && match(p) {
			oids = append(oids, e.oid)
		}
	}
	return t.repo.blobs.prefetch(ctx, oids)
}

// prefetch reads the objects not yet cached, writing every request before
// reading the answers.
func (b *blobReader) prefetch(ctx context.Context, oids []string) error {
	todo := oids[:0:0]
	for _, oid := range oids {
		if !b.cache.has(oid) {
			todo = append(todo, oid)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, b.repo.opts.CommandTimeout)
	defer cancel()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errClosed
	}
	if b.proc == nil {
		p, err := b.start()
		if err != nil {
			return fmt.Errorf("start git cat-file in %s: %w", b.repo.loc, err)
		}
		b.proc = p
	}
	p := b.proc
	stop := context.AfterFunc(ctx, func() { _ = p.cmd.Process.Kill() })
	err := b.exchange(p, todo)
	if !stop() {
		err = ctx.Err()
	}
	if err != nil {
		b.stopProc()
		return fmt.Errorf("prefetch %d objects in %s: %w", len(todo), b.repo.loc, err)
	}
	return nil
}

// exchange writes the requests from a goroutine, since git stops reading
// them once its output pipe is full, and caches each answer.
func (b *blobReader) exchange(p *batchProc, oids []string) error {
	written := make(chan error, 1)
	go func() {
		w := bufio.NewWriter(p.stdin)
		for _, oid := range oids {
			if _, err := w.WriteString(oid + "\n"); err != nil {
				written <- err
				return
			}
		}
		written <- w.Flush()
	}()
	for _, oid := range oids {
		data, err := p.response()
		var missing errMissing
		switch {
		case errors.As(err, &missing):
			continue
		case err != nil:
			return err
		}
		b.cache.put(oid, data)
	}
	return <-written
}
