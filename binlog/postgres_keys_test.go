package binlog

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgtype"
)

// testRelation is (id int8 key, tag text key, body text), identity DEFAULT.
func testRelation(t *testing.T) *pgRelation {
	t.Helper()
	m := &pglogrepl.RelationMessage{ReplicaIdentity: 'd', Columns: []*pglogrepl.RelationMessageColumn{
		{Name: "id", DataType: pgtype.Int8OID, Flags: 1},
		{Name: "tag", DataType: pgtype.TextOID, Flags: 1},
		{Name: "body", DataType: pgtype.TextOID},
	}}
	r, err := newPgRelation(m, []string{"tag", "id"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func tuple(cols ...string) *pglogrepl.TupleData {
	t := &pglogrepl.TupleData{}
	for _, c := range cols {
		switch c {
		case "<u>":
			t.Columns = append(t.Columns, &pglogrepl.TupleDataColumn{DataType: pglogrepl.TupleDataTypeToast})
		case "<n>":
			t.Columns = append(t.Columns, &pglogrepl.TupleDataColumn{DataType: pglogrepl.TupleDataTypeNull})
		default:
			t.Columns = append(t.Columns, &pglogrepl.TupleDataColumn{DataType: pglogrepl.TupleDataTypeText, Data: []byte(c)})
		}
	}
	return t
}

// TestPgRelationKeys covers the row images pgoutput sends for each change.
func TestPgRelationKeys(t *testing.T) {
	r := testRelation(t)
	cases := []struct {
		name          string
		before, after *pglogrepl.TupleData
		want          string // fmt of the keys, or "error: <substring>"
	}{
		{"insert", nil, tuple("1", "a", "x"), "[[a 1]]"},
		{"update, key kept, body unchanged TOAST", nil, tuple("1", "a", "<u>"), "[[a 1]]"},
		{"update of the key ('K' image)", tuple("1", "a", "<n>"), tuple("2", "a", "<u>"), "[[a 1] [a 2]]"},
		{"update, FULL image, same key", tuple("1", "a", "x"), tuple("1", "a", "y"), "[[a 1]]"},
		{"update, key part TOASTed and unchanged", tuple("1", "a", "<n>"), tuple("2", "<u>", "y"), "[[a 1] [a 2]]"},
		{"delete", tuple("7", "b", "<n>"), nil, "[[b 7]]"},
		{"update of an unchanged TOASTed key", nil, tuple("1", "<u>", "x"), "error: without its value"},
		{"null key", nil, tuple("<n>", "a", "x"), "error: is NULL"},
		{"delete without old key", nil, nil, "error: REPLICA IDENTITY NOTHING"},
		{"wrong column count", nil, tuple("1", "a"), "error: 2 columns"},
		{"not an integer", nil, tuple("x", "a", "b"), "error: decode"},
	}
	for _, c := range cases {
		keys, err := r.keys(pgtype.NewMap(), c.before, c.after)
		got := fmt.Sprint(keys)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != c.want && !(strings.HasPrefix(c.want, "error: ") && err != nil && strings.Contains(got, c.want[7:])) {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

// TestPgRelationIdentity: a key column outside the replica identity is
// refused unless the identity is FULL.
func TestPgRelationIdentity(t *testing.T) {
	cols := []*pglogrepl.RelationMessageColumn{{Name: "id", DataType: pgtype.Int4OID, Flags: 1}, {Name: "email", DataType: pgtype.TextOID}}
	if _, err := newPgRelation(&pglogrepl.RelationMessage{ReplicaIdentity: 'd', Columns: cols}, []string{"email"}); err == nil {
		t.Error("key outside the identity accepted")
	}
	if _, err := newPgRelation(&pglogrepl.RelationMessage{ReplicaIdentity: 'f', Columns: cols}, []string{"email"}); err != nil {
		t.Errorf("FULL identity: %v", err)
	}
	if _, err := newPgRelation(&pglogrepl.RelationMessage{ReplicaIdentity: 'd', Columns: cols}, []string{"nope"}); err == nil {
		t.Error("missing key column accepted")
	}
}

// TestPgKeyValueTypes: each column type always gives the same Go type.
func TestPgKeyValueTypes(t *testing.T) {
	types := pgtype.NewMap()
	for _, c := range []struct {
		oid  uint32
		text string
		want string
	}{
		{pgtype.Int2OID, "-3", "int64 -3"},
		{pgtype.Int4OID, "2147483647", "int64 2147483647"},
		{pgtype.Int8OID, "-9223372036854775808", "int64 -9223372036854775808"},
		{pgtype.BoolOID, "t", "bool true"},
		{pgtype.ByteaOID, `\x00ff`, "[]uint8 [0 255]"},
		{pgtype.NumericOID, "12.500", "string 12.500"},
		{pgtype.UUIDOID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "string a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{pgtype.TimestamptzOID, "2024-02-29 12:00:00.5+01", "string 2024-02-29 12:00:00.5+01"},
	} {
		v, err := keyValue(types, c.oid, tuple(c.text).Columns[0])
		if got := fmt.Sprintf("%T %v", v, v); err != nil || got != c.want {
			t.Errorf("oid %d %q: got %s (%v), want %s", c.oid, c.text, got, err, c.want)
		}
	}
}
