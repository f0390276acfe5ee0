package workload

import (
	"fmt"
	"time"
)

// pgMaxKeyValue is maxKeyValue for the PostgreSQL-only classes (0 for any
// other class: not a key type).
func pgMaxKeyValue(c *column) int64 {
	switch c.Class {
	case clsPgDate:
		return 2_900_000 // days: up to year ~9940
	case clsPgTimestamp, clsPgTimestamptz:
		return 100_000_000_000 // seconds: up to year ~5170
	case clsPgUUID:
		return 999_999_999_999 // the 12 digits of the last group
	}
	return 0
}

// pgKeyTime is the key value of number v in a date or timestamp column: a
// base time plus v days or seconds, sent as time.Time in UTC so that the
// session TimeZone does not shift timestamptz keys.
func pgKeyTime(c *column, v int64) time.Time {
	if c.Class == clsPgDate {
		return keyBaseDate.AddDate(0, 0, int(v))
	}
	return time.Unix(keyBaseDate.Unix()+v, 0).UTC()
}

// pgKeyText renders number v of a PostgreSQL-only key class the way
// pgDialect.keyExpr reads it back.
func pgKeyText(c *column, v int64) (string, bool) {
	switch c.Class {
	case clsPgDate:
		return pgKeyTime(c, v).Format(time.DateOnly), true
	case clsPgTimestamp, clsPgTimestamptz:
		return pgKeyTime(c, v).Format(time.DateTime), true
	case clsPgUUID:
		return fmt.Sprintf("00000000-0000-0000-0000-%012d", v), true
	}
	return "", false
}
