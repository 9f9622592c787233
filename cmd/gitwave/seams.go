package main

import "github.com/gitwave/gitwave/planner"

// Seams through which tests count what a command discovers and renders;
// both are nil in the binary.
var (
	// plannerSeam, when set, adjusts every Planner a command makes.
	plannerSeam func(*planner.Planner)
	// sourcesSeam, when set, wraps what every Source reads other
	// repositories and charts through.
	sourcesSeam func(planner.Repositories) planner.Repositories
)
