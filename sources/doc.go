// Package sources reads what an app's sources name outside the repository
// gitwave was handed: other Git repositories at their targetRevision, and
// charts from Helm (https) and OCI chart repositories. Registry implements
// planner.Repositories from gitwave.yaml's repos[] and helmRepos[], plus
// the CLI's local mappings (--source, --helm-repo).
//
// # Only listed repositories
//
// A repoURL is looked up in the lists, never dialled as it is spelled: an
// unlisted one is a *planner.UnlistedSourceError, so a pull request cannot
// make gitwave contact a host of its choosing. Git URLs are compared by
// config.RepoKey (scheme, user, port, case, a trailing slash and ".git" do
// not count; https and ssh of one host and path are one repository), chart
// repositories by config.HelmRepoKey. A chart repository's index may point
// its archives at another host (charts published as release assets): the
// operator trusted that index by listing the repository, so gitwave
// follows it, but sends the credentials only to the repository's own host.
//
// # Git
//
// Each listed repository has one bare mirror under DataDir/git (shared
// with the bot's), cloned once and fetched incrementally, read and fetched
// through one long-lived gitrepo handle. A revision name is looked up
// after a fetch at most once per fetchInterval; concurrent callers wait
// for one fetch instead of starting their own. "" and HEAD mean the
// repository's defaultBranch. Credentials come from tokenFile, sshKeyFile
// with knownHostsFile (StrictHostKeyChecking=yes), or, for host github,
// the App installation's token. A token (the tokenFile's content or the
// host's) is asked for on every clone and fetch, so a rotated one is used
// at once; the key and known_hosts paths are set once, and ssh reads the
// files on each connection. Credentials reach git through its
// environment, never its command line, and are masked in every error.
//
// # Charts
//
// Archives are cached on disk under DataDir/charts by repository, chart
// name and sha256 digest, with a small version → digest record beside
// them, so that a chart at an exact version that was fetched once is read
// without any network request, even after a restart. A version range
// ("v1.16.*", ">=1.2 <2") needs the repository's index (https) or tag list
// (OCI), which is cached for helmIndexTTL. Every request runs under the
// caller's context and every archive is refused beyond maxBytes.
package sources
