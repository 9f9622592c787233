package bot

import (
	"fmt"
	"strconv"
	"strings"
)

// Verb is a slash command's name.
type Verb string

// The slash commands.
const (
	VerbDiff     Verb = "diff"
	VerbSync     Verb = "sync"
	VerbRollback Verb = "rollback"
	VerbHistory  Verb = "history"
	VerbHelp     Verb = "help"
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
	"| `/history APP` | the app's last syncs on every cluster, and any rollback pin |\n" +
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
	case VerbDiff, VerbSync, VerbRollback, VerbHistory, VerbHelp:
	default:
		return ParseResult{} // "/approve" and friends belong to other bots
	}
	cmd, err := parseArgs(verb, fields[1:])
	if err != nil {
		return ParseResult{Reply: fmt.Sprintf(":warning: `%s`: %v\n\n%s", line, err, usage)}
	}
	return ParseResult{Command: cmd}
}

func parseArgs(verb Verb, args []string) (*Command, error) {
	c := &Command{Verb: verb, Steps: 1}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			c.Apps = append(c.Apps, a)
			continue
		}
		name, value, inline := strings.Cut(a, "=")
		if !knownFlag(verb, name) {
			return nil, fmt.Errorf("unknown flag %s for /%s", name, verb)
		}
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
	return c, c.check()
}

// knownFlag reports whether a verb takes a flag.
func knownFlag(verb Verb, name string) bool {
	switch name {
	case "--cluster":
		return verb == VerbSync || verb == VerbRollback || verb == VerbHistory
	case "--to", "--steps":
		return verb == VerbRollback
	}
	return false
}

func (c *Command) setFlag(name, value string) error {
	switch name {
	case "--cluster":
		c.Cluster = value
	case "--to":
		c.To = value
	case "--steps":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 {
			return fmt.Errorf("--steps wants a positive number, not %q", value)
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
		if c.To != "" && c.Steps != 1 {
			return fmt.Errorf("give --to or --steps, not both")
		}
	case VerbHistory:
		if len(c.Apps) != 1 {
			return fmt.Errorf("/history takes exactly one app")
		}
	case VerbDiff, VerbHelp:
		if len(c.Apps) > 0 {
			return fmt.Errorf("/%s takes no arguments", c.Verb)
		}
	}
	return nil
}
