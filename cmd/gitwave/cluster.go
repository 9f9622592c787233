package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/config"
)

func newClusterCmd(opts options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Register clusters (as `argocd cluster add` does), list them, and remove a registration",
	}
	cmd.AddCommand(newClusterAddCmd(), newClusterListCmd(opts), newClusterRmCmd())
	return cmd
}

// clusterAddFlags are the flags of `gitwave cluster add`.
type clusterAddFlags struct {
	name, kubeconfig, output, tokenFile, secretNamespace string
	labels                                               []string
	namespaces                                           []string
	timeout                                              time.Duration
}

func newClusterAddCmd() *cobra.Command {
	var f clusterAddFlags
	cmd := &cobra.Command{
		Use:   "add CONTEXT --name NAME [--label k=v]... [--namespaced NS,...]",
		Short: "Create gitwave-manager on a cluster and print its Argo CD cluster Secret (or, with -o config, a gitwave.yaml entry and a token file)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := runClusterAdd(cmd, args[0], f); err != nil {
				return exitWith(2, err)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", "the cluster's name in apps (destination.name); default the context")
	fl.StringSliceVar(&f.labels, "label", nil, "a label k=v of the cluster, for ApplicationSet cluster generators (repeatable)")
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig holding CONTEXT (default $KUBECONFIG or ~/.kube/config)")
	fl.StringSliceVar(&f.namespaces, "namespaced", nil, "grant only these namespaces (a Role in each) instead of the whole cluster")
	fl.StringVarP(&f.output, "output", "o", "secret", "secret (an Argo CD cluster Secret) or config (a gitwave.yaml entry and a token file)")
	fl.StringVar(&f.tokenFile, "token-file", "", "with -o config: where the token is written (default NAME.token)")
	fl.StringVar(&f.secretNamespace, "secret-namespace", "gitwave", "the namespace of the printed Secret: gitwave.yaml's clusterSecrets.namespace")
	fl.DurationVar(&f.timeout, "timeout", time.Minute, "how long to wait for the token")
	return cmd
}

// contextConfig reaches context ctxName of kubeconfig (default rules when
// empty).
func contextConfig(kubeconfig, ctxName string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules = &clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig}
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: ctxName}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", ctxName, err)
	}
	return cfg, nil
}

func runClusterAdd(cmd *cobra.Command, ctxName string, f clusterAddFlags) error {
	if f.name == "" {
		f.name = ctxName
	}
	labels, err := parseLabels(f.labels)
	if err != nil {
		return err
	}
	if f.output != "secret" && f.output != "config" {
		return fmt.Errorf("-o %q: want secret or config", f.output)
	}
	cfg, err := contextConfig(f.kubeconfig, ctxName)
	if err != nil {
		return err
	}
	reg, err := applier.Register(cmd.Context(), cfg, applier.RegisterOptions{Namespaces: f.namespaces, TokenTimeout: f.timeout})
	if err != nil {
		return err
	}
	ca := kubeconfigCA(cfg)
	if len(ca) == 0 {
		ca = reg.CAData
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "cluster %s (%s): gitwave-manager is ready\n", f.name, cfg.Host)
	if f.output == "config" {
		return writeConfigEntry(cmd.OutOrStdout(), f, labels, cfg.Host, reg.Token, ca)
	}
	return writeClusterSecret(cmd.OutOrStdout(), f, labels, cfg.Host, reg.Token, ca)
}

// kubeconfigCA is the CA that the kubeconfig trusts for the server, which
// is what a client of the same URL must trust.
func kubeconfigCA(cfg *rest.Config) []byte {
	if len(cfg.CAData) > 0 {
		return cfg.CAData
	}
	if cfg.CAFile != "" {
		if b, err := os.ReadFile(cfg.CAFile); err == nil {
			return b
		}
	}
	return nil
}

func parseLabels(kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--label %q: want key=value", kv)
		}
		out[k] = v
	}
	return out, nil
}

// writeClusterSecret prints the Argo CD cluster Secret: name, server and
// config {bearerToken, tlsClientConfig: {caData}}, with the labels on the
// Secret as Argo CD keeps them.
func writeClusterSecret(w io.Writer, f clusterAddFlags, labels map[string]string, server, token string, ca []byte) error {
	conf, err := json.Marshal(config.ArgoClusterConfig{BearerToken: token, TLSClientConfig: config.ArgoTLSClientConfig{CAData: ca}})
	if err != nil {
		return fmt.Errorf("encode cluster config: %w", err)
	}
	secretLabels := map[string]string{config.ArgoSecretTypeLabel: "cluster"}
	for k, v := range labels {
		secretLabels[k] = v
	}
	data := map[string]string{"name": f.name, "server": server, "config": string(conf)}
	if len(f.namespaces) > 0 {
		data["namespaces"] = strings.Join(f.namespaces, ",")
	}
	secret := map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata":   map[string]any{"name": "cluster-" + f.name, "namespace": f.secretNamespace, "labels": secretLabels},
		"stringData": data,
	}
	out, err := yaml.Marshal(secret)
	if err != nil {
		return fmt.Errorf("encode Secret: %w", err)
	}
	_, err = w.Write(out)
	return err
}

// writeConfigEntry writes the token to a file only the user can read and
// prints the clusters entry of gitwave.yaml that names it.
func writeConfigEntry(w io.Writer, f clusterAddFlags, labels map[string]string, server, token string, ca []byte) error {
	path := f.tokenFile
	if path == "" {
		path = f.name + ".token"
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	}
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	entry := config.Cluster{Name: f.name, Server: server, TokenFile: path, CAData: string(ca), Labels: labels}
	out, err := yaml.Marshal(map[string]any{"clusters": []config.Cluster{entry}})
	if err != nil {
		return fmt.Errorf("encode config entry: %w", err)
	}
	_, err = w.Write(out)
	return err
}

func newClusterRmCmd() *cobra.Command {
	var kubeconfig string
	cmd := &cobra.Command{
		Use:   "rm CONTEXT",
		Short: "Undo `gitwave cluster add`: delete gitwave-manager, its roles and its token from the cluster",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := contextConfig(kubeconfig, args[0])
			if err != nil {
				return exitWith(2, err)
			}
			deleted, err := applier.Unregister(cmd.Context(), cfg)
			sort.Strings(deleted)
			for _, d := range deleted {
				fmt.Fprintln(cmd.OutOrStdout(), "deleted", d)
			}
			if err != nil {
				return exitWith(2, err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "cluster %s: gitwave-manager removed; delete its Secret or gitwave.yaml entry too\n", args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig holding CONTEXT (default $KUBECONFIG or ~/.kube/config)")
	return cmd
}
