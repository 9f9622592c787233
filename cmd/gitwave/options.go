package main

import (
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/sopsage"
)

// options are what the command tree is built with besides its flags. The
// binary builds it from the zero value; a program that runs the commands
// in process (the tests) can adjust what the commands read and render
// with, for instance to count it.
type options struct {
	// adjustPlanner, when set, adjusts every Planner a command makes for
	// the repository it reads.
	adjustPlanner func(*planner.Planner)
	// wrapRepositories, when set, wraps what every Source a command reads
	// other repositories and charts through.
	wrapRepositories func(planner.Repositories) planner.Repositories
}

// newPlanner returns a planner within lim that decrypts with keys.
func (o options) newPlanner(lim planner.Limits, keys *sopsage.Keys) *planner.Planner {
	p := &planner.Planner{Limits: lim}
	p.Renderer.Options.Decrypter = keys
	if o.adjustPlanner != nil {
		o.adjustPlanner(p)
	}
	return p
}

// repositories is what a Source reads other repositories and charts
// through, given the registry the flags built.
func (o options) repositories(r planner.Repositories) planner.Repositories {
	if o.wrapRepositories != nil {
		return o.wrapRepositories(r)
	}
	return r
}
