// Package planner turns a GitOps repository at one revision into what
// gitwave deploys: apps, their objects in sync order, and change sets.
//
// The model, in the order data flows:
//
//   - A Source is the repository at a revision, read through io/fs, with the
//     repository's .gitwave.yaml (RepoConfig) and the configured clusters.
//   - Discover finds Applications, ApplicationSets and Argo CD cluster
//     Secrets, expands every ApplicationSet generator (list, clusters, git,
//     matrix, merge) through goTemplate or the legacy template form, binds
//     each Application to its destination Cluster and descends into apps of
//     apps. The result is an Inventory: one App per (Application, cluster).
//   - Plan renders one App (directory, Kustomize or Helm, all in-process),
//     fills destination namespaces, reads sync waves and hooks into Objects
//     and sorts them with CompareObjects: phase, wave, kind, name. Steps
//     groups them into the phase-and-wave steps a sync runs one by one.
//   - DiffObjects compares two object sets, Secret values masked, into a
//     change set of Changes; DiffRevisions does so for every app that a
//     change between two revisions touches (Dependencies, Touches), giving a
//     Report that the CLI, the PR comment and the sync log all render.
//   - LoadProjects reads the repository's AppProjects; Projects.CheckApp and
//     CheckObjects hold an app, and the objects Plan gives it, to its
//     project as Argo CD does, and name which rule refused which object.
//
// The planner is pure: it reads the fs.FS it is given and, for sources of
// other repositories, other revisions and chart repositories, only what
// the Source's Repositories hands it (each repoURL and revision resolved
// once per pass and recorded as a SourceRevision); it makes no network
// call itself and knows no cluster. A source naming a repository it was
// not given is an *UnlistedSourceError, never a read of the served
// repository. Kustomize is handed only paths inside the source's tree
// (kustomizeSandbox), so it never runs git or fetches a URL; chart
// dependencies missing from charts/ come through Repositories.
// Inventory.AppsReading finds the apps a change in a source repository
// concerns. Everything in a pull request
// is untrusted, so each render and expansion is bounded by Limits: a
// deadline after which it is abandoned, and caps on apps, objects and
// bytes, each failing with a *LimitError. The one thing it may ask of a cluster,
// whether a kind is namespaced, is the Scope interface. Every problem is
// reported with the file, line, app and cluster it concerns (RenderError,
// ExpandError), and a problem in one app never stops the others.
package planner
