package hostfake

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// verifyJWT checks an App JWT as GitHub does: RS256 signed by the App's
// key, issued by the App id, not expired, and living at most ten minutes.
func (g *GitHub) verifyJWT(token string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg != "RS256" {
		return errors.New("JWT is not RS256")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return errors.New("JWT signature is not base64url")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&g.key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return errors.New("JWT signature does not verify with the App's public key")
	}
	var claims struct {
		Iss json.RawMessage `json:"iss"`
		Iat int64           `json:"iat"`
		Exp int64           `json:"exp"`
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return errors.New("JWT claims are not JSON")
	}
	iss := strings.Trim(string(claims.Iss), `"`)
	now := time.Now().Unix()
	switch {
	case iss != strconv.FormatInt(g.AppID, 10):
		return errors.New("JWT issuer is not the App id")
	case claims.Exp <= now:
		return errors.New("JWT has expired")
	case claims.Iat > now+60:
		return errors.New("JWT is issued in the future")
	case claims.Exp-claims.Iat > 600:
		return errors.New("JWT lives longer than 10 minutes")
	}
	return nil
}

func decodeSegment(seg string, v any) error {
	data, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// appAuth admits requests carrying a valid App JWT.
func (g *GitHub) appAuth(w http.ResponseWriter, r *http.Request) bool {
	jwt, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		ghError(w, http.StatusUnauthorized, "A JSON web token could not be decoded")
		return false
	}
	if err := g.verifyJWT(jwt); err != nil {
		ghError(w, http.StatusUnauthorized, "A JSON web token could not be decoded: "+err.Error())
		return false
	}
	return true
}

// installationAuth admits requests carrying a live installation token and
// returns its installation.
func (g *GitHub) installationAuth(w http.ResponseWriter, r *http.Request) (int64, bool) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "token ")
	if !ok {
		token, ok = strings.CutPrefix(auth, "Bearer ")
	}
	t, known := g.tokens[token]
	if !ok || !known || time.Now().After(t.expires) {
		ghError(w, http.StatusUnauthorized, "Bad credentials")
		return 0, false
	}
	return t.installation, true
}

// repoAuth admits installation requests for a repository the installation
// can see, and returns it; other repositories are 404, as on GitHub.
func (g *GitHub) repoAuth(w http.ResponseWriter, r *http.Request) (string, *ghRepo, bool) {
	inst, ok := g.installationAuth(w, r)
	if !ok {
		return "", nil, false
	}
	name := r.PathValue("owner") + "/" + r.PathValue("repo")
	repo := g.repos[name]
	if repo == nil || repo.installation != inst {
		ghError(w, http.StatusNotFound, "Not Found")
		return "", nil, false
	}
	return name, repo, true
}

// mintToken issues an installation token.
func (g *GitHub) mintToken(installation int64) (string, time.Time) {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	token := "ghs_" + hex.EncodeToString(b)
	expires := time.Now().Add(g.tokenTTL).UTC().Truncate(time.Second)
	g.tokens[token] = ghToken{installation: installation, expires: expires}
	g.minted++
	return token, expires
}

// ghError answers with GitHub's error body.
func ghError(w http.ResponseWriter, code int, message string) {
	writeJSON(w, code, map[string]any{
		"message":           message,
		"documentation_url": "https://docs.github.com/rest",
		"status":            strconv.Itoa(code),
	})
}

// ghValidation answers 422 with one validation error, as GitHub does.
func ghValidation(w http.ResponseWriter, resource, field, message string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed",
		"errors": []map[string]any{{
			"resource": resource, "code": "custom", "field": field, "message": message,
		}},
		"documentation_url": "https://docs.github.com/rest",
		"status":            "422",
	})
}
