package schema

import (
	"crypto/sha1"
	"encoding/hex"
)

// DerivedName returns "_<table>_<suffix>", shortened deterministically when it
// would exceed maxLen: the table name is cut and an 8-hex hash of the full
// name keeps different long tables apart.
func DerivedName(table, suffix string, maxLen int) string {
	name := "_" + table + "_" + suffix
	if len(name) <= maxLen {
		return name
	}
	sum := sha1.Sum([]byte(table))
	hash := hex.EncodeToString(sum[:])[:8]
	keep := maxLen - len("_"+"_"+hash+"_"+suffix)
	return "_" + table[:keep] + "_" + hash + "_" + suffix
}
