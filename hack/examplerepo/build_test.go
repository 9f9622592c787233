package examplerepo

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// gitOut runs git in dir for a test and returns its trimmed output.
func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gitDir{dir: dir}.run(context.Background(), time.Time{}, args...)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// buildExample builds the bundled example in a temporary folder.
func buildExample(t *testing.T) *Repo {
	t.Helper()
	repo, err := Build(filepath.Join(t.TempDir(), "k8s-gitops"), Options{})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return repo
}

func TestBuildIsReproducible(t *testing.T) {
	a, b := buildExample(t), buildExample(t)
	if a.BaseSHA != b.BaseSHA || a.HeadSHA != b.HeadSHA {
		t.Errorf("two builds differ: base %s vs %s, head %s vs %s", a.BaseSHA, b.BaseSHA, a.HeadSHA, b.HeadSHA)
	}
	if a.BaseSHA == a.HeadSHA {
		t.Errorf("the pull request made no commit: base and head are both %s", a.BaseSHA)
	}
	if got := gitOut(t, a.Dir, "rev-parse", MainBranch); got != a.BaseSHA {
		t.Errorf("%s is at %s, want BaseSHA %s", MainBranch, got, a.BaseSHA)
	}
	if got := gitOut(t, a.Dir, "rev-parse", PRBranch+"^"); got != a.BaseSHA {
		t.Errorf("the parent of %s is %s, want BaseSHA %s", PRBranch, got, a.BaseSHA)
	}
	if got := gitOut(t, a.Dir, "symbolic-ref", "--short", "HEAD"); got != MainBranch {
		t.Errorf("checked-out branch is %s, want %s", got, MainBranch)
	}
	if got := gitOut(t, a.Dir, "log", "-1", "--format=%an <%ae> %ad", "--date=iso-strict", a.HeadSHA); got != AuthorName+" <"+AuthorEmail+"> 2025-01-07T14:30:00+00:00" {
		t.Errorf("head commit author line = %q", got)
	}
}

// prFiles lists what the example's pr/ folder says the pull request
// changes: every file in it but DELETE, and every path DELETE lists.
func prFiles(t *testing.T, src string) []string {
	t.Helper()
	var files []string
	pr := filepath.Join(src, prDir)
	err := filepath.WalkDir(pr, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(pr, p)
		if rel = filepath.ToSlash(rel); rel != deleteFile {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dels, err := readDeleteList(filepath.Join(pr, deleteFile))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, dels...)
	slices.Sort(files)
	return files
}

func TestBuildChangesWhatThePRSays(t *testing.T) {
	src, err := FindSource()
	if err != nil {
		t.Fatal(err)
	}
	repo := buildExample(t)
	want := prFiles(t, src)
	if !slices.Equal(repo.Changed, want) {
		t.Errorf("Changed = %q\nwant (from pr/) %q", repo.Changed, want)
	}
	for _, f := range want {
		data, err := os.ReadFile(filepath.Join(src, prDir, filepath.FromSlash(f)))
		if err != nil {
			continue // a deleted path
		}
		if got := gitOut(t, repo.Dir, "show", repo.HeadSHA+":"+f); got != strings.TrimSpace(string(data)) {
			t.Errorf("%s at head differs from pr/%s", f, f)
		}
	}
	// The working tree is main: the pull request's new chart is not there.
	if _, err := os.Stat(filepath.Join(repo.Dir, "apps", "inventory-service")); err == nil {
		t.Errorf("apps/inventory-service is in the working tree of %s", MainBranch)
	}
}

func TestMergeFastForwardsMain(t *testing.T) {
	repo := buildExample(t)
	ctx := context.Background()
	for round := range 2 {
		if err := Merge(ctx, repo); err != nil {
			t.Fatalf("Merge (round %d): %v", round+1, err)
		}
		if got := gitOut(t, repo.Dir, "rev-parse", "HEAD"); got != repo.HeadSHA {
			t.Errorf("after Merge (round %d) HEAD is %s, want %s", round+1, got, repo.HeadSHA)
		}
	}
	if _, err := os.Stat(filepath.Join(repo.Dir, "apps", "inventory-service", "Chart.yaml")); err != nil {
		t.Errorf("after Merge the working tree lacks the pull request's chart: %v", err)
	}
}

// writeExample writes a small example: files maps "repo/a.yaml" or
// "pr/DELETE" to contents.
func writeExample(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, data := range files {
		if err := writeFile(dir, rel, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuildOverlay(t *testing.T) {
	tests := []struct {
		name        string
		files       map[string]string
		wantChanged []string
		wantHead    []string // files at head
		wantErr     string
	}{
		{
			name: "replace, add and delete",
			files: map[string]string{
				"repo/a.yaml": "a: 1\n", "repo/b/b.yaml": "b: 1\n", "repo/c.yaml": "c: 1\n",
				"pr/a.yaml": "a: 2\n", "pr/d/d.yaml": "d: 1\n", "pr/DELETE": "# gone\n\nb/b.yaml\n",
			},
			wantChanged: []string{"a.yaml", "b/b.yaml", "d/d.yaml"},
			wantHead:    []string{"a.yaml", "c.yaml", "d/d.yaml"},
		},
		{
			name: "delete a folder",
			files: map[string]string{
				"repo/a.yaml": "a: 1\n", "repo/b/1.yaml": "1\n", "repo/b/2.yaml": "2\n",
				"pr/DELETE": "b\n",
			},
			wantChanged: []string{"b/1.yaml", "b/2.yaml"},
			wantHead:    []string{"a.yaml"},
		},
		{
			name:    "delete a missing file",
			files:   map[string]string{"repo/a.yaml": "a\n", "pr/DELETE": "nope.yaml\n"},
			wantErr: "delete nope.yaml",
		},
		{
			name:    "delete outside the repository",
			files:   map[string]string{"repo/a.yaml": "a\n", "pr/DELETE": "../a.yaml\n"},
			wantErr: "DELETE:1: \"../a.yaml\" is not a clean relative path",
		},
		{
			name:    "a PR that changes nothing",
			files:   map[string]string{"repo/a.yaml": "a\n", "pr/a.yaml": "a\n"},
			wantErr: "commit pr/1",
		},
		{
			name:    "no pr folder",
			files:   map[string]string{"repo/a.yaml": "a\n"},
			wantErr: "pr: no such file",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := writeExample(t, tt.files)
			repo, err := Build(filepath.Join(t.TempDir(), "r"), Options{Source: src})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Build error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if !slices.Equal(repo.Changed, tt.wantChanged) {
				t.Errorf("Changed = %q, want %q", repo.Changed, tt.wantChanged)
			}
			head := strings.Fields(gitOut(t, repo.Dir, "ls-tree", "-r", "--name-only", repo.HeadSHA))
			if !slices.Equal(head, tt.wantHead) {
				t.Errorf("files at head = %q, want %q", head, tt.wantHead)
			}
		})
	}
}

func TestBuildRefusesANonEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Build(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Fatalf("Build into a non-empty folder: error = %v, want \"is not empty\"", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "keep.txt")); string(data) != "mine" {
		t.Errorf("Build touched the existing file: %q", data)
	}
}

func TestFindSourceFromASubfolder(t *testing.T) {
	want, err := FindSource()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(want, repoDir, ".gitwave.yaml")); err != nil {
		t.Fatalf("FindSource() = %s, which holds no repo/.gitwave.yaml: %v", want, err)
	}
	t.Chdir(filepath.Join(want, repoDir, "apps"))
	got, err := FindSource()
	if err != nil || got != want {
		t.Errorf("FindSource() from a subfolder = %q, %v; want %q", got, err, want)
	}
}
