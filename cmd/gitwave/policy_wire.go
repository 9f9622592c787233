package main

import "github.com/spf13/cobra"

// addPolicyCmd adds `gitwave policy` once policy.go provides it.
func addPolicyCmd(root *cobra.Command) {
	if policyCmd != nil {
		root.AddCommand(policyCmd())
	}
}

// policyCmd is set by policy.go.
var policyCmd func() *cobra.Command
