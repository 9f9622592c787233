package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gitwave/gitwave/bot/markdown"
)

// Verb is a slash command's name.
type Verb string

// The slash commands.
const (
	VerbDiff     Verb = "diff"
	VerbSync     Verb = "sync"
	VerbRollback Verb = "rollback"
	VerbHistory  Verb = "history"
	VerbStatus   Verb = "status"
	VerbHelp     Verb = "help"
	// VerbTerminate stops an app's running sync.
	VerbTerminate Verb = "terminate"
)

// Command is a parsed slash command.
type Command struct {
	Verb    Verb
	Apps    []string
	Cluster string
	// To is /rollback's --to revision; Steps its --steps count (default 1).
	To    string
	Steps int
}

// Bounds of a parsed command: a comment is attacker input, and what it
// names ends up in store queries, Git revisions and replies.
const (
	// maxApps is how many apps one /sync may name.
	maxApps = 50
	// maxArgLen bounds an app, cluster or revision: the longest Kubernetes
	// object name.
	maxArgLen = 253
	// maxSteps is how far back /rollback --steps may go: as far as
	// /rollback looks in history (maxRollbackSearch).
	maxSteps = 50
)

// ParseResult is what a comment amounts to: a command to run, a reply to
// post at once (a usage error), or nothing (the comment is not for
// gitwave).
type ParseResult struct {
	Command *Command
	Reply   string
}

// usage is the /help text, one line per command.
const usage = "| command | what it does |\n|---|---|\n" +
	"| `/diff` | render the PR again and refresh gitwave's comment |\n" +
	"| `/sync [APP...] [--cluster NAME]` | deploy the PR's apps (open PR) or the default branch (merged PR) where the policy lets you |\n" +
	"| `/rollback APP [--to REV \\| --steps N] [--cluster NAME]` | deploy the revision deployed before, pin the app and open a revert PR |\n" +
	"| `/terminate APP [--cluster NAME]` | stop the app's running sync where the policy grants you sync; it is recorded as Terminated |\n" +
	"| `/history APP` | the app's last syncs on every cluster, and any rollback pin |\n" +
	"| `/status [APP] [--cluster NAME]` | sync and health of the repository's apps on every cluster, as the reconcile loop last saw them |\n" +
	"| `/help` | this table |\n"

// Usage returns the /help text.
func Usage() string { return usage }

// ParseComment reads a comment body. Only a first line starting with a
// known slash command is a command; any other comment is ignored. Extra
// spaces and text on later lines are tolerated; unknown flags and missing
// arguments give a reply with the usage.
func ParseComment(body string) ParseResult {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	fields := strings.Fields(line)
	if len(fields) == 0 || !strings.HasPrefix(fields[0], "/") {
		return ParseResult{}
	}
	verb := Verb(strings.ToLower(strings.TrimPrefix(fields[0], "/")))
	switch verb {
	case VerbDiff, VerbSync, VerbRollback, VerbHistory, VerbStatus, VerbHelp, VerbTerminate:
	default:
		return ParseResult{} // "/approve" and friends belong to other bots
	}
	cmd, err := parseArgs(verb, fields[1:])
	if err != nil {
		return ParseResult{Reply: fmt.Sprintf(":warning: %s: %s\n\n%s", markdown.Code(line), markdown.Code(err.Error()), usage)}
	}
	return ParseResult{Command: cmd}
}

func parseArgs(verb Verb, args []string) (*Command, error) {
	c := &Command{Verb: verb, Steps: 1}
	seen := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			if err := checkArg("app", a); err != nil {
				return nil, err
			}
			if c.Apps = append(c.Apps, a); len(c.Apps) > maxApps {
				return nil, fmt.Errorf("at most %d apps at once", maxApps)
			}
			continue
		}
		name, value, inline := strings.Cut(a, "=")
		if !knownFlag(verb, name) {
			return nil, unknownFlag(verb, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("flag %s given twice", name)
		}
		seen[name] = true
		if !inline {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag %s needs a value", name)
			}
			i++
			value = args[i]
		}
		if err := c.setFlag(name, value); err != nil {
			return nil, err
		}
	}
	if seen["--to"] && seen["--steps"] {
		return nil, fmt.Errorf("give --to or --steps, not both")
	}
	return c, c.check()
}

// checkArg refuses an empty, overlong or unprintable app, cluster or
// revision, one that looks like a flag, and one with a backquote, which
// would end the code span a reply quotes it in.
func checkArg(what, a string) error {
	switch {
	case a == "":
		return fmt.Errorf("%s needs a value", what)
	case len(a) > maxArgLen:
		return fmt.Errorf("%s is longer than %d characters", what, maxArgLen)
	case strings.HasPrefix(a, "-"):
		return fmt.Errorf("%s needs a value, not a flag", what)
	case strings.ContainsRune(a, '`') || !printable(a):
		return fmt.Errorf("%s holds a backquote or an unprintable character", what)
	}
	return nil
}

// unknownFlag names the flag in its error only when it is short and plain.
func unknownFlag(verb Verb, name string) error {
	if len(name) > 40 || strings.ContainsRune(name, '`') || !printable(name) {
		return fmt.Errorf("unknown flag for /%s", verb)
	}
	return fmt.Errorf("unknown flag %s for /%s", name, verb)
}

// knownFlag reports whether a verb takes a flag.
func knownFlag(verb Verb, name string) bool {
	switch name {
	case "--cluster":
		return verb == VerbSync || verb == VerbRollback || verb == VerbHistory || verb == VerbStatus || verb == VerbTerminate
	case "--to", "--steps":
		return verb == VerbRollback
	}
	return false
}

func (c *Command) setFlag(name, value string) error {
	if err := checkArg(name, value); err != nil {
		return err
	}
	switch name {
	case "--cluster":
		c.Cluster = value
	case "--to":
		c.To = value
	case "--steps":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > maxSteps {
			return fmt.Errorf("--steps wants a positive number up to %d, not %q", maxSteps, value)
		}
		c.Steps = n
	}
	return nil
}

func (c *Command) check() error {
	switch c.Verb {
	case VerbRollback:
		if len(c.Apps) != 1 {
			return fmt.Errorf("/rollback takes exactly one app")
		}
	case VerbHistory, VerbTerminate:
		if len(c.Apps) != 1 {
			return fmt.Errorf("/%s takes exactly one app", c.Verb)
		}
	case VerbStatus:
		if len(c.Apps) > 1 {
			return fmt.Errorf("/status takes at most one app")
		}
	case VerbDiff, VerbHelp:
		if len(c.Apps) > 0 {
			return fmt.Errorf("/%s takes no arguments", c.Verb)
		}
	}
	return nil
}
