package backfill_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/backfill"
)

// tables is the tables of the test's database (schema).
func (e *env) tables() []string {
	e.t.Helper()
	q := "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
	if e.engine == "postgres" {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	}
	rows, err := e.db.Query(q)
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return names
}

// unchanged fails unless t still equals its twin t2 row by row, every
// column, and the database holds no tables but t, t2 and those in extra
// (no checkpoint _t_bf, no heartbeat table).
func (e *env) unchanged(what string, extra ...string) {
	e.t.Helper()
	cols := "id, first, last, full_name, v"
	for _, pair := range [][2]string{{"t", "t2"}, {"t2", "t"}} {
		q := fmt.Sprintf("SELECT count(*) FROM (SELECT %s FROM %s EXCEPT SELECT %s FROM %s) x", cols, pair[0], cols, pair[1])
		if n := e.scalar(q); n != 0 {
			e.t.Fatalf("%s: %d rows of %s are not in %s: the table was changed", what, n, pair[0], pair[1])
		}
	}
	if a, b := e.scalar("SELECT count(*) FROM t"), e.scalar("SELECT count(*) FROM t2"); a != b {
		e.t.Fatalf("%s: t has %d rows, t2 %d", what, a, b)
	}
	want := append([]string{"t", "t2"}, extra...)
	slices.Sort(want)
	got := e.tables()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		e.t.Fatalf("%s: the database holds the tables %s, want %s", what, got, want)
	}
}

var chunkLine = regexp.MustCompile(`(?m)^chunk (\d+), key \((.*) \.\. (.*)\]: (\d+) rows match`)

// keyOf reads a single-column integer key as the dry run prints it ("[]"
// for none, "[1000]"); ok is false for anything else.
func keyOf(s string) (n int64, none, ok bool) {
	inner, found := strings.CutPrefix(s, "[")
	inner, found2 := strings.CutSuffix(inner, "]")
	if !found || !found2 {
		return 0, false, false
	}
	if inner == "" {
		return 0, true, true
	}
	n, err := strconv.ParseInt(inner, 10, 64)
	return n, false, err == nil
}

// TestBackfillDryRun: without --execute the backfill prints the statement
// and per-chunk counts of the rows --where selects (checked against a
// COUNT(*) of the same key range), warns when a chunk run twice would not
// be harmless, and changes nothing: no row, no checkpoint table.
func TestBackfillDryRun(t *testing.T) {
	for _, newEnv := range engines {
		e := newEnv(t)
		t.Run(e.engine, func(t *testing.T) {
			e.t = t
			e.people(5000)
			dry := func(what string, change func(*backfill.Config)) string {
				t.Helper()
				var out bytes.Buffer
				cfg := e.config()
				cfg.Execute, cfg.Out = false, &out
				if change != nil {
					change(&cfg)
				}
				if err := backfill.New(cfg).Run(context.Background()); err != nil {
					t.Fatalf("%s: dry run: %v\n%s", what, err, out.String())
				}
				e.unchanged(what)
				return out.String()
			}

			const size = 1000
			out := dry("idempotent", func(c *backfill.Config) { c.ChunkSize = size })
			t.Logf("dry run:\n%s", out)
			for _, want := range []string{"Dry run", "nothing was changed", "UPDATE", "full_name IS NULL", "rows match", "--execute"} {
				if !strings.Contains(out, want) {
					t.Errorf("the dry run does not say %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "WARNING") {
				t.Errorf("a warning for --set %q --where %q, which a second run leaves alone:\n%s", e.config().Set, e.config().Where, out)
			}
			chunks := chunkLine.FindAllStringSubmatch(out, -1)
			if len(chunks) == 0 {
				t.Fatalf("no per-chunk \"rows match\" line:\n%s", out)
			}
			for i, m := range chunks {
				n, _ := strconv.ParseInt(m[4], 10, 64)
				if n <= 0 || n > size {
					t.Errorf("chunk %s: %d rows match, want 1..%d (90%% of a chunk's rows have full_name NULL):\n%s", m[1], n, size, out)
				}
				lo, loNone, okLo := keyOf(m[2])
				hi, hiNone, okHi := keyOf(m[3])
				if !okLo || !okHi {
					t.Errorf("chunk %s: key range (%s .. %s] is not printed as integer keys", m[1], m[2], m[3])
					continue
				}
				if i == 0 && !loNone {
					t.Errorf("the first chunk starts after key %d, want the table's start", lo)
				}
				cond := "full_name IS NULL"
				if !loNone {
					cond += fmt.Sprintf(" AND id > %d", lo)
				}
				if !hiNone {
					cond += fmt.Sprintf(" AND id <= %d", hi)
				}
				if want := e.scalar("SELECT count(*) FROM t WHERE " + cond); n != want {
					t.Errorf("chunk %s (%s .. %s]: the dry run counts %d rows, COUNT(*) %d", m[1], m[2], m[3], n, want)
				}
			}

			out = dry("v = v + 1, no --where", func(c *backfill.Config) { c.Set, c.Where = "v = v + 1", "" })
			for _, want := range []string{"WARNING", "reads the column it writes", "no --where"} {
				if !strings.Contains(out, want) {
					t.Errorf("--set \"v = v + 1\" without --where: the dry run does not say %q:\n%s", want, out)
				}
			}
			out = dry("--where without the set column", func(c *backfill.Config) { c.Where = "id > 0" })
			for _, want := range []string{"WARNING", "does not mention", "full_name"} {
				if !strings.Contains(out, want) {
					t.Errorf("--where \"id > 0\": the dry run does not say %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestBackfillRefusals: what cannot run is refused (IsRefused) before any
// change, with a message naming the problem.
func TestBackfillRefusals(t *testing.T) {
	for _, newEnv := range engines {
		e := newEnv(t)
		t.Run(e.engine, func(t *testing.T) {
			e.t = t
			e.people(2000)
			nopk := "CREATE TABLE nopk (id BIGINT, first VARCHAR(20), last VARCHAR(20), full_name VARCHAR(41))"
			missingColumn := []string{"nosuch", "Unknown column"}
			if e.engine == "postgres" {
				missingColumn = []string{"nosuch", "does not exist"}
			}
			e.exec(nopk)
			// a checkpoint of an earlier backfill with another --set, as the
			// dialects' CreateCheckpoint/SaveCheckpoint write it
			otherChange := []string{
				"CREATE TABLE _t_bf (id SMALLINT PRIMARY KEY, alter_text TEXT NOT NULL, state TEXT NOT NULL)",
				`INSERT INTO _t_bf (id, alter_text, state) VALUES (1, 'SET full_name = UPPER(first) WHERE full_name IS NULL', '{"watermark":[100],"rows_changed":90,"rows_covered":100,"saved":"2026-01-01T00:00:00Z"}')`,
			}
			cases := []struct {
				name   string
				setup  []string // run before, and _t_bf dropped after
				change func(*backfill.Config)
				want   []string
			}{
				{"no change given", nil, func(c *backfill.Config) { c.Set, c.Where = "", "" }, []string{"--set", "--sql-file"}},
				{"--set and --sql-file", nil, func(c *backfill.Config) {
					c.Where, c.Template = "", "UPDATE t SET full_name = 'x' WHERE {{chunk}}"
				}, []string{"--set and --sql-file exclude each other"}},
				{"--sql-file without {{chunk}}", nil, func(c *backfill.Config) {
					c.Set, c.Where, c.Template = "", "", "UPDATE t SET full_name = 'x' WHERE full_name IS NULL"
				}, []string{"no {{chunk}}", "whole table"}},
				{"--set of a missing column", nil, func(c *backfill.Config) { c.Set = "nosuch = 1" }, append([]string{"not valid on"}, missingColumn...)},
				{"missing table", nil, func(c *backfill.Config) { c.Table = "nosuch_table" }, []string{"nosuch_table", "does not exist"}},
				{"no primary key", nil, func(c *backfill.Config) { c.Table = "nopk" }, []string{"nopk", "no primary key"}},
				{"--set of the chunk key", nil, func(c *backfill.Config) { c.Set, c.Where = "id = id + 100000", "" }, []string{"writes id", "key", "changed twice or never"}},
				{"--sql-file writing the chunk key", nil, func(c *backfill.Config) {
					c.Set, c.Where, c.Template, c.Assigns = "", "", "UPDATE t SET id = -id WHERE {{chunk}}", []string{"ID"}
				}, []string{"writes id", "changed twice or never"}},
				{"bad --window", nil, func(c *backfill.Config) { c.Window = "25:00-03:00" }, []string{"--window", "25:00-03:00"}},
				{"--resume without a checkpoint", nil, func(c *backfill.Config) { c.Resume = true }, []string{"nothing to resume", "_t_bf"}},
				{"new run over a checkpoint", []string{"CREATE TABLE _t_bf (id INT PRIMARY KEY)"}, nil,
					[]string{"checkpoint table _t_bf", "--resume", "cleanup"}},
				{"--resume of another change", otherChange, func(c *backfill.Config) { c.Resume = true },
					[]string{"different change", "UPPER(first)", "CONCAT(first, ' ', last)"}},
			}
			for _, tc := range cases {
				e.exec(tc.setup...)
				var out bytes.Buffer
				cfg := e.config()
				cfg.Out = &out
				if tc.change != nil {
					tc.change(&cfg)
				}
				err := backfill.New(cfg).Run(context.Background())
				switch {
				case err == nil:
					t.Errorf("%s: not refused\n%s", tc.name, out.String())
				case !backfill.IsRefused(err):
					t.Errorf("%s: failed (%v), want refused", tc.name, err)
				default:
					t.Logf("%s: %v", tc.name, err)
					for _, w := range tc.want {
						if !strings.Contains(err.Error(), w) {
							t.Errorf("%s: the refusal does not say %q: %v", tc.name, w, err)
						}
					}
				}
				var extra []string
				if tc.setup != nil {
					extra = []string{"_t_bf"}
				}
				e.unchanged(tc.name, append([]string{"nopk"}, extra...)...)
				if tc.setup != nil {
					e.exec("DROP TABLE _t_bf")
				}
			}
		})
	}
}
