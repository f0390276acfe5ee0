package postgres

import "testing"

// TestDropStatements: the statements cleanup runs are the ones it shows, every
// name quoted (a quote or a dot in a name stays inside it).
func TestDropStatements(t *testing.T) {
	for _, c := range []struct{ name, got, want string }{
		{"table", DropTableSQL("public", "_t_new"), `DROP TABLE IF EXISTS "public"."_t_new"`},
		{"table, hostile name", DropTableSQL("my schema", `_t"x.y_new`), `DROP TABLE IF EXISTS "my schema"."_t""x.y_new"`},
		{"publication", DropPublicationSQL("hotswap_db_t"), `DROP PUBLICATION IF EXISTS "hotswap_db_t"`},
		{"slot", DropSlotSQL("hotswap_db_t"), `SELECT pg_drop_replication_slot('hotswap_db_t')`},
		{"slot, quote in name", DropSlotSQL("a'b"), `SELECT pg_drop_replication_slot('a''b')`},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
}
