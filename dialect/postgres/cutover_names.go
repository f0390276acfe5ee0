package postgres

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"
)

// pgMaxNameBytes is NAMEDATALEN-1: PostgreSQL silently truncates longer
// identifiers, so two long names could end up the same.
const pgMaxNameBytes = 63

// retiredName is the name an index or sequence of the old table takes at the
// cut-over, freeing its own for the shadow's counterpart: name + "_old". When
// that is too long, the name is cut (on a character boundary) and a hash of
// the whole name keeps cut names apart: the same name always gives the same
// result, and two long names with a common prefix do not collide.
func retiredName(name string) string { return suffixedName(name, "_old") }

// revertedName is the name an index or sequence of the table takes when a
// revert swaps the old table back in (SwapBackSQL): name + "_rev", like
// retiredName, whose names the old table's hold.
func revertedName(name string) string { return suffixedName(name, "_rev") }

func suffixedName(name, suffix string) string {
	if len(name)+len(suffix) <= pgMaxNameBytes {
		return name + suffix
	}
	sum := sha256.Sum256([]byte(name))
	tail := "_" + hex.EncodeToString(sum[:4]) + suffix
	return cutUTF8(name, pgMaxNameBytes-len(tail)) + tail
}

// cutUTF8 returns the longest prefix of s of at most n bytes that does not
// split a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
