package planner

// App returns the app with key, or nil when the inventory has none.
func (inv *Inventory) App(key AppKey) *App {
	for _, a := range inv.Apps {
		if a.Key() == key {
			return a
		}
	}
	return nil
}

// Select returns the apps named name, on cluster when it is not "", in
// inventory order: what `/sync NAME --cluster C` and `gitwave sync NAME`
// name.
func (inv *Inventory) Select(name, cluster string) []*App {
	return SelectApps(inv.Apps, name, cluster)
}

// SelectApps is Inventory.Select over any list of apps.
func SelectApps(apps []*App, name, cluster string) []*App {
	var out []*App
	for _, a := range apps {
		if a.Name == name && (cluster == "" || a.Cluster.Name == cluster) {
			out = append(out, a)
		}
	}
	return out
}
