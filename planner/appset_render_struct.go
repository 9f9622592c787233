package planner

import (
	"cmp"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// appSkeleton is an ApplicationSet's template decoded once into an
// Application, its strings not yet templated. Rendering a parameter set
// into it (renderSkeleton) gives what templating the template's JSON,
// encoding it and decoding it strictly gives (expander.render), without
// the encoding and decoding, which were most of an expansion's cost.
type appSkeleton struct {
	app Application
}

// newAppSkeleton decodes tmpl strictly into an Application. It returns nil
// when the template's shape is not fixed before templating: a templated
// field name the decoder would not know, or a value that only decodes once
// templated. The expander then takes the JSON way, which says what is wrong.
func newAppSkeleton(tmpl map[string]any) *appSkeleton {
	obj := make(map[string]any, len(tmpl)+2)
	for k, v := range tmpl {
		obj[k] = v
	}
	obj["apiVersion"], obj["kind"] = "argoproj.io/v1alpha1", "Application"
	data, err := json.Marshal(obj)
	if err != nil {
		return nil
	}
	var sk appSkeleton
	if decodeStrictJSON(data, &sk.app) != nil {
		return nil
	}
	return &sk
}

// renderSkeleton returns a copy of the skeleton with every string and
// every map key templated with p, in the order the JSON way templates them
// (fields by name), so that the first failing field is the same.
func (r *paramTemplater) renderSkeleton(sk *appSkeleton, p paramSet) (Application, error) {
	out, err := r.renderReflect("", reflect.ValueOf(sk.app), p)
	if err != nil {
		return Application{}, err
	}
	return out.Interface().(Application), nil
}

// renderReflect returns a copy of v with its strings templated; at is v's
// field path as the JSON way names it.
func (r *paramTemplater) renderReflect(at string, v reflect.Value, p paramSet) (reflect.Value, error) {
	switch v.Kind() {
	case reflect.String:
		s, err := r.renderString(at, v.String(), p)
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(s).Convert(v.Type()), nil
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		for _, f := range jsonFieldsOf(v.Type()) {
			fv, err := r.renderReflect(fieldPath(at, f.name), v.Field(f.index), p)
			if err != nil {
				return reflect.Value{}, err
			}
			out.Field(f.index).Set(fv)
		}
		return out, nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return v, nil
		}
		ev, err := r.renderReflect(at, v.Elem(), p)
		if err != nil {
			return reflect.Value{}, err
		}
		if v.Kind() == reflect.Interface {
			out := reflect.New(v.Type()).Elem()
			out.Set(ev)
			return out, nil
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(ev)
		return out, nil
	case reflect.Slice:
		if v.IsNil() {
			return v, nil
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			ev, err := r.renderReflect(at+"["+strconv.Itoa(i)+"]", v.Index(i), p)
			if err != nil {
				return reflect.Value{}, err
			}
			out.Index(i).Set(ev)
		}
		return out, nil
	case reflect.Map:
		return r.renderMap(at, v, p)
	default:
		return v, nil
	}
}

// renderMap templates a map with string keys: its keys and its values, in
// key order; a later key that templates to the same name wins, as it does
// the JSON way.
func (r *paramTemplater) renderMap(at string, v reflect.Value, p paramSet) (reflect.Value, error) {
	if v.IsNil() {
		return v, nil
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	out := reflect.MakeMapWithSize(v.Type(), len(keys))
	for _, k := range keys {
		field := fieldPath(at, k.String())
		rk, err := r.renderString(field, k.String(), p)
		if err != nil {
			return reflect.Value{}, err
		}
		ev, err := r.renderReflect(field, v.MapIndex(k), p)
		if err != nil {
			return reflect.Value{}, err
		}
		out.SetMapIndex(reflect.ValueOf(rk).Convert(v.Type().Key()), ev)
	}
	return out, nil
}

// jsonField is one field of a struct as encoding/json names it.
type jsonField struct {
	name  string
	index int
}

var jsonFieldCache sync.Map // reflect.Type → []jsonField

// jsonFieldsOf returns t's JSON fields sorted by name, the order in which
// the JSON way templates an object's keys.
func jsonFieldsOf(t reflect.Type) []jsonField {
	if fs, ok := jsonFieldCache.Load(t); ok {
		return fs.([]jsonField)
	}
	var fs []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs = append(fs, jsonField{name: name, index: i})
	}
	slices.SortFunc(fs, func(a, b jsonField) int { return cmp.Compare(a.name, b.name) })
	jsonFieldCache.Store(t, fs)
	return fs
}
