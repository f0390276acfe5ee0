package binlog

import (
	"errors"
	"fmt"
	"slices"

	"github.com/hotswap/hotswap/applier"
	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgRelation is the table as pgoutput describes it, with where its key
// columns are in a row image.
type pgRelation struct {
	msg    *pglogrepl.RelationMessage
	keyIdx []int    // position of each key column in a tuple
	keyOID []uint32 // its type
}

// newPgRelation locates the key columns. Each must belong to the replica
// identity (flag 1), or the identity be FULL: otherwise pgoutput does not
// send the old value when the column changes, and the old key would be lost.
func newPgRelation(m *pglogrepl.RelationMessage, keyColumns []string) (*pgRelation, error) {
	if len(keyColumns) == 0 {
		return nil, errors.New("no key columns configured")
	}
	r := &pgRelation{msg: m}
	for _, name := range keyColumns {
		i := slices.IndexFunc(m.Columns, func(c *pglogrepl.RelationMessageColumn) bool { return c.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("key column %q is not in the replication stream's description of the table", name)
		}
		if m.ReplicaIdentity != 'f' && m.Columns[i].Flags&1 == 0 {
			return nil, fmt.Errorf("key column %q is not part of the table's replica identity (REPLICA IDENTITY %c): "+
				"the stream would not see its old value change", name, m.ReplicaIdentity)
		}
		r.keyIdx = append(r.keyIdx, i)
		r.keyOID = append(r.keyOID, m.Columns[i].DataType)
	}
	return r, nil
}

// keys returns the keys a change dirties: the inserted or deleted row's, or
// for an update the new key and, when it differs, the old one (an old image
// comes only when the identity changed, or always under FULL).
func (r *pgRelation) keys(types *pgtype.Map, before, after *pglogrepl.TupleData) ([][]any, error) {
	if after == nil {
		if before == nil {
			return nil, errors.New("delete without the old key: is REPLICA IDENTITY NOTHING?")
		}
		k, err := r.key(types, before, nil)
		if err != nil {
			return nil, err
		}
		return [][]any{k}, nil
	}
	k, err := r.key(types, after, before)
	if err != nil {
		return nil, err
	}
	if before == nil {
		return [][]any{k}, nil
	}
	old, err := r.key(types, before, nil)
	if err != nil {
		return nil, err
	}
	if applier.KeyString(old) == applier.KeyString(k) {
		return [][]any{k}, nil
	}
	return [][]any{old, k}, nil
}

// key reads the key columns of tuple t. An unchanged TOASTed column comes
// without a value ('u'); fallback, the old image, may hold it.
func (r *pgRelation) key(types *pgtype.Map, t, fallback *pglogrepl.TupleData) ([]any, error) {
	if len(t.Columns) != len(r.msg.Columns) {
		return nil, fmt.Errorf("row image has %d columns, the table has %d", len(t.Columns), len(r.msg.Columns))
	}
	key := make([]any, len(r.keyIdx))
	for i, idx := range r.keyIdx {
		c := t.Columns[idx]
		if c.DataType == pglogrepl.TupleDataTypeToast && fallback != nil && idx < len(fallback.Columns) {
			c = fallback.Columns[idx]
		}
		v, err := keyValue(types, r.keyOID[i], c)
		if err != nil {
			return nil, fmt.Errorf("key column %q: %w", r.msg.Columns[idx].Name, err)
		}
		key[i] = v
	}
	return key, nil
}

// keyValue converts a column of a row image. Keys are only used as query
// parameters and compared with applier.KeyString, so each column always gets the
// same Go type: int64 for integers, bool, []byte for bytea, and PostgreSQL's
// own text for everything else (uuid, text, numeric, dates: exact, and
// parsed back by the server as the column's type).
func keyValue(types *pgtype.Map, oid uint32, c *pglogrepl.TupleDataColumn) (any, error) {
	switch c.DataType {
	case pglogrepl.TupleDataTypeText:
	case pglogrepl.TupleDataTypeNull:
		return nil, errors.New("is NULL")
	case pglogrepl.TupleDataTypeToast:
		return nil, errors.New("came without its value (an unchanged TOASTed key, over about 2 kB): the row cannot be identified")
	default:
		return nil, fmt.Errorf("unexpected tuple data kind %q (binary was not requested)", c.DataType)
	}
	var err error
	switch oid {
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID:
		var n int64
		err = types.Scan(oid, pgtype.TextFormatCode, c.Data, &n)
		return n, wrapKeyValue(err, c.Data)
	case pgtype.BoolOID:
		var b bool
		err = types.Scan(oid, pgtype.TextFormatCode, c.Data, &b)
		return b, wrapKeyValue(err, c.Data)
	case pgtype.ByteaOID:
		var b []byte
		err = types.Scan(oid, pgtype.TextFormatCode, c.Data, &b)
		return b, wrapKeyValue(err, c.Data)
	}
	return string(c.Data), nil
}

func wrapKeyValue(err error, data []byte) error {
	if err != nil {
		return fmt.Errorf("decode %q: %w", data, err)
	}
	return nil
}
