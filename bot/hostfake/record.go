package hostfake

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed testdata
var testdata embed.FS

// Request is one request a double received.
type Request struct {
	Method string
	// Path is relative to the API root: "/repos/acme/app/statuses/abc" on
	// GitHub, "/projects/acme%2Fapp/statuses/abc" on GitLab (escaped as
	// sent).
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// Comment is a pull request comment or merge request note a double holds.
type Comment struct {
	ID     int64
	Author string
	Body   string
	// Bot marks comments from Apps and bots.
	Bot bool
	// System marks GitLab system notes ("added 1 commit").
	System bool
}

// Reaction is an emoji reaction on a comment.
type Reaction struct {
	Content string
	User    string
}

// Status is a commit status a double holds.
type Status struct {
	Context     string
	State       string
	Description string
	TargetURL   string
}

// PullRequest is a pull or merge request a double holds.
type PullRequest struct {
	Number   int
	Title    string
	Body     string
	Author   string
	Head     string
	Base     string
	HeadSHA  string
	BaseSHA  string
	State    string // "open"/"closed" on GitHub, "opened"/"merged" on GitLab
	Merged   bool
	MergeSHA string
}

// File is a file a pull request changes.
type File struct {
	Path string
	// PreviousPath is set for renames.
	PreviousPath string
	// Status is added, modified, removed or renamed.
	Status string
}

// recorder keeps every request a double receives.
type recorder struct {
	mu       sync.Mutex
	requests []Request
}

// record reads and restores r's body and keeps a copy of the request.
func (rec *recorder) record(r *http.Request, path string) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.requests = append(rec.requests, Request{
		Method: r.Method,
		Path:   path,
		Query:  r.URL.RawQuery,
		Header: r.Header.Clone(),
		Body:   body,
	})
}

// Requests returns every request received so far, oldest first.
func (rec *recorder) Requests() []Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]Request(nil), rec.requests...)
}

// template decodes one of the documented example bodies under testdata.
func template(name string) map[string]any {
	data, err := testdata.ReadFile("testdata/" + name)
	if err != nil {
		panic(fmt.Sprintf("hostfake: example %s: %v", name, err))
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		panic(fmt.Sprintf("hostfake: example %s: %v", name, err))
	}
	return m
}

// set writes v at a dotted path in m, creating objects on the way.
func set(m map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeBody reads a JSON request body into v.
func decodeBody(r *http.Request, v any) error {
	return json.NewDecoder(r.Body).Decode(v)
}

// pageOf cuts items to the requested page. It returns the page, its number
// and the number of pages.
func pageOf[T any](r *http.Request, items []T, defaultSize int) ([]T, int, int) {
	size := atoiOr(r.URL.Query().Get("per_page"), defaultSize)
	if size <= 0 || size > 100 {
		size = min(max(size, 1), 100)
	}
	page := max(atoiOr(r.URL.Query().Get("page"), 1), 1)
	pages := max((len(items)+size-1)/size, 1)
	lo := min((page-1)*size, len(items))
	hi := min(lo+size, len(items))
	return items[lo:hi], page, pages
}

// linkHeader builds an RFC 8288 Link header for the pages around page.
func linkHeader(r *http.Request, page, pages int) string {
	link := func(p int, rel string) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		u := *r.URL
		u.Scheme, u.Host, u.RawQuery = "http", r.Host, q.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page < pages {
		links = append(links, link(page+1, "next"), link(pages, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	return strings.Join(links, ", ")
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

// fakeSHA derives a stable 40-hex commit id from a name.
func fakeSHA(name string) string {
	var h uint64 = 14695981039346656037
	for _, c := range []byte(name) {
		h ^= uint64(c)
		h *= 1099511628211
	}
	s := fmt.Sprintf("%016x", h)
	return (s + s + s)[:40]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
