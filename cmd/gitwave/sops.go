package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/sopsage"
)

// sopsFlag is --sops-age-key-file of the commands that render.
type sopsFlag struct {
	ageKeyFile string
}

func (s *sopsFlag) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.ageKeyFile, "sops-age-key-file", "", "age identities that decrypt SOPS files at render (default: gitwave.yaml sops.ageKeyFile, else $SOPS_AGE_KEY_FILE)")
}

// keys loads the operator's age keys: the flag, else gitwave.yaml's
// sops.ageKeyFile, else SOPS_AGE_KEY_FILE. None set gives nil: SOPS files
// then fail their app. Keys never come from the repository.
func (s *sopsFlag) keys(cfg *config.Config) (*sopsage.Keys, error) {
	path := s.ageKeyFile
	if path == "" && cfg != nil && cfg.SOPS.AgeKeyFile != "" {
		path = cfg.Path(cfg.SOPS.AgeKeyFile)
	}
	if path == "" {
		path = os.Getenv("SOPS_AGE_KEY_FILE")
	}
	if path == "" {
		return nil, nil
	}
	return sopsage.LoadKeys(path)
}

// validateSOPS prints every SOPS file the configured keys do not open and
// every plaintext Secret in an encryptedPaths folder; it returns how many.
func validateSOPS(ctx context.Context, w *workspace, out io.Writer) int {
	problems, err := planner.CheckSOPS(ctx, w.src.Repo, w.src.Config, w.planner.Renderer.Options.Decrypter)
	if err != nil {
		problems = append(problems, err)
	}
	for _, p := range problems {
		fmt.Fprintln(out, p)
	}
	return len(problems)
}
