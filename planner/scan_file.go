package planner

import (
	"bytes"
	"io/fs"
)

// fileScan is what scanning one file found, before the repository's
// configuration picks what counts. Kept in a parseCache, it is shared by
// every scan that meets the file: callers get copies (see scanFileCached).
type fileScan struct {
	// argo is set when the file mentions an argoproj.io Application.
	argo bool
	// docs are the file's Applications, ApplicationSets and cluster
	// Secrets; its other objects are dropped.
	docs []Rendered
	// errs are the file's read and parse errors, naming file and line.
	errs []*RenderError
	// readFailed is set when the file could not be read: such a scan is
	// not kept, so that the next one reads again.
	readFailed bool
	// cost estimates the bytes the scan holds.
	cost int64
	// key is the file's scanKey, "" when the repository names no content.
	key string
}

// scanKey is the parse cache key of file p's scan: its content and its
// path, which the errors and objects name. It is "" when repo does not
// name its files' contents.
func scanKey(repo fs.FS, p string) string {
	id, ok := blobID(repo, p)
	if !ok {
		return ""
	}
	return "scan\x00" + id + "\x00" + p
}

// scanFileCached scans file p, or returns a copy of an earlier scan of the
// same content at the same path.
func scanFileCached(repo fs.FS, p string, cache *parseCache) fileScan {
	key := scanKey(repo, p)
	if key == "" {
		return scanFile(repo, p)
	}
	fsc := cachedParse(cache, key, func() (fileScan, int64, bool) {
		fsc := scanFile(repo, p)
		return fsc, fsc.cost, !fsc.readFailed
	})
	out := fsc.clone()
	out.key = key
	return out
}

// scanFile reads file p and parses it when it mentions an Application, an
// ApplicationSet or a cluster Secret.
func scanFile(repo fs.FS, p string) fileScan {
	data, err := fs.ReadFile(repo, p)
	if err != nil {
		return fileScan{errs: []*RenderError{fileErr(p, 0, err)}, readFailed: true}
	}
	argo := bytes.Contains(data, []byte("argoproj.io")) && bytes.Contains(data, []byte("Application"))
	secret := bytes.Contains(data, []byte(ClusterSecretLabel))
	fsc := fileScan{argo: argo}
	if !argo && !secret {
		return fsc
	}
	if bytes.Contains(data, []byte("{{")) && !bytes.Contains(data, []byte("kind: ApplicationSet")) && isTemplateFile(p) {
		return fsc // a Helm template; rendering its chart will reveal what it holds
	}
	docs, errs := parseDocuments(p, data)
	fsc.errs = errs
	for _, d := range docs {
		if isArgoKind(d.Object, "Application") || isArgoKind(d.Object, "ApplicationSet") || isClusterSecret(d.Object) {
			fsc.docs = append(fsc.docs, d)
		}
	}
	// Decoded objects take a few times the bytes of their YAML.
	fsc.cost = int64(len(fsc.docs)+len(fsc.errs)) * 256
	if len(fsc.docs) > 0 {
		fsc.cost += 4 * int64(len(data))
	}
	return fsc
}

// clone returns a copy that its user may change without changing the
// cached scan: objects deep-copied, errors copied.
func (fsc fileScan) clone() fileScan {
	out := fsc
	out.docs = make([]Rendered, len(fsc.docs))
	for i, d := range fsc.docs {
		d.Object = d.Object.DeepCopy()
		out.docs[i] = d
	}
	out.errs = make([]*RenderError, len(fsc.errs))
	for i, e := range fsc.errs {
		c := *e
		out.errs[i] = &c
	}
	return out
}
