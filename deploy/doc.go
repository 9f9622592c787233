// Package deploy holds how users install gitwave itself: the Helm chart in
// chart/gitwave. Its tests lint the chart with the Helm SDK, render it and
// apply it with gitwave's own applier to a local cluster.
package deploy
