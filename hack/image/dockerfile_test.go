package image

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stage is one FROM ... AS name section of a Dockerfile: its instructions
// with continuation lines joined.
type stage struct {
	name  string
	instr [][2]string // {KEYWORD, rest}
}

// parseDockerfile reads the stages of path.
func parseDockerfile(t *testing.T, path string) []stage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stages []stage
	var line string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if strings.HasSuffix(text, "\\") {
			line += strings.TrimSuffix(text, "\\") + " "
			continue
		}
		line += text
		kw, rest, _ := strings.Cut(line, " ")
		line = ""
		kw = strings.ToUpper(kw)
		if kw == "FROM" {
			fields := strings.Fields(rest)
			name := ""
			if len(fields) == 3 && strings.EqualFold(fields[1], "AS") {
				name = fields[2]
			}
			stages = append(stages, stage{name: name})
			continue
		}
		if len(stages) > 0 {
			stages[len(stages)-1].instr = append(stages[len(stages)-1].instr, [2]string{kw, strings.TrimSpace(rest)})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return stages
}

// TestDockerfileBuildStage runs the build stage's environment and go build
// on this machine, as the image build does, and checks the binary: static
// (no interpreter, no shared libraries), built with -trimpath (no path of
// this checkout inside), and `gitwave version` runs.
func TestDockerfileBuildStage(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	stages := parseDockerfile(t, filepath.Join(root, "Dockerfile"))
	if len(stages) != 2 || stages[0].name != "build" {
		t.Fatalf("want two stages, the first named build; got %d", len(stages))
	}
	out := t.TempDir()
	env := os.Environ()
	var builds int
	for _, in := range stages[0].instr {
		switch in[0] {
		case "ENV":
			env = append(env, strings.Fields(in[1])...)
		case "ARG":
			env = append(env, in[1])
		case "RUN":
			if !strings.Contains(in[1], "go build") {
				continue // go mod download: the module cache has them
			}
			builds++
			cmd := exec.Command("sh", "-c", strings.ReplaceAll(in[1], "/out/", out+"/"))
			cmd.Dir, cmd.Env = root, env
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", in[1], err, b)
			}
		}
	}
	if builds != 1 {
		t.Fatalf("the build stage has %d go build commands, want 1", builds)
	}
	if !strings.Contains(strings.Join(env, " "), "CGO_ENABLED=0") {
		t.Error("the build stage does not set CGO_ENABLED=0")
	}
	bin := filepath.Join(out, "gitwave")
	checkStatic(t, bin)
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), root+"/") {
		t.Errorf("the binary holds the checkout's path %s: not built with -trimpath", root)
	}
	v, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(v), "gitwave ") {
		t.Errorf("gitwave version = %q, %v", v, err)
	}
}

// checkStatic fails unless bin is an ELF file with no interpreter and no
// shared library, which runs on any Linux base.
func checkStatic(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter: it is dynamically linked")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
}

// TestDockerfileRuntimeStage: the runtime stage installs git, ssh and CA
// certificates, runs as 65532 with data in /data, and starts
// `gitwave serve --config /etc/gitwave/gitwave.yaml`.
func TestDockerfileRuntimeStage(t *testing.T) {
	stages := parseDockerfile(t, "../../Dockerfile")
	got := map[string][]string{}
	for _, in := range stages[len(stages)-1].instr {
		got[in[0]] = append(got[in[0]], in[1])
	}
	run := strings.Join(got["RUN"], " ")
	for _, pkg := range []string{"git", "openssh-client", "ca-certificates"} {
		if !strings.Contains(run, " "+pkg) {
			t.Errorf("the runtime stage does not install %s", pkg)
		}
	}
	want := map[string]string{
		"USER":       "65532:65532",
		"WORKDIR":    "/data",
		"ENTRYPOINT": `["gitwave"]`,
		"CMD":        `["serve", "--config", "/etc/gitwave/gitwave.yaml"]`,
		"COPY":       "--from=build /out/gitwave /usr/local/bin/gitwave",
	}
	for kw, w := range want {
		if len(got[kw]) != 1 || got[kw][0] != w {
			t.Errorf("%s = %q, want %q", kw, got[kw], w)
		}
	}
}
