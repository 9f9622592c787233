// Package markdown renders gitwave's change sets as the Markdown that a
// pull request comment carries on GitHub and GitLab: a summary table first,
// then one collapsible section per app and cluster with its unified diff.
//
// A host limits the size of a comment (65,536 characters on GitHub,
// 1,000,000 on GitLab). The renderer, not the host client, keeps every
// comment under the limit: it splits the sections over several comments
// and, when one app's diff alone is too large, shortens it and says what
// was left out. Nothing is ever cut silently.
package markdown
