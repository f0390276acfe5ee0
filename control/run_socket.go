package control

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// RunSocketPath is the socket a run with a revert window listens on when it
// is given none, so that `hotswap revert` with the same connection flags
// finds it: one name per server and table, short enough for a unix socket
// path (at most 108 bytes) whatever the names' lengths.
func RunSocketPath(engine, host string, port int, database, schema, table string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%s\x00%s\x00%s", engine, host, port, database, schema, table))
	return filepath.Join(os.TempDir(), "hotswap-"+hex.EncodeToString(sum[:8])+".sock")
}
