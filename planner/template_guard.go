package planner

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

// maxSequence bounds the lists that until, untilStep and seq build, and the
// count of repeat, in an ApplicationSet template.
const maxSequence = 100_000

// templateGuard keeps an ApplicationSet template from running away:
// text/template cannot be interrupted, so every template function fails
// once ctx is done, the functions that build large values refuse more than
// maxSequence elements, and the output stops at maxBytes or at ctx's end.
// A loop that calls a function or writes output, and loops nested over
// until ({{ range until 100000 }}{{ range until 100000 }}…), then stop
// within one iteration of the deadline. Only a loop that neither calls nor
// writes, over a list built before it, runs on to its end.
type templateGuard struct {
	ctx      context.Context
	maxBytes int64
}

// Sprig's sequence functions, which the guarded ones call.
var (
	sprigUntil     = sprig.GenericFuncMap()["until"].(func(int) []int)
	sprigUntilStep = sprig.GenericFuncMap()["untilStep"].(func(int, int, int) []int)
	sprigSeq       = sprig.GenericFuncMap()["seq"].(func(...int) string)
)

// guardedFuncs is a set of template functions bound to one guard. Building
// one wraps every function, so sets are pooled: an expansion takes one,
// points its guard at its own deadline, and returns it when it has ended.
type guardedFuncs struct {
	funcs template.FuncMap
	g     templateGuard
}

var guardedPool = sync.Pool{New: func() any { return newGuardedFuncs() }}

// guard makes r's templates stop at ctx's end and at maxBytes of output
// per field. release returns the functions to the pool; call it only once
// no template of r can run any more.
func (r *paramTemplater) guard(ctx context.Context, maxBytes int64) (release func()) {
	gf := guardedPool.Get().(*guardedFuncs)
	gf.g = templateGuard{ctx: ctx, maxBytes: maxBytes}
	r.limits, r.funcs = &gf.g, gf.funcs
	return func() {
		gf.g = templateGuard{}
		guardedPool.Put(gf)
	}
}

func newGuardedFuncs() *guardedFuncs {
	gf := &guardedFuncs{funcs: template.FuncMap{}}
	g := &gf.g
	for name, fn := range templateFuncs {
		gf.funcs[name] = fn
	}
	gf.funcs["until"] = func(n int) ([]int, error) {
		if err := g.check("until", n); err != nil {
			return nil, err
		}
		return sprigUntil(n), nil
	}
	gf.funcs["untilStep"] = func(start, stop, step int) ([]int, error) {
		if step != 0 {
			if err := g.check("untilStep", (stop-start)/step); err != nil {
				return nil, err
			}
		}
		return sprigUntilStep(start, stop, step), nil
	}
	gf.funcs["seq"] = func(params ...int) (string, error) {
		if len(params) > 0 {
			if err := g.check("seq", params[len(params)-1]-params[0]); err != nil {
				return "", err
			}
		}
		return sprigSeq(params...), nil
	}
	gf.funcs["repeat"] = func(count int, s string) (string, error) {
		if err := g.check("repeat", count); err != nil {
			return "", err
		}
		if int64(count)*int64(len(s)) > g.maxBytes {
			return "", fmt.Errorf("repeat: %d × %d bytes is more than %s", count, len(s), byteSize(g.maxBytes))
		}
		return strings.Repeat(s, max(count, 0)), nil
	}
	for name, fn := range gf.funcs {
		gf.funcs[name] = interruptible(g, fn)
	}
	return gf
}

// interruptible wraps a template function so that it panics once the
// guard's deadline has passed; text/template turns the panic into the
// template's error.
func interruptible(g *templateGuard, fn any) any {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func {
		return fn
	}
	return reflect.MakeFunc(v.Type(), func(args []reflect.Value) []reflect.Value {
		if err := g.ctx.Err(); err != nil {
			panic(fmt.Errorf("template stopped: %w", err))
		}
		if v.Type().IsVariadic() {
			return v.CallSlice(args)
		}
		return v.Call(args)
	}).Interface()
}

// check fails when the deadline has passed or n is above maxSequence.
func (g *templateGuard) check(fn string, n int) error {
	if err := g.ctx.Err(); err != nil {
		return err
	}
	if n > maxSequence || n < -maxSequence {
		return fmt.Errorf("%s %d: more than %d elements", fn, n, maxSequence)
	}
	return nil
}

// guardedWriter is a template's output: it fails once the deadline has
// passed or more than max bytes were written, which stops the template.
type guardedWriter struct {
	strings.Builder
	g *templateGuard
}

// Write appends p unless the template must stop.
func (w *guardedWriter) Write(p []byte) (int, error) {
	if w.g != nil {
		if err := w.g.ctx.Err(); err != nil {
			return 0, err
		}
		if int64(w.Len()+len(p)) > w.g.maxBytes {
			return 0, fmt.Errorf("template output is more than %s", byteSize(w.g.maxBytes))
		}
	}
	return w.Builder.Write(p)
}
