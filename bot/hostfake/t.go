package hostfake

import "fmt"

// T is what the doubles need of their user: a *testing.T or *testing.B, or
// a Program for code outside tests such as the demo.
type T interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Program is a T for programs: Fatalf panics with the message, and Close
// runs the cleanups in reverse order.
type Program struct {
	cleanups []func()
}

// Helper does nothing.
func (p *Program) Helper() {}

// Cleanup registers f to run at Close.
func (p *Program) Cleanup(f func()) { p.cleanups = append(p.cleanups, f) }

// Fatalf panics: a program has no test to fail.
func (p *Program) Fatalf(format string, args ...any) { panic(fmt.Errorf(format, args...)) }

// Close runs the cleanups, last registered first.
func (p *Program) Close() {
	for i := len(p.cleanups) - 1; i >= 0; i-- {
		p.cleanups[i]()
	}
	p.cleanups = nil
}
