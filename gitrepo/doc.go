// Package gitrepo gives the rest of gitwave read access to a Git repository
// at any revision without touching a working tree. It drives the git
// command-line tool, as Argo CD's repo server does, rather than a Go
// reimplementation of Git.
//
// # Sources
//
// Open takes a local path (a working copy or a bare repository), read in
// place, or a URL (https, http, ssh, git, file, or user@host:path). A URL is
// cloned once as a bare mirror into Options.CacheDir, one directory per
// normalized URL, and afterwards fetched incrementally: every branch and tag,
// pruned, and single commits by SHA when asked for one no ref reaches. Clones
// and fetches of one mirror take a file lock next to it, so several gitwave
// processes may share a cache directory.
//
// Credentials never reach the disk or the logs. A token is handed to git as
// an http.extraHeader through GIT_CONFIG_* environment variables, scoped to
// the remote's origin; a password in a URL is moved out of it the same way.
// A Repo opened with a TokenSource asks it for a token on every clone, fetch
// and push, so that one long-lived Repo per repository keeps working while
// the host rotates short-lived tokens.
// Every error and log record is masked. Git never prompts
// (GIT_TERMINAL_PROMPT=0), and every git call runs under a deadline
// (Options.CommandTimeout, Options.FetchTimeout).
//
// # Revisions and trees
//
// Resolve turns a branch, tag, SHA, expression (HEAD~1) or remote-tracking
// name (origin/main) into a full commit SHA, fetching a mirror when its refs
// are stale; Lookup answers from what the mirror holds, for a caller that
// fetches on its own schedule. Tree lists the commit's tree once
// with git ls-tree and returns a *Tree, an io/fs file system with directories
// synthesized from the paths. File contents are read lazily through a single
// long-lived `git cat-file --batch` process per Repo, so reading thousands of
// files costs one process, not thousands.
//
// Symlinks in a Tree are resolved inside the tree, as a kernel would (relative
// targets, chains, at most 40 hops). A symlink whose target leaves the
// repository, by an absolute path or by ".." above the root, makes any read
// through it fail with an error that wraps ErrOutsideRepo and names the link:
// nothing is ever read outside the repository. Submodules are empty
// directories. ReadDir reports a symlink as a symlink, as os.ReadDir does.
//
// A working tree on disk is read with DirFS instead, built on os.Root so that
// symlinks cannot escape either (reported with ErrOutsideRepo too), and with
// .git hidden. Tree and *WorkDir can thus be handed to the same consumer.
//
// # Changes and the bot
//
// ChangedFiles lists the paths two commits differ in, without rename
// detection, so a rename reports both paths; MergeBase gives a pull request's
// base. Commit describes a commit, and RevertOnBranch makes a revert commit
// in a temporary worktree and publishes it as a new branch, for rollbacks.
package gitrepo
