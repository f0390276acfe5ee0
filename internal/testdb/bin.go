package testdb

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// findBinary looks each name up in PATH and then in dirs: server binaries live
// in sbin or versioned directories that a non-root PATH often lacks.
func findBinary(names []string, dirs ...string) (string, error) {
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	for _, dir := range dirs {
		for _, name := range names {
			if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("none of %v found in PATH or %v", names, dirs)
}

// postgresBinDirs lists Debian's /usr/lib/postgresql/<major>/bin, newest first.
func postgresBinDirs() []string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(d string) int {
		n, _ := strconv.Atoi(strings.Split(strings.TrimPrefix(d, "/usr/lib/postgresql/"), "/")[0])
		return n
	}
	sort.Slice(dirs, func(i, j int) bool { return major(dirs[i]) > major(dirs[j]) })
	return dirs
}
