package migration_test

import (
	"strings"
	"testing"

	"github.com/hotswap/hotswap/migration"
	"github.com/rs/zerolog"
)

// TestIndexingStateBetweenCopyAndApply: while the shadow's deferred
// secondary indexes are built, every row copied, the run says "indexing",
// not "copying" with a progress that stands still; without a deferred index
// it goes straight from copying to applying.
func TestIndexingStateBetweenCopyAndApply(t *testing.T) {
	for _, c := range []struct {
		name, create, want string
	}{
		{"secondary index", "CREATE TABLE t (id INT PRIMARY KEY, k INT, KEY ik (k))", "copying,indexing,applying"},
		{"no secondary index", "CREATE TABLE t (id INT PRIMARY KEY, k INT)", "copying,applying"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.exec(c.create, "INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)")
			logs := &syncBuffer{}
			cfg := e.config("t", "ADD COLUMN w INT")
			cfg.Log = zerolog.New(logs)
			if out, err := e.run(cfg); err != nil {
				t.Fatalf("run: %v\n%s", err, out)
			}
			var states []string
			for _, line := range strings.Split(logs.String(), "\n") {
				for _, s := range []string{migration.StateCopying, migration.StateIndexing, migration.StateApplying} {
					if strings.Contains(line, `"state":"`+s+`"`) && strings.Contains(line, `"message":"state"`) {
						states = append(states, s)
					}
				}
			}
			if got := strings.Join(states, ","); got != c.want {
				t.Fatalf("states %s, want %s", got, c.want)
			}
		})
	}
}
