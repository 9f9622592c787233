package policies

import "strconv"

// resource is what a p line grants on: applications, clusters or repo paths.
type resource uint8

const (
	resourceApplications resource = iota
	resourceClusters
	resourcePaths
	numResources
	resourceAny // "*" in a p line: every resource
)

var resourceNames = [numResources]string{"applications", "clusters", "paths"}

// String returns the resource as written in policy.csv.
func (r resource) String() string {
	if r == resourceAny {
		return "*"
	}
	return resourceNames[r]
}

// parseResource maps a resource name of a request to its kind.
func parseResource(name string) (resource, bool) {
	for i, n := range resourceNames {
		if n == name {
			return resource(i), true
		}
	}
	return 0, false
}

// Actions a request may name. ActionModify applies to paths only; the others to
// applications and clusters.
const (
	ActionGet      = "get"
	ActionDiff     = "diff"
	ActionSync     = "sync"
	ActionRollback = "rollback"
	ActionOverride = "override"
	ActionModify   = "modify"
)

// validAction reports whether a request may ask for action on res.
func validAction(res resource, action string) bool {
	switch action {
	case ActionModify:
		return res == resourcePaths
	case ActionGet, ActionDiff, ActionSync, ActionRollback, ActionOverride:
		return res != resourcePaths
	}
	return false
}

// rule is one effective p line.
type rule struct {
	line    int
	text    string // the line as written, for explanations
	subject string // folded
	holder  string // subject as written
	res     resource
	action  string // a concrete action or "*"
	object  objectPattern
	deny    bool
	// citation names the rule for a human: who holds it and where it is.
	citation string
}

// appliesTo reports whether the rule covers action on an object of res.
func (r *rule) appliesTo(action, object string) bool {
	return (r.action == "*" || r.action == action) && r.object.match(object)
}

// cite names the rule for a human: who holds it and where it is, "built
// in" for a line of builtinPolicy.
func cite(holder string, line int) string {
	if isBuiltin(line) {
		return holder + " (built in)"
	}
	return holder + " at line " + strconv.Itoa(line)
}
