package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// WaitVisible returns once every transaction of xids (32-bit ids, from the
// change stream's BEGIN messages) is visible in a new snapshot, polling from
// 2 ms up to every 50 ms, or fails when ctx ends. A transaction reaches the
// logical stream when its commit record is written, a moment before other
// sessions see it: a resync reading earlier would copy the old row, and no
// later change would come to fix it.
func (r *Rows) WaitVisible(ctx context.Context, xids []uint32) error {
	if len(xids) == 0 {
		return nil
	}
	// The snapshot's xmax is the next xid to assign, read without assigning
	// one (pg_current_xact_id() would burn an xid on every call).
	var next uint64
	err := r.DB.QueryRowContext(ctx, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint").Scan(&next)
	if err != nil {
		return fmt.Errorf("read the next transaction id: %w", err)
	}
	full := make([]int64, 0, len(xids))
	for _, x := range xids {
		full = append(full, int64(rowsWidenXid(x, next)))
	}
	slices.Sort(full)
	full = slices.Compact(full)
	for delay := 2 * time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		var all bool
		err := r.DB.QueryRowContext(ctx, `SELECT coalesce(bool_and(
			pg_visible_in_snapshot(x::text::xid8, pg_current_snapshot())), true)
			FROM unnest($1::bigint[]) AS x`, full).Scan(&all)
		if err != nil {
			return fmt.Errorf("check that transactions %v are visible: %w", xids, err)
		}
		if all {
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("wait for transactions %v to become visible: %w", xids, ctx.Err())
		}
	}
}

// rowsWidenXid turns a 32-bit xid into the 64-bit xid8 it stands for, given
// next, a 64-bit xid not assigned yet: the xid was assigned before next, so
// if its low 32 bits are not below next's, it is from the previous epoch
// (next wrapped around since).
func rowsWidenXid(xid uint32, next uint64) uint64 {
	epoch := next >> 32
	if uint64(xid) >= next&0xffffffff && epoch > 0 {
		epoch--
	}
	return epoch<<32 | uint64(xid)
}
