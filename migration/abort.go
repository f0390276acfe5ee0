package migration

import (
	"fmt"
	"os"

	"github.com/hotswap/hotswap/job"
)

// ErrPanic is the cause of a run stopped by the panic command or flag file.
var ErrPanic = job.ErrPanic

// createPostponeFile creates the postpone flag file when it is missing, as
// gh-ost does: the cut-over then waits until someone removes it.
func (m *Migration) createPostponeFile() error {
	f := m.cfg.PostponeFlagFile
	if f == "" || job.Exists(f) {
		return nil
	}
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		return fmt.Errorf("create --postpone-cut-over-flag-file %s: %w", f, err)
	}
	return nil
}
