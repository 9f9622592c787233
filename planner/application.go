package planner

// The types in this file are the Argo CD-compatible subset of the
// argoproj.io/v1alpha1 Application that gitwave reads. Field names and JSON
// tags follow Argo CD so that users' manifests decode unchanged.

// Application is an Argo CD Application manifest as found in the repository.
type Application struct {
	APIVersion string          `json:"apiVersion,omitempty"`
	Kind       string          `json:"kind,omitempty"`
	Metadata   ObjectMeta      `json:"metadata"`
	Spec       ApplicationSpec `json:"spec"`
}

// ObjectMeta is the part of Kubernetes object metadata that gitwave reads
// from Applications and ApplicationSets.
type ObjectMeta struct {
	Name        string            `json:"name,omitempty"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Finalizers  []string          `json:"finalizers,omitempty"`
}

// ApplicationSpec is the desired state of an Application.
type ApplicationSpec struct {
	Project           string               `json:"project,omitempty"`
	Source            *ApplicationSource   `json:"source,omitempty"`
	Sources           []ApplicationSource  `json:"sources,omitempty"`
	Destination       Destination          `json:"destination"`
	SyncPolicy        *SyncPolicy          `json:"syncPolicy,omitempty"`
	IgnoreDifferences []ResourceIgnoreRule `json:"ignoreDifferences,omitempty"`
	Info              []map[string]string  `json:"info,omitempty"`
	RevisionHistory   *int64               `json:"revisionHistoryLimit,omitempty"`
}

// AllSources returns the application's sources: Sources when set, otherwise
// the single Source.
func (s ApplicationSpec) AllSources() []ApplicationSource {
	if len(s.Sources) > 0 {
		return s.Sources
	}
	if s.Source != nil {
		return []ApplicationSource{*s.Source}
	}
	return nil
}

// ApplicationSource says where an application's manifests come from.
type ApplicationSource struct {
	RepoURL        string                      `json:"repoURL,omitempty"`
	TargetRevision string                      `json:"targetRevision,omitempty"`
	Path           string                      `json:"path,omitempty"`
	Chart          string                      `json:"chart,omitempty"`
	Ref            string                      `json:"ref,omitempty"`
	Helm           *ApplicationSourceHelm      `json:"helm,omitempty"`
	Kustomize      *ApplicationSourceKustomize `json:"kustomize,omitempty"`
	Directory      *ApplicationSourceDirectory `json:"directory,omitempty"`
	Plugin         map[string]any              `json:"plugin,omitempty"`
}

// ApplicationSourceHelm holds the Helm options of a source.
type ApplicationSourceHelm struct {
	ReleaseName             string          `json:"releaseName,omitempty"`
	ValueFiles              []string        `json:"valueFiles,omitempty"`
	IgnoreMissingValueFiles bool            `json:"ignoreMissingValueFiles,omitempty"`
	Values                  string          `json:"values,omitempty"`
	ValuesObject            map[string]any  `json:"valuesObject,omitempty"`
	Parameters              []HelmParameter `json:"parameters,omitempty"`
	FileParameters          []HelmFileParam `json:"fileParameters,omitempty"`
	Namespace               string          `json:"namespace,omitempty"`
	KubeVersion             string          `json:"kubeVersion,omitempty"`
	APIVersions             []string        `json:"apiVersions,omitempty"`
	SkipCrds                bool            `json:"skipCrds,omitempty"`
	PassCredentials         bool            `json:"passCredentials,omitempty"`
	Version                 string          `json:"version,omitempty"`
}

// HelmParameter is one --set style override.
type HelmParameter struct {
	Name        string `json:"name"`
	Value       string `json:"value"`
	ForceString bool   `json:"forceString,omitempty"`
}

// HelmFileParam is one --set-file style override, read from the repository.
type HelmFileParam struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

// ApplicationSourceKustomize holds the Kustomize options of a source.
type ApplicationSourceKustomize struct {
	NamePrefix             string             `json:"namePrefix,omitempty"`
	NameSuffix             string             `json:"nameSuffix,omitempty"`
	Images                 []string           `json:"images,omitempty"`
	CommonLabels           map[string]string  `json:"commonLabels,omitempty"`
	CommonAnnotations      map[string]string  `json:"commonAnnotations,omitempty"`
	Namespace              string             `json:"namespace,omitempty"`
	Replicas               []KustomizeReplica `json:"replicas,omitempty"`
	Components             []string           `json:"components,omitempty"`
	Patches                []map[string]any   `json:"patches,omitempty"`
	ForceCommonLabels      bool               `json:"forceCommonLabels,omitempty"`
	ForceCommonAnnotations bool               `json:"forceCommonAnnotations,omitempty"`
}

// KustomizeReplica overrides the replica count of one workload.
type KustomizeReplica struct {
	Name  string `json:"name"`
	Count any    `json:"count"`
}

// ApplicationSourceDirectory holds the options of a plain directory source.
type ApplicationSourceDirectory struct {
	Recurse bool   `json:"recurse,omitempty"`
	Include string `json:"include,omitempty"`
	Exclude string `json:"exclude,omitempty"`
	Jsonnet any    `json:"jsonnet,omitempty"`
}

// Destination says which cluster and namespace an application deploys to.
// Exactly one of Server and Name identifies the cluster.
type Destination struct {
	Server    string `json:"server,omitempty"`
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

// SyncPolicy says when and how an application is synced.
type SyncPolicy struct {
	Automated                *SyncPolicyAutomated `json:"automated,omitempty"`
	SyncOptions              []string             `json:"syncOptions,omitempty"`
	Retry                    *RetryStrategy       `json:"retry,omitempty"`
	ManagedNamespaceMetadata map[string]any       `json:"managedNamespaceMetadata,omitempty"`
}

// SyncPolicyAutomated turns on automated sync after a merge.
type SyncPolicyAutomated struct {
	Prune      bool  `json:"prune,omitempty"`
	SelfHeal   bool  `json:"selfHeal,omitempty"`
	AllowEmpty bool  `json:"allowEmpty,omitempty"`
	Enabled    *bool `json:"enabled,omitempty"`
}

// RetryStrategy is the retry policy of a failed sync.
type RetryStrategy struct {
	Limit   int64    `json:"limit,omitempty"`
	Backoff *Backoff `json:"backoff,omitempty"`
}

// Backoff is the delay between sync retries. Duration and MaxDuration are Go
// durations ("5s", "3m"); Factor multiplies the delay after each attempt.
type Backoff struct {
	Duration    string `json:"duration,omitempty"`
	Factor      *int64 `json:"factor,omitempty"`
	MaxDuration string `json:"maxDuration,omitempty"`
}

// ResourceIgnoreRule is one ignoreDifferences entry.
type ResourceIgnoreRule struct {
	Group                 string   `json:"group,omitempty"`
	Kind                  string   `json:"kind"`
	Name                  string   `json:"name,omitempty"`
	Namespace             string   `json:"namespace,omitempty"`
	JSONPointers          []string `json:"jsonPointers,omitempty"`
	JQPathExpressions     []string `json:"jqPathExpressions,omitempty"`
	ManagedFieldsManagers []string `json:"managedFieldsManagers,omitempty"`
}
