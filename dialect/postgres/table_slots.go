package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// slotNameMax is NAMEDATALEN-1, the limit of slot and publication names.
const slotNameMax = 63

// SlotName names the logical replication slot of a run on schema.table:
// "hotswap_" + schema + "_" + table when that is already a valid slot name
// (lower-case letters, digits and underscores, at most 63 characters) and
// unambiguous (the schema has no underscore); otherwise the sanitized name,
// shortened as needed, with "_" and 8 hex digits of a hash of the exact
// names. The same table always gets the same name, so a slot left behind by
// a crashed run can be recognised (StraySlots).
func SlotName(schema, table string) string {
	base := "hotswap_" + sanitizeSlotPart(schema) + "_" + sanitizeSlotPart(table)
	plain := base == "hotswap_"+schema+"_"+table && !strings.Contains(schema, "_")
	if plain && len(base) <= slotNameMax {
		return base
	}
	sum := sha256.Sum256([]byte(pgx.Identifier{schema, table}.Sanitize()))
	suffix := "_" + hex.EncodeToString(sum[:4])
	return base[:min(len(base), slotNameMax-len(suffix))] + suffix
}

// PublicationName names the run's publication; publications and slots are
// apart, so it is the slot's name, which makes the pair easy to match. The
// "hotswap_" prefix is also how Objects tells hotswap's publications apart.
func PublicationName(schema, table string) string { return SlotName(schema, table) }

// sanitizeSlotPart keeps lower-case ASCII letters and digits, lower-cases
// upper-case ones and turns anything else (bytes of non-ASCII too) into "_".
func sanitizeSlotPart(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
		case c >= 'A' && c <= 'Z':
			b[i] = c + ('a' - 'A')
		default:
			b[i] = '_'
		}
	}
	return string(b)
}

// StraySlots lists the inactive logical replication slots of the current
// database whose names start with prefix (e.g. "hotswap_"): left behind by a
// run that could not clean up, they hold WAL on the server until dropped.
// Each can be dropped with SELECT pg_drop_replication_slot('name').
func StraySlots(ctx context.Context, db Querier, prefix string) ([]string, error) {
	slots, err := catalogStrings(ctx, db, `SELECT slot_name::text FROM pg_replication_slots
		WHERE slot_type = 'logical' AND NOT active AND database = current_database()
		AND starts_with(slot_name::text, $1) ORDER BY 1`, prefix)
	if err != nil {
		return nil, fmt.Errorf("list replication slots named %s*: %w", prefix, err)
	}
	return slots, nil
}
