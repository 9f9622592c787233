package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// kubectlFieldManager is the field manager of kubectl's applies and diffs.
const kubectlFieldManager = "kubectl-bench"

// kubectl runs the kubectl binary built with the cluster binaries against
// one context, with its discovery cache in a directory of its own.
type kubectl struct {
	bin, kubeconfig, context, cacheDir string
}

// run runs kubectl with args and returns its standard output and how many
// requests it made (client-go logs one "Response" line per request at
// -v=6; the log goes to a buffer and costs microseconds a line). A
// non-zero exit is an error quoting the end of standard error, unless
// allowed lists the code.
func (k kubectl) run(ctx context.Context, allowed []int, args ...string) (out []byte, code int, requests int64, err error) {
	full := append([]string{"--kubeconfig", k.kubeconfig, "--context", k.context, "--cache-dir", k.cacheDir, "-v=6"}, args...)
	cmd := exec.CommandContext(ctx, k.bin, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	requests = int64(bytes.Count(stderr.Bytes(), []byte(`"Response" verb=`)))
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
		for _, a := range allowed {
			if code == a {
				return stdout.Bytes(), code, requests, nil
			}
		}
	}
	if err != nil {
		return nil, 0, requests, fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, tail(withoutRequestLog(stderr.String()), 600))
	}
	return stdout.Bytes(), 0, requests, nil
}

// withoutRequestLog drops the -v=6 request and feature gate lines from
// kubectl's standard error, leaving its messages.
func withoutRequestLog(stderr string) string {
	var keep []string
	for _, l := range strings.Split(stderr, "\n") {
		if !strings.Contains(l, `"Response" verb=`) && !strings.Contains(l, "Feature gate default state") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// warm fills kubectl's discovery cache, as any earlier kubectl command
// of a user would have.
func (k kubectl) warm(ctx context.Context) error {
	_, _, _, err := k.run(ctx, nil, "api-resources", "-o", "name")
	return err
}

// syncWaves applies the wave files in order into namespace, waiting for
// the Deployments after each wave that has some. It returns the whole time,
// the part spent in `kubectl wait` and the requests of all the commands.
func (k kubectl) syncWaves(ctx context.Context, namespace string, set *manifestSet) (total, wait time.Duration, requests int64, err error) {
	start := time.Now()
	for w, file := range set.waves {
		_, _, n, err := k.run(ctx, nil, "apply", "--server-side", "--field-manager="+kubectlFieldManager, "-n", namespace, "-f", file)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("wave %d: %w", w, err)
		}
		requests += n
		if !set.deployments[w] {
			continue
		}
		waitStart := time.Now()
		_, _, n, err = k.run(ctx, nil, "wait", "--for=condition=Available", "deployment", "--all", "-n", namespace, "--timeout=2m")
		if err != nil {
			return 0, 0, 0, fmt.Errorf("wave %d: %w\n%s", w, err, k.describe(ctx, namespace))
		}
		requests += n
		wait += time.Since(waitStart)
	}
	return time.Since(start), wait, requests, nil
}

// describe returns what a person needs to see why Deployments in
// namespace are not Available: workloads, pods and the latest events.
func (k kubectl) describe(ctx context.Context, namespace string) string {
	var b strings.Builder
	for _, args := range [][]string{
		{"get", "deployments,replicasets,pods", "-n", namespace, "-o", "wide"},
		{"get", "events", "-n", namespace, "--sort-by=.lastTimestamp"},
		{"describe", "nodes"},
	} {
		out, _, _, err := k.run(ctx, nil, args...)
		if err != nil {
			fmt.Fprintf(&b, "%v\n", err)
			continue
		}
		fmt.Fprintf(&b, "$ kubectl %s\n%s", strings.Join(args, " "), tail(string(out), 4000))
	}
	return b.String()
}

// diff runs `kubectl diff --server-side` of file against namespace and
// returns how many objects differ and how many requests it made. Exit
// code 1 means differences.
func (k kubectl) diff(ctx context.Context, namespace, file string) (int, int64, error) {
	out, _, requests, err := k.run(ctx, []int{1}, "diff", "--server-side", "--field-manager="+kubectlFieldManager, "-n", namespace, "-f", file)
	if err != nil {
		return 0, 0, err
	}
	// kubectl runs `diff -u -N LIVE MERGED` on two directories; diff
	// prints one "diff -u -N ..." header per file that differs.
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "diff ") {
			n++
		}
	}
	return n, requests, sc.Err()
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
