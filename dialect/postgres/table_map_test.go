package postgres

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/schema"
)

func TestTableMapColumns(t *testing.T) {
	for _, tc := range []struct {
		name, alter string
		want        string // source>target ...
	}{
		{"rename", "RENAME COLUMN b TO bee", "id>id b>bee c>c"},
		{"drop", "DROP COLUMN b", "id>id c>c"},
		{"add", "ADD COLUMN d int", "id>id b>b c>c"},
		{"type", "ALTER COLUMN c TYPE bigint", "id>id b>b c>c"},
		// The old data must not flow into a new column that took its name.
		{"drop and add back", "DROP COLUMN b, ADD COLUMN b text", "id>id c>c"},
		{"generated added", "ADD COLUMN g int GENERATED ALWAYS AS (c * 2) STORED", "id>id b>b c>c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// "gone" leaves a gap: the source's attnums are 2, 3, 4, the shadow's 1, 2, 3.
			_, app, _ := appDB(t, "CREATE TABLE t (gone int, id int PRIMARY KEY, b text, c int)", "ALTER TABLE t DROP COLUMN gone")
			src, dst := tableTestShadow(t, app, tc.alter)
			if got := tableTestPairs(MapColumns(src, dst)); got != tc.want {
				t.Fatalf("MapColumns = %v, want %v", got, tc.want)
			}
		})
	}
}

// A generated column of the source stays generated on the shadow (LIKE
// INCLUDING ALL) and is not written; one whose expression the ALTER drops
// becomes a plain column and is filled from the source's values.
func TestTableMapColumnsGenerated(t *testing.T) {
	_, app, _ := appDB(t, "CREATE TABLE t (id int PRIMARY KEY, g int GENERATED ALWAYS AS (id * 2) STORED, h int GENERATED ALWAYS AS (id * 3) STORED)")
	src, dst := tableTestShadow(t, app, "ALTER COLUMN h DROP EXPRESSION")
	want := []schema.ColumnPair{{Source: "id", Target: "id"}, {Source: "h", Target: "h"}}
	if got := MapColumns(src, dst); !reflect.DeepEqual(got, want) {
		t.Fatalf("MapColumns = %v, want %v", got, want)
	}
}

func tableTestPairs(pairs []schema.ColumnPair) string {
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p.Source + ">" + p.Target
	}
	return strings.Join(out, " ")
}
