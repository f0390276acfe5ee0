package mysql_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hotswap/hotswap/dialect/mysql"
	"github.com/hotswap/hotswap/internal/testdb"
)

// TestRestoreTriggerNamesFinishesAnyCrashedState: the naming after the
// cut-over can stop anywhere (a crash); run again, it ends with every
// trigger on the new table under its own name, once, and none on the old.
func TestRestoreTriggerNamesFinishesAnyCrashedState(t *testing.T) {
	srv := testdb.MySQLServer(t)
	ctx := context.Background()
	trg := func(name, table string) string {
		return "CREATE DEFINER='hotswap'@'%' TRIGGER " + name + " AFTER INSERT ON " + table + " FOR EACH ROW SET @n = @n + 1"
	}
	for _, c := range []struct {
		name  string
		setup []string
	}{
		{"right after the RENAME", []string{trg("a__hotswap", "t"), trg("a", "_t_old")}},
		{"after the old one was dropped", []string{trg("a__hotswap", "t")}},
		{"after the new one was created", []string{trg("a__hotswap", "t"), trg("a", "t")}},
		{"already named", []string{trg("a", "t")}},
		{"the old table dropped since", []string{trg("a__hotswap", "t"), trg("a", "_t_old"), "DROP TABLE _t_old"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			name, admin := srv.NewDatabase(t)
			for _, s := range append([]string{"CREATE TABLE t (id INT PRIMARY KEY)", "CREATE TABLE _t_old (id INT PRIMARY KEY)"}, c.setup...) {
				if _, err := admin.Exec(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			db, err := mysql.Open(ctx, mysql.Config{Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Database: name})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			carried, err := mysql.CarriedTriggers(ctx, db, name, "t")
			if err != nil {
				t.Fatal(err)
			}
			if err := mysql.RestoreTriggerNames(ctx, db, name, "t", "_t_old", carried, time.Second); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(testdb.Strings(t, admin, "SELECT CONCAT(EVENT_OBJECT_TABLE, '.', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1"), ",")
			if got != "t.a" {
				t.Errorf("triggers: %s, want t.a only", got)
			}
		})
	}
}
