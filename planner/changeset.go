package planner

// Action is what a sync does, or would do, to one object. The PR comment,
// the sync log and the drift report all speak in these words.
type Action string

// The actions of a change set.
const (
	ActionAdded     Action = "added"
	ActionChanged   Action = "changed"
	ActionRemoved   Action = "removed"
	ActionUnchanged Action = "unchanged"
)

// Change is one object's entry in a change set.
type Change struct {
	Key     ResourceKey `json:"-"`
	Version string      `json:"version"`
	Action  Action      `json:"change"`
	Phase   Phase       `json:"phase"`
	Wave    int         `json:"wave"`
	Hook    bool        `json:"hook,omitempty"`
	// Diff is a unified diff of the object's YAML, Secret values masked.
	Diff string `json:"diff"`
}

// AppStatus summarises an app's diff.
type AppStatus string

// The statuses of an AppDiff.
const (
	AppAdded     AppStatus = "added"
	AppRemoved   AppStatus = "removed"
	AppChanged   AppStatus = "changed"
	AppUnchanged AppStatus = "unchanged"
	AppError     AppStatus = "error"
)

// AppDiff is the change set of one app on one cluster.
type AppDiff struct {
	App     AppKey    `json:"-"`
	Status  AppStatus `json:"status"`
	Error   string    `json:"error,omitempty"`
	Changes []Change  `json:"objects"`
	// Note says something the reader should know about how the diff was
	// made, e.g. that a cluster was unreachable and the base branch was
	// used instead.
	Note string `json:"note,omitempty"`
	// Sources says what each of the app's sources was read at on the head
	// side (the base side for a removed app): targetRevision and the
	// commit or chart version it resolved to.
	Sources []SourceRevision `json:"sources,omitempty"`
	// Before and After are the app as it was and as it will be; either is
	// nil for an added or removed app.
	Before *App `json:"-"`
	After  *App `json:"-"`
}

// Counts returns how many objects are added, changed and removed.
func (d *AppDiff) Counts() (added, changed, removed int) {
	for _, c := range d.Changes {
		switch c.Action {
		case ActionAdded:
			added++
		case ActionChanged:
			changed++
		case ActionRemoved:
			removed++
		}
	}
	return added, changed, removed
}

// Waves returns the distinct waves that hold a change, ascending.
func (d *AppDiff) Waves() []int {
	seen := map[int]bool{}
	var waves []int
	for _, c := range d.Changes {
		if c.Action == ActionUnchanged || seen[c.Wave] {
			continue
		}
		seen[c.Wave] = true
		waves = append(waves, c.Wave)
	}
	sortInts(waves)
	return waves
}

func sortInts(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
