package planner

import "testing"

// TestDestinationNegation is Argo CD's destination rule, entry by entry.
func TestDestinationNegation(t *testing.T) {
	d := func(name, server, ns string) Destination {
		return Destination{Name: name, Server: server, Namespace: ns}
	}
	tests := []struct {
		name                string
		dests               []Destination
		cluster, server, ns string
		want                bool
	}{
		{"server and namespace", []Destination{d("", "https://a", "web")}, "a", "https://a", "web", true},
		{"other namespace", []Destination{d("", "https://a", "web")}, "a", "https://a", "db", false},
		{"by name", []Destination{d("a", "", "*")}, "a", "https://a", "db", true},
		{"other name", []Destination{d("b", "", "*")}, "a", "https://a", "db", false},
		{"server glob", []Destination{d("", "https://*.corp", "web")}, "a", "https://a.corp", "web", true},
		{"namespace glob needs its prefix", []Destination{d("", "*", "team-*")}, "a", "https://a", "team", false},
		{"brace alternatives", []Destination{d("", "*", "{web,db}")}, "a", "https://a", "db", true},
		{"deny namespace alone permits others", []Destination{d("", "*", "!kube-system")}, "a", "https://a", "web", true},
		{"deny namespace refuses it", []Destination{d("", "*", "!kube-system")}, "a", "https://a", "kube-system", false},
		{"deny beats an earlier allow", []Destination{d("", "*", "*"), d("", "*", "!kube-system")}, "a", "https://a", "kube-system", false},
		{"deny beats a later allow", []Destination{d("", "*", "!kube-system"), d("", "*", "*")}, "a", "https://a", "kube-system", false},
		{"deny server", []Destination{d("", "*", "*"), d("", "!https://a", "*")}, "a", "https://a", "web", false},
		{"deny server glob spares others", []Destination{d("", "*", "*"), d("", "!https://prod-*", "*")}, "b", "https://dev-1", "web", true},
		{"deny name", []Destination{d("", "*", "*"), d("!a", "", "*")}, "a", "https://a", "web", false},
		{"deny name spares others", []Destination{d("", "*", "*"), d("!a", "", "*")}, "b", "https://b", "web", true},
		{"deny server only where its namespace matches", []Destination{d("", "*", "web"), d("", "!https://a", "db")}, "a", "https://a", "web", true},
		{"deny set of namespaces", []Destination{d("", "https://a", "!{kube-system,argocd}")}, "a", "https://a", "argocd", false},
		// Argo CD refuses by a deny namespace only when the entry's server
		// matches: a name-only entry's deny namespace does not refuse.
		{"deny namespace of a name-only entry", []Destination{d("a", "", "!kube-system"), d("", "*", "*")}, "a", "https://a", "kube-system", true},
		{"no entries", nil, "a", "https://a", "web", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := destinationMatched(tt.dests, tt.cluster, tt.server, tt.ns); got != tt.want {
				t.Errorf("destinationMatched(%+v, %s, %s, %s) = %v; want %v", tt.dests, tt.cluster, tt.server, tt.ns, got, tt.want)
			}
		})
	}
}

// TestSourceRepos is Argo CD's sourceRepos rule: normalized URLs, globs
// that stop at "/" unless "**", and deny entries.
func TestSourceRepos(t *testing.T) {
	tests := []struct {
		repos []string
		url   string
		want  bool
	}{
		{[]string{"*"}, "https://github.com/acme/x.git", true},
		{[]string{"https://github.com/acme/x"}, "https://GitHub.com/acme/x.git", true},
		{[]string{"git@github.com:acme/x.git"}, "git@github.com:acme/x", true},
		{[]string{"https://github.com/acme/*"}, "https://github.com/acme/x.git", true},
		{[]string{"https://github.com/acme/*"}, "https://github.com/acme/x/y", false},
		{[]string{"https://github.com/acme/**"}, "https://github.com/acme/x/y", true},
		{[]string{"https://github.com/acme/x"}, "https://github.com/acme/xy", false},
		{[]string{"!https://github.com/acme/secret"}, "https://github.com/acme/secret.git", false},
		// A deny entry matches every URL it does not deny, so alone it
		// permits them, as in Argo CD.
		{[]string{"!https://github.com/acme/secret"}, "https://github.com/acme/web", true},
		{[]string{"*", "!https://github.com/acme/secret*"}, "https://github.com/acme/secrets", false},
		{[]string{"!https://github.com/acme/secret*", "*"}, "https://github.com/acme/web", true},
		{nil, "https://github.com/acme/web", false},
	}
	for _, tt := range tests {
		if got, _ := sourcePermitted(tt.repos, tt.url); got != tt.want {
			t.Errorf("sourcePermitted(%v, %s) = %v; want %v", tt.repos, tt.url, got, tt.want)
		}
	}
}
