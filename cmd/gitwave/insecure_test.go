package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/gitwave/gitwave/config"
)

// TestClusterInsecureSkipsVerification: a cluster of gitwave.yaml with
// insecure: true is reached over TLS without its CA, as the README says;
// without it the unknown certificate is refused.
func TestClusterInsecureSkipsVerification(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"major":"1","minor":"37","gitVersion":"v1.37.2"}`))
	}))
	defer srv.Close()
	for _, insecure := range []bool{true, false} {
		cc, err := fromConfig(&config.Config{}, config.Cluster{Name: "east", Server: srv.URL, Token: "t0ken", Insecure: insecure})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := cc.RESTConfig()
		if err != nil {
			t.Fatal(err)
		}
		client, err := rest.HTTPClientFor(rc)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Get(srv.URL + "/version")
		if err == nil {
			resp.Body.Close()
		}
		switch {
		case insecure && err != nil:
			t.Errorf("insecure: true: %v", err)
		case !insecure && (err == nil || !strings.Contains(err.Error(), "certificate")):
			t.Errorf("without insecure, an unknown certificate was not refused: %v", err)
		}
	}
}
