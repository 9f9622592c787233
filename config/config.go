// Package config reads gitwave's own configuration file, gitwave.yaml:
// where its state lives, which Git hosts and repositories it serves, the
// clusters it deploys to, the policy, the reconcile interval and the
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
	// Repos are the only Git repositories gitwave reads: the ones it serves
	// (host github or gitlab) and the ones it only reads (host none).
	Repos []Repo `json:"repos,omitempty"`
	// HelmRepos are the only chart repositories gitwave reads.
	HelmRepos []HelmRepo `json:"helmRepos,omitempty"`
	// FetchInterval is how long a Git mirror's branches and tags are
	// trusted before a revision name is looked up again on the remote
	// (default 30s).
	FetchInterval Duration `json:"fetchInterval,omitempty"`
	// HelmIndexTTL is how long a chart repository's index (or an OCI
	// repository's tag list) is trusted for version ranges (default 5m).
	HelmIndexTTL Duration `json:"helmIndexTTL,omitempty"`
	// Clusters are the deployment targets with their credentials.
	Clusters []Cluster `json:"clusters,omitempty"`
	// ClusterSecrets reads more clusters, with credentials, from Argo CD
	// cluster Secrets in a namespace of the hub cluster; nil reads none.
	ClusterSecrets *ClusterSecrets `json:"clusterSecrets,omitempty"`
	// Policy says where the policy file is and the role everyone has.
	Policy Policy `json:"policy,omitempty"`
	// Reconcile configures the desired-state loop.
	Reconcile Reconcile `json:"reconcile,omitempty"`
	// Jobs configures the job queue's workers.
	Jobs Jobs `json:"jobs,omitempty"`
	// SelfHeal is the older name of the loop's schedule, kept as an alias
	// of reconcile.interval.
	SelfHeal SelfHeal `json:"selfHeal,omitempty"`
	// Limits bound rendering: a deadline per render and caps on apps,
	// objects and bytes.
	Limits Limits `json:"limits,omitempty"`
	// Notifications configures Argo CD-style notifications; nil sends none.
	Notifications *Notifications `json:"notifications,omitempty"`
	// SOPS holds the keys that decrypt SOPS files in the repositories.
	SOPS SOPS `json:"sops,omitempty"`
	// UI configures the read-only status page; off unless ui.listen is set.
	UI UI `json:"ui,omitempty"`

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

// Repo is one Git repository gitwave reads.
type Repo struct {
	// Name is owner/name on GitHub, group/project on GitLab; any unique
	// name for host none.
	Name string `json:"name"`
	// Host is "github" or "gitlab" for a served repository (webhooks,
	// comments), "none" for one that is only read.
	Host string `json:"host"`
	// URL is what gitwave clones (https, ssh or file://) and what sources'
	// repoURL is matched against.
	URL string `json:"url"`
	// DefaultBranch is the branch merges deploy from and what targetRevision
	// "" and HEAD mean (default main).
	DefaultBranch string `json:"defaultBranch,omitempty"`
	// TokenFile holds a token for https fetches. Without it and without
	// SSHKeyFile, a github repository is fetched with the GitHub App
	// installation's token.
	TokenFile string `json:"tokenFile,omitempty"`
	// SSHKeyFile is the private key for an ssh URL; it needs KnownHostsFile.
	SSHKeyFile string `json:"sshKeyFile,omitempty"`
	// KnownHostsFile is the only known_hosts file ssh consults: an unknown
	// host key is refused.
	KnownHostsFile string `json:"knownHostsFile,omitempty"`
}

// HelmRepo is one chart repository gitwave reads.
type HelmRepo struct {
	// URL is an https:// chart repository (with an index.yaml) or an
	// oci:// registry path.
	URL string `json:"url"`
	// UsernameFile and PasswordFile hold basic-auth credentials; both or
	// neither.
	UsernameFile string `json:"usernameFile,omitempty"`
	PasswordFile string `json:"passwordFile,omitempty"`
	// CAFile is a PEM bundle trusted for the repository's TLS certificate,
	// in addition to the system's.
	CAFile string `json:"caFile,omitempty"`
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

// SelfHeal is the loop's schedule in robfig/cron syntax ("@every 3m"): an
// alias of reconcile.interval, which wins when both are set.
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
	if c.Policy.Default == "" {
		c.Policy.Default = "role:readonly"
	}
	c.Limits.applyDefaults()
	if c.FetchInterval == 0 {
		c.FetchInterval = Duration(DefaultFetchInterval)
	}
	if c.HelmIndexTTL == 0 {
		c.HelmIndexTTL = Duration(DefaultHelmIndexTTL)
	}
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
	if err := c.Reconcile.applyDefaults(c.SelfHeal); err != nil {
		return err
	}
	if err := c.Reconcile.validate(); err != nil {
		return err
	}
	if err := c.Jobs.validate(); err != nil {
		return err
	}
	if err := c.Notifications.validate(); err != nil {
		return err
	}
	if err := c.UI.validate(); err != nil {
		return err
	}
	if c.UI.Listen != "" && c.UI.Listen == c.Listen {
		return fmt.Errorf("ui.listen %q is the webhooks' listen address: the status page needs its own", c.UI.Listen)
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
	if c.FetchInterval < 0 || c.HelmIndexTTL < 0 {
		return fmt.Errorf("fetchInterval and helmIndexTTL must be positive durations")
	}
	if c.ClusterSecrets != nil && c.ClusterSecrets.Namespace == "" {
		return fmt.Errorf("clusterSecrets.namespace is required")
	}
	if err := validateRepos(c.Repos); err != nil {
		return err
	}
	return validateHelmRepos(c.HelmRepos)
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
