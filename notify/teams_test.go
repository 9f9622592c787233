package notify

import (
	"encoding/json"
	"testing"
)

// Teams is the engine's own service: the catalog's teams.title reaches an
// Office 365 connector as a MessageCard.
func TestTeamsSendsTheCatalogTemplateThroughTheEngine(t *testing.T) {
	connector := newFakeHTTP(t, "1")
	cfg, err := ParseConfig([]byte(`
service.teams: |
  recipientUrls:
    payments: $teams-payments-url
`), Secrets{"teams-payments-url": connector.URL + "/webhookb2/secret-path"})
	if err != nil {
		t.Fatal(err)
	}
	e := testEngine(t, cfg, openStore(t), nil, nil)
	e.Observe(t.Context(), AppState{}, paymentService(subscribe("on-sync-failed.teams", "payments")))
	drain(t, e)

	reqs := connector.requests()
	if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Path != "/webhookb2/secret-path" {
		t.Fatalf("connector got %+v; want one POST to the secret URL", reqs)
	}
	var card struct {
		Title, ThemeColor, Text string
	}
	if err := json.Unmarshal([]byte(reqs[0].Body), &card); err != nil {
		t.Fatal(err)
	}
	if card.Title != "Failed to sync application payment-service." || card.ThemeColor != "#FF0000" {
		t.Errorf("card = %+v; want the catalog's app-sync-failed title and color", card)
	}
}
