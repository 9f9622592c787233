package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"testing"
)

// generatedRepo makes a repository of n files spread over directories and
// returns it with the content of each file.
func generatedRepo(t testing.TB, n int) (*testRepo, map[string]string) {
	up := newTestRepo(t)
	files := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("apps/app-%03d/env-%d/values.yaml", i/10, i%10)
		files[name] = fmt.Sprintf("app: %d\nreplicas: %d\n", i/10, i%7)
	}
	up.write(files)
	up.commit("generated")
	return up, files
}

func TestTreeConcurrentReads(t *testing.T) {
	up, files := generatedRepo(t, 400)
	repo := up.open(t)
	tree, err := repo.Tree(testContext(t), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	const readers = 8
	errs := make([]error, readers)
	var wg sync.WaitGroup
	for g := range readers {
		wg.Go(func() {
			errs[g] = fs.WalkDir(tree, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := fs.ReadFile(tree, p)
				if err != nil {
					return err
				}
				if string(data) != files[p] {
					return fmt.Errorf("%s = %q, want %q", p, data, files[p])
				}
				return nil
			})
		})
	}
	wg.Wait()
	for g, err := range errs {
		if err != nil {
			t.Errorf("reader %d: %v", g, err)
		}
	}
}

func TestTreeAfterClose(t *testing.T) {
	up, _ := generatedRepo(t, 3)
	repo := up.open(t)
	tree, err := repo.Tree(testContext(t), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.ReadFile("apps/app-000/env-0/values.yaml"); err != nil {
		t.Fatal(err)
	}
	repo.Close()
	if _, err := tree.ReadFile("apps/app-000/env-1/values.yaml"); !errors.Is(err, errClosed) {
		t.Errorf("ReadFile after Close: err = %v, want repository closed", err)
	}
}

func TestBlobReaderRestartsAfterFailure(t *testing.T) {
	up, files := generatedRepo(t, 3)
	repo := up.open(t)
	tree, err := repo.Tree(testContext(t), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	name := "apps/app-000/env-2/values.yaml"
	if _, err := tree.ReadFile(name); err != nil {
		t.Fatal(err)
	}
	repo.blobs.mu.Lock()
	_ = repo.blobs.proc.cmd.Process.Kill()
	repo.blobs.mu.Unlock()
	if _, err := tree.ReadFile(name); err == nil {
		t.Log("read after the kill raced the process exit and succeeded")
	}
	data, err := tree.ReadFile(name)
	if err != nil || string(data) != files[name] {
		t.Errorf("ReadFile after the blob reader died = %q, %v; want a restarted reader", data, err)
	}
}

func BenchmarkTreeRead(b *testing.B) {
	up, files := generatedRepo(b, 3000)
	repo := openRepo(b, Options{Location: up.dir})
	b.ResetTimer()
	for b.Loop() {
		tree, err := repo.Tree(b.Context(), "HEAD")
		if err != nil {
			b.Fatal(err)
		}
		for name := range files {
			if _, err := tree.ReadFile(name); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(files)), "files/op")
}
