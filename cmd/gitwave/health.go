package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
)

func newHealthCmd() *cobra.Command {
	var file, output string
	cmd := &cobra.Command{
		Use:   "health -f FILE",
		Short: "The health of every object in a file, as gitwave judges it while it waits",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, err := os.ReadFile(file)
			if err != nil {
				return exitWith(2, err)
			}
			objs, errs := planner.ParseManifests(file, data)
			for _, e := range errs {
				fmt.Fprintln(cmd.ErrOrStderr(), "error:", e)
			}
			type row struct {
				Kind      string `json:"kind"`
				Namespace string `json:"namespace"`
				Name      string `json:"name"`
				Status    string `json:"status"`
				Message   string `json:"message"`
			}
			rows := make([]row, 0, len(objs))
			for _, o := range objs {
				h := applier.Assess(o.Object)
				rows = append(rows, row{Kind: o.Object.GetKind(), Namespace: o.Object.GetNamespace(), Name: o.Object.GetName(), Status: string(h.Status), Message: h.Message})
			}
			if output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(rows); err != nil {
					return exitWith(2, err)
				}
			} else {
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "KIND\tNAMESPACE\tNAME\tSTATUS\tMESSAGE")
				for _, r := range rows {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Kind, dash(r.Namespace), r.Name, r.Status, r.Message)
				}
				_ = tw.Flush()
			}
			if len(errs) > 0 {
				return exitWith(2, fmt.Errorf("%d document(s) could not be read", len(errs)))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "filename", "f", "", "YAML or JSON file of objects, with their status (kubectl get -o yaml)")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	_ = cmd.MarkFlagRequired("filename")
	return cmd
}
