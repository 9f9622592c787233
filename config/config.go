// Package config reads gitwave's own configuration file, gitwave.yaml:
// where its state lives, which Git hosts and repositories it serves, the
// clusters it deploys to, the policy, the self-heal schedule and the
// limits of rendering. Secrets
// are never written in the file itself: they are read from files or from
// ${ENV} references.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

// Config is gitwave.yaml. Field names are documented in the README.
type Config struct {
	// Listen is the HTTP address of `gitwave serve` (default ":8080").
	Listen string `json:"listen,omitempty"`
	// DataDir holds the SQLite database and the Git cache (default ./data).
	DataDir string `json:"dataDir,omitempty"`
	// State selects the store.
	State State `json:"state,omitempty"`
	// GitHub configures the GitHub App; nil when gitwave serves no GitHub.
	GitHub *GitHub `json:"github,omitempty"`
	// GitLab configures the GitLab integration; nil when unused.
	GitLab *GitLab `json:"gitlab,omitempty"`
	// Repos are the only repositories served.
	Repos []Repo `json:"repos,omitempty"`
	// Clusters are the deployment targets with their credentials.
	Clusters []Cluster `json:"clusters,omitempty"`
	// Policy says where the policy file is and the role everyone has.
	Policy Policy `json:"policy,omitempty"`
	// SelfHeal is the drift schedule.
	SelfHeal SelfHeal `json:"selfHeal,omitempty"`
	// Limits bound rendering: a deadline per render and caps on apps,
	// objects and bytes.
	Limits Limits `json:"limits,omitempty"`
	// SOPS holds the keys that decrypt SOPS files in the repositories.
	SOPS SOPS `json:"sops,omitempty"`

	// dir is the directory of the file, against which relative paths
	// resolve.
	dir string
}

// State selects the store: {driver: sqlite} (default) or
// {driver: postgres, dsn: postgres://…}.
type State struct {
	Driver string `json:"driver,omitempty"`
	DSN    string `json:"dsn,omitempty"`
}

// GitHub configures the GitHub App.
type GitHub struct {
	AppID             int64  `json:"appID"`
	PrivateKeyFile    string `json:"privateKeyFile"`
	WebhookSecretFile string `json:"webhookSecretFile"`
	BaseURL           string `json:"baseURL,omitempty"`
}

// GitLab configures GitLab access.
type GitLab struct {
	BaseURL           string `json:"baseURL,omitempty"`
	TokenFile         string `json:"tokenFile"`
	WebhookSecretFile string `json:"webhookSecretFile"`
}

// Repo is one served repository.
type Repo struct {
	// Name is owner/name on GitHub, group/project on GitLab.
	Name string `json:"name"`
	// Host is "github" or "gitlab".
	Host string `json:"host"`
	// URL is what gitwave clones (https, ssh or file://).
	URL string `json:"url"`
	// DefaultBranch is the branch merges deploy from (default main).
	DefaultBranch string `json:"defaultBranch,omitempty"`
}

// Cluster is a deployment target. Either Kubeconfig (with Context) or
// Server with a token and CA gives the connection. A cluster with the same
// name as an Argo CD cluster Secret in the repository takes the Secret's
// labels.
type Cluster struct {
	Name       string            `json:"name"`
	Kubeconfig string            `json:"kubeconfig,omitempty"`
	Context    string            `json:"context,omitempty"`
	Server     string            `json:"server,omitempty"`
	TokenFile  string            `json:"tokenFile,omitempty"`
	Token      string            `json:"token,omitempty"`
	CAFile     string            `json:"caFile,omitempty"`
	CAData     string            `json:"caData,omitempty"`
	Insecure   bool              `json:"insecure,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	// KubeVersion is given to Helm as .Capabilities.KubeVersion.
	KubeVersion string `json:"kubeVersion,omitempty"`
}

// Policy names the policy file in the repository and the default role.
type Policy struct {
	File    string `json:"file,omitempty"`
	Default string `json:"default,omitempty"`
}

// SOPS configures decrypting SOPS files at render.
type SOPS struct {
	// AgeKeyFile is a file of age identities (AGE-SECRET-KEY-1… lines),
	// relative to gitwave.yaml; empty falls back to SOPS_AGE_KEY_FILE.
	AgeKeyFile string `json:"ageKeyFile,omitempty"`
}

// SelfHeal is the drift schedule in robfig/cron syntax ("@every 3m").
type SelfHeal struct {
	Schedule string `json:"schedule,omitempty"`
}

// Load reads and checks a gitwave.yaml file. ${VAR} references are
// replaced from the environment; an unset variable is an error.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	expanded, err := expandEnv(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var c Config
	if err := yaml.UnmarshalStrict([]byte(expanded), &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.dir = filepath.Dir(path)
	c.applyDefaults()
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

func expandEnv(s string) (string, error) {
	var missing []string
	out := envRef.ReplaceAllStringFunc(s, func(m string) string {
		name := envRef.FindStringSubmatch(m)[1]
		v, ok := os.LookupEnv(name)
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("environment variables not set: %s", strings.Join(missing, ", "))
	}
	return out, nil
}

func (c *Config) applyDefaults() {
	if c.Listen == "" {
		c.Listen = ":8080"
	}
	if c.DataDir == "" {
		c.DataDir = "./data"
	}
	if c.State.Driver == "" {
		c.State.Driver = "sqlite"
	}
	if c.SelfHeal.Schedule == "" {
		c.SelfHeal.Schedule = "@every 3m"
	}
	if c.Policy.Default == "" {
		c.Policy.Default = "role:readonly"
	}
	c.Limits.applyDefaults()
	for i := range c.Repos {
		if c.Repos[i].DefaultBranch == "" {
			c.Repos[i].DefaultBranch = "main"
		}
	}
}

func (c *Config) validate() error {
	if err := c.Limits.validate(); err != nil {
		return err
	}
	if c.State.Driver != "sqlite" && c.State.Driver != "postgres" {
		return fmt.Errorf("state.driver %q: want sqlite or postgres", c.State.Driver)
	}
	if c.State.Driver == "postgres" && c.State.DSN == "" {
		return fmt.Errorf("state.dsn is required with driver postgres")
	}
	seen := map[string]bool{}
	for i, cl := range c.Clusters {
		switch {
		case cl.Name == "":
			return fmt.Errorf("clusters[%d]: name is required", i)
		case seen[cl.Name]:
			return fmt.Errorf("clusters[%d]: cluster %q is listed twice", i, cl.Name)
		case cl.Kubeconfig == "" && cl.Server == "":
			return fmt.Errorf("cluster %q: set kubeconfig (and context) or server", cl.Name)
		}
		seen[cl.Name] = true
	}
	for i, r := range c.Repos {
		if r.Name == "" || r.URL == "" || (r.Host != "github" && r.Host != "gitlab") {
			return fmt.Errorf("repos[%d]: name, url and host (github or gitlab) are required", i)
		}
	}
	return nil
}

// Path resolves a path from the file against the file's directory.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.dir == "" {
		return p
	}
	return filepath.Join(c.dir, p)
}

// ReadSecret reads a secret file named in the configuration, trimming the
// trailing newline. The value never appears in an error.
func (c *Config) ReadSecret(p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("no secret file configured")
	}
	b, err := os.ReadFile(c.Path(p))
	if err != nil {
		return "", fmt.Errorf("read secret file %s: %w", p, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
