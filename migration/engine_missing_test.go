package migration_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/migration"
)

// TestUnknownEngineIsRefused: a run, a cleanup and a checksum for an engine
// this binary lacks are refused before touching anything, naming the
// package to import; the run's state is failed.
func TestUnknownEngineIsRefused(t *testing.T) {
	cfg := migration.Config{Engine: "oracle", Table: "t", Alter: "ADD COLUMN c INT", Execute: true}
	m := migration.New(cfg)
	err := m.Run(context.Background())
	if !migration.IsRefused(err) || !strings.Contains(err.Error(), "engine/oracle") || m.State() != migration.StateFailed {
		t.Fatalf("run: %v, state %s", err, m.State())
	}
	if err := migration.Cleanup(context.Background(), cfg); !migration.IsRefused(err) {
		t.Fatalf("cleanup: %v", err)
	}
	if _, err := migration.Checksum(context.Background(), cfg, ""); !migration.IsRefused(err) {
		t.Fatalf("checksum: %v", err)
	}
}
