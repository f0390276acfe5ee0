package binlog

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hotswap/hotswap/applier"
	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgBatchKeys bounds the keys a large transaction buffers before they go to
// the sink; the rest of the transaction follows in further Adds.
const pgBatchKeys = 512

// pgDecoder turns pgoutput messages into the table's keys for the sink. It
// lives on Run's goroutine.
type pgDecoder struct {
	cfg    PostgresConfig
	sink   applier.Sink
	types  *pgtype.Map
	rel    *pgRelation     // the table, once described
	others map[uint32]bool // relations of the publication that are not the table

	open     bool // between BEGIN and COMMIT
	skip     bool // cfg.Skip said so for the open transaction
	xid      uint32
	reported bool // OnTxn called for xid
	keys     [][]any
}

// pgProgress is a point the stream reached: the end of a committed
// transaction (at its commit time) or a non-transactional marker.
type pgProgress struct {
	lsn pglogrepl.LSN
	at  time.Time
}

func (p pgProgress) lag() time.Duration {
	if p.at.IsZero() {
		return 0
	}
	return time.Since(p.at)
}

func newPgDecoder(cfg PostgresConfig, sink applier.Sink) *pgDecoder {
	return &pgDecoder{cfg: cfg, sink: sink, types: pgtype.NewMap(), others: map[uint32]bool{}}
}

// handle decodes one pgoutput message; the progress is set once a
// transaction's keys have all reached the sink.
func (d *pgDecoder) handle(ctx context.Context, data []byte) (pgProgress, error) {
	if len(data) == 0 {
		return pgProgress{}, nil
	}
	msg, err := pglogrepl.Parse(data) // protocol 1: streamed transactions (not requested) fail here
	if err != nil {
		return pgProgress{}, fmt.Errorf("parse pgoutput message %q: %w", data[0], err)
	}
	switch m := msg.(type) {
	case *pglogrepl.BeginMessage:
		d.open, d.xid, d.reported = true, m.Xid, false
		d.skip = d.cfg.Skip != nil && d.cfg.Skip(m.FinalLSN, m.Xid)
	case *pglogrepl.CommitMessage:
		if err := d.flush(ctx); err != nil {
			return pgProgress{}, err
		}
		d.open, d.skip = false, false
		return pgProgress{lsn: m.TransactionEndLSN, at: m.CommitTime}, nil
	case *pglogrepl.RelationMessage:
		return pgProgress{}, d.relation(m)
	case *pglogrepl.InsertMessage:
		return pgProgress{}, d.row(ctx, m.RelationID, nil, m.Tuple)
	case *pglogrepl.UpdateMessage:
		return pgProgress{}, d.row(ctx, m.RelationID, m.OldTuple, m.NewTuple)
	case *pglogrepl.DeleteMessage:
		return pgProgress{}, d.row(ctx, m.RelationID, m.OldTuple, nil)
	case *pglogrepl.TruncateMessage:
		return pgProgress{}, d.truncate(m)
	case *pglogrepl.LogicalDecodingMessage:
		if !m.Transactional && !d.open {
			// Sent as soon as decoded: every commit before it came first.
			return pgProgress{lsn: m.LSN}, nil
		}
	}
	return pgProgress{}, nil // origin, type
}

// relation records the table's description, matched by cfg.RelationID, or
// else by name the first time and by OID afterwards (a rename keeps
// following the same table). A new description with other columns means
// someone altered the table; a new name alone does not.
func (d *pgDecoder) relation(m *pglogrepl.RelationMessage) error {
	ours := d.rel != nil && m.RelationID == d.rel.msg.RelationID ||
		d.rel == nil && d.cfg.RelationID == 0 && m.Namespace == d.cfg.Schema && m.RelationName == d.cfg.Table ||
		d.rel == nil && d.cfg.RelationID != 0 && m.RelationID == d.cfg.RelationID
	if !ours {
		d.others[m.RelationID] = true
		return nil
	}
	if d.rel != nil && !sameColumns(d.rel.msg, m) {
		return fmt.Errorf("table %s.%s was altered by another session while hotswap followed it: the run stops", d.cfg.Schema, d.cfg.Table)
	}
	rel, err := newPgRelation(m, d.cfg.KeyColumns)
	if err != nil {
		return fmt.Errorf("table %s.%s: %w", d.cfg.Schema, d.cfg.Table, err)
	}
	d.rel = rel
	return nil
}

func sameColumns(a, b *pglogrepl.RelationMessage) bool {
	return slices.EqualFunc(a.Columns, b.Columns, func(x, y *pglogrepl.RelationMessageColumn) bool {
		return x.Name == y.Name && x.DataType == y.DataType && x.TypeModifier == y.TypeModifier
	})
}

// row buffers the keys of one changed row of the table.
func (d *pgDecoder) row(ctx context.Context, relID uint32, before, after *pglogrepl.TupleData) error {
	if d.rel == nil || relID != d.rel.msg.RelationID {
		if d.others[relID] {
			return nil
		}
		return fmt.Errorf("change to relation %d before its description", relID)
	}
	if d.skip {
		return nil
	}
	keys, err := d.rel.keys(d.types, before, after)
	if err != nil {
		return fmt.Errorf("table %s.%s: %w", d.cfg.Schema, d.cfg.Table, err)
	}
	d.keys = append(d.keys, keys...)
	if len(d.keys) >= pgBatchKeys {
		return d.flush(ctx)
	}
	return nil
}

// flush hands the buffered keys to the sink, announcing the transaction
// first (OnTxn) so the keys can be tied to its xid.
func (d *pgDecoder) flush(ctx context.Context) error {
	if len(d.keys) == 0 {
		return nil
	}
	if !d.reported && d.cfg.OnTxn != nil {
		d.cfg.OnTxn(d.xid)
	}
	d.reported = true
	keys := d.keys
	d.keys = nil // the sink may keep the slice
	if err := d.sink.Add(ctx, keys); err != nil {
		return fmt.Errorf("hand %d keys of transaction %d to the applier: %w", len(keys), d.xid, err)
	}
	return nil
}

// truncate fails the stream when the table is truncated: every row is
// gone, which no key can describe.
func (d *pgDecoder) truncate(m *pglogrepl.TruncateMessage) error {
	if d.rel != nil && !d.skip && slices.Contains(m.RelationIDs, d.rel.msg.RelationID) {
		return fmt.Errorf("table %s.%s was truncated by another session while hotswap followed it: the run stops", d.cfg.Schema, d.cfg.Table)
	}
	return nil
}
