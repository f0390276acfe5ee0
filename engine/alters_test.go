package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/engine"
	_ "github.com/hotswap/hotswap/engine/mysql"
	_ "github.com/hotswap/hotswap/engine/postgres"
	"github.com/hotswap/hotswap/job"
)

// TestParseAlters reads --statement as each engine's client splits it.
func TestParseAlters(t *testing.T) {
	got, err := engine.ParseAlters(engine.MySQL, "ALTER TABLE orders ADD COLUMN n INT, ALTER COLUMN s SET DEFAULT 2;\n alter table `shop`.`items` DROP COLUMN x;", "shop")
	want := []engine.TableAlter{{"shop", "orders", "ADD COLUMN n INT, ALTER COLUMN s SET DEFAULT 2"}, {"shop", "items", "DROP COLUMN x"}}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("mysql: %v %v, want %v", got, err, want)
	}
	got, err = engine.ParseAlters(engine.Postgres, `ALTER TABLE orders ADD COLUMN n int; ALTER TABLE public."Items" ALTER COLUMN s SET DEFAULT ';'`, "public")
	want = []engine.TableAlter{{"public", "orders", "ADD COLUMN n int"}, {"public", "Items", "ALTER COLUMN s SET DEFAULT ';'"}}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("postgres: %v %v, want %v", got, err, want)
	}
}

// TestParseAltersRefusals: every statement a run of several tables cannot
// take is refused before anything is opened, saying what to do instead.
func TestParseAltersRefusals(t *testing.T) {
	many := strings.Repeat("ALTER TABLE t%d ADD COLUMN c INT;", engine.MaxSetTables+1)
	var names []any
	for i := range engine.MaxSetTables + 1 {
		names = append(names, i)
	}
	for _, c := range []struct{ kind, sql, want string }{
		{engine.MySQL, "ALTER TABLE a ADD c INT; UPDATE a SET c = 1", "is not an ALTER TABLE"},
		{engine.MySQL, "ALTER TABLE a ADD c INT; ALTER TABLE a ADD d INT", "altered twice"},
		{engine.MySQL, "ALTER TABLE other.a ADD c INT", "not in shop"},
		{engine.Postgres, "ALTER TABLE s2.a ADD c int", "not in public"},
		{engine.MySQL, " ; ", "no statement"},
		{engine.MySQL, fmt.Sprintf(many, names...), "at most"},
		{engine.Postgres, "ALTER TABLE a ADD c int; DROP TABLE b", "is not an ALTER TABLE"},
	} {
		schema := map[string]string{engine.MySQL: "shop", engine.Postgres: "public"}[c.kind]
		_, err := engine.ParseAlters(c.kind, c.sql, schema)
		if !job.IsRefused(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: %v, want a refusal saying %q", c.kind, c.sql, err, c.want)
		}
	}
}
