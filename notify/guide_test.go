package notify

import (
	"encoding/json"
	"net/url"
	"reflect"
	"testing"
)

// slackAttachment is the attachment shape Slack documents for
// chat.postMessage.
type slackAttachment struct {
	Color     string `json:"color"`
	Title     string `json:"title"`
	TitleLink string `json:"title_link"`
	Fields    []struct {
		Title string `json:"title"`
		Value string `json:"value"`
		Short bool   `json:"short"`
	} `json:"fields"`
}

// postMessage decodes a chat.postMessage request as Slack reads it.
func postMessage(t *testing.T, r recorded) (url.Values, []slackAttachment) {
	t.Helper()
	if r.Method != "POST" || r.Path != "/api/chat.postMessage" {
		t.Fatalf("request = %s %s; want POST /api/chat.postMessage", r.Method, r.Path)
	}
	form, err := url.ParseQuery(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	// Slack takes the token as a bearer header or as the token argument.
	if h := r.Header.Get("Authorization"); h != "Bearer "+slackToken && form.Get("token") != slackToken {
		t.Errorf("Authorization %q, token %q; want the token from $slack-token", h, form.Get("token"))
	}
	var atts []slackAttachment
	if err := json.Unmarshal([]byte(form.Get("attachments")), &atts); err != nil {
		t.Fatalf("attachments %q: %v", form.Get("attachments"), err)
	}
	return form, atts
}

func TestGuideSyncFailedPostsDeployAlertToSlack(t *testing.T) {
	api := newSlackAPI(t)
	e := testEngine(t, guideConfig(t, api.URL), openStore(t), nil, nil)
	st := paymentService(subscribe("on-sync-failed.slack", "deploy-alerts"))
	e.Observe(t.Context(), AppState{}, st)
	drain(t, e)

	reqs := api.requests()
	if len(reqs) != 1 {
		t.Fatalf("Slack got %d requests; want 1", len(reqs))
	}
	form, atts := postMessage(t, reqs[0])
	want := "Application *payment-service* sync Failed.\nRevision: 4f2c9e1\nCluster: https://kubernetes.production-apne2.internal:6443\n"
	if form.Get("text") != want {
		t.Errorf("text = %q\nwant   %q", form.Get("text"), want)
	}
	if form.Get("channel") != "deploy-alerts" || form.Get("username") != "ArgoCD" || form.Get("icon_emoji") != ":argocd:" {
		t.Errorf("channel, username, icon_emoji = %q, %q, %q; want deploy-alerts, ArgoCD, :argocd:",
			form.Get("channel"), form.Get("username"), form.Get("icon_emoji"))
	}
	if len(atts) != 1 {
		t.Fatalf("attachments = %+v; want one", atts)
	}
	a := atts[0]
	if a.Color != "#E96D76" || a.Title != "payment-service" || a.TitleLink != "https://argocd.internal/applications/payment-service" {
		t.Errorf("attachment = %+v", a)
	}
	var fields [][3]any
	for _, f := range a.Fields {
		fields = append(fields, [3]any{f.Title, f.Value, f.Short})
	}
	if wantF := [][3]any{{"Sync Status", "OutOfSync", true}, {"Health", "Healthy", true}}; !reflect.DeepEqual(fields, wantF) {
		t.Errorf("fields = %v; want %v", fields, wantF)
	}
}

func TestGuideHealthDegradedFiresOnceAndAgainAfterRecovery(t *testing.T) {
	api := newSlackAPI(t)
	ledger := openStore(t)
	cfg := guideConfig(t, api.URL)
	e := testEngine(t, cfg, ledger, nil, nil)
	st := paymentService(subscribe("on-health-degraded.slack", "deploy-alerts"))
	st.LastSync.Result, st.Sync, st.Health = "Succeeded", "Synced", "Degraded"

	for range 3 { // three passes of the loop see the same Degraded app
		e.Observe(t.Context(), st, st)
	}
	drain(t, e)
	if n := len(api.requests()); n != 1 {
		t.Fatalf("Slack got %d messages for one degradation; want 1", n)
	}
	form, atts := postMessage(t, api.requests()[0])
	if form.Get("text") != "Application *payment-service* sync Succeeded.\nRevision: 4f2c9e1\nCluster: https://kubernetes.production-apne2.internal:6443\n" ||
		atts[0].Fields[1].Value != "Degraded" {
		t.Errorf("text %q, fields %+v", form.Get("text"), atts[0].Fields)
	}

	restarted := testEngine(t, cfg, ledger, nil, nil)
	restarted.Observe(t.Context(), st, st)
	drain(t, restarted)
	if n := len(api.requests()); n != 1 {
		t.Fatalf("after a restart Slack got %d messages; want still 1", n)
	}

	healthy := st
	healthy.Health = "Healthy"
	restarted.Observe(t.Context(), st, healthy)
	restarted.Observe(t.Context(), healthy, st)
	drain(t, restarted)
	if n := len(api.requests()); n != 2 {
		t.Fatalf("Degraded again after Healthy: Slack got %d messages; want 2 (a trigger without oncePer fires on each new occurrence)", n)
	}
}

func TestGuideTriggersStaySilentWithoutSubscriptionOrCondition(t *testing.T) {
	api := newSlackAPI(t)
	e := testEngine(t, guideConfig(t, api.URL), openStore(t), nil, nil)
	unsubscribed := paymentService(nil)
	e.Observe(t.Context(), AppState{}, unsubscribed)
	neverSynced := paymentService(subscribe("on-sync-failed.slack", "deploy-alerts"))
	neverSynced.LastSync = nil
	e.Observe(t.Context(), AppState{}, neverSynced)
	drain(t, e)
	if n := len(api.requests()); n != 0 {
		t.Fatalf("Slack got %d messages; want none", n)
	}
}
