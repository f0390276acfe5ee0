package postgres

import (
	"context"
	"reflect"
	"testing"
)

func TestTableLoad(t *testing.T) {
	ctx := context.Background()
	_, app, _ := appDB(t,
		`CREATE TABLE t (gone int, b text COLLATE "C" NOT NULL, a int GENERATED ALWAYS AS IDENTITY,
			v varchar(20), g int GENERATED ALWAYS AS (a * 2) STORED, PRIMARY KEY (b, a) INCLUDE (v))`,
		"ALTER TABLE t DROP COLUMN gone",
		"CREATE VIEW w AS SELECT a FROM t")
	tab := tableTestLoad(t, app, "t")
	if tab.Kind != "r" || tab.OID == 0 || tab.Schema != "public" || tab.Name != "t" {
		t.Fatalf("table = %+v", tab)
	}
	want := []Column{
		{Name: "b", Type: "text", Collation: `"C"`, NotNull: true, Num: 2},
		{Name: "a", Type: "integer", NotNull: true, Identity: true, Num: 3},
		{Name: "v", Type: "character varying(20)", Collation: `"default"`, Num: 4},
		{Name: "g", Type: "integer", Generated: true, Num: 5},
	}
	if !reflect.DeepEqual(tab.Columns, want) {
		t.Fatalf("columns =\n%+v\nwant\n%+v", tab.Columns, want)
	}
	if !reflect.DeepEqual(tab.Key, []string{"b", "a"}) {
		t.Fatalf("key = %v, want [b a] (key order, without INCLUDE columns)", tab.Key)
	}
	if got := tab.Types(); got["v"] != "character varying(20)" || len(got) != 4 {
		t.Fatalf("Types() = %v", got)
	}
	if v := tableTestLoad(t, app, "w"); v.Kind != "v" || v.Key != nil {
		t.Fatalf("view = %+v", v)
	}
	if missing, err := LoadTable(ctx, app, "public", "nope"); missing != nil || err != nil {
		t.Fatalf("LoadTable(nope) = %v, %v; want nil, nil", missing, err)
	}
}

func TestTableExistsAndDrop(t *testing.T) {
	ctx := context.Background()
	_, app, _ := appDB(t, `CREATE TABLE "Odd Name" (id int)`)
	for _, step := range []struct {
		drop bool
		want bool
	}{{false, true}, {true, false}, {true, false}} { // the second drop finds nothing and succeeds
		if step.drop {
			if err := DropTable(ctx, app, "public", "Odd Name"); err != nil {
				t.Fatal(err)
			}
		}
		if ok, err := TableExists(ctx, app, "public", "Odd Name"); err != nil || ok != step.want {
			t.Fatalf("TableExists = %v, %v; want %v", ok, err, step.want)
		}
	}
}
