package notify

import (
	_ "embed"
	"fmt"
	"maps"
	"os"
	"sort"
	"strings"

	"github.com/argoproj/notifications-engine/pkg/services"
	"github.com/argoproj/notifications-engine/pkg/subscriptions"
	"github.com/argoproj/notifications-engine/pkg/templates"
	"github.com/argoproj/notifications-engine/pkg/triggers"
	"sigs.k8s.io/yaml"
)

//go:embed catalog.yaml
var catalogYAML []byte

// Config is an argocd-notifications-cm ConfigMap over the built-in catalog,
// with its service configuration resolved from the secret.
type Config struct {
	Triggers  map[string][]triggers.Condition
	Templates map[string]services.Notification
	// Services are the service.TYPE[.NAME] keys by name, secrets resolved.
	Services map[string]ServiceConfig
	// Subscriptions are the default subscriptions.
	Subscriptions          subscriptions.DefaultSubscriptions
	DefaultTriggers        []string
	ServiceDefaultTriggers map[string][]string
	// Context is the ConfigMap's context key (argocdUrl, ...).
	Context map[string]string

	triggers  triggers.Service
	templates templates.Service
	redact    redactor
}

// ServiceConfig is one service.TYPE[.NAME] key.
type ServiceConfig struct {
	Type string
	// Options is the key's YAML with $references resolved, as JSON.
	Options []byte
}

// LoadConfig reads the ConfigMap manifest at path and the secret at
// secretPath (see LoadSecrets).
func LoadConfig(path, secretPath string) (*Config, error) {
	manifest, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("notifications configmap: %w", err)
	}
	sec, err := LoadSecrets(secretPath)
	if err != nil {
		return nil, err
	}
	cfg, err := ParseConfig(manifest, sec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig reads an argocd-notifications-cm manifest (or its data map
// alone) over the catalog and checks every trigger and template.
func ParseConfig(manifest []byte, sec Secrets) (*Config, error) {
	data, err := configMapData(manifest)
	if err != nil {
		return nil, err
	}
	var catalog map[string]string
	if err := yaml.Unmarshal(catalogYAML, &catalog); err != nil {
		return nil, fmt.Errorf("built-in catalog: %w", err)
	}
	merged := maps.Clone(catalog)
	maps.Copy(merged, data)
	cfg := &Config{
		Triggers:               map[string][]triggers.Condition{},
		Templates:              map[string]services.Notification{},
		Services:               map[string]ServiceConfig{},
		ServiceDefaultTriggers: map[string][]string{},
		Context:                map[string]string{},
		redact:                 newRedactor(sec),
	}
	for _, k := range sortedKeys(merged) {
		if err := cfg.parseKey(k, merged[k], sec); err != nil {
			return nil, err
		}
	}
	return cfg, cfg.compile()
}

// configMapData returns the data of a ConfigMap manifest; a document
// without kind is taken as the data map itself.
func configMapData(manifest []byte) (map[string]string, error) {
	var cm struct {
		Kind string            `json:"kind"`
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(manifest, &cm); err == nil && cm.Kind != "" {
		if cm.Kind != "ConfigMap" {
			return nil, fmt.Errorf("notifications configmap: kind is %q, want ConfigMap", cm.Kind)
		}
		return cm.Data, nil
	}
	var data map[string]string
	if err := yaml.Unmarshal(manifest, &data); err != nil {
		return nil, fmt.Errorf("notifications configmap: want a ConfigMap manifest or its data: %w", err)
	}
	return data, nil
}

// parseKey reads one ConfigMap key with Argo CD's meaning; other keys are
// ignored, as Argo CD ignores them.
func (c *Config) parseKey(k, v string, sec Secrets) error {
	name, ok := "", false
	switch {
	case k == "subscriptions":
		return wrapKey(k, yaml.Unmarshal([]byte(v), &c.Subscriptions))
	case k == "defaultTriggers":
		return wrapKey(k, yaml.Unmarshal([]byte(v), &c.DefaultTriggers))
	case k == "context":
		return wrapKey(k, yaml.Unmarshal([]byte(v), &c.Context))
	}
	if name, ok = strings.CutPrefix(k, "trigger."); ok {
		var conds []triggers.Condition
		if err := yaml.Unmarshal([]byte(v), &conds); err != nil {
			return fmt.Errorf("trigger %s: %w", name, err)
		}
		c.Triggers[name] = conds
	} else if name, ok = strings.CutPrefix(k, "template."); ok {
		var n services.Notification
		if err := yaml.Unmarshal([]byte(v), &n); err != nil {
			return fmt.Errorf("template %s: %w", name, err)
		}
		c.Templates[name] = n
	} else if name, ok = strings.CutPrefix(k, "defaultTriggers."); ok {
		var ts []string
		if err := yaml.Unmarshal([]byte(v), &ts); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		c.ServiceDefaultTriggers[name] = ts
	} else if rest, ok := strings.CutPrefix(k, "service."); ok {
		return c.parseService(k, rest, v, sec)
	}
	return nil
}

// parseService reads service.TYPE or service.TYPE.NAME.
func (c *Config) parseService(key, rest, v string, sec Secrets) error {
	typ, name, named := strings.Cut(rest, ".")
	if !named {
		name = typ
	} else if strings.Contains(name, ".") {
		return fmt.Errorf("%s: want service.<type> or service.<type>.<name>", key)
	}
	var opts any
	if err := yaml.Unmarshal([]byte(v), &opts); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	opts, err := sec.resolveAll(opts)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	js, err := yaml.Marshal(opts)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	c.Services[name] = ServiceConfig{Type: typ, Options: js}
	return nil
}

// compile checks every trigger expression and template, naming the one
// that is wrong.
func (c *Config) compile() error {
	for _, name := range sortedKeys(c.Triggers) {
		if _, err := triggers.NewService(map[string][]triggers.Condition{name: c.Triggers[name]}); err != nil {
			return fmt.Errorf("trigger %s: %w", name, err)
		}
		for i, cond := range c.Triggers[name] {
			for _, t := range cond.Send {
				if _, ok := c.Templates[t]; !ok {
					return fmt.Errorf("trigger %s[%d]: sends template %q, which is not defined", name, i, t)
				}
			}
		}
	}
	for _, name := range sortedKeys(c.Templates) {
		if _, err := templates.NewService(map[string]services.Notification{name: c.Templates[name]}); err != nil {
			return fmt.Errorf("template %s: %w", name, err)
		}
	}
	var err error
	if c.triggers, err = triggers.NewService(c.Triggers); err != nil {
		return fmt.Errorf("triggers: %w", err)
	}
	if c.templates, err = templates.NewService(c.Templates); err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	return nil
}

func wrapKey(k string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", k, err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
