package planner

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/aymanbagabas/go-udiff"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// DiffObjects compares what a cluster has, or a base revision rendered
// (before), with what the app should have (after). Objects match by
// ResourceKey. The result is in sync order, with removed objects last in
// reverse order, as prune runs them. Secret values are masked, and so is
// every value a render decrypted from a SOPS file, wherever it landed.
func DiffObjects(before, after []*Object) ([]Change, error) {
	old := make(map[ResourceKey]*Object, len(before))
	for _, o := range before {
		old[o.Key] = o
	}
	sorted := slices.Clone(after)
	SortObjects(sorted)
	secrets := secretsOf(before, after)
	changes := make([]Change, 0, len(sorted))
	seen := make(map[ResourceKey]bool, len(sorted))
	for _, o := range sorted {
		seen[o.Key] = true
		var prev *unstructured.Unstructured
		if b := old[o.Key]; b != nil {
			prev = b.Manifest
		}
		c, err := diffOne(o, prev, o.Manifest, secrets)
		if err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}
	var removed []*Object
	for _, o := range before {
		if !seen[o.Key] {
			removed = append(removed, o)
		}
	}
	SortObjects(removed)
	slices.Reverse(removed)
	for _, o := range removed {
		c, err := diffOne(o, o.Manifest, nil, secrets)
		if err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}
	return changes, nil
}

// diffOne builds the change for one object; o supplies phase and wave.
func diffOne(o *Object, before, after *unstructured.Unstructured, secrets *SecretValues) (Change, error) {
	c := Change{Key: o.Key, Version: o.Version, Phase: o.Phase, Wave: o.Wave, Hook: o.Hook}
	if before != nil && after != nil && reflect.DeepEqual(before.Object, after.Object) {
		c.Action = ActionUnchanged // most objects of a large diff: skip rendering YAML
		return c, nil
	}
	before, after = MaskSecrets(before, after)
	before, after = MaskDecrypted(before, after, secrets)
	from, err := objectYAML(before)
	if err != nil {
		return c, fmt.Errorf("%s: %w", o.Key, err)
	}
	to, err := objectYAML(after)
	if err != nil {
		return c, fmt.Errorf("%s: %w", o.Key, err)
	}
	switch {
	case before == nil:
		c.Action = ActionAdded
	case after == nil:
		c.Action = ActionRemoved
	case from == to:
		c.Action = ActionUnchanged
		return c, nil
	default:
		c.Action = ActionChanged
	}
	label := o.Key.String()
	c.Diff = udiff.Unified("a/"+label, "b/"+label, from, to)
	return c, nil
}

// objectYAML renders an object as YAML with sorted keys; nil gives "".
func objectYAML(u *unstructured.Unstructured) (string, error) {
	if u == nil {
		return "", nil
	}
	b, err := yaml.Marshal(u.Object)
	if err != nil {
		return "", fmt.Errorf("render YAML: %w", err)
	}
	return string(b), nil
}

// SummarizeStatus returns the app status that a change list amounts to.
func SummarizeStatus(changes []Change) AppStatus {
	for _, c := range changes {
		if c.Action != ActionUnchanged {
			return AppChanged
		}
	}
	return AppUnchanged
}
