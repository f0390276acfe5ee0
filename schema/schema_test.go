package schema

import (
	"strings"
	"testing"
)

func TestDerivedNameShortensDeterministically(t *testing.T) {
	if got := DerivedName("orders", "new", 64); got != "_orders_new" {
		t.Fatalf("short name: %q", got)
	}
	long := strings.Repeat("x", 64)
	a, b := DerivedName(long, "new", 64), DerivedName(long, "new", 64)
	other := DerivedName(strings.Repeat("x", 63)+"y", "new", 64)
	if len(a) > 64 || a != b || a == other || !strings.HasSuffix(a, "_new") || !strings.HasPrefix(a, "_xxx") {
		t.Fatalf("long names: %q %q %q", a, b, other)
	}
}

func TestParseMySQLAlter(t *testing.T) {
	a, err := ParseMySQLAlter("CHANGE b bb INT, RENAME COLUMN c TO cc, DROP COLUMN d, DROP e, ADD COLUMN f INT, MODIFY g BIGINT;")
	if err != nil {
		t.Fatal(err)
	}
	if a.Renames["b"] != "bb" || a.Renames["c"] != "cc" || len(a.Renames) != 2 {
		t.Errorf("renames: %v", a.Renames)
	}
	if !a.Dropped["d"] || !a.Dropped["e"] || len(a.Dropped) != 2 {
		t.Errorf("dropped: %v", a.Dropped)
	}
	if a.RenamesTable || a.AddsForeignKey || a.DropsForeignKey {
		t.Errorf("flags: %+v", a)
	}
	for clause, check := range map[string]func(*Alter) bool{
		"RENAME TO x": func(a *Alter) bool { return a.RenamesTable },
		"ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id)": func(a *Alter) bool { return a.AddsForeignKey },
		"DROP FOREIGN KEY fk, ADD COLUMN n INT":               func(a *Alter) bool { return a.DropsForeignKey && !a.AddsForeignKey },
		"CHANGE a a BIGINT":                                   func(a *Alter) bool { return len(a.Renames) == 0 },
		"ALTER COLUMN a SET DEFAULT 2, ADD COLUMN n INT":      func(a *Alter) bool { return len(a.Renames) == 0 && len(a.Dropped) == 0 },
	} {
		a, err := ParseMySQLAlter(clause)
		if err != nil || !check(a) {
			t.Errorf("%s: %+v %v", clause, a, err)
		}
	}
}

// TestParseMySQLAlterRefusesWholeStatement: --alter takes the clauses;
// a whole ALTER TABLE is refused, naming the fix.
func TestParseMySQLAlterRefusesWholeStatement(t *testing.T) {
	for _, text := range []string{"ALTER TABLE t ADD COLUMN c INT", "alter  online table t ADD c INT", "ALTER IGNORE TABLE t ADD c INT"} {
		if _, err := ParseMySQLAlter(text); err == nil || !strings.Contains(err.Error(), "only the clauses") {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestMapColumnsAndChooseKey(t *testing.T) {
	src := &Table{Name: "t", Columns: []Column{{Name: "id"}, {Name: "a"}, {Name: "b"}, {Name: "gone"}},
		Uniques: []Index{{Name: "PRIMARY", Columns: []string{"id"}, Primary: true}}}
	dst := &Table{Name: "_t_new", Columns: []Column{{Name: "id"}, {Name: "a2"}, {Name: "b"}, {Name: "gone"}, {Name: "g", Generated: true}},
		Uniques: []Index{{Name: "PRIMARY", Columns: []string{"id"}, Primary: true}}}
	alter := &Alter{Renames: map[string]string{"a": "a2"}, Dropped: map[string]bool{"gone": true}}
	pairs := MapColumns(src, dst, alter)
	want := []ColumnPair{{"id", "id"}, {"a", "a2"}, {"b", "b"}}
	if len(pairs) != len(want) {
		t.Fatalf("pairs %v, want %v (a re-added dropped column and a generated one carry no data)", pairs, want)
	}
	for i := range want {
		if pairs[i] != want[i] {
			t.Fatalf("pairs %v, want %v", pairs, want)
		}
	}
	if _, _, err := ChooseKey(src, dst, pairs); err != nil {
		t.Fatal(err)
	}
	dst.Uniques = nil
	if _, _, err := ChooseKey(src, dst, pairs); err == nil {
		t.Fatal("a shadow without the key was accepted")
	}
}
