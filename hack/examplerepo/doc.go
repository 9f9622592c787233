// Package examplerepo turns gitwave's bundled example GitOps repository
// (testdata/example) into a real Git repository for the demo, the CLI's
// golden tests and the benchmarks, and writes scaled-up repositories of the
// same shape for the benchmarks.
//
// The example lives in two folders. testdata/example/repo is the default
// branch: root Applications (app of apps) over infrastructure, platform and
// applications, ApplicationSets with clusters and matrix generators, Helm
// charts, a Kustomize base with overlays, and Argo CD cluster Secrets for
// three clusters. testdata/example/pr is pull request 1 on top of it: the
// files it adds or replaces, at the same paths, and a DELETE file listing
// the paths it deletes, one a line.
//
// Build commits repo on branch main and the pull request on branch pr/1 with
// fixed author, committer and dates, so that the same example always gives
// the same commit ids. Merge fast-forwards main to pr/1, as merging the pull
// request does. Scale writes a repository of N apps on M clusters, and
// ScaleChange commits a change to exactly one of its apps.
//
// Every function runs the git command-line tool with the user's and the
// system's Git configuration switched off, so that no signing, hook or
// template setting of the machine changes what is committed.
package examplerepo
