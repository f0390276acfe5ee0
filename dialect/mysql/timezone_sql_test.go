package mysql

import (
	"testing"

	"github.com/hotswap/hotswap/schema"
)

// zoneRows copies a table whose ALTER turns ts from TIMESTAMP to DATETIME,
// dt and s (a string) to TIMESTAMP, and n from TIMESTAMP to INT, on a server
// whose global time zone is zone.
func zoneRows(zone string) *Rows {
	cols := func(types ...string) []schema.Column {
		out := make([]schema.Column, len(types))
		for i, name := range []string{"id", "ts", "dt", "s", "n"} {
			out[i] = schema.Column{Name: name, DataType: types[i], Ordinal: i + 1}
		}
		return out
	}
	r := singleKeyRows()
	r.Pairs = nil
	for _, name := range []string{"id", "ts", "dt", "s", "n"} {
		r.Pairs = append(r.Pairs, schema.ColumnPair{Source: name, Target: name})
	}
	r.SrcTable = &schema.Table{Schema: "db", Name: "t", Columns: cols("int", "timestamp", "datetime", "varchar", "timestamp")}
	r.DstTable = &schema.Table{Schema: "db", Name: "_t_new", Columns: cols("int", "datetime", "timestamp", "timestamp", "int")}
	r.TimeZone = zone
	return r
}

// TestSourceExprSQL: where the ALTER moves a value between TIMESTAMP and
// local time, the source is read through CONVERT_TZ in the server's zone
// (falling back to the value itself); otherwise, or in UTC, as it is.
func TestSourceExprSQL(t *testing.T) {
	for _, c := range []struct {
		name, zone, column, alias, want string
	}{
		{"timestamp to datetime", "Europe/Berlin", "ts", "",
			"COALESCE(CONVERT_TZ(`ts`, '+00:00', 'Europe/Berlin'), `ts`)"},
		{"datetime to timestamp, aliased", "Europe/Berlin", "dt", "s",
			"COALESCE(CONVERT_TZ(s.`dt`, 'Europe/Berlin', '+00:00'), s.`dt`)"},
		{"string to timestamp, offset zone", "-05:00", "s", "",
			"COALESCE(CONVERT_TZ(`s`, '-05:00', '+00:00'), `s`)"},
		{"timestamp to int: no zone", "Europe/Berlin", "n", "", "`n`"},
		{"unchanged type", "Europe/Berlin", "id", "", "`id`"},
		{"server in UTC", utc, "ts", "", "`ts`"},
		{"server zone unknown", "", "ts", "", "`ts`"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := zoneRows(c.zone).sourceExpr(c.alias, schema.ColumnPair{Source: c.column, Target: c.column})
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
	noTables := singleKeyRows()
	noTables.TimeZone = "Europe/Berlin"
	if got := noTables.sourceExpr("", schema.ColumnPair{Source: "v", Target: "v"}); got != "`v`" {
		t.Errorf("without table definitions: got %s, want `v`", got)
	}
}

// TestCopyRangeShiftsZonesSQL: the copy writes each shadow column from its
// source expression, so the zone shift reaches the rows copied.
func TestCopyRangeShiftsZonesSQL(t *testing.T) {
	query, args := zoneRows("Europe/Berlin").copyRangeSQL(nil, []any{9})
	assertSQL(t, query, args, "INSERT IGNORE INTO `db`.`_t_new` (`id`, `ts`, `dt`, `s`, `n`) SELECT `id`, "+
		"COALESCE(CONVERT_TZ(`ts`, '+00:00', 'Europe/Berlin'), `ts`), COALESCE(CONVERT_TZ(`dt`, 'Europe/Berlin', '+00:00'), `dt`), "+
		"COALESCE(CONVERT_TZ(`s`, 'Europe/Berlin', '+00:00'), `s`), `n` FROM `db`.`t` FORCE INDEX (`PRIMARY`) WHERE 1=1 AND ((`id` <= ?))",
		[]any{9})
}

// TestZoneShiftedKeySQL: a row key column whose values the zone shift
// changes is named (shadow rows could not be found by the source key).
func TestZoneShiftedKeySQL(t *testing.T) {
	r := zoneRows("Europe/Berlin")
	if got := r.ZoneShiftedKey(); got != "" {
		t.Errorf("key id: got %q, want none", got)
	}
	r.SrcKey = schema.Index{Name: "uk", Columns: []string{"id", "ts"}}
	r.DstKey = r.SrcKey
	if got := r.ZoneShiftedKey(); got != "ts" {
		t.Errorf("key (id, ts): got %q, want ts", got)
	}
	r.TimeZone = utc
	if got := r.ZoneShiftedKey(); got != "" {
		t.Errorf("key (id, ts) in UTC: got %q, want none", got)
	}
}
