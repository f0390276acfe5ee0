package mysql

import (
	"strings"
	"testing"
)

func TestShadowKeyNameKeepsGeneratedNamesForTheRename(t *testing.T) {
	name56 := strings.Repeat("k", 56)
	generated := "t_ibfk_" + strings.Repeat("9", 54) // 61 characters: the shadow's prefix does not fit
	for _, c := range []struct{ name, table, shadow, want string }{
		{"orders_ibfk_1", "orders", "_orders_new", "_orders_new_ibfk_1"},         // RENAME TABLE turns it back into orders_ibfk_1
		{"orders_customer", "orders", "_orders_new", "orders_customer__hotswap"}, // named again after the swap
		{"Orders_ibfk_1", "orders", "_orders_new", "Orders_ibfk_1__hotswap"},     // not the server's prefix for the table
		{name56[:55], "orders", "_orders_new", name56[:55] + "__hotswap"},        // 64 with the suffix
		{name56, "orders", "_orders_new", ""},                                    // 65: too long
		{generated, "t", "_t_new", ""},                                           // neither fits
		{"t_ibfk_" + strings.Repeat("9", 40), "t", "_t_new", "_t_new_ibfk_" + strings.Repeat("9", 40)},
	} {
		if got := ShadowKeyName(c.name, c.table, c.shadow); got != c.want {
			t.Errorf("ShadowKeyName(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCarriedKeyNameUndoesShadowKeyName(t *testing.T) {
	for _, c := range []struct {
		name, want string
		ok         bool
	}{
		{"orders_customer__hotswap", "orders_customer", true},
		{"_orders_new_ibfk_2", "orders_ibfk_2", true}, // the server did not rename it
		{"orders_customer", "", false},
		{"orders_ibfk_1", "", false},
	} {
		got, ok := carriedKeyName(c.name, "orders", "_orders_new")
		if got != c.want || ok != c.ok {
			t.Errorf("carriedKeyName(%q) = %q, %v; want %q, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// TestForeignKeySQLIsMetadataOnly: in place, and RESTRICT (the default) left
// out as the server prints it.
func TestForeignKeySQLIsMetadataOnly(t *testing.T) {
	k := ForeignKey{Name: "fk`1", Columns: []string{"a", "b"}, RefDatabase: "shop", RefTable: "par ent",
		RefColumns: []string{"x", "y"}, OnDelete: "RESTRICT", OnUpdate: "NO ACTION"}
	got := AddForeignKeysSQL("shop", "_t_new", []ForeignKey{k}, func(k ForeignKey) string { return k.Name + "__hotswap" })
	want := "ALTER TABLE `shop`.`_t_new` ADD CONSTRAINT `fk``1__hotswap` FOREIGN KEY (`a`, `b`) REFERENCES `shop`.`par ent` (`x`, `y`) ON UPDATE NO ACTION, ALGORITHM=INPLACE, LOCK=NONE"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = DropForeignKeysSQL("shop", "_t_old", []string{"a", "b`c"})
	want = "ALTER TABLE `shop`.`_t_old` DROP FOREIGN KEY `a`, DROP FOREIGN KEY `b``c`, ALGORITHM=INPLACE, LOCK=NONE"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got, want := lockParentsSQL([]TableName{{"shop", "customers"}, {"geo", "regions"}}), "LOCK TABLES `shop`.`customers` READ, `geo`.`regions` READ"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestCascadesTellsKeysThatChangeTheChild(t *testing.T) {
	for _, c := range []struct {
		del, upd string
		want     bool
	}{
		{"RESTRICT", "RESTRICT", false}, {"NO ACTION", "RESTRICT", false}, {"CASCADE", "RESTRICT", true},
		{"RESTRICT", "CASCADE", true}, {"SET NULL", "NO ACTION", true}, {"RESTRICT", "SET DEFAULT", true},
	} {
		if got := (ForeignKey{OnDelete: c.del, OnUpdate: c.upd}).Cascades(); got != c.want {
			t.Errorf("ON DELETE %s ON UPDATE %s: Cascades() = %v", c.del, c.upd, got)
		}
	}
}
