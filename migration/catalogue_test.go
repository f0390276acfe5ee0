package migration_test

import (
	"context"
	"math/rand"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotswap/hotswap/migration"
)

// catalogueTarget is one engine's side of a catalogue case: table t in a
// case database, migrated by hotswap, and its twin in a reference database,
// changed by the server's own ALTER.
type catalogueTarget interface {
	execCase(stmts ...string)
	execRef(stmts ...string)
	// makeSeed keeps a copy of t's rows that churn and restore write from.
	makeSeed()
	config(alter string) migration.Config
	// churn is one round of writes (replace, delete, update) that restore
	// undoes: they reach the stream, the copy and the resync, and leave t
	// as it was.
	churn(ctx context.Context) error
	restore(ctx context.Context) error
	serverAlter(alter string) error
	definition(ref bool) string // what the table is, normalized
	rows(ref bool) []string     // every row as text, sorted
	tables() string             // the case database's tables
}

// TestCatalogueMySQL runs every case of testdata/alter/mysql.
func TestCatalogueMySQL(t *testing.T) {
	runCatalogue(t, "mysql", openMySQLCatalogue)
}

// TestCataloguePostgres runs every case of testdata/alter/postgres.
func TestCataloguePostgres(t *testing.T) {
	runCatalogue(t, "postgres", openPGCatalogue)
}

func runCatalogue(t *testing.T, engine string, open func(*testing.T, catalogueCase) catalogueTarget) {
	for _, c := range loadCatalogue(t, engine) {
		t.Run(c.name, func(t *testing.T) {
			tg := open(t, c)
			tg.execCase(c.create...)
			tg.execRef(c.create...)
			tg.makeSeed()
			switch {
			case c.refused:
				requireRefused(t, tg, c)
			case c.fails:
				requireFailsLikeServer(t, tg, c)
			default:
				requireMigratesLikeServer(t, tg, c)
			}
		})
	}
}

// requireRefused: the run is refused before any change, naming the problem,
// and t, its rows and the database's tables are as they were.
func requireRefused(t *testing.T, tg catalogueTarget, c catalogueCase) {
	def, rows, tables := tg.definition(false), tg.rows(false), tg.tables()
	out, err := (&env{t: t}).run(tg.config(c.alter))
	if err == nil {
		t.Fatalf("migrated, want refused with %q\n%s", c.messages, out)
	}
	if !migration.IsRefused(err) {
		t.Fatalf("failed during the run, want refused before any change: %v\n%s", err, out)
	}
	requireSays(t, err, c.messages)
	if got := tg.definition(false); got != def {
		t.Errorf("a refused run changed the table:\n%s\nwas\n%s", got, def)
	}
	requireSameRows(t, "the refused run's table", tg.rows(false), rows)
	if got := tg.tables(); got != tables {
		t.Errorf("a refused run left tables %s, had %s", got, tables)
	}
}

// requireFailsLikeServer: the server's own ALTER fails, and so does the
// run (refused, or failed during the copy), naming the problem; t and every
// row are as they were.
func requireFailsLikeServer(t *testing.T, tg catalogueTarget, c catalogueCase) {
	def, rows := tg.definition(false), tg.rows(false)
	stopChurn := churnUntil(t, tg)
	out, err := (&env{t: t}).run(tg.config(c.alter))
	stopChurn()
	if err == nil {
		t.Fatalf("migrated, want it to fail with %q\n%s", c.messages, out)
	}
	requireSays(t, err, c.messages)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := tg.restore(ctx); err != nil {
		t.Fatalf("restore after churn: %v", err)
	}
	if got := tg.definition(false); got != def {
		t.Errorf("a failed run changed the table:\n%s\nwas\n%s", got, def)
	}
	requireSameRows(t, "the failed run's table", tg.rows(false), rows)
	if err := tg.serverAlter(c.alter); err == nil {
		t.Errorf("the run failed, but the server's own ALTER succeeds")
	}
}

func requireSays(t *testing.T, err error, messages []string) {
	t.Helper()
	for _, m := range messages {
		if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(m)) {
			t.Errorf("error %q does not say %q", err, m)
		}
	}
}

// requireMigratesLikeServer runs hotswap under churn and the case's writes,
// then applies the server's own ALTER to the reference: the definitions and
// every row must be the same.
func requireMigratesLikeServer(t *testing.T, tg catalogueTarget, c catalogueCase) {
	cfg := tg.config(c.alter)
	cfg.ChunkSize = 100
	cfg.PostponeFlagFile = flagFile(t)
	run := (&env{t: t}).start(cfg)
	stopChurn := churnUntil(t, tg)
	run.waitState(t, migration.StatePostponed)
	stopChurn()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := tg.restore(ctx); err != nil {
		t.Fatalf("restore after churn: %v", err)
	}
	for _, w := range c.writes {
		tg.execCase(w)
		tg.execRef(w)
	}
	os.Remove(cfg.PostponeFlagFile)
	run.wait(t)
	if err := tg.serverAlter(c.alter); err != nil {
		t.Fatalf("hotswap migrated, but the server's own ALTER fails: %v", err)
	}
	if got, want := tg.definition(false), tg.definition(true); got != want {
		t.Errorf("hotswap's table differs from the server's ALTER:\n%s\nserver's:\n%s", got, want)
	}
	requireSameRows(t, "hotswap's table", tg.rows(false), tg.rows(true))
}

// churnUntil writes to t in rounds until stop is called (at least three
// rounds, so writes overlap the copy even on a small table).
func churnUntil(t *testing.T, tg catalogueTarget) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 3 || ctx.Err() == nil; i++ {
			if err := tg.churn(context.Background()); err != nil {
				t.Errorf("churn: %v", err)
				return
			}
			time.Sleep(time.Duration(5+rand.Intn(20)) * time.Millisecond)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop) // before the databases close, when the test stops early
	return stop
}

func requireSameRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s has %d rows, want %d", what, len(got), len(want))
	}
	shown := 0
	for i := 0; i < len(got) && i < len(want) && shown < 5; i++ {
		if got[i] != want[i] {
			t.Errorf("%s: row %d is %s, want %s", what, i, got[i], want[i])
			shown++
		}
	}
}
