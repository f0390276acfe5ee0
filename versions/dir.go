// Package versions runs versioned migrations (hotswap migrate): a directory
// of numbered up and down files, applied to a database in order and
// recorded in its history table, each statement run the way that fits it
// (an ALTER TABLE of a big table online through package migration, the
// rest directly). Everything engine-specific is behind engine.Database.
package versions

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/golang-migrate/migrate/v4/source"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// Version is one numbered migration of the directory.
type Version struct {
	Number   uint64
	Name     string
	Up       string
	Down     string // "" when HasDown is false
	HasDown  bool
	Checksum string // hex SHA-256 of the up file, to find a file changed after it was applied
}

// Load reads the directory's versions in order. Its layout is
// golang-migrate's (NNNN_name.up.sql, NNNN_name.down.sql), read with that
// project's own source package, so an existing directory works as it is.
func Load(dir string) ([]Version, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--dir %s: not a directory of migration files (NNNN_name.up.sql, NNNN_name.down.sql)", dir)
	}
	src, err := iofs.New(os.DirFS(dir), ".")
	if err != nil {
		return nil, fmt.Errorf("read the migration files in %s: %w", dir, err)
	}
	defer src.Close()
	var out []Version
	v, err := src.First()
	for err == nil {
		ver, rerr := readVersion(src, v)
		if rerr != nil {
			return nil, fmt.Errorf("%s: version %d: %w", dir, v, rerr)
		}
		out = append(out, ver)
		v, err = src.Next(v)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read the migration files in %s: %w", dir, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--dir %s holds no migration files (NNNN_name.up.sql, NNNN_name.down.sql)", dir)
	}
	return out, nil
}

func readVersion(src source.Driver, v uint) (Version, error) {
	up, name, err := src.ReadUp(v)
	if err != nil {
		return Version{}, fmt.Errorf("no up file: %w", err)
	}
	body, err := readAll(up)
	if err != nil {
		return Version{}, err
	}
	sum := sha256.Sum256([]byte(body))
	ver := Version{Number: uint64(v), Name: name, Up: body, Checksum: hex.EncodeToString(sum[:])}
	down, _, err := src.ReadDown(v)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ver, nil
	case err != nil:
		return Version{}, err
	}
	ver.Down, err = readAll(down)
	ver.HasDown = err == nil
	return ver, err
}

func readAll(r io.ReadCloser) (string, error) {
	defer r.Close()
	b, err := io.ReadAll(r)
	return string(b), err
}
