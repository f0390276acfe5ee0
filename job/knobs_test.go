package job

import (
	"context"
	"strings"
	"testing"

	"github.com/hotswap/hotswap/control"
	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/throttle"
)

// noRows is a copier source of an empty table.
type noRows struct{}

func (noRows) NextBoundary(context.Context, []any, int) ([]any, bool, error) { return nil, false, nil }
func (noRows) CopyRange(context.Context, []any, []any) (int64, [][]any, error) {
	return 0, nil, nil
}

// TestChunkSizeKnob: chunk-size is refused before the copy exists and out of
// range; once published it changes the copier's chunk size, read back by Get.
func TestChunkSizeKnob(t *testing.T) {
	settings := throttle.NewSettings()
	r := newTestRunner(control.Settings{Throttle: settings})
	if err := r.Set("chunk-size", "500"); err == nil || !strings.Contains(err.Error(), "once the copy has started") {
		t.Fatalf("chunk-size before the copy: %v", err)
	}
	if v, err := r.Get("chunk-size"); v != "0" || err != nil {
		t.Fatalf("chunk-size before the copy reads %q, %v", v, err)
	}
	cp := copier.New(noRows{}, copier.Options{ChunkSize: 1000, FixedChunkSize: true})
	r.Publish(cp, throttle.New(throttle.Config{Settings: settings}))
	for _, bad := range []string{"0", "-1", "x", "1000001"} {
		if err := r.Set("chunk-size", bad); err == nil {
			t.Errorf("chunk-size=%s accepted", bad)
		}
	}
	if err := r.Set("chunk-size", "500"); err != nil || cp.ChunkSize() != 500 {
		t.Fatalf("chunk-size=500: %v, copier at %d", err, cp.ChunkSize())
	}
	if v, _ := r.Get("chunk-size"); v != "500" {
		t.Fatalf("chunk-size reads %q", v)
	}
}

// TestThrottlingKnobsReachTheSettings: every other knob is the run's
// throttling settings, the ones its throttler reads.
func TestThrottlingKnobsReachTheSettings(t *testing.T) {
	settings := throttle.NewSettings()
	r := newTestRunner(control.Settings{Throttle: settings})
	if err := r.Set("max-lag-millis", "700"); err != nil {
		t.Fatal(err)
	}
	if v, err := settings.Get("max-lag-millis"); v != "700" || err != nil {
		t.Fatalf("the settings hold %q, %v", v, err)
	}
	if v, _ := r.Get("max-lag-millis"); v != "700" {
		t.Fatalf("Get reads %q", v)
	}
	if err := r.Set("no-such-knob", "1"); err == nil {
		t.Fatal("an unknown knob was accepted")
	}
	r.SetThrottle(true) // before the throttler exists: nothing to hold, no failure
}
