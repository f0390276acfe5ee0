package control

import (
	"errors"
	"strings"
	"testing"
)

func TestBeforeCommandRefusesAndChangesNothing(t *testing.T) {
	var seen []string
	ts := startServer(t, Options{BeforeCommand: func(line string) error {
		seen = append(seen, line)
		if line == "throttle" {
			return errors.New("hook said no")
		}
		return nil
	}}, nil)
	if got := ts.send(t, "throttle"); !strings.HasPrefix(got, "ERROR: refused: hook said no") {
		t.Fatalf("reply %q", got)
	}
	ts.fake.mu.Lock()
	writes := ts.fake.writes
	ts.fake.mu.Unlock()
	if writes != 0 {
		t.Fatal("a refused command changed the target")
	}
	if got := ts.send(t, "no-throttle"); strings.HasPrefix(got, "ERROR") {
		t.Fatalf("an allowed command was refused: %q", got)
	}
	if len(seen) != 2 {
		t.Fatalf("BeforeCommand saw %v", seen)
	}
}
