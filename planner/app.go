package planner

// App is one Application bound to one cluster: the unit that gitwave
// renders, diffs, syncs and records. An ApplicationSet that targets three
// clusters yields three Apps; a plain Application yields one.
type App struct {
	// Name is the Application's metadata.name.
	Name string
	// Project is spec.project; "default" when unset.
	Project string
	// Cluster is the resolved destination cluster.
	Cluster Cluster
	// Namespace is the destination namespace, given to namespaced objects
	// that have none.
	Namespace string
	// Wave is the Application's own sync-wave annotation, which orders the
	// children of an app of apps.
	Wave int
	// Order is the sync-wave path from the root app down to this one: the
	// waves of each ancestor Application and ApplicationSet, then Wave.
	// Apps deploy in ascending Order (compared element by element), so a
	// child of a wave -1 parent deploys before every child of a wave 0 one.
	Order []int
	// Parent names what produced the app: "ApplicationSet/NAME",
	// "Application/NAME" for a child of an app of apps, or "" for a root.
	Parent string
	// File is the repository path of the manifest that declared the
	// Application or the ApplicationSet that generated it.
	File string
	// Line is the 1-based line in File where the manifest's document starts.
	Line int
	// Spec is the Application's spec with every template already expanded.
	Spec ApplicationSpec
	// Annotations are the Application's own annotations.
	Annotations map[string]string
	// Labels are the Application's own labels.
	Labels map[string]string
	// Ancestors names the Applications above this one in an app of apps,
	// the root first; nil for a root.
	Ancestors []string
	// Finalizers are the Application's metadata.finalizers; the resources
	// finalizer says that removing the app deletes its objects.
	Finalizers []string
}

// Key identifies an App: its name and its cluster's name.
func (a *App) Key() AppKey { return AppKey{App: a.Name, Cluster: a.Cluster.Name} }

// Automated reports the app's automated sync policy, or nil when sync is
// manual.
func (a *App) Automated() *SyncPolicyAutomated {
	if a.Spec.SyncPolicy == nil || a.Spec.SyncPolicy.Automated == nil {
		return nil
	}
	if en := a.Spec.SyncPolicy.Automated.Enabled; en != nil && !*en {
		return nil
	}
	return a.Spec.SyncPolicy.Automated
}

// SyncOptions returns spec.syncPolicy.syncOptions, or nil.
func (a *App) SyncOptions() []string {
	if a.Spec.SyncPolicy == nil {
		return nil
	}
	return a.Spec.SyncPolicy.SyncOptions
}

// AppKey identifies an app on a cluster.
type AppKey struct {
	App     string `json:"app"`
	Cluster string `json:"cluster"`
}

// String renders the key as "app@cluster".
func (k AppKey) String() string { return k.App + "@" + k.Cluster }
