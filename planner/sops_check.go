package planner

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// CheckSOPS walks the repository for what `gitwave validate` reports about
// encrypted secrets, one *RenderError per problem, located by file (and
// line):
//   - a SOPS file that the operator's keys do not open, with the reason
//     (no key configured, no matching key, MAC mismatch), whether or not an
//     app reads it yet;
//   - a plaintext Secret in a folder that .gitwave.yaml's encryptedPaths
//     marks, where every Secret must be SOPS-encrypted.
//
// No message carries a value of a Secret or of a decrypted file.
func CheckSOPS(ctx context.Context, repo fs.FS, cfg RepoConfig, dec Decrypter) ([]error, error) {
	var problems []error
	err := fs.WalkDir(repo, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			problems = append(problems, fileErr(p, 0, err))
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if excluded(p, cfg.Exclude) || (d.IsDir() && p != "." && strings.HasPrefix(d.Name(), ".")) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !mayHoldSOPS(p) {
			return nil
		}
		if prob := checkSOPSFile(repo, p, cfg, dec); prob != nil {
			problems = append(problems, prob...)
		}
		return nil
	})
	return problems, err
}

// mayHoldSOPS reports whether a file's name is one SOPS encrypts
// structurally: YAML, JSON or dotenv.
func mayHoldSOPS(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json", ".env":
		return true
	}
	return false
}

// checkSOPSFile checks one file.
func checkSOPSFile(repo fs.FS, p string, cfg RepoConfig, dec Decrypter) []error {
	data, err := fs.ReadFile(repo, p)
	if err != nil {
		return []error{fileErr(p, 0, fmt.Errorf("read: %w", err))}
	}
	if _, _, ok, err := decrypt(dec, data); err != nil {
		return []error{fileErr(p, 0, fmt.Errorf("decrypt SOPS file: %w", err))}
	} else if ok {
		return nil
	}
	folder, marked := encryptedPath(p, cfg.EncryptedPaths)
	if !marked || !isManifestFile(p) {
		return nil
	}
	objs, _ := parseDocuments(p, data)
	var out []error
	for _, o := range objs {
		if IsSecret(o.Object) {
			out = append(out, fileErr(p, o.Line, fmt.Errorf("Secret %s is committed in plaintext in %s, which .gitwave.yaml encryptedPaths marks: encrypt it with SOPS", o.Object.GetName(), folder)))
		}
	}
	return out
}

// encryptedPath returns the encryptedPaths folder p lies in.
func encryptedPath(p string, folders []string) (string, bool) {
	for _, f := range folders {
		f = strings.Trim(path.Clean(f), "/")
		if f == "." || f == "" || p == f || strings.HasPrefix(p, f+"/") {
			return f, true
		}
	}
	return "", false
}
