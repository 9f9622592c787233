package github

import (
	"context"
	"fmt"

	"github.com/bradleyfalzon/ghinstallation/v2"
)

// client returns the installation client for repo with its owner and name.
func (h *Host) client(ctx context.Context, repo string) (*installation, string, string, error) {
	owner, name, err := splitRepo(repo)
	if err != nil {
		return nil, "", "", err
	}
	id, err := h.installationID(ctx, owner, name)
	if err != nil {
		return nil, "", "", err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	inst, ok := h.clients[id]
	if !ok {
		// Each installation gets its own App transport: ghinstallation
		// writes to it while refreshing a token.
		atr := ghinstallation.NewAppsTransportFromPrivateKey(h.transport, h.appID, h.key)
		atr.BaseURL = h.appTransport.BaseURL
		tr := ghinstallation.NewFromAppsTransport(atr, id)
		inst = &installation{transport: tr, client: h.newClient(tr)}
		h.clients[id] = inst
	}
	return inst, owner, name, nil
}

// installationID finds the App installation for owner/name, asking GitHub
// once per repository.
func (h *Host) installationID(ctx context.Context, owner, name string) (int64, error) {
	repo := owner + "/" + name
	h.mu.Lock()
	id, ok := h.installations[repo]
	h.mu.Unlock()
	if ok {
		return id, nil
	}
	inst, _, err := h.app.Apps.FindRepositoryInstallation(ctx, owner, name)
	if err != nil {
		return 0, fmt.Errorf("github: find the app installation for %s: %w", repo, err)
	}
	id = inst.GetID()
	h.mu.Lock()
	h.installations[repo] = id
	h.mu.Unlock()
	return id, nil
}

// CloneToken returns the installation token for repo, valid for cloning over
// https as user "x-access-token". The token is minted once and reused until
// shortly before it expires.
func (h *Host) CloneToken(ctx context.Context, repo string) (string, error) {
	inst, _, _, err := h.client(ctx, repo)
	if err != nil {
		return "", err
	}
	token, err := inst.transport.Token(ctx)
	if err != nil {
		return "", fmt.Errorf("github: installation token for %s: %w", repo, err)
	}
	return token, nil
}
