package planner

import (
	"bytes"
	"io"
	"io/fs"
)

// decryptingFS is a repository in which every SOPS file reads as its
// plaintext, decrypted with the operator's keys (the Decrypter), and every value
// decrypted is recorded in secrets. A SOPS file that does not decrypt
// fails to read, with the reason; it never reads as ciphertext. Every
// renderer reads through it: directory manifests, Kustomize resources and
// generator files, Helm value files.
type decryptingFS struct {
	fs.FS
	dec     Decrypter
	secrets *SecretValues
}

// decryptingLinkFS is a decryptingFS over a repository with symbolic
// links, which it passes through.
type decryptingLinkFS struct {
	*decryptingFS
}

// ReadLink passes through to the repository.
func (d decryptingLinkFS) ReadLink(name string) (string, error) {
	return d.FS.(fs.ReadLinkFS).ReadLink(name)
}

// Lstat passes through to the repository.
func (d decryptingLinkFS) Lstat(name string) (fs.FileInfo, error) {
	return d.FS.(fs.ReadLinkFS).Lstat(name)
}

// decryptingRepo wraps repo so that SOPS files read decrypted, recording
// their values in secrets.
func decryptingRepo(repo fs.FS, dec Decrypter, secrets *SecretValues) fs.FS {
	d := &decryptingFS{FS: repo, dec: dec, secrets: secrets}
	if _, ok := repo.(fs.ReadLinkFS); ok {
		return decryptingLinkFS{d}
	}
	return d
}

// plainRepo returns the repository under a decrypting wrapper: what Helm
// charts are parsed from (a chart's own files are not value files, and
// its cache is keyed by the repository).
func plainRepo(repo fs.FS) fs.FS {
	switch d := repo.(type) {
	case *decryptingFS:
		return d.FS
	case decryptingLinkFS:
		return d.FS
	}
	return repo
}

// ReadFile reads name, decrypted when it is a SOPS file.
func (d *decryptingFS) ReadFile(name string) ([]byte, error) {
	data, err := fs.ReadFile(d.FS, name)
	if err != nil {
		return nil, err
	}
	return d.plaintext(name, data)
}

// ReadDir passes through to the repository.
func (d *decryptingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(d.FS, name)
}

// Stat passes through to the repository: a SOPS file's size is its
// ciphertext's, an upper bound of the plaintext's.
func (d *decryptingFS) Stat(name string) (fs.FileInfo, error) {
	return fs.Stat(d.FS, name)
}

// Open opens name; a SOPS file opens as its plaintext.
func (d *decryptingFS) Open(name string) (fs.File, error) {
	f, err := d.FS.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		return f, err
	}
	data, err := io.ReadAll(f)
	_ = f.Close()
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	plain, err := d.plaintext(name, data)
	if err != nil {
		return nil, err
	}
	return &plainFile{Reader: bytes.NewReader(plain), info: sizedInfo{FileInfo: info, size: int64(len(plain))}}, nil
}

// plaintext returns data, or its decryption when it is an encrypted file.
func (d *decryptingFS) plaintext(name string, data []byte) ([]byte, error) {
	plain, secrets, ok, err := decrypt(d.dec, data)
	if err != nil {
		return nil, &fs.PathError{Op: "decrypt SOPS file", Path: name, Err: err}
	}
	if !ok {
		return data, nil
	}
	d.secrets.add(secrets...)
	return plain, nil
}

// plainFile is a decrypted file held in memory.
type plainFile struct {
	*bytes.Reader
	info fs.FileInfo
}

func (f *plainFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *plainFile) Close() error               { return nil }

// sizedInfo is a file's info with the size of its plaintext.
type sizedInfo struct {
	fs.FileInfo
	size int64
}

func (i sizedInfo) Size() int64 { return i.size }

// helmSecretsPrefix is how helm-secrets marks an encrypted value file in
// valueFiles ("secrets://values-secret.yaml"); the file is read, and
// decrypted, like any other.
const helmSecretsPrefix = "secrets://"
