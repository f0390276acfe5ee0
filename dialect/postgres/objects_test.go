package postgres

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestObjects: one object of each kind that binds to t by OID is listed;
// hotswap's own publications and indirect dependents are not.
func TestObjects(t *testing.T) {
	_, app, _ := appDB(t,
		"CREATE TABLE parent (id int PRIMARY KEY)",
		"CREATE TABLE t (id int PRIMARY KEY, parent_id int, v text)",
		"ALTER TABLE t ADD CONSTRAINT t_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id)",
		"CREATE TABLE child (id int PRIMARY KEY, t_id int CONSTRAINT child_t_fk REFERENCES t (id))",
		"CREATE VIEW v AS SELECT id, v FROM t",
		"CREATE VIEW vv AS SELECT * FROM v",
		"CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM t",
		"CREATE TABLE audit (id int)",
		"CREATE RULE t_log AS ON DELETE TO t DO ALSO INSERT INTO audit VALUES (old.id)",
		"CREATE RULE audit_copy AS ON INSERT TO audit DO ALSO UPDATE t SET v = v WHERE id = new.id",
		"ALTER TABLE t ENABLE ROW LEVEL SECURITY",
		"CREATE POLICY t_own ON t USING (true)",
		"CREATE POLICY audit_t ON audit USING (EXISTS (SELECT FROM t WHERE t.id = audit.id))",
		"CREATE FUNCTION t_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
		"CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION t_touch()",
		"CREATE TABLE plain (id int PRIMARY KEY)",
		"CREATE PUBLICATION app_pub FOR TABLE t",
		"CREATE PUBLICATION hotswap_run1 FOR TABLE t, plain",
		"CREATE FUNCTION t_count() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END",
		"CREATE FUNCTION t_id(r t) RETURNS int LANGUAGE sql AS 'SELECT r.id'",
		"CREATE TABLE holder (x t)",
		"CREATE TABLE t_kid (extra int) INHERITS (t)",
	)
	ctx := context.Background()
	got, err := Objects(ctx, app, "public", "t")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"foreign key public.child.child_t_fk -> public.t",
		"foreign key public.t.t_parent_fk -> public.parent",
		"view public.v",
		"materialized view public.mv",
		"rule audit_copy on public.audit",
		"rule t_log on public.t",
		"policy audit_t on public.audit",
		"policy t_own on public.t",
		"row level security on public.t (enabled)",
		"trigger t_touch on public.t",
		"publication app_pub",
		"function t_count()",
		"function t_id(t)",
		"column public.holder.x of type t",
		"inherited by public.t_kid",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Objects(t):\n got  %q\n want %q", got, want)
	}
	// what a cut-over given the table's Dependents carries is left out
	notCarried, err := ObjectsNotCarried(ctx, app, "public", "t")
	if err != nil {
		t.Fatal(err)
	}
	carried := func(o string) bool {
		return strings.HasPrefix(o, "foreign key ") || strings.HasPrefix(o, "trigger ") || strings.HasPrefix(o, "view ") ||
			strings.HasPrefix(o, "publication ") || strings.HasPrefix(o, "policy t_own ") || strings.HasPrefix(o, "row level security ") ||
			strings.HasPrefix(o, "rule t_log ")
	}
	if wantNot := slices.DeleteFunc(slices.Clone(want), carried); !slices.Equal(notCarried, wantNot) {
		t.Fatalf("ObjectsNotCarried(t):\n got  %q\n want %q", notCarried, wantNot)
	}
	if got, err := Objects(ctx, app, "public", "plain"); err != nil || len(got) != 0 {
		t.Fatalf("Objects(plain) = %q, %v; want none (hotswap_ publications are ours)", got, err)
	}
	if got, err := Objects(ctx, app, "public", "t_kid"); err != nil || !slices.Equal(got, []string{"inherits from public.t"}) {
		t.Fatalf("Objects(t_kid) = %q, %v", got, err)
	}
	if _, err := Objects(ctx, app, "public", "missing"); err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Fatalf("Objects(missing): %v", err)
	}
}

// TestObjectsNamesQuoted: odd names come quoted, so every line is
// unambiguous.
func TestObjectsNamesQuoted(t *testing.T) {
	_, app, _ := appDB(t,
		`CREATE SCHEMA "My Schema"`,
		`CREATE TABLE "My Schema"."T" (id int PRIMARY KEY)`,
		`CREATE VIEW "My Schema"."a.b" AS SELECT id FROM "My Schema"."T"`,
	)
	got, err := Objects(context.Background(), app, "My Schema", "T")
	if err != nil || !slices.Equal(got, []string{`view "My Schema"."a.b"`}) {
		t.Fatalf("Objects = %q, %v", got, err)
	}
}
