package planner

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func secret(data map[string]any, stringData map[string]any) *Object {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "db", "namespace": "pay",
			"annotations": map[string]any{lastAppliedAnnotation: `{"data":{"password":"aHVudGVyMg=="}}`}}}}
	if data != nil {
		u.Object["data"] = data
	}
	if stringData != nil {
		u.Object["stringData"] = stringData
	}
	o, _ := NewObject(u, "s.yaml", 1)
	return o
}

func TestDiffMasksSecretValuesAndMarksChangedKeys(t *testing.T) {
	before := secret(map[string]any{"password": "aHVudGVyMg==", "user": "YWRtaW4="}, nil)
	after := secret(map[string]any{"user": "YWRtaW4="}, map[string]any{"password": "s3cr3t-n3w"})
	changes, err := DiffObjects([]*Object{before}, []*Object{after})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Action != ActionChanged {
		t.Fatalf("changes = %+v", changes)
	}
	d := changes[0].Diff
	for _, secretText := range []string{"aHVudGVyMg==", "YWRtaW4=", "s3cr3t-n3w", "hunter2", "last-applied"} {
		if strings.Contains(d, secretText) {
			t.Errorf("diff shows %q:\n%s", secretText, d)
		}
	}
	if !strings.Contains(d, "+  password: "+MaskChanged) {
		t.Errorf("diff does not mark password as changed:\n%s", d)
	}
	if strings.Contains(d, "user: "+MaskChanged) {
		t.Errorf("unchanged user is marked changed:\n%s", d)
	}
}

func TestDiffActionsAndOrder(t *testing.T) {
	cm := func(name, val, wave string) *Object {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": name, "namespace": "ns", "annotations": map[string]any{AnnotationSyncWave: wave}},
			"data":     map[string]any{"k": val}}}
		o, _ := NewObject(u, "c.yaml", 1)
		return o
	}
	before := []*Object{cm("same", "1", "0"), cm("edit", "1", "0"), cm("gone-early", "1", "0"), cm("gone-late", "1", "3")}
	after := []*Object{cm("new", "1", "1"), cm("edit", "2", "0"), cm("same", "1", "0")}
	changes, err := DiffObjects(before, after)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, string(c.Action)+" "+c.Key.Name)
	}
	want := "changed edit,unchanged same,added new,removed gone-late,removed gone-early"
	if strings.Join(got, ",") != want {
		t.Errorf("got %s\nwant %s", strings.Join(got, ","), want)
	}
	if !strings.Contains(changes[0].Diff, "-  k: \"1\"") || !strings.Contains(changes[0].Diff, "+  k: \"2\"") {
		t.Errorf("diff of edit:\n%s", changes[0].Diff)
	}
}
