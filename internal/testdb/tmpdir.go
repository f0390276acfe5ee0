package testdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Server directories live directly under /tmp with short names because unix
// socket paths must stay below ~100 bytes.
const (
	tmpRoot   = "/tmp"
	ownerFile = "owner.pid"
)

var sweepOnce sync.Once

// newServerDir creates /tmp/<prefix>XXXX, records this binary's pid in it (so
// a later run can tell the dir is orphaned) and, as root, hands it to uid/gid
// (-1 keeps the owner).
func newServerDir(prefix string, uid, gid int) (string, error) {
	sweepOnce.Do(sweepOrphans)
	dir, err := os.MkdirTemp(tmpRoot, prefix)
	if err != nil {
		return "", fmt.Errorf("create server dir: %w", err)
	}
	pid := []byte(strconv.Itoa(os.Getpid()))
	if err := os.WriteFile(filepath.Join(dir, ownerFile), pid, 0o644); err != nil {
		return "", fmt.Errorf("write owner file: %w", err)
	}
	if uid >= 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", fmt.Errorf("chown server dir: %w", err)
		}
	}
	return dir, nil
}

// sweepOrphans removes server dirs whose owning test binary no longer exists
// (it was killed before Main could clean up; Pdeathsig already killed the
// servers themselves). Dirs of live binaries, e.g. other packages' tests
// running in parallel, are left alone.
func sweepOrphans() {
	for _, prefix := range []string{mysqlDirPrefix, postgresDirPrefix} {
		dirs, _ := filepath.Glob(filepath.Join(tmpRoot, prefix+"*"))
		for _, dir := range dirs {
			if ownerDead(dir) {
				_ = os.RemoveAll(dir)
			}
		}
	}
}

func ownerDead(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil {
		return false // not ours, or still being created
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
