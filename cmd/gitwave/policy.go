package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/policies"
)

// policyFlags are the flags shared by the policy subcommands.
type policyFlags struct {
	file        string
	defaultRole string
	groups      []string
}

func (f *policyFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.file, "policy", "policy.csv", "policy file in Argo CD policy.csv format")
	cmd.Flags().StringVar(&f.defaultRole, "default-role", "", "role everyone holds, as Argo CD's policy.default (e.g. role:readonly)")
	cmd.Flags().StringSliceVar(&f.groups, "groups", nil, "teams or groups the subject belongs to, comma-separated, spelled as the policy names them (order-team, acme/order-team)")
}

// load reads the policy file. A malformed file is an error here: the
// commands answer about a usable policy or not at all.
func (f *policyFlags) load() (*policies.Policy, error) {
	r, err := os.Open(f.file)
	if err != nil {
		return nil, exitWith(2, fmt.Errorf("read policy: %w", err))
	}
	defer r.Close()
	p, err := policies.Load(r, f.file, policies.Options{DefaultRole: f.defaultRole})
	if err != nil {
		return nil, exitWith(2, err)
	}
	return p, nil
}

// init hands newPolicyCmd to main's wiring (policy_wire.go).

// newPolicyCmd returns `gitwave policy` and its subcommands can, check and
// validate. Exit status: 0 yes or valid, 1 no or problems found, 2 error.
func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Ask and check the policy: who may change which paths and run which command on which app and cluster",
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitWith(2, err) })
	cmd.AddCommand(newPolicyCanCmd(), newPolicyCheckCmd(), newPolicyValidateCmd())
	return cmd
}

func newPolicyCanCmd() *cobra.Command {
	var f policyFlags
	var explain bool
	cmd := &cobra.Command{
		Use:   "can SUBJECT ACTION RESOURCE OBJECT",
		Short: "Print yes (exit 0) or no (exit 1): may SUBJECT do ACTION on OBJECT of RESOURCE?",
		Long: `Print yes and exit 0 if the policy allows the request, no and exit 1 if not,
like argocd admin settings rbac can. RESOURCE is applications (OBJECT project/app),
clusters (OBJECT a cluster name) or paths (OBJECT a repo path, ACTION modify).
SUBJECT is a login or a role. Exit 2 on a bad request or a malformed policy.`,
		Example: `  gitwave policy can alice sync applications shop/order-api --groups acme/order-team
  gitwave policy can alice modify paths apps/order-service/values.yaml --explain`,
		Args: exactArgs(4),
		RunE: func(cmd *cobra.Command, args []string) error {
			subject, action, resource, object := args[0], args[1], args[2], args[3]
			if err := policies.ValidateRequest(resource, action, object); err != nil {
				return exitWith(2, err)
			}
			p, err := f.load()
			if err != nil {
				return err
			}
			d := p.Can(policies.Subject{Login: subject, Groups: f.groups}, resource, action, object)
			answer := "no"
			if d.Allowed {
				answer = "yes"
			}
			if err := printLines(cmd.OutOrStdout(), answer); err != nil {
				return exitWith(2, err)
			}
			if explain {
				if err := printLines(cmd.OutOrStdout(), d.Reason); err != nil {
					return exitWith(2, err)
				}
			}
			if !d.Allowed {
				return exitWith(1, nil)
			}
			return nil
		},
	}
	f.bind(cmd)
	cmd.Flags().BoolVar(&explain, "explain", false, "also print why, naming the deciding line or the roles that would grant it")
	return cmd
}

func newPolicyCheckCmd() *cobra.Command {
	var f policyFlags
	var author string
	cmd := &cobra.Command{
		Use:   "check --author LOGIN [--groups G1,G2] FILE...",
		Short: "Check that an author may modify every changed FILE (repo paths); list each one they may not",
		Long: `Check a change as the bot checks a pull request: every changed repo path needs a
paths, modify grant, the policy file included. Prints one line per denied file with the
grant it lacks and the roles that would grant it. Exit 0 if all may be modified, 1 if
not, 2 on error.`,
		Example: `  gitwave policy check --policy policy.csv --author alice --groups acme/order-team $(git diff --name-only main)`,
		RunE: func(cmd *cobra.Command, files []string) error {
			if author == "" {
				return usageError("policy check needs --author LOGIN")
			}
			p, err := f.load()
			if err != nil {
				return err
			}
			v := p.CheckChange(policies.Subject{Login: author, Groups: f.groups}, files)
			lines := make([]string, 0, len(v.Denied)+1)
			for _, d := range v.Denied {
				lines = append(lines, d.Decision.Reason)
			}
			if err := printLines(cmd.OutOrStdout(), append(lines, v.Reason)...); err != nil {
				return exitWith(2, err)
			}
			if !v.Allowed {
				return exitWith(1, nil)
			}
			return nil
		},
	}
	f.bind(cmd)
	cmd.Flags().StringVar(&author, "author", "", "login of the change's author (required)")
	return cmd
}

func newPolicyValidateCmd() *cobra.Command {
	var defaultRole string
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Report every malformed line of a policy file with its line number",
		Long: `Report every malformed line of a policy file: wrong field count, unknown resource,
action or effect, a pattern that can never match. Lines that are valid Argo CD but mean
nothing to gitwave (projects, action/...) and roles used but never defined are reported
as warnings, as Argo CD does: such a line grants nothing and the rest of the file applies.
role:readonly and role:admin are built in. Exit 0 if the file is usable, 1 if any line
is malformed, 2 if it cannot be read.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validatePolicy(cmd.OutOrStdout(), args[0], policies.Options{DefaultRole: defaultRole})
		},
	}
	cmd.Flags().StringVar(&defaultRole, "default-role", "", "role everyone holds, as Argo CD's policy.default; a warning if neither built in nor defined")
	return cmd
}

// validatePolicy writes the problems of file to w and a closing summary.
func validatePolicy(w io.Writer, file string, opts policies.Options) error {
	r, err := os.Open(file)
	if err != nil {
		return exitWith(2, fmt.Errorf("validate policy: %w", err))
	}
	defer r.Close()
	p, problems, err := policies.Parse(r, file, opts)
	if err != nil {
		return exitWith(2, err)
	}
	if err := policies.WriteProblems(w, file, problems); err != nil {
		return exitWith(2, err)
	}
	errs := 0
	for _, pr := range problems {
		if pr.Severity == policies.SeverityError {
			errs++
		}
	}
	if errs > 0 {
		summary := fmt.Sprintf("%s: %d malformed, %d warnings; no grants apply until it is fixed", file, errs, len(problems)-errs)
		if err := printLines(w, summary); err != nil {
			return exitWith(2, err)
		}
		return exitWith(1, nil)
	}
	var notes []string
	for _, n := range p.Notes() {
		notes = append(notes, "note: "+n)
	}
	summary := fmt.Sprintf("%s: ok, %d grants, %d warnings", file, p.Rules(), len(problems))
	if err := printLines(w, append([]string{summary}, notes...)...); err != nil {
		return exitWith(2, err)
	}
	return nil
}

// exactArgs is cobra.ExactArgs with a wrong count as a usage error (exit 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError("%s takes %d arguments, got %d; usage: %s", cmd.Name(), n, len(args), cmd.UseLine())
		}
		return nil
	}
}

// printLines writes each line to w, stopping at the first write error.
func printLines(w io.Writer, lines ...string) error {
	for _, l := range lines {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	return nil
}
