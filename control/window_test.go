package control

import (
	"errors"
	"testing"
)

// reversibleFake is a run with a revert window.
type reversibleFake struct {
	fakeTarget
	reverts, finalizes int
	fail               error
}

func (f *reversibleFake) Revert() error               { f.reverts++; return f.fail }
func (f *reversibleFake) Finalize() error             { f.finalizes++; return f.fail }
func (f *reversibleFake) RevertPlan() (string, error) { return "the plan", f.fail }

func TestWindowCommands(t *testing.T) {
	s := &Server{target: newFake()}
	for _, line := range []string{"revert", "finalize", "revert-plan"} {
		if reply, ok := s.run(line); ok || reply != "ERROR: "+line+": this kind of run has no revert window" {
			t.Errorf("%s on a run without a window: %q", line, reply)
		}
	}
	f := &reversibleFake{fakeTarget: *newFake()}
	s = &Server{target: f}
	if reply, ok := s.run("revert"); !ok || reply != "OK" || f.reverts != 1 {
		t.Errorf("revert: %q, %d reverts", reply, f.reverts)
	}
	if reply, ok := s.run("finalize"); !ok || reply != "OK" || f.finalizes != 1 {
		t.Errorf("finalize: %q, %d finalizes", reply, f.finalizes)
	}
	if reply, ok := s.run("revert-plan"); !ok || reply != "the plan" || !isRead("revert-plan") {
		t.Errorf("revert-plan: %q", reply)
	}
	f.fail = errors.New("no revert window is open: the run is reverting")
	if reply, ok := s.run("revert"); ok || reply != "ERROR: no revert window is open: the run is reverting" {
		t.Errorf("a refused revert: %q", reply)
	}
	if _, ok := s.run("revert=orders"); ok {
		t.Error("revert took a value")
	}
}
