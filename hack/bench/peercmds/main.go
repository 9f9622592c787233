// Command peercmds prints a bash script that renders every app of a GitOps
// repository with the `helm template` and `kustomize build` command-line
// tools, one invocation per (app, cluster), with the release name, namespace,
// value files, parameters and Kubernetes version gitwave uses for that app.
// The render benchmark times that script against gitwave.
//
// Usage:
//
//	peercmds -repo DIR > peer.sh
//	HELM=path KUSTOMIZE=path bash peer.sh
//
// The script changes into DIR, writes every rendered object to its standard
// output and stops at the first failing invocation. Apps are discovered by
// the planner, exactly as `gitwave validate --repo DIR` discovers them. An
// app whose source the command-line tools cannot render as gitwave does (a
// plain directory, inline Helm values, Kustomize options in the
// Application, several sources) is an error naming the app and cluster:
// the benchmark compares like with like or not at all.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/planner"
)

func main() {
	repo := flag.String("repo", ".", "repository working tree to render")
	flag.Parse()
	if err := run(context.Background(), *repo); err != nil {
		fmt.Fprintln(os.Stderr, "peercmds:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", dir, err)
	}
	tree, err := gitrepo.DirFS(abs)
	if err != nil {
		return err
	}
	defer tree.Close()
	cfg, err := planner.LoadRepoConfig(tree)
	if err != nil {
		return fmt.Errorf("read %s: %w", abs, err)
	}
	var p planner.Planner
	inv, err := p.Discover(ctx, planner.Source{Repo: tree, RepoURL: cfg.RepoURL, Config: cfg})
	if err != nil {
		return fmt.Errorf("discover apps in %s: %w", abs, err)
	}
	if len(inv.Errors) > 0 {
		return fmt.Errorf("discover apps in %s: %w", abs, errors.Join(inv.Errors...))
	}
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "#!/usr/bin/env bash\n# Renders the %d apps of %s with helm and kustomize; written by hack/bench/peercmds.\n", len(inv.Apps), abs)
	fmt.Fprintf(w, "set -euo pipefail\ncd %s\n", quote(abs))
	for _, app := range inv.Apps {
		line, err := command(tree, app)
		if err != nil {
			return fmt.Errorf("app %s on cluster %s (%s): %w", app.Name, app.Cluster.Name, app.File, err)
		}
		fmt.Fprintln(w, line)
	}
	return w.Flush()
}

// command returns the shell line rendering one app.
func command(repo fs.FS, app *planner.App) (string, error) {
	sources := app.Spec.AllSources()
	if len(sources) != 1 {
		return "", fmt.Errorf("%d sources: the peer tools render one", len(sources))
	}
	src := sources[0]
	dir := path.Clean(src.Path)
	switch {
	case exists(repo, path.Join(dir, "Chart.yaml")):
		return helmCommand(app, src, dir)
	case exists(repo, path.Join(dir, "kustomization.yaml")), exists(repo, path.Join(dir, "kustomization.yml")), exists(repo, path.Join(dir, "Kustomization")):
		if src.Kustomize != nil {
			return "", fmt.Errorf("kustomize options in the Application have no `kustomize build` flag")
		}
		return `"$KUSTOMIZE" build ` + quote(dir), nil
	default:
		return "", fmt.Errorf("source %s is a plain directory: no peer tool renders it", dir)
	}
}

// helmCommand returns the `helm template` line for a Helm source, with the
// release name, namespace, value files and parameters gitwave renders with.
func helmCommand(app *planner.App, src planner.ApplicationSource, dir string) (string, error) {
	h := src.Helm
	if h == nil {
		h = &planner.ApplicationSourceHelm{}
	}
	if h.Values != "" || len(h.ValuesObject) > 0 || len(h.FileParameters) > 0 || len(h.APIVersions) > 0 || len(app.Cluster.APIVersions) > 0 {
		return "", fmt.Errorf("inline values, file parameters or API versions: not scripted for the peer tools")
	}
	args := []string{`"$HELM"`, "template", quote(firstNonEmpty(h.ReleaseName, app.Name)), quote(dir),
		"--namespace", quote(firstNonEmpty(h.Namespace, app.Namespace, "default"))}
	for _, vf := range h.ValueFiles {
		args = append(args, "--values", quote(valueFile(dir, vf)))
	}
	for _, p := range h.Parameters {
		flag := "--set"
		if p.ForceString {
			flag = "--set-string"
		}
		args = append(args, flag, quote(p.Name+"="+p.Value))
	}
	if kv := firstNonEmpty(h.KubeVersion, app.Cluster.KubeVersion); kv != "" {
		args = append(args, "--kube-version", quote(kv))
	}
	if h.SkipCrds {
		args = append(args, "--skip-crds")
	}
	return strings.Join(args, " "), nil
}

// valueFile resolves a value file as Argo CD does: relative to the chart,
// or to the repository root after a `$ref` prefix.
func valueFile(chart, vf string) string {
	if strings.HasPrefix(vf, "$") {
		if _, rest, ok := strings.Cut(vf, "/"); ok {
			return path.Clean(rest)
		}
	}
	return path.Join(chart, vf)
}

func exists(repo fs.FS, name string) bool {
	_, err := fs.Stat(repo, name)
	return err == nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// quote quotes s for bash.
func quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == '=' || r == ':' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
