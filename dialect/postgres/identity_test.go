package postgres

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestReplicaIdentityKey: the identity's columns in key order, or a refusal
// that says what to do.
func TestReplicaIdentityKey(t *testing.T) {
	_, db, _ := appDB(t,
		"CREATE TABLE pk (a int, b text, c int, PRIMARY KEY (b, a) INCLUDE (c))",
		"CREATE TABLE byindex (id int PRIMARY KEY, x int NOT NULL, y int NOT NULL)",
		"CREATE UNIQUE INDEX byindex_yx ON byindex (y, x)",
		"ALTER TABLE byindex REPLICA IDENTITY USING INDEX byindex_yx",
		"CREATE TABLE full_pk (id int PRIMARY KEY, v text)",
		"ALTER TABLE full_pk REPLICA IDENTITY FULL",
		"CREATE TABLE nothing (id int PRIMARY KEY)",
		"ALTER TABLE nothing REPLICA IDENTITY NOTHING",
		"CREATE TABLE nokey (id int)",
		`CREATE TABLE "Mixed Case" ("Id" int PRIMARY KEY)`,
	)
	ctx := context.Background()
	for _, c := range []struct {
		table string
		want  []string
		err   string
	}{
		{"pk", []string{"b", "a"}, ""},
		{"byindex", []string{"y", "x"}, ""},
		{"full_pk", []string{"id"}, ""},
		{"Mixed Case", []string{"Id"}, ""},
		{"nothing", nil, "REPLICA IDENTITY NOTHING"},
		{"nokey", nil, "no replica identity key"},
		{"missing", nil, "no such table"},
	} {
		got, err := ReplicaIdentityKey(ctx, db, "public", c.table)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err = %v, want one containing %q", c.table, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: got %q, %v; want %q", c.table, got, err, c.want)
		}
	}
}
