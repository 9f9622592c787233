package planner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"

	"github.com/gobwas/glob"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// renderDirectory renders a plain directory source as Argo CD does: every
// .yaml, .yml and .json file in the directory (and below it with recurse),
// filtered by the include and exclude globs, read document by document.
func renderDirectory(ctx context.Context, repo fs.FS, rs renderSource) ([]Rendered, error) {
	var opts ApplicationSourceDirectory
	if rs.src.Directory != nil {
		opts = *rs.src.Directory
	}
	include, err := compileGlob(opts.Include)
	if err != nil {
		return nil, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("directory.include: %w", err))
	}
	exclude, err := compileGlob(opts.Exclude)
	if err != nil {
		return nil, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("directory.exclude: %w", err))
	}
	var out []Rendered
	err = fs.WalkDir(repo, rs.path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fileErr(p, 0, fmt.Errorf("read directory: %w", err))
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != rs.path && !opts.Recurse {
				return fs.SkipDir
			}
			return nil
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, rs.path), "/")
		if rs.path == "." {
			rel = p
		}
		if (exclude != nil && exclude.Match(rel)) || (include != nil && !include.Match(rel)) {
			return nil
		}
		objs, err := directoryFile(repo, p, d, rs.budget)
		out = append(out, objs...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// directoryFile reads the objects of one file of a directory source, or
// none when the file is not a manifest.
func directoryFile(repo fs.FS, p string, d fs.DirEntry, budget *renderBudget) ([]Rendered, error) {
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json":
	case ".jsonnet":
		return nil, fileErr(p, 0, errors.New("jsonnet is not supported: render it to YAML in the repository"))
	default:
		return nil, nil
	}
	target := p
	if d.Type()&fs.ModeSymlink != 0 {
		resolved, err := ResolveRepoPath(repo, p)
		if err != nil {
			return nil, fileErr(p, 0, err)
		}
		if info, err := fs.Stat(repo, resolved); err == nil && info.IsDir() {
			return nil, nil // Argo CD does not follow linked directories
		}
		target = resolved
	}
	if info, err := fs.Stat(repo, target); err == nil {
		if err := budget.addBytes(info.Size(), p); err != nil {
			return nil, err
		}
	}
	data, err := fs.ReadFile(repo, target)
	if err != nil {
		return nil, fileErr(p, 0, fmt.Errorf("read manifest: %w", err))
	}
	objs, errs := parseDocuments(p, data)
	if len(errs) == 0 {
		return objs, nil
	}
	// As Argo CD: a file that holds no object and does not look like one is
	// some other YAML (a values file, a config) and is skipped.
	if len(objs) == 0 && !looksLikeManifest(data) && !hasInvalidObject(errs) {
		return nil, nil
	}
	return nil, errs[0]
}

// looksLikeManifest is Argo CD's test for a YAML file that failed to parse
// but was meant to hold Kubernetes objects.
func looksLikeManifest(data []byte) bool {
	return bytes.Contains(data, []byte("apiVersion:")) && bytes.Contains(data,
		[]byte("kind:")) && bytes.Contains(data, []byte("metadata:"))
}

// errInvalidObject marks a document that is a Kubernetes object (it has
// apiVersion and kind) but one the planner cannot use.
var errInvalidObject = errors.New("invalid object")

func hasInvalidObject(errs []*RenderError) bool {
	for _, e := range errs {
		if errors.Is(e.Err, errInvalidObject) {
			return true
		}
	}
	return false
}

// yamlDoc is one document of a multi-document YAML stream.
type yamlDoc struct {
	text []byte
	line int // 1-based line of the document's first line
}

// splitDocuments splits a YAML stream at its "---" separator lines.
func splitDocuments(data []byte) []yamlDoc {
	var docs []yamlDoc
	start, startLine := 0, 1
	line := 1
	for i := 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		next := len(data)
		if end >= 0 {
			next = i + end + 1
		}
		l := data[i:next]
		if isDocSeparator(l) {
			docs = append(docs, yamlDoc{text: data[start:i], line: startLine})
			start, startLine = next, line+1
		}
		i = next
		line++
	}
	return append(docs, yamlDoc{text: data[start:], line: startLine})
}

func isDocSeparator(l []byte) bool {
	if !bytes.HasPrefix(l, []byte("---")) {
		return false
	}
	rest := l[3:]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r' || rest[0] == '\n'
}

// yamlLineRE finds the line a YAML parser reports, relative to a document.
var yamlLineRE = regexp.MustCompile(`(?:error converting YAML to JSON: )?yaml: line (\d+): `)

// parseDocuments decodes every non-empty document of a YAML (or JSON) file
// into objects, flattening `kind: List`. It returns the objects of the good
// documents and one error per bad document, with the file and the line.
func parseDocuments(file string, data []byte) ([]Rendered, []*RenderError) {
	var objs []Rendered
	var errs []*RenderError
	for _, doc := range splitDocuments(data) {
		js, err := yaml.YAMLToJSON(doc.text)
		if err != nil {
			errs = append(errs, yamlSyntaxError(file, doc.line, err))
			continue
		}
		js = bytes.TrimSpace(js)
		if len(js) == 0 || bytes.Equal(js, []byte("null")) {
			continue
		}
		docObjs, err := decodeObject(js)
		if err != nil {
			errs = append(errs, fileErr(file, firstContentLine(doc), err))
			continue
		}
		for _, o := range docObjs {
			objs = append(objs, Rendered{Object: o, File: file, Line: firstContentLine(doc)})
		}
	}
	return objs, errs
}

// yamlSyntaxError places a YAML parser error at its line in the file.
func yamlSyntaxError(file string, docLine int, err error) *RenderError {
	msg := err.Error()
	line := docLine
	if m := yamlLineRE.FindStringSubmatchIndex(msg); m != nil {
		n, _ := strconv.Atoi(msg[m[2]:m[3]])
		line = docLine + n - 1
		msg = msg[m[1]:]
	}
	return fileErr(file, line, fmt.Errorf("YAML syntax error: %s", msg))
}

// firstContentLine is the line of the document's first line that is
// neither blank nor a comment: where a reader sees the object start.
func firstContentLine(doc yamlDoc) int {
	for i, l := range bytes.Split(doc.text, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if len(t) > 0 && t[0] != '#' {
			return doc.line + i
		}
	}
	return doc.line
}

// decodeObject turns one JSON document into objects: itself, or the items
// of a List.
func decodeObject(js []byte) ([]*unstructured.Unstructured, error) {
	var v any
	if err := utiljson.Unmarshal(js, &v); err != nil {
		return nil, fmt.Errorf("decode object: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a Kubernetes object: the document is not a mapping")
	}
	o := &unstructured.Unstructured{Object: m}
	if o.GetAPIVersion() == "" || o.GetKind() == "" {
		return nil, errors.New("not a Kubernetes object: apiVersion and kind are required")
	}
	if items, isList := m["items"].([]any); isList && strings.HasSuffix(o.GetKind(), "List") {
		out := make([]*unstructured.Unstructured, 0, len(items))
		for i, it := range items {
			im, ok := it.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s item %d is not an object", o.GetKind(), i)
			}
			item := &unstructured.Unstructured{Object: im}
			if err := checkObject(item); err != nil {
				return nil, fmt.Errorf("%s item %d: %w", o.GetKind(), i, err)
			}
			out = append(out, item)
		}
		return out, nil
	}
	if err := checkObject(o); err != nil {
		return nil, err
	}
	return []*unstructured.Unstructured{o}, nil
}

// checkObject refuses objects the planner cannot identify.
func checkObject(o *unstructured.Unstructured) error {
	if o.GetAPIVersion() == "" || o.GetKind() == "" {
		return errors.New("not a Kubernetes object: apiVersion and kind are required")
	}
	if o.GetName() == "" && o.GetGenerateName() == "" {
		return fmt.Errorf("%w: %s %s has no metadata.name", errInvalidObject, o.GetAPIVersion(), o.GetKind())
	}
	return nil
}

// compileGlob compiles a directory include/exclude pattern as Argo CD's
// repo server does, with github.com/gobwas/glob and no separators: "*" and
// "?" match "/" too, "[...]" is a class ("[!...]" negated), "{a,b}" either
// alternative, a backslash quotes. An empty pattern compiles to nil. gitwave refuses
// a pattern gobwas cannot compile, which Argo CD treats as matching nothing,
// and an unclosed "{", which gobwas closes silently at the end.
func compileGlob(pattern string) (glob.Glob, error) {
	if pattern == "" {
		return nil, nil
	}
	if unclosedBrace(pattern) {
		return nil, fmt.Errorf("pattern %q: unclosed {", pattern)
	}
	g, err := glob.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	return g, nil
}

// unclosedBrace reports whether pattern opens more "{" than it closes,
// outside classes and quoted characters.
func unclosedBrace(pattern string) bool {
	depth, inClass := 0, false
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\':
			i++
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
		case c == '{':
			depth++
		case c == '}' && depth > 0:
			depth--
		}
	}
	return depth > 0
}

// ParseManifests decodes a YAML or JSON stream of objects, flattening
// Lists, and reports every document that cannot be read with its line.
func ParseManifests(file string, data []byte) ([]Rendered, []error) {
	objs, errs := parseDocuments(file, data)
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return objs, out
}
