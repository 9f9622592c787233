package applier

import (
	"errors"
	"fmt"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitwave/gitwave/planner"
)

func TestRetryDelay(t *testing.T) {
	three := int64(3)
	tests := []struct {
		name  string
		retry *planner.RetryStrategy
		want  []time.Duration
		limit int64
	}{
		{"argo defaults", &planner.RetryStrategy{Limit: 5}, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 3 * time.Minute}, 5},
		{"custom", &planner.RetryStrategy{Limit: 2, Backoff: &planner.Backoff{Duration: "1s", Factor: &three, MaxDuration: "10s"}},
			[]time.Duration{time.Second, 3 * time.Second, 9 * time.Second, 10 * time.Second}, 2},
		{"bare seconds", &planner.RetryStrategy{Limit: -1, Backoff: &planner.Backoff{Duration: "2"}}, []time.Duration{2 * time.Second, 4 * time.Second}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := &planner.App{Name: "shop", Spec: planner.ApplicationSpec{SyncPolicy: &planner.SyncPolicy{Retry: tt.retry}}}
			p, err := RetryPolicyOf(app)
			if err != nil {
				t.Fatal(err)
			}
			if p.Limit != tt.limit {
				t.Errorf("Limit = %d, want %d", p.Limit, tt.limit)
			}
			for n, want := range tt.want {
				if got := p.Delay(n); got != want {
					t.Errorf("Delay(%d) = %s, want %s", n, got, want)
				}
			}
		})
	}
}

func TestRetryPolicyBadDuration(t *testing.T) {
	app := &planner.App{Name: "shop", Spec: planner.ApplicationSpec{SyncPolicy: &planner.SyncPolicy{
		Retry: &planner.RetryStrategy{Limit: 1, Backoff: &planner.Backoff{Duration: "soon"}}}}}
	_, err := RetryPolicyOf(app)
	if err == nil || !containsAll(err.Error(), "shop", "backoff.duration", "soon") {
		t.Fatalf("err = %v, want one naming the app, the field and the value", err)
	}
}

func TestRetryAllows(t *testing.T) {
	gr := schema.GroupResource{Group: "apps", Resource: "deployments"}
	invalid := apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "api", nil)
	tests := []struct {
		name    string
		limit   int64
		attempt int
		err     error
		want    bool
	}{
		{"timeout retried", 2, 0, errors.New("not healthy within 5m"), true},
		{"limit reached", 2, 2, errors.New("not healthy within 5m"), false},
		{"unlimited", -1, 50, errors.New("connection refused"), true},
		{"no retry policy", 0, 0, errors.New("x"), false},
		{"invalid manifest is terminal", 5, 0, fmt.Errorf("apps/Deployment/ns/api: apply: %w", invalid), false},
		{"bad request is terminal", 5, 0, apierrors.NewBadRequest("unknown field"), false},
		{"forbidden is terminal", 5, 0, apierrors.NewForbidden(gr, "api", errors.New("no")), false},
		{"marked terminal", 5, 0, Terminal(errors.New("no namespace")), false},
		{"conflict retried", 5, 0, apierrors.NewConflict(gr, "api", errors.New("changed")), true},
		{"success", 5, 0, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := RetryPolicy{Limit: tt.limit, Backoff: time.Second, Factor: 2}
			if got := p.allows(tt.attempt, tt.err); got != tt.want {
				t.Errorf("allows(%d, %v) = %v, want %v", tt.attempt, tt.err, got, tt.want)
			}
		})
	}
}
