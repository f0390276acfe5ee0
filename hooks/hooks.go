// Package hooks runs the DBA's scripts at the points of a run gh-ost users
// know: executables in --hooks-path whose names start with the hook name
// (gh-ost-on-startup..., or hotswap-on-startup...), run one after another,
// with the run's state in the environment.
package hooks

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rs/zerolog"
)

// The hook names, in the order a run reaches them.
const (
	OnStartup            = "on-startup"
	OnValidated          = "on-validated"
	OnRowCountComplete   = "on-rowcount-complete"
	OnBeforeRowCopy      = "on-before-row-copy"
	OnStatus             = "on-status"
	OnInteractiveCommand = "on-interactive-command"
	OnRowCopyComplete    = "on-row-copy-complete"
	OnBeginPostponed     = "on-begin-postponed"
	OnBeforeCutOver      = "on-before-cut-over"
	OnSuccess            = "on-success"
	OnFailure            = "on-failure"
)

// Gating hooks stop the run cleanly (or refuse the socket command) when they
// fail; the others are only logged.
var gating = map[string]bool{OnStartup: true, OnValidated: true, OnBeforeCutOver: true, OnInteractiveCommand: true}

// Runner runs the hooks of one directory. A zero Dir runs nothing.
type Runner struct {
	Dir string
	// Env returns the variables (names without prefix, e.g. "TABLE_NAME");
	// each is passed as HOTSWAP_<name> and GH_OST_<name>.
	Env func() map[string]string
	Log zerolog.Logger
}

// Run runs every executable for the hook, with extra variables added. A
// failing gating hook returns an error that names the script and its output.
func (r *Runner) Run(ctx context.Context, hook string, extra map[string]string) error {
	scripts, err := r.find(hook)
	if err != nil || len(scripts) == 0 {
		return err
	}
	env := r.environ(extra)
	for _, path := range scripts {
		cmd := exec.CommandContext(ctx, path)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		r.Log.Info().Str("hook", filepath.Base(path)).Err(err).Str("output", strings.TrimSpace(string(out))).Msg("hook ran")
		if err != nil && gating[hook] {
			return fmt.Errorf("hook %s failed (%v): %s", path, err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

func (r *Runner) find(hook string) ([]string, error) {
	if r == nil || r.Dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(r.Dir)
	if err != nil {
		return nil, fmt.Errorf("read --hooks-path %s: %w", r.Dir, err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "gh-ost-"+hook) && !strings.HasPrefix(name, "hotswap-"+hook) {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || info.Mode()&0o111 == 0 {
			continue // not an executable file
		}
		out = append(out, filepath.Join(r.Dir, name))
	}
	sort.Strings(out)
	return out, nil
}

func (r *Runner) environ(extra map[string]string) []string {
	vars := map[string]string{}
	if r.Env != nil {
		vars = r.Env()
	}
	for k, v := range extra {
		vars[k] = v
	}
	env := os.Environ()
	for k, v := range vars {
		env = append(env, "HOTSWAP_"+k+"="+v, "GH_OST_"+k+"="+v)
	}
	return env
}

// Check verifies the hooks directory can be read, before the run changes anything.
func (r *Runner) Check() error {
	_, err := r.find(OnStartup)
	return err
}
