// Package github is gitwave's adapter for GitHub and GitHub Enterprise
// Server. It implements bot.Host as a GitHub App.
//
// The model: a webhook arrives signed with the App's webhook secret; Verify
// checks X-Hub-Signature-256 (HMAC-SHA256 of the raw body) in constant time
// before anything else is read, and Parse turns the verified body into a
// bot.Event. There is no unsigned mode: New refuses an empty secret.
//
// Every call back to GitHub runs as an App installation. The App signs a
// short-lived JWT with its private key (RS256) to find the installation of a
// repository (GET /repos/{owner}/{repo}/installation, cached per repository)
// and to mint installation tokens, which ghinstallation caches and renews
// shortly before they expire. Comments, reactions, commit statuses, changed
// files, team memberships and pull requests then go through go-github with the
// installation token. Only the teams a policy names are asked about, and each
// answer is cached per (team, user) for a short time, since the policy check
// asks on every event.
package github
