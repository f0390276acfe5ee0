// Package testdb starts throwaway MariaDB and PostgreSQL servers for tests,
// or hands out external ones named by HOTSWAP_TEST_MYSQL_DSN /
// HOTSWAP_TEST_POSTGRES_DSN. A package that uses it must stop the servers when
// its tests end:
//
//	func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }
//
// Servers are shared by all tests of one test binary; each test isolates
// itself with NewDatabase. Children are started with Pdeathsig, so a test
// binary that is killed takes its servers down with it; leftover temp dirs
// of dead binaries are removed by the next run.
package testdb

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
)

// Main runs the package's tests and then stops every server this package run
// started.
func Main(m *testing.M) int {
	code := m.Run()
	for _, err := range stopAll() {
		fmt.Fprintln(os.Stderr, "testdb:", err)
	}
	return code
}

// registry holds a stop function per running server, for Main.
var registry struct {
	mu    sync.Mutex
	next  int
	stops map[int]func() error
}

// register records stop for Main and returns a function that unregisters it
// (used when a server is stopped earlier, e.g. by t.Cleanup).
func register(stop func() error) (unregister func()) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if registry.stops == nil {
		registry.stops = map[int]func() error{}
	}
	id := registry.next
	registry.next++
	registry.stops[id] = stop
	return func() {
		registry.mu.Lock()
		defer registry.mu.Unlock()
		delete(registry.stops, id)
	}
}

// stopAll stops every registered server, newest first so that replicas go
// before the primary they read from.
func stopAll() []error {
	registry.mu.Lock()
	stops := registry.stops
	registry.stops = nil
	last := registry.next
	registry.mu.Unlock()
	var errs []error
	for id := last - 1; id >= 0; id-- {
		if stop, ok := stops[id]; ok {
			if err := stop(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// inCI reports whether CI is set to a true value; there a server that cannot
// start is a test failure, never a skip.
func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// unavailable fails (CI) or skips (developer machine) a test whose server
// could not be started. err should carry the server's log tail.
func unavailable(t testing.TB, what, install string, err error) {
	t.Helper()
	if inCI() {
		t.Fatalf("testdb: %s could not start (CI=true, so this fails): %v", what, err)
		return
	}
	if env := externalEnv(what); os.Getenv(env) != "" {
		t.Skipf("testdb: %s from %s unavailable, skipping: %v", what, env, err)
		return
	}
	t.Skipf("testdb: %s unavailable, skipping; install it with `%s` or set %s. Error: %v",
		what, install, externalEnv(what), err)
}

func externalEnv(what string) string {
	if what == mariaDBName {
		return mysqlDSNEnv
	}
	return postgresDSNEnv
}
