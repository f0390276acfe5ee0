package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/hotswap/hotswap/job"
)

// TestUnknownKindIsRefusedNamingTheFix: a kind no package registered is a
// refusal (exit 2, nothing changed) that names the package to import.
func TestUnknownKindIsRefusedNamingTheFix(t *testing.T) {
	_, err := New("oracle", Spec{})
	if !job.IsRefused(err) || !strings.Contains(err.Error(), "github.com/hotswap/hotswap/engine/oracle") {
		t.Fatalf("New of an unknown kind: %v", err)
	}
	if _, err := NewBackfill("oracle", BackfillSpec{}); !job.IsRefused(err) {
		t.Fatalf("NewBackfill of an unknown kind: %v", err)
	}
	if err := Ping(context.Background(), "oracle", dbconn.Config{}); !job.IsRefused(err) {
		t.Fatalf("Ping of an unknown kind: %v", err)
	}
}

// TestRegisteredDriverAnswers: a registered kind is built by its driver, and
// ConnectionLost asks every driver.
func TestRegisteredDriverAnswers(t *testing.T) {
	lost := errors.New("server closed the connection")
	pinged := false
	Register("test-kind", Driver{
		Ping:           func(context.Context, dbconn.Config) error { pinged = true; return nil },
		ConnectionLost: func(err error) bool { return errors.Is(err, lost) },
	})
	defer func() { mu.Lock(); delete(drivers, "test-kind"); mu.Unlock() }()
	if err := Ping(context.Background(), "test-kind", dbconn.Config{}); err != nil || !pinged {
		t.Fatalf("Ping: %v, pinged %v", err, pinged)
	}
	if !ConnectionLost(lost) || ConnectionLost(errors.New("syntax error")) {
		t.Fatal("ConnectionLost must follow the registered driver")
	}
}
