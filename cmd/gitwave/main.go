// Command gitwave renders, diffs, syncs and serves an Argo CD-style GitOps
// repository. This file wires the subcommands together; each lives in its
// own file.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"
)

func main() {
	// client-go logs through klog; gitwave reports what matters itself.
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd(options{})
	err := root.ExecuteContext(ctx)
	if err != nil {
		if code := exitCode(err); code != 0 {
			if msg := err.Error(); msg != "" {
				fmt.Fprintln(os.Stderr, "gitwave:", msg)
			}
			stop()
			os.Exit(code)
		}
	}
}

// newRootCmd builds the command tree with opts.
func newRootCmd(opts options) *cobra.Command {
	root := &cobra.Command{
		Use:           "gitwave",
		Short:         "Make a GitOps repository the only way to change a fleet of Kubernetes clusters",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newAppsCmd(opts), newRenderCmd(opts), newDiffCmd(opts), newValidateCmd(opts), newPolicyCmd(),
		newSyncCmd(opts), newTerminateCmd(), newHistoryCmd(), newHealthCmd(), newDriftCmd(opts), newStatusCmd(opts), newServeCmd(opts),
		newNotifyCmd(opts), newVersionCmd(), newClusterCmd(opts))
	return root
}
