package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; a
// plain `go build` leaves it at "dev".
var version = "dev"

// newVersionCmd prints gitwave's version, the Go version that built it and
// the commit it was built from when Go recorded one.
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print gitwave's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "gitwave %s %s %s/%s%s\n",
				version, runtime.Version(), runtime.GOOS, runtime.GOARCH, buildCommit())
			return err
		},
	}
}

// buildCommit is " commit <sha>" when the binary was built in a Git work
// tree, else "".
func buildCommit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return " commit " + s.Value
		}
	}
	return ""
}
