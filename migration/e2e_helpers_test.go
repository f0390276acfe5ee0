package migration_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
)

// started is a migration running in the background.
type started struct {
	m    *migration.Migration
	done chan error
	out  *syncBuffer
}

func (e *env) start(cfg migration.Config) *started {
	s := &started{done: make(chan error, 1), out: &syncBuffer{}}
	cfg.Out = s.out
	s.m = migration.New(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	e.t.Cleanup(cancel)
	go func() { s.done <- s.m.Run(ctx) }()
	return s
}

// waitState waits until the run reaches state, failing if it ends first.
func (s *started) waitState(t *testing.T, state string) {
	t.Helper()
	deadline := time.After(5 * time.Minute)
	for s.m.State() != state {
		select {
		case err := <-s.done:
			t.Fatalf("run ended before %s: %v\n%s", state, err, s.out.String())
		case <-deadline:
			t.Fatalf("run never reached %s (state %s)", state, s.m.State())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *started) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("run failed: %v\n%s", err, s.out.String())
		}
	case <-time.After(5 * time.Minute):
		t.Fatal("run did not end")
	}
}

func flagFile(t *testing.T) string {
	f := filepath.Join(t.TempDir(), "postpone.flag")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// mappedColumns pairs the source and shadow columns that carry the same data:
// same name (minus generated shadow columns) or a rename given by the case.
func (e *env) mappedColumns(src, dst string, renames map[string]string) [][2]string {
	e.t.Helper()
	cols := func(table string) map[string]bool {
		rows, err := e.admin.Query(`SELECT COLUMN_NAME, EXTRA FROM information_schema.COLUMNS
			WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, table)
		if err != nil {
			e.t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]bool{}
		for rows.Next() {
			var n, extra string
			rows.Scan(&n, &extra)
			out[n] = !strings.Contains(extra, "GENERATED")
		}
		return out
	}
	s, d := cols(src), cols(dst)
	var pairs [][2]string
	for name := range s {
		target := name
		if r, ok := renames[name]; ok {
			target = r
		}
		if writable, ok := d[target]; ok && writable {
			pairs = append(pairs, [2]string{name, target})
		}
	}
	return pairs
}
