package policies

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// argoOnlyResources are Argo CD resources gitwave never checks. A p line on one
// of them is valid, so that an existing argocd-rbac-cm policy.csv loads, but it
// grants nothing here.
var argoOnlyResources = map[string]bool{
	"projects": true, "repositories": true, "accounts": true, "certificates": true,
	"gpgkeys": true, "logs": true, "exec": true, "extensions": true, "applicationsets": true,
}

// argoOnlyActions are Argo CD actions gitwave never asks for ("action/..." too).
var argoOnlyActions = map[string]bool{
	"create": true, "update": true, "delete": true, "invoke": true, "exec": true,
}

// parser collects the rules, role edges and problems of one policy file.
type parser struct {
	rules    []rule
	edges    []edge
	problems []Problem
	// defined holds every folded name that a p line grants to or that
	// inherits through a g line: the names a g line may assign.
	defined map[string]bool
	// spelling keeps the first spelling of each folded name, for messages.
	spelling map[string]string
	// undefined holds the warnings about roles used but never defined.
	undefined []Problem
	// home is Options.Repo: paths qualified with it are made bare.
	home string
}

// edge is one g line: member inherits every grant of role.
type edge struct {
	line         int
	text         string
	member, role string // folded
}

// Parse reads a policy file and returns the policy together with every problem
// found, warnings included. When any problem is an error the policy is Broken:
// it denies everything and says why. The error is for failing to read r.
func Parse(r io.Reader, name string, opts Options) (*Policy, []Problem, error) {
	ps := &parser{defined: map[string]bool{}, spelling: map[string]string{}, home: opts.Repo}
	if err := ps.read(r); err != nil {
		return nil, nil, fmt.Errorf("read policy file %s: %w", name, err)
	}
	ps.builtin()
	ps.checkRoles(opts.DefaultRole)
	sort.SliceStable(ps.problems, func(i, j int) bool { return lineOrder(ps.problems[i].Line) < lineOrder(ps.problems[j].Line) })
	var malformed []Problem
	for _, p := range ps.problems {
		if p.Severity == SeverityError {
			malformed = append(malformed, p)
		}
	}
	if len(malformed) > 0 {
		return Broken(&MalformedError{File: name, Problems: malformed}), ps.problems, nil
	}
	return newPolicy(name, ps, opts), ps.problems, nil
}

func (ps *parser) read(r io.Reader) error {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		text, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if n == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if text != "" {
			ps.line(n, strings.TrimRight(text, "\r\n"))
		}
		if err != nil {
			return nil
		}
	}
}

func (ps *parser) problem(n int, text string, sev Severity, format string, args ...any) {
	ps.problems = append(ps.problems, Problem{Line: n, Text: text, Message: fmt.Sprintf(format, args...), Severity: sev})
}

// line parses one line; blank lines and lines starting with "#" are skipped.
func (ps *parser) line(n int, text string) {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return
	}
	cr := csv.NewReader(strings.NewReader(trimmed))
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	fields, err := cr.Read()
	if err != nil {
		ps.problem(n, text, SeverityError, "cannot read the line as comma-separated fields: %v", errors.Unwrap(err))
		return
	}
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	switch fields[0] {
	case "p":
		ps.grant(n, text, fields)
	case "g":
		ps.assign(n, text, fields)
	default:
		ps.problem(n, text, SeverityError, "unknown line type %q (want p or g)", fields[0])
	}
}

// name folds a subject or role field, reporting a problem when no login,
// group or role could ever match it.
func (ps *parser) name(n int, text, what, value string) (string, bool) {
	folded, ok := foldName(value)
	switch {
	case value == "":
		ps.problem(n, text, SeverityError, "the %s is empty", what)
	case !ok:
		ps.problem(n, text, SeverityError, "the %s %q holds a space or a non-ASCII character; Git-host logins, groups and roles are ASCII, so it can never match", what, value)
	default:
		if _, seen := ps.spelling[folded]; !seen {
			ps.spelling[folded] = value
		}
	}
	return folded, ok
}

// assign parses "g, member, role".
func (ps *parser) assign(n int, text string, fields []string) {
	if len(fields) != 3 {
		ps.problem(n, text, SeverityError, "a g line has 3 fields (g, subject, role), this one has %d", len(fields))
		return
	}
	member, okMember := ps.name(n, text, "subject", fields[1])
	role, okRole := ps.name(n, text, "role", fields[2])
	if okMember && okRole {
		ps.edges = append(ps.edges, edge{line: n, text: text, member: member, role: role})
		ps.defined[member] = true
	}
}

// checkRoles warns about every g line, and the default role, naming a role
// that neither the file nor the built-in roles define. As in Argo CD this is
// not an error: such a line grants nothing, and every other line still
// applies.
func (ps *parser) checkRoles(defaultRole string) {
	for _, e := range ps.edges {
		if !ps.defined[e.role] {
			ps.undefinedRole(e.line, e.text, fmt.Sprintf(
				"role %q is used but never defined: no p line grants it anything and no g line gives it a role, so this line grants nothing", ps.spelling[e.role]))
		}
	}
	if defaultRole == "" {
		return
	}
	folded, ok := foldName(defaultRole)
	if !ok || !ps.defined[folded] {
		ps.undefinedRole(0, defaultRole, fmt.Sprintf(
			"the default role %q (policy.default) is never defined: no p line grants it anything and no g line gives it a role, so it grants nobody anything", defaultRole))
	}
}

// undefinedRole records a warning about a role that is never defined.
func (ps *parser) undefinedRole(n int, text, msg string) {
	ps.problem(n, text, SeverityWarning, "%s", msg)
	ps.undefined = append(ps.undefined, ps.problems[len(ps.problems)-1])
}

// lineOrder sorts problems by line, with the options' problems (line 0) last.
func lineOrder(line int) int {
	if line == 0 {
		return math.MaxInt
	}
	return line
}
