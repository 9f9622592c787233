package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"helm.sh/helm/v3/pkg/registry"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/gitwave/gitwave/planner"
)

// ociRepo is a chart repository in an OCI registry (oci://host/path): a
// chart is the repository host/path/NAME, its versions are its tags.
type ociRepo struct {
	chartRepoBase
	creds     repoCredentials
	transport http.RoundTripper

	tags map[string]tagList // by chart name; guarded by sem
}

// tagList is a chart's versions as listed at one time.
type tagList struct {
	versions []string
	at       time.Time
}

// chart returns name at version: from the cache for an exact version seen
// before, else pulled by tag (an exact version) or by the highest tag in the
// range.
func (o *ociRepo) chart(ctx context.Context, name, version string, maxBytes int64) (planner.ChartArchive, error) {
	if a, ok := o.cache.lookup(o.key, name, version, maxBytes); ok {
		return a, nil
	}
	client, err := o.client(ctx, maxBytes)
	if err != nil {
		return planner.ChartArchive{}, err
	}
	ref := strings.TrimPrefix(o.url, "oci://") + "/" + name
	tag := version
	if !isExact(version) {
		versions, err := o.listTags(ctx, client, name, ref)
		if err != nil {
			return planner.ChartArchive{}, err
		}
		picked, ok := pickVersion(versions, version)
		if !ok {
			return planner.ChartArchive{}, &VersionNotFoundError{RepoURL: o.url, Chart: name, Version: version, Nearest: nearestVersions(versions, version)}
		}
		if a, ok := o.cache.lookup(o.key, name, picked, maxBytes); ok {
			return a, nil
		}
		tag = picked
	}
	res, err := client.Pull(ref+":"+strings.ReplaceAll(tag, "+", "_"), registry.PullOptWithChart(true))
	if err != nil {
		return planner.ChartArchive{}, o.pullError(ctx, client, name, ref, version, err)
	}
	data := res.Chart.Data
	if int64(len(data)) > maxBytes {
		return planner.ChartArchive{}, fmt.Errorf("chart repository %s: %s %s: %d bytes, more than the limit of %d", o.url, name, tag, len(data), maxBytes)
	}
	a := planner.ChartArchive{Data: data, Version: tag, Digest: digestOf(data)}
	if err := o.cache.store(o.key, name, version, a); err != nil {
		return planner.ChartArchive{}, err
	}
	return a, nil
}

// client returns a Helm registry client whose every request runs under ctx,
// with the repository's credentials and CA, bounded to maxBytes a response.
func (o *ociRepo) client(ctx context.Context, maxBytes int64) (*registry.Client, error) {
	httpClient := repoClient(&ctxTransport{base: o.transport, ctx: ctx, limit: maxBytes, requests: o.count})
	authorizer := auth.Client{Client: httpClient, Cache: auth.NewCache()}
	if o.creds.set() {
		host := strings.SplitN(strings.TrimPrefix(o.url, "oci://"), "/", 2)[0]
		authorizer.Credential = auth.StaticCredential(host, auth.Credential{Username: o.creds.username, Password: o.creds.password})
	}
	c, err := registry.NewClient(
		registry.ClientOptHTTPClient(httpClient),
		registry.ClientOptAuthorizer(authorizer),
		// Never the operator's own Helm or Docker logins: only what
		// gitwave.yaml gives.
		registry.ClientOptCredentialsFile(filepath.Join(o.cache.dir, "no-registry-config.json")),
		registry.ClientOptWriter(io.Discard),
	)
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: %w", o.url, err)
	}
	return c, nil
}

// listTags returns the chart's versions, listed again when older than the
// TTL.
func (o *ociRepo) listTags(ctx context.Context, client *registry.Client, name, ref string) ([]string, error) {
	if err := o.acquire(ctx); err != nil {
		return nil, err
	}
	defer o.release()
	if l, ok := o.tags[name]; ok && time.Since(l.at) < o.ttl {
		return l.versions, nil
	}
	start := time.Now()
	versions, err := client.Tags(ref)
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: list tags of %s: %w", o.url, name, o.describe(err))
	}
	if o.tags == nil {
		o.tags = map[string]tagList{}
	}
	o.tags[name] = tagList{versions: versions, at: start}
	return versions, nil
}

// pullError explains a failed pull; a missing tag lists the nearest ones.
func (o *ociRepo) pullError(ctx context.Context, client *registry.Client, name, ref, version string, err error) error {
	if isNotFound(err) {
		versions, terr := o.listTags(ctx, client, name, ref)
		switch {
		case terr == nil && len(versions) > 0:
			return &VersionNotFoundError{RepoURL: o.url, Chart: name, Version: version, Nearest: nearestVersions(versions, version)}
		case terr == nil || isNotFound(terr):
			return &ChartNotFoundError{RepoURL: o.url, Chart: name}
		}
	}
	return fmt.Errorf("chart repository %s: pull %s %s: %w", o.url, name, version, o.describe(err))
}

// isNotFound reports whether the registry said a manifest or repository
// does not exist.
func isNotFound(err error) bool {
	var resp *errcode.ErrorResponse
	return errors.Is(err, errdef.ErrNotFound) || (errors.As(err, &resp) && resp.StatusCode == http.StatusNotFound)
}

// describe names refused credentials, an oversized response and a deadline.
func (o *ociRepo) describe(err error) error {
	var resp *errcode.ErrorResponse
	var big *tooLargeError
	switch {
	case errors.As(err, &big):
		return big
	case errors.As(err, &resp) && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden):
		if o.creds.set() {
			return fmt.Errorf("%d %s: the registry refused the credentials of usernameFile and passwordFile", resp.StatusCode, http.StatusText(resp.StatusCode))
		}
		return fmt.Errorf("%d %s: the registry wants credentials (set usernameFile and passwordFile)", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return describeNetError(err)
}
