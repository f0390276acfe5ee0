package job

import (
	"errors"
	"fmt"
	"testing"
)

// TestIsRefusedThroughWrapping: a refusal wrapped with context is still a
// refusal (exit status 2); any other error is not.
func TestIsRefusedThroughWrapping(t *testing.T) {
	r := Refuse("table %s has no primary key", "t")
	if !IsRefused(fmt.Errorf("preflight: %w", r)) {
		t.Fatal("a wrapped refusal must be a refusal")
	}
	if r.Error() != "table t has no primary key" {
		t.Fatalf("message %q", r.Error())
	}
	if IsRefused(errors.New("copy failed")) || IsRefused(nil) {
		t.Fatal("other errors are not refusals")
	}
}
