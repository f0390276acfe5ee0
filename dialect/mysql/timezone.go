package mysql

import (
	"context"
	"fmt"
	"slices"

	"github.com/hotswap/hotswap/schema"
)

// utc is the time zone of every hotswap session (sessionParams).
const utc = "+00:00"

// GlobalTimeZone is the server's global time_zone: the zone a user's own
// ALTER (a new session) converts values between TIMESTAMP and other types in.
// A zone that is UTC all year ('SYSTEM' on a UTC host, 'Etc/UTC') is utc.
func GlobalTimeZone(ctx context.Context, db Querier) (string, error) {
	var tz string
	var isUTC bool
	err := db.QueryRowContext(ctx, `SELECT @@GLOBAL.time_zone,
		COALESCE(CONVERT_TZ('2024-01-15 12:00:00', @@GLOBAL.time_zone, '+00:00') = '2024-01-15 12:00:00'
			AND CONVERT_TZ('2024-07-15 12:00:00', @@GLOBAL.time_zone, '+00:00') = '2024-07-15 12:00:00', FALSE)`).Scan(&tz, &isUTC)
	if err != nil {
		return "", fmt.Errorf("read the server's global time_zone: %w", err)
	}
	if isUTC {
		return utc, nil
	}
	return tz, nil
}

// zoneFree are the types whose values a TIMESTAMP turns into, or is read
// from, as local time in the session's zone.
var zoneFree = []string{"date", "datetime", "time", "char", "varchar", "tinytext", "text", "mediumtext", "longtext"}

// sourceExpr is the source column of a pair as the copy, the resync and the
// checksum read it. hotswap's sessions run in UTC, so where the ALTER turns a
// TIMESTAMP into local time or back (DATETIME, DATE, TIME, a string), the
// shift the user's own ALTER makes in the server's zone is spelled out with
// CONVERT_TZ. A value CONVERT_TZ cannot take (a zero date) is passed as it is,
// for the server to convert, or refuse, as its own ALTER would.
func (r *Rows) sourceExpr(alias string, p schema.ColumnPair) string {
	c := col(alias, p.Source)
	from, to := r.zoneShift(p)
	if from == to {
		return c
	}
	return fmt.Sprintf("COALESCE(CONVERT_TZ(%s, %s, %s), %s)", c, quoteString(from), quoteString(to), c)
}

// zoneShift is the zone pair CONVERT_TZ needs for the pair, equal when none.
func (r *Rows) zoneShift(p schema.ColumnPair) (from, to string) {
	if r.TimeZone == "" || r.TimeZone == utc || r.SrcTable == nil || r.DstTable == nil {
		return utc, utc
	}
	sc, ok1 := r.SrcTable.Column(p.Source)
	dc, ok2 := r.DstTable.Column(p.Target)
	switch {
	case !ok1 || !ok2:
		return utc, utc
	case sc.DataType == "timestamp" && slices.Contains(zoneFree, dc.DataType):
		return utc, r.TimeZone
	case dc.DataType == "timestamp" && slices.Contains(zoneFree, sc.DataType):
		return r.TimeZone, utc
	}
	return utc, utc
}

// ZoneShiftedKey names a row key column that the ALTER turns between
// TIMESTAMP and local time while the server's zone is not UTC, or "": the
// shadow's key values then differ from the source's, so shadow rows could
// not be found by the source's key.
func (r *Rows) ZoneShiftedKey() string {
	for i, c := range r.SrcKey.Columns {
		if i >= len(r.DstKey.Columns) {
			break
		}
		if from, to := r.zoneShift(schema.ColumnPair{Source: c, Target: r.DstKey.Columns[i]}); from != to {
			return c
		}
	}
	return ""
}
