package gitrepo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// errClosed is returned by reads after Repo.Close.
var errClosed = errors.New("repository closed")

// blobReader reads objects through one long-lived `git cat-file --batch`
// process. One request runs at a time; a failed or timed-out request kills
// the process, and the next request starts a new one.
type blobReader struct {
	repo *Repo

	cache *blobCache

	mu     sync.Mutex
	closed bool
	proc   *batchProc
}

// batchProc is one running cat-file process.
type batchProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
}

// newBlobReader returns a reader that starts its process on first use.
func newBlobReader(r *Repo) *blobReader {
	return &blobReader{repo: r, cache: newBlobCache(blobCacheBytes)}
}

// read returns the content of the object oid, which must be a blob.
func (b *blobReader) read(ctx context.Context, oid string) ([]byte, error) {
	if !fullSHA.MatchString(oid) {
		return nil, fmt.Errorf("read object %q: not an object id", oid)
	}
	if data, ok := b.cache.get(oid); ok {
		return data, nil
	}
	data, err := b.readGit(ctx, oid)
	if err == nil {
		b.cache.put(oid, data)
	}
	return data, err
}

// readGit reads an object from the cat-file process.
func (b *blobReader) readGit(ctx context.Context, oid string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, b.repo.opts.CommandTimeout)
	defer cancel()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errClosed
	}
	if b.proc == nil {
		p, err := b.start()
		if err != nil {
			return nil, fmt.Errorf("start git cat-file in %s: %w", b.repo.loc, err)
		}
		b.proc = p
	}
	p := b.proc
	stop := context.AfterFunc(ctx, func() { _ = p.cmd.Process.Kill() })
	data, err := p.request(oid)
	if !stop() {
		err = ctx.Err()
	}
	if err != nil {
		var missing errMissing
		if !errors.As(err, &missing) {
			b.stopProc()
		}
		return nil, fmt.Errorf("read object %s in %s: %w", oid, b.repo.loc, err)
	}
	return data, nil
}

// start launches cat-file. It is not bound to a context: it lives as long as
// the Repo, and each request has its own deadline.
func (b *blobReader) start() (*batchProc, error) {
	cmd := exec.Command("git", "--git-dir", b.repo.gitDir, "cat-file", "--batch")
	cmd.Env = b.repo.env.env
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &batchProc{cmd: cmd, stdin: stdin, stdout: bufio.NewReaderSize(stdout, 64<<10)}, nil
}

// errMissing is cat-file's answer for an object that does not exist or is
// not a blob; the process stays usable.
type errMissing string

// Error returns the reason.
func (e errMissing) Error() string { return string(e) }

// request asks for one object and reads the answer: a header line
// "<oid> <type> <size>", the content and a newline.
func (p *batchProc) request(oid string) ([]byte, error) {
	if _, err := io.WriteString(p.stdin, oid+"\n"); err != nil {
		return nil, err
	}
	return p.response()
}

// response reads one answer of cat-file.
func (p *batchProc) response() ([]byte, error) {
	header, err := p.stdout.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	fields := strings.Fields(header)
	if len(fields) == 2 && fields[1] == "missing" {
		return nil, errMissing("object missing")
	}
	if len(fields) != 3 {
		return nil, fmt.Errorf("unexpected header %q", header)
	}
	size, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("unexpected header %q", header)
	}
	data := make([]byte, size+1)
	if _, err := io.ReadFull(p.stdout, data); err != nil {
		return nil, fmt.Errorf("read content: %w", err)
	}
	if fields[1] != "blob" {
		return nil, errMissing("object is a " + fields[1] + ", not a blob")
	}
	return data[:size], nil
}

// stopProc ends the current process, if any. The caller holds b.mu.
func (b *blobReader) stopProc() {
	if b.proc == nil {
		return
	}
	_ = b.proc.stdin.Close()
	_ = b.proc.cmd.Process.Kill()
	_ = b.proc.cmd.Wait()
	b.proc = nil
}

// close stops the process for good.
func (b *blobReader) close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.proc == nil {
		return nil
	}
	_ = b.proc.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- b.proc.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = b.proc.cmd.Process.Kill()
		<-done
	}
	b.proc = nil
	return nil
}
