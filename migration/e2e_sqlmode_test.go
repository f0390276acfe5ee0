package migration_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/internal/workload"
	"github.com/hotswap/hotswap/migration"
)

const zeroDateModes = "STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE"

// The shadow is created and altered under the server's global sql_mode, as
// the user's own ALTER would run: what the server refuses is refused before
// any change, with the server's words, while the application keeps writing.
func TestShadowUnderServerSQLModeRefuses(t *testing.T) {
	for _, c := range []struct{ name, create, alter string }{
		{"zero in a new default",
			"CREATE TABLE t (id BIGINT PRIMARY KEY, dt DATETIME NOT NULL DEFAULT '2000-01-01 00:00:00', v INT, wl_ver BIGINT)",
			"CHANGE dt dt datetime NOT NULL DEFAULT '1970-00-00 00:00:00'"},
		{"rebuild of a table holding a zero default",
			"SET STATEMENT sql_mode = '' FOR CREATE TABLE t (id BIGINT PRIMARY KEY, dt DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00', v INT, wl_ver BIGINT)",
			"ENGINE=InnoDB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			setGlobalVariable(t, e, "sql_mode", zeroDateModes)
			e.exec(c.create)
			if _, err := e.admin.Exec("ALTER TABLE t " + c.alter); err == nil || !strings.Contains(err.Error(), "Invalid default value for 'dt'") {
				t.Fatalf("the server's own ALTER: %v, want Invalid default value", err)
			}
			w := newWorkload(t, e, 1500, workload.Options{Workers: 3, Rate: 400})
			w.Start(context.Background())
			before, tables := e.showCreate("t"), e.tables()
			_, err := e.run(e.config("t", c.alter))
			requireNoErrors(t, w.Stop())
			if !migration.IsRefused(err) || !strings.Contains(err.Error(), "Invalid default value for 'dt'") {
				t.Fatalf("run: %v, want refused with the server's Invalid default value for 'dt'", err)
			}
			if got := e.showCreate("t"); got != before {
				t.Errorf("a refused run changed the table:\n%s\nwas\n%s", got, before)
			}
			if got := e.tables(); got != tables {
				t.Errorf("a refused run left tables %s, had %s", got, tables)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := w.Check(ctx, e.admin, "t"); err != nil {
				t.Fatalf("acknowledged writes: %v", err)
			}
		})
	}
}

// Under a server whose sql_mode allows zero dates, the same ALTER migrates,
// every row compared: the shadow follows the server's mode either way, and
// the copy keeps hotswap's own session settings.
func TestShadowUnderServerSQLModeMigrates(t *testing.T) {
	e := newEnv(t)
	setGlobalVariable(t, e, "sql_mode", "NO_ENGINE_SUBSTITUTION")
	e.exec("CREATE TABLE t (id BIGINT PRIMARY KEY, dt DATETIME NOT NULL DEFAULT '2000-01-01 00:00:00', v INT, wl_ver BIGINT)")
	parityRun{alter: "CHANGE dt dt datetime NOT NULL DEFAULT '1970-00-00 00:00:00', ADD COLUMN d2 DATE NOT NULL DEFAULT '0000-00-00'", rows: 1500}.run(t, e)
	ddl := e.showCreate("t")
	for _, want := range []string{"DEFAULT '1970-00-00 00:00:00'", "DEFAULT '0000-00-00'"} {
		if !strings.Contains(ddl, want) {
			t.Errorf("the new table lacks %s:\n%s", want, ddl)
		}
	}
}

// A TIMESTAMP default in the ALTER is read in the server's time zone, as the
// user's own ALTER reads it, not in hotswap's UTC session.
func TestShadowUnderServerTimeZone(t *testing.T) {
	e := newEnv(t)
	setGlobalVariable(t, e, "time_zone", "+05:00")
	e.exec("CREATE TABLE t (id BIGINT PRIMARY KEY, v INT, wl_ver BIGINT)")
	parityRun{alter: "ADD COLUMN ts TIMESTAMP NOT NULL DEFAULT '2020-01-01 00:00:00'", rows: 1000}.run(t, e)
	// 2020-01-01 00:00:00 at +05:00
	if got := e.scalar("SELECT MIN(UNIX_TIMESTAMP(ts)) = 1577818800 AND MAX(UNIX_TIMESTAMP(ts)) = 1577818800 FROM t"); got != 1 {
		var lo, hi int64
		e.admin.QueryRow("SELECT MIN(UNIX_TIMESTAMP(ts)), MAX(UNIX_TIMESTAMP(ts)) FROM t").Scan(&lo, &hi)
		t.Errorf("ts default is %d..%d, want 1577818800 (2020-01-01 00:00:00 at the server's +05:00)", lo, hi)
	}
}

// setGlobalVariable sets a server variable as root for the test and puts the
// old value back after it.
func setGlobalVariable(t *testing.T, e *env, name, value string) {
	t.Helper()
	setGlobal(t, e.srv, name, value)
}
