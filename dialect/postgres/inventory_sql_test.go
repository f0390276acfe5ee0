package postgres

import (
	"strings"
	"testing"
)

// TestSlotOwners: every slot name a run on a table of the database would
// make (its own and its revert window's, plain or hashed for schemas with
// underscores and names that are not valid slot names) maps back to the
// table; a slot of another database's table of the same name does not.
func TestSlotOwners(t *testing.T) {
	tables := []InventoryTable{{"public", "orders"}, {"sales_eu", "Line Items"}, {"public", strings.Repeat("x", 63)}}
	owners := SlotOwners("shop", tables)
	for _, tb := range tables {
		scope := "shop." + tb.Schema
		if got := owners[SlotName(scope, tb.Name)]; got.InventoryTable != tb || got.Revert {
			t.Errorf("slot %s: owner %+v, want %+v", SlotName(scope, tb.Name), got, tb)
		}
		if got := owners[RevertSlotName(scope, tb.Name)]; got.InventoryTable != tb || !got.Revert {
			t.Errorf("revert slot %s: owner %+v, want %+v (revert)", RevertSlotName(scope, tb.Name), got, tb)
		}
	}
	if len(owners) != 2*len(tables) {
		t.Errorf("%d names for %d tables: two tables share a slot name", len(owners), len(tables))
	}
	if _, ok := owners[SlotName("other.public", "orders")]; ok {
		t.Errorf("a slot of database other is taken for one of shop")
	}
	for name := range owners {
		if !strings.HasPrefix(name, slotPrefix) {
			t.Errorf("slot name %s lacks the prefix %s the listing filters on", name, slotPrefix)
		}
	}
}

// TestInventorySQL: the catalog queries keep to hotswap's names and the
// current database, and read the bigint form of the advisory locks.
func TestInventorySQL(t *testing.T) {
	for _, c := range []struct {
		name, sql string
		want      []string
	}{
		{"tables", inventoryTablesSQL, []string{"relkind IN ('r', 'p')", "nspname !~ '^pg_'", "<> 'information_schema'"}},
		{"locks", heldAdvisoryLocksSQL, []string{"locktype = 'advisory'", "l.granted", "objsubid = 1", "classid::bigint << 32", "current_database()"}},
		{"hashes", runLockHashesSQL, []string{"hashtextextended(k, 0)", "WITH ORDINALITY", "ORDER BY i"}},
		{"slots", hotswapSlotsSQL, []string{"database = current_database()", "starts_with(slot_name::text, $1)", "restart_lsn", "pg_is_in_recovery()"}},
	} {
		for _, w := range c.want {
			if !strings.Contains(c.sql, w) {
				t.Errorf("%s: lacks %q:\n%s", c.name, w, c.sql)
			}
		}
	}
}
