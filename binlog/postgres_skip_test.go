package binlog

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/dialect/postgres"
	"github.com/hotswap/hotswap/internal/testdb"
	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgMsg builds pgoutput (protocol 1) messages for the decoder.
type pgMsg []byte

func (m pgMsg) u8(v byte) pgMsg    { return append(m, v) }
func (m pgMsg) u16(v uint16) pgMsg { return binary.BigEndian.AppendUint16(m, v) }
func (m pgMsg) u32(v uint32) pgMsg { return binary.BigEndian.AppendUint32(m, v) }
func (m pgMsg) u64(v uint64) pgMsg { return binary.BigEndian.AppendUint64(m, v) }
func (m pgMsg) str(s string) pgMsg { return append(append(m, s...), 0) }

func pgBegin(final pglogrepl.LSN, xid uint32) []byte {
	return pgMsg{'B'}.u64(uint64(final)).u64(0).u32(xid)
}

func pgCommit(lsn pglogrepl.LSN) []byte {
	return pgMsg{'C'}.u8(0).u64(uint64(lsn)).u64(uint64(lsn) + 8).u64(0)
}

// pgRelationMsg describes a table (id int PRIMARY KEY, v text).
func pgRelationMsg(oid uint32, schema, name string) []byte {
	m := pgMsg{'R'}.u32(oid).str(schema).str(name).u8('d').u16(2)
	m = m.u8(1).str("id").u32(pgtype.Int4OID).u32(0xffffffff)
	return m.u8(0).str("v").u32(pgtype.TextOID).u32(0xffffffff)
}

func pgInsert(oid uint32, id int) []byte {
	m := pgMsg{'I'}.u32(oid).u8('N').u16(2)
	idText := fmt.Sprint(id)
	m = m.u8('t').u32(uint32(len(idText)))
	m = append(m, idText...)
	return m.u8('n')
}

// TestPgDecoderSkipAndOID: with RelationID the table is the relation
// of that OID under any name (the shadow before the swap, the table after,
// a rename in between is no alteration), another relation of the table's
// name is not it; transactions Skip names (committed at or before an LSN,
// or of an xid) give no keys but move the position; the others give theirs.
func TestPgDecoderSkipAndOID(t *testing.T) {
	const shadow, other = 16400, 16300
	sink := &recordSink{}
	skip := pglogrepl.LSN(0x2000)
	d := newPgDecoder(PostgresConfig{Schema: "public", Table: "t", KeyColumns: []string{"id"}, RelationID: shadow,
		Skip: func(commit pglogrepl.LSN, xid uint32) bool { return commit <= skip || xid == 11 }, OnTxn: sink.onTxn}, sink)
	ctx := context.Background()
	steps := []struct {
		msg  []byte
		want pglogrepl.LSN // progress; 0: none
	}{
		{pgBegin(0x1000, 7), 0},
		{pgRelationMsg(other, "public", "t"), 0}, // the old table, under the table's name: not followed
		{pgInsert(other, 100), 0},
		{pgRelationMsg(shadow, "public", "_t_new"), 0},
		{pgInsert(shadow, 1), 0}, // the forward applier's write: skipped
		{pgCommit(0x1000), 0x1008},
		{pgBegin(0x2000, 8), 0}, // at the cut-over LSN: skipped too
		{pgInsert(shadow, 2), 0},
		{pgCommit(0x2000), 0x2008},
		{pgBegin(0x3000, 9), 0}, // the cut-over's own transaction, renames in it
		{pgInsert(shadow, 3), 0},
		{pgRelationMsg(shadow, "public", "t"), 0},
		{pgInsert(shadow, 4), 0},
		{pgCommit(0x3000), 0x3008},
		{pgBegin(0x4000, 10), 0},
		{pgRelationMsg(other, "public", "_t_old"), 0},
		{pgInsert(other, 101), 0},
		{pgInsert(shadow, 5), 0},
		{pgCommit(0x4000), 0x4008},
		{pgBegin(0x5000, 11), 0}, // skipped by its xid
		{pgInsert(shadow, 6), 0},
		{pgCommit(0x5000), 0x5008},
	}
	for i, s := range steps {
		p, err := d.handle(ctx, s.msg)
		if err != nil {
			t.Fatalf("step %d (%c): %v", i, s.msg[0], err)
		}
		if p.lsn != s.want {
			t.Fatalf("step %d (%c): progress %s, want %s", i, s.msg[0], p.lsn, s.want)
		}
	}
	keys, xids := sink.take()
	if fmt.Sprint(keys) != "[[3] [4] [5]]" || fmt.Sprint(xids) != "[9 9 10]" {
		t.Fatalf("keys %v of xids %v, want [[3] [4] [5]] of [9 9 10]", keys, xids)
	}
	// a description with other columns still means the table was altered
	m := pgMsg{'R'}.u32(shadow).str("public").str("t").u8('d').u16(1).u8(1).str("id").u32(pgtype.Int4OID).u32(0xffffffff)
	if _, err := d.handle(ctx, m); err == nil || !strings.Contains(err.Error(), "altered") {
		t.Fatalf("relation with a column less: %v, want an error saying the table was altered", err)
	}
}

// TestPostgresStreamFollowsShadowAcrossSwap: a stream on a publication of
// the shadow, matched by OID, skipping through an LSN read inside the swap's
// transaction, gives the keys of that transaction and of every later one on
// the table, none of the writes to the shadow committed before, and none of
// the old table's.
func TestPostgresStreamFollowsShadowAcrossSwap(t *testing.T) {
	p := testdb.PostgresServer(t)
	name, _ := p.NewDatabase(t)
	app, err := sql.Open("pgx", p.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })
	execAll(t, app, "CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE TABLE _t_new (id bigint PRIMARY KEY, v text, w int)")
	ctx := testCtx(t)
	slot, pub := name+"_rev_slot", name+"_rev_pub"
	if err := postgres.CreatePublication(ctx, app, pub, "public", "_t_new"); err != nil {
		t.Fatal(err)
	}
	var oid uint32
	if err := app.QueryRow("SELECT '_t_new'::regclass::oid").Scan(&oid); err != nil {
		t.Fatal(err)
	}
	var cut pglogrepl.LSN
	sink := &recordSink{}
	stream := NewPostgresStream(PostgresConfig{ConnString: p.DSN(name), Slot: slot, Publication: pub,
		Schema: "public", Table: "t", KeyColumns: []string{"id"}, RelationID: oid, OnTxn: sink.onTxn,
		Skip: func(commit pglogrepl.LSN, _ uint32) bool { return commit <= cut }})
	if _, err := stream.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stream.Close(context.Background())
		_ = postgres.DropSlot(context.Background(), app, slot)
		_ = postgres.DropPublication(context.Background(), app, pub)
	})
	// the forward run's writes to the shadow, and the swap
	execAll(t, app, "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')", "INSERT INTO _t_new (id, v) VALUES (1, 'a'), (2, 'b')")
	tx, err := app.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"INSERT INTO _t_new (id, v) VALUES (3, 'c')"} {
		if _, err := tx.Exec(st); err != nil {
			t.Fatal(err)
		}
	}
	var s string
	if err := tx.QueryRow("SELECT pg_current_wal_insert_lsn()::text").Scan(&s); err != nil {
		t.Fatal(err)
	}
	if cut, err = pglogrepl.ParseLSN(s); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"ALTER TABLE t RENAME TO _t_old", "ALTER TABLE _t_new RENAME TO t"} {
		if _, err := tx.Exec(st); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	execAll(t, app, "INSERT INTO t (id, v) VALUES (10, 'after')", "UPDATE _t_old SET v = 'old' WHERE id = 1",
		"UPDATE t SET v = 'x' WHERE id = 2", "DELETE FROM t WHERE id = 1")
	runErr := make(chan error, 1)
	go func() { runErr <- stream.Run(context.Background(), sink) }()
	lsn, err := postgres.CurrentLSN(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.WaitFor(ctx, lsn.String()); err != nil {
		t.Fatal(err)
	}
	keys, _ := sink.take()
	if got := fmt.Sprint(keys); got != "[[3] [10] [2] [1]]" {
		t.Fatalf("keys %s, want [[3] [10] [2] [1]]: the swap's own write, then each later change to t", got)
	}
	if err := stream.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
}
