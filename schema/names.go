package schema

import (
	"crypto/sha1"
	"encoding/hex"
	"unicode/utf8"
)

// DerivedName returns "_<table>_<suffix>", shortened deterministically when it
// would exceed maxLen bytes: the table name is cut (at a character boundary,
// so a UTF-8 name stays valid UTF-8) and an 8-hex hash of the full name keeps
// different long tables apart. The result is never longer than maxLen; with a
// maxLen too small for "__<hash>_<suffix>", it is that cut to maxLen.
func DerivedName(table, suffix string, maxLen int) string {
	name := "_" + table + "_" + suffix
	if len(name) <= maxLen {
		return name
	}
	sum := sha1.Sum([]byte(table))
	hash := hex.EncodeToString(sum[:])[:8]
	keep := max(0, maxLen-len("_"+"_"+hash+"_"+suffix))
	return cut("_"+cut(table, keep)+"_"+hash+"_"+suffix, maxLen)
}

// cut returns s cut to at most n bytes without splitting a UTF-8 character.
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
