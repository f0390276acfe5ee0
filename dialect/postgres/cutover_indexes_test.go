package postgres

import (
	"context"
	"maps"
	"testing"
)

// TestPairIndexes: indexes pair by what they are, not by name: duplicates in
// order, expressions, constraints, a column widened to bigint; the ALTER's
// dropped and added indexes stay unpaired, and a changed primary key still
// pairs with the old one.
func TestPairIndexes(t *testing.T) {
	_, app, _ := appDB(t,
		"CREATE TABLE t (id int PRIMARY KEY, a int, b text CONSTRAINT t_b_uniq UNIQUE, c int)",
		"CREATE INDEX t_a_idx ON t (a)",
		"CREATE INDEX t_a_dup ON t (a)",
		"CREATE INDEX t_lower_b ON t (lower(b))",
		"CREATE INDEX t_c_partial ON t (c) WHERE c > 0",
		"CREATE TABLE s (LIKE t INCLUDING ALL)",
		"ALTER TABLE s ALTER COLUMN a TYPE bigint",
		"DROP INDEX s_c_idx",
		"CREATE INDEX s_c_new ON s (c)",
		"CREATE TABLE u (id int PRIMARY KEY)",
		"CREATE TABLE u_new (id int, k int, PRIMARY KEY (id, k))",
	)
	ctx := context.Background()
	oid := func(name string) uint32 {
		o, err := catalogRelOID(ctx, app, "public", name)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	for _, c := range []struct {
		orig, shadow string
		want         map[string]string
	}{
		{"t", "s", map[string]string{"t_pkey": "s_pkey", "t_b_uniq": "s_b_key", "t_a_idx": "s_a_idx", "t_a_dup": "s_a_idx1", "t_lower_b": "s_lower_idx"}},
		{"u", "u_new", map[string]string{"u_pkey": "u_new_pkey"}},
	} {
		pairs, err := pairIndexes(ctx, app, oid(c.orig), oid(c.shadow))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range pairs {
			got[p.orig] = p.shadow
		}
		if got["t_a_idx"] == "s_a_idx1" && got["t_a_dup"] == "s_a_idx" { // twins: either way round
			got["t_a_idx"], got["t_a_dup"] = "s_a_idx", "s_a_idx1"
		}
		if !maps.Equal(got, c.want) {
			t.Errorf("%s/%s: pairs %v, want %v", c.orig, c.shadow, got, c.want)
		}
	}
}
