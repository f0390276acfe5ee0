package postgres

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var validSlotName = regexp.MustCompile(`^[a-z0-9_]{1,63}$`)

func TestTableSlotName(t *testing.T) {
	long := "Orders_" + strings.Repeat("ArchiveOfEverything", 5)
	for _, tc := range []struct {
		schema, table, want string // want "" checks the form only
	}{
		{"public", "orders", "hotswap_public_orders"},
		{"public", "order_items", "hotswap_public_order_items"},
		{"public", "Orders", ""},
		{"sales", long, ""},
		{"my_app", "t", ""}, // "my"."app_t" would look the same without a hash
		{"my", "app_t", ""},
		{"public", "Größe", ""},
	} {
		got := SlotName(tc.schema, tc.table)
		if !validSlotName.MatchString(got) || !strings.HasPrefix(got, "hotswap_") || (tc.want != "" && got != tc.want) {
			t.Errorf("SlotName(%q, %q) = %q (%d chars), want %q", tc.schema, tc.table, got, len(got), tc.want)
		}
		if got != SlotName(tc.schema, tc.table) || PublicationName(tc.schema, tc.table) != got {
			t.Errorf("SlotName(%q, %q) is not deterministic or differs from PublicationName", tc.schema, tc.table)
		}
	}
	seen := map[string]string{}
	for _, n := range [][2]string{{"public", "Orders"}, {"public", "orders"}, {"public", "ORDERS"}, {"my_app", "t"}, {"my", "app_t"},
		{"sales", long}, {"sales", long + "x"}} {
		name := SlotName(n[0], n[1])
		if other, dup := seen[name]; dup {
			t.Errorf("%s.%s and %s share slot name %s", n[0], n[1], other, name)
		}
		seen[name] = n[0] + "." + n[1]
	}
	if got := SlotName("sales", long); len(got) != 63 || !strings.HasPrefix(got, "hotswap_sales_orders_archiveofeverything") {
		t.Errorf("SlotName of a long name = %q (%d chars)", got, len(got))
	}
}

func TestTableStraySlots(t *testing.T) {
	ctx := context.Background()
	_, app, _ := appDB(t)
	for _, slot := range []string{"hswtest_b", "hswtest_a", "other_c"} {
		if _, err := app.Exec("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", slot); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = DropSlot(ctx, app, slot) })
	}
	got, err := StraySlots(ctx, app, "hswtest_")
	if err != nil || !reflect.DeepEqual(got, []string{"hswtest_a", "hswtest_b"}) {
		t.Fatalf("StraySlots = %v, %v", got, err)
	}
	// "_" is no wildcard: "hswtestXb" would match LIKE 'hswtest_%'.
	if got, err := StraySlots(ctx, app, "hswtest_a"); err != nil || !reflect.DeepEqual(got, []string{"hswtest_a"}) {
		t.Fatalf("StraySlots(hswtest_a) = %v, %v", got, err)
	}
}
