package examplerepo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"sigs.k8s.io/yaml"
)

// GuideChart is the chart testdata/helm-repo serves, and GuideChartVersions
// the versions it is packaged at: the guide's "v1.16.*" resolves to
// v1.16.2, never to v1.17.0.
const GuideChart = "cert-manager"

// GuideChartVersions are the packaged versions of GuideChart, oldest first.
var GuideChartVersions = []string{"v1.16.1", "v1.16.2", "v1.17.0"}

// chartSourceDir is the folder of testdata holding the charts' sources.
const chartSourceDir = "helm-charts"

// helmTime stamps every file of the archives and the index, so that the
// same sources always give the same bytes.
var helmTime = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

var (
	versionLine    = regexp.MustCompile(`(?m)^version: .*$`)
	appVersionLine = regexp.MustCompile(`(?m)^appVersion: .*$`)
)

// WriteHelmRepo packages testdata/helm-charts/cert-manager at every
// GuideChartVersions into out as cert-manager-VERSION.tgz, with the
// index.yaml of a Helm chart repository. The same sources always give the
// same bytes. go test ./hack/examplerepo -run TestHelmRepo -update rewrites
// testdata/helm-repo with it.
func WriteHelmRepo(out string) error {
	src, err := FindSource()
	if err != nil {
		return err
	}
	chartDir := filepath.Join(filepath.Dir(src), chartSourceDir, GuideChart)
	index := helmIndex{APIVersion: "v1", Generated: helmTime, Entries: map[string][]helmEntry{}}
	if err := os.MkdirAll(out, dirMode); err != nil {
		return err
	}
	for _, v := range GuideChartVersions {
		data, md, err := packChart(chartDir, GuideChart, v)
		if err != nil {
			return fmt.Errorf("package %s %s: %w", GuideChart, v, err)
		}
		file := fmt.Sprintf("%s-%s.tgz", GuideChart, v)
		if err := os.WriteFile(filepath.Join(out, file), data, fileMode); err != nil {
			return err
		}
		md.URLs, md.Created, md.Digest = []string{file}, helmTime, fmt.Sprintf("%x", sha256.Sum256(data))
		index.Entries[md.Name] = append([]helmEntry{*md}, index.Entries[md.Name]...)
	}
	data, err := yaml.Marshal(index)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "index.yaml"), data, fileMode)
}

// helmIndex is a Helm chart repository's index.yaml, newest version first
// as `helm repo index` writes it.
type helmIndex struct {
	APIVersion string                 `json:"apiVersion"`
	Entries    map[string][]helmEntry `json:"entries"`
	Generated  time.Time              `json:"generated"`
}

// helmEntry is one chart version of an index: its Chart.yaml fields and
// where the archive is.
type helmEntry struct {
	APIVersion  string    `json:"apiVersion"`
	Name        string    `json:"name"`
	Version     string    `json:"version"`
	AppVersion  string    `json:"appVersion,omitempty"`
	Description string    `json:"description,omitempty"`
	Type        string    `json:"type,omitempty"`
	URLs        []string  `json:"urls"`
	Created     time.Time `json:"created"`
	Digest      string    `json:"digest"`
}

// packChart archives the chart in dir at version, as `helm package` lays
// it out (every file under name/), with fixed times and modes.
func packChart(dir, name, version string) ([]byte, *helmEntry, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(files)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	var md helmEntry
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return nil, nil, err
		}
		if rel == "Chart.yaml" {
			data = versionLine.ReplaceAll(data, []byte("version: "+version))
			data = appVersionLine.ReplaceAll(data, []byte("appVersion: "+version))
			if err := yaml.Unmarshal(data, &md); err != nil {
				return nil, nil, fmt.Errorf("Chart.yaml: %w", err)
			}
		}
		hdr := &tar.Header{Name: path.Join(name, rel), Mode: fileMode, Size: int64(len(data)), ModTime: helmTime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), &md, nil
}
