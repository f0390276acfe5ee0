package testdb

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestPostgresLogicalMessage proves the server and the hotswap role support
// what hotswap's PostgreSQL change stream needs: a pgoutput slot over a
// replication connection, decoded by pglogrepl.
func TestPostgresLogicalMessage(t *testing.T) {
	p := PostgresServer(t)
	name, admin := p.NewDatabase(t)
	db := openPostgres(t, p.DSN(name))
	mustExec(t, db,
		"CREATE TABLE items (id int PRIMARY KEY, name text)",
		"CREATE PUBLICATION hs_pub FOR TABLE items",
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, p.DSN(name)+"&replication=database")
	if err != nil {
		t.Fatalf("replication connection: %v", err)
	}
	defer conn.Close(context.Background())

	slot := name + "_slot" // slots are cluster-wide; the db name is unique
	sys, err := pglogrepl.IdentifySystem(ctx, conn)
	if err != nil {
		t.Fatalf("IDENTIFY_SYSTEM: %v", err)
	}
	if _, err := pglogrepl.CreateReplicationSlot(ctx, conn, slot, "pgoutput",
		pglogrepl.CreateReplicationSlotOptions{Mode: pglogrepl.LogicalReplication}); err != nil {
		t.Fatalf("create slot: %v", err)
	}
	err = pglogrepl.StartReplication(ctx, conn, slot, sys.XLogPos, pglogrepl.StartReplicationOptions{
		PluginArgs: []string{"proto_version '1'", "publication_names 'hs_pub'"},
	})
	if err != nil {
		t.Fatalf("START_REPLICATION: %v", err)
	}
	mustExec(t, db, "INSERT INTO items VALUES (42, 'answer')")

	got := receiveInsert(ctx, t, conn, sys.XLogPos, "items")
	if len(got) != 2 || got[0] != "42" || got[1] != "answer" {
		t.Fatalf("decoded insert = %q, want [42 answer]", got)
	}

	// The slot must be dropped explicitly: closing the walsender frees it.
	_ = conn.Close(ctx)
	dropSlot(t, admin, slot)
}

// receiveInsert reads the stream until an InsertMessage for table arrives and
// returns its column values as text, acknowledging progress as it goes.
func receiveInsert(ctx context.Context, t *testing.T, conn *pgconn.PgConn, pos pglogrepl.LSN, table string) []string {
	t.Helper()
	relations := map[uint32]*pglogrepl.RelationMessage{}
	for {
		msg, err := conn.ReceiveMessage(ctx)
		if err != nil {
			t.Fatalf("no insert for %s: %v", table, err)
		}
		cd, ok := msg.(*pgproto3.CopyData)
		if !ok {
			if e, isErr := msg.(*pgproto3.ErrorResponse); isErr {
				t.Fatalf("replication error: %s", e.Message)
			}
			continue
		}
		switch cd.Data[0] {
		case pglogrepl.PrimaryKeepaliveMessageByteID:
			ka, err := pglogrepl.ParsePrimaryKeepaliveMessage(cd.Data[1:])
			if err != nil {
				t.Fatalf("keepalive: %v", err)
			}
			if ka.ReplyRequested {
				sendStatus(ctx, t, conn, pos)
			}
		case pglogrepl.XLogDataByteID:
			xld, err := pglogrepl.ParseXLogData(cd.Data[1:])
			if err != nil {
				t.Fatalf("XLogData: %v", err)
			}
			if vals := decodeInsert(t, xld.WALData, relations, table); vals != nil {
				sendStatus(ctx, t, conn, xld.WALStart+pglogrepl.LSN(len(xld.WALData)))
				return vals
			}
			pos = xld.WALStart + pglogrepl.LSN(len(xld.WALData))
			sendStatus(ctx, t, conn, pos)
		}
	}
}

// decodeInsert returns the text values of an insert into table, or nil for
// any other message (relations are remembered for later inserts).
func decodeInsert(t *testing.T, data []byte, relations map[uint32]*pglogrepl.RelationMessage, table string) []string {
	t.Helper()
	m, err := pglogrepl.Parse(data)
	if err != nil {
		t.Fatalf("parse pgoutput message: %v", err)
	}
	switch m := m.(type) {
	case *pglogrepl.RelationMessage:
		relations[m.RelationID] = m
	case *pglogrepl.InsertMessage:
		rel, ok := relations[m.RelationID]
		if !ok {
			t.Fatalf("insert for unknown relation %d", m.RelationID)
		}
		if rel.RelationName != table {
			return nil
		}
		vals := make([]string, len(m.Tuple.Columns))
		for i, c := range m.Tuple.Columns {
			vals[i] = string(c.Data)
		}
		return vals
	}
	return nil
}

func sendStatus(ctx context.Context, t *testing.T, conn *pgconn.PgConn, pos pglogrepl.LSN) {
	t.Helper()
	err := pglogrepl.SendStandbyStatusUpdate(ctx, conn, pglogrepl.StandbyStatusUpdate{WALWritePosition: pos})
	if err != nil {
		t.Fatalf("standby status update: %v", err)
	}
}

// dropSlot drops slot, retrying while the closed walsender still holds it,
// and checks it is gone.
func dropSlot(t *testing.T, admin *sql.DB, slot string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, err := admin.Exec("SELECT pg_drop_replication_slot($1)", slot)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("drop slot %s: %v", slot, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var n int
	if err := admin.QueryRow("SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1", slot).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("slot %s still exists after drop", slot)
	}
}
