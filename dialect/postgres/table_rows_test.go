package postgres

import (
	"context"
	"testing"
)

func TestTableEstimateRows(t *testing.T) {
	ctx := context.Background()
	// autovacuum off: an ANALYZE of its own would change the estimates.
	_, app, _ := appDB(t,
		"CREATE TABLE small (id int PRIMARY KEY) WITH (autovacuum_enabled = off)", "INSERT INTO small SELECT generate_series(1, 500)",
		"CREATE TABLE big (id int PRIMARY KEY, pad text) WITH (autovacuum_enabled = off)",
		"INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 60000) g", // ~1700 pages
		"CREATE TABLE analyzed (id int PRIMARY KEY) WITH (autovacuum_enabled = off)", "INSERT INTO analyzed SELECT generate_series(1, 3000)", "ANALYZE analyzed",
		"INSERT INTO analyzed SELECT generate_series(3001, 6000)", // grows after ANALYZE: scaled by its pages
		"CREATE TABLE empty (id int PRIMARY KEY) WITH (autovacuum_enabled = off)")
	for table, want := range map[string][2]int64{
		"small":    {500, 500},   // never analyzed and small: counted
		"big":      {0, 0},       // never analyzed and large: unknown, not scanned
		"analyzed": {5500, 6500}, // reltuples / relpages * current pages
		"empty":    {0, 0},
	} {
		n, err := EstimateRows(ctx, app, "public", table)
		if err != nil || n < want[0] || n > want[1] {
			t.Errorf("EstimateRows(%s) = %d, %v; want %d..%d", table, n, err, want[0], want[1])
		}
	}
	if _, err := EstimateRows(ctx, app, "public", "nope"); err == nil {
		t.Error("EstimateRows of a missing table: no error")
	}
}
