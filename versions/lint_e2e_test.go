package versions_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/versions"
)

// TestLintUp: on real servers, the data-dependent rules read the data
// (rows, NULLs, duplicates; a column a pending version adds is not there
// yet), up refuses a version with findings before running anything (not
// even its clean first statement), plan and Lint report them, a waiver
// comment lets its statement run, and --allow-unsafe runs the rest.
func TestLintUp(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		dir := writeDir(t, map[string]string{
			"0001_people.up.sql": "CREATE TABLE people (id INT PRIMARY KEY, email VARCHAR(40), note VARCHAR(20));\n" +
				"CREATE TABLE empty_t (id INT PRIMARY KEY);\n" +
				"INSERT INTO people VALUES (1, 'a@x', NULL), (2, 'a@x', 'n'), (3, 'b@x', 'n'), (4, NULL, 'n'), (5, NULL, 'n');",
		})
		cfg, out := tg.config(t, dir)
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatalf("up of a clean version: %v\n%s", err, out)
		}
		setNotNull, here, narrow := "ALTER TABLE people MODIFY %s VARCHAR(20) NOT NULL;", " AND table_schema = DATABASE()", "ALTER TABLE people MODIFY email VARCHAR(10);"
		if tg.engine == "postgres" {
			setNotNull, here, narrow = "ALTER TABLE people ALTER COLUMN %s SET NOT NULL;", " AND table_schema = current_schema()", "ALTER TABLE people ALTER COLUMN email TYPE varchar(10);"
		}
		write := func(name, body string) {
			t.Helper()
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		write("0002_unsafe.up.sql", "CREATE TABLE first_t (id INT PRIMARY KEY);\n"+
			"ALTER TABLE people ADD COLUMN c INT NOT NULL;\n"+ // rows: unsafe
			"ALTER TABLE empty_t ADD COLUMN c INT NOT NULL;\n"+ // no rows: fine
			"ALTER TABLE people ADD COLUMN d INT NOT NULL DEFAULT 0;\n"+
			"CREATE UNIQUE INDEX people_email ON people (email);\n"+ // a@x twice: unsafe
			"ALTER TABLE people ADD CONSTRAINT people_id_email UNIQUE (id, email);\n"+ // NULL emails twice: fine
			"ALTER TABLE people ADD COLUMN z VARCHAR(20);\n"+
			narrow+"\n") // the server's type read: unsafe
		write("0003_notnull.up.sql", strings.ReplaceAll(setNotNull, "%s", "note")+"\n"+ // a NULL: unsafe
			strings.ReplaceAll(setNotNull, "%s", "z")+"\n") // not there yet: fine

		err := versions.Up(ctx, cfg)
		if !job.IsRefused(err) {
			t.Fatalf("up with unsafe changes: %v\n%s", err, out)
		}
		for _, want := range []string{"4 unsafe change(s)", "version 2 (unsafe), line 2: not-null-no-default", "version 2 (unsafe), line 5: unique-on-duplicates",
			"version 2 (unsafe), line 8: narrow-type",
			"version 3 (notnull), line 1: not-null-no-default", "-- hotswap:allow unique-on-duplicates", "--allow-unsafe", "instead: "} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the refusal lacks %q:\n%v", want, err)
			}
		}
		t.Logf("the refusal: %v", err)
		if n := tg.scalar(t, "SELECT COUNT(*) FROM hotswap_migrations"); n != 1 {
			t.Fatalf("a refused up recorded %d versions", n)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'first_t'"+here); n != 0 {
			t.Fatal("a refused up ran the first statement of its first version")
		}
		out.Reset()
		if err := versions.Plan(ctx, cfg); err != nil || strings.Count(out.String(), "UNSAFE version") != 4 {
			t.Fatalf("plan: %v\n%s", err, out)
		}
		t.Logf("plan:\n%s", out)
		fs, err := versions.Lint(ctx, cfg)
		if err != nil || len(fs) != 4 || fs[1].Rule != "unique-on-duplicates" || fs[1].Line != 5 || fs[2].Rule != "narrow-type" {
			t.Fatalf("lint: %v %+v", err, fs)
		}

		// the data fixed and the statements waived: up runs
		write("0002_unsafe.up.sql", "ALTER TABLE people DROP COLUMN note; -- hotswap:allow drop-column\n"+
			"-- hotswap:allow rename-table\nALTER TABLE empty_t RENAME TO empty_two;\n")
		write("0003_notnull.up.sql", "UPDATE people SET email = 'c@x' WHERE id = 2;\n")
		out.Reset()
		if err := versions.Up(ctx, cfg); err != nil {
			t.Fatalf("up with waivers: %v\n%s", err, out)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'people' AND column_name = 'note'"+here); n != 0 {
			t.Fatal("the waived DROP COLUMN did not run")
		}
		write("0004_unique.up.sql", "CREATE UNIQUE INDEX people_email ON people (email);\nALTER TABLE people RENAME COLUMN email TO mail;\n")
		fs, err = versions.Lint(ctx, cfg)
		if err != nil || len(fs) != 1 || fs[0].Rule != "rename-column" {
			t.Fatalf("lint once the duplicates are gone: %v %+v", err, fs)
		}
		if err := versions.Up(ctx, cfg); !job.IsRefused(err) || !strings.Contains(err.Error(), "rename-column") {
			t.Fatalf("up of a rename: %v", err)
		}
		cfg.AllowUnsafe = true
		out.Reset()
		if err := versions.Up(ctx, cfg); err != nil || !strings.Contains(out.String(), "--allow-unsafe: running 1 unsafe change(s)") {
			t.Fatalf("up --allow-unsafe: %v\n%s", err, out)
		}
		if n := tg.scalar(t, "SELECT COUNT(*) FROM hotswap_migrations"); n != 4 {
			t.Fatalf("%d versions recorded", n)
		}
	})
}
