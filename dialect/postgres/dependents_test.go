package postgres

import (
	"fmt"
	"testing"
)

func TestNamesColumnMatchesWholeWordsOnly(t *testing.T) {
	for _, c := range []struct {
		src, column string
		want        bool
	}{
		{"NEW.name := upper(NEW.name)", "name", true},
		{"NEW.NAME := 1", "name", true},      // unquoted names fold to lower case
		{"NEW.fullname := 1", "name", false}, // part of another word
		{"NEW.name_2 := 1", "name", false},   // ditto
		{`NEW."Total" := 1`, "Total", true},  // quoted
		{"NEW.total := 1", "Total", false},   // unquoted total is another column
		{"RETURN NEW; -- v$1", "v", false},   // v$1 is one identifier
		{"PERFORM 1 WHERE v > 0", "v", true}, // at a word boundary
		{"INSERT INTO audit VALUES (NEW.id)", "i", false},
	} {
		if got := namesColumn(c.src, c.column); got != c.want {
			t.Errorf("namesColumn(%q, %q) = %v, want %v", c.src, c.column, got, c.want)
		}
	}
}

func TestDependentsRelatedAndValidations(t *testing.T) {
	d := &Dependents{
		Children: []ForeignKey{
			{Schema: "public", Table: "orders", Name: "fk_c", Def: "FOREIGN KEY (c) REFERENCES public.customers(id)", Validate: true, Ref: Rel{"public", "customers"}},
			{Schema: "public", Table: "orders", Name: "fk_self", Def: "FOREIGN KEY (p) REFERENCES public.orders(id)", Ref: Rel{"public", "orders"}},
			{Schema: "public", Table: "orders", Name: "fk_c2", Def: "FOREIGN KEY (c2) REFERENCES public.customers(id)", Ref: Rel{"public", "customers"}},
		},
		Parents: []ForeignKey{{Schema: "sales", Table: "items", Name: "items_fk", Validate: true, Ref: Rel{"public", "orders"}}},
	}
	if got := fmt.Sprint(d.Related("public", "orders")); got != "[{public customers} {sales items}]" {
		t.Errorf("Related = %s: want each other table once, not the table itself", got)
	}
	var got []string
	for _, v := range ValidateSQL("public", "orders", d) {
		got = append(got, v.SQL)
	}
	want := `[ALTER TABLE "public"."orders" VALIDATE CONSTRAINT "fk_c" ALTER TABLE "sales"."items" VALIDATE CONSTRAINT "items_fk"]`
	if fmt.Sprint(got) != want {
		t.Errorf("ValidateSQL = %v, want only the keys that were valid: %s", got, want)
	}
	if (&Dependents{}).Empty() != true || d.Empty() || (*Dependents)(nil).Related("s", "t") != nil {
		t.Error("Empty/Related of none")
	}
}

func TestTriggerEnabledStateIsCarried(t *testing.T) {
	for state, want := range map[string]string{
		"O": "",
		"D": `ALTER TABLE "public"."t" DISABLE TRIGGER "audit"`,
		"R": `ALTER TABLE "public"."t" ENABLE REPLICA TRIGGER "audit"`,
		"A": `ALTER TABLE "public"."t" ENABLE ALWAYS TRIGGER "audit"`,
	} {
		if got := (triggerDef{name: "audit", enabled: state}).enabledSQL(QualifiedName("public", "t")); got != want {
			t.Errorf("state %s: %q, want %q", state, got, want)
		}
	}
}

func TestSameDependentsNamesWhatChanged(t *testing.T) {
	d := &Dependents{declared: []string{"fk_a"}, Triggers: []Trigger{{Name: "audit"}}}
	if err := sameDependents(d, liveDependents{own: []ForeignKey{{Name: "fk_a"}}, triggers: []triggerDef{{name: "audit"}}}); err != nil {
		t.Errorf("unchanged: %v", err)
	}
	err := sameDependents(d, liveDependents{own: []ForeignKey{{Name: "fk_a"}}, triggers: []triggerDef{{name: "audit"}, {name: "late"}}})
	if err == nil || err.Error() != "foreign keys, triggers, views, publications, policies or rules changed during the run: its triggers were [audit] when the run started and are [audit, late] now: run the migration again" {
		t.Errorf("a trigger added during the run: %v", err)
	}
}
