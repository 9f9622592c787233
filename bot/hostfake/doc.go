// Package hostfake provides test doubles for the Git hosts gitwave talks
// to: NewGitHub and NewGitLab each start an httptest server that serves the
// REST endpoints the bot/github and bot/gitlab adapters call.
//
// The model: each double keeps the state a host would (repositories and
// projects, pull and merge requests, comments with ids, reactions, commit
// statuses, changed files, teams and groups, App installations and their
// tokens), checks authentication as the host does (GitHub: an RS256 App JWT
// on /app endpoints and installation tokens elsewhere; GitLab: PRIVATE-TOKEN),
// refuses what the host refuses (a GitHub comment over 65,536 characters gets
// the same 422), and records every request for assertions.
//
// Response bodies start from the examples GitHub documents in its OpenAPI
// description (npm @octokit/openapi) and from client-go's GitLab fixtures,
// with the double's state written over them; webhook payloads start from
// @octokit/webhooks-examples and client-go's testdata/webhooks. All of them
// live under testdata/ (see testdata/README.md for their origin and
// licenses). SignedRequest builds a webhook request signed exactly as the
// host signs it.
package hostfake
