package testdb

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
)

// uniqueDBName derives a database name from the test name plus random bytes:
// readable in server logs, unique even across test binaries sharing one
// external server, and within both MySQL's (64) and PostgreSQL's (63) limits.
func uniqueDBName(t testing.TB) string {
	var b strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	base := b.String()
	if len(base) > 40 {
		base = base[:40]
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	return "hs_" + base + "_" + hex.EncodeToString(suffix)
}
