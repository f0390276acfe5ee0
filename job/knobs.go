package job

import (
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/hotswap/hotswap/copier"
	"github.com/hotswap/hotswap/throttle"
)

// working is what the control commands change in a run under way.
type working struct {
	copier    *copier.Copier
	throttler *throttle.Throttler
}

// knobs is the part of Runner the control socket turns.
type knobs struct{ now atomic.Pointer[working] }

// Publish makes the run's copier and throttler reachable by the control
// commands (throttle, chunk-size=N, the throttling settings) once built.
func (r *Runner) Publish(c *copier.Copier, th *throttle.Throttler) {
	r.knobs.now.Store(&working{copier: c, throttler: th})
}

// SetThrottle is the throttle (true) / no-throttle (false) command.
func (r *Runner) SetThrottle(on bool) {
	if w := r.knobs.now.Load(); w != nil {
		w.throttler.SetManual(on)
	}
}

// Set changes chunk-size or a throttling setting while the run goes on.
func (r *Runner) Set(name, value string) error {
	if name != "chunk-size" {
		return r.settings.Throttle.Set(name, value)
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < 1 || n > 1_000_000 {
		return fmt.Errorf("chunk-size must be a whole number from 1 to 1000000, got %q", value)
	}
	w := r.knobs.now.Load()
	if w == nil {
		return errors.New("chunk-size can be changed once the copy has started")
	}
	w.copier.SetChunkSize(n)
	return nil
}

// Get reads chunk-size (0 before the copy starts) or a throttling setting.
func (r *Runner) Get(name string) (string, error) {
	if name != "chunk-size" {
		return r.settings.Throttle.Get(name)
	}
	size := 0
	if w := r.knobs.now.Load(); w != nil {
		size = w.copier.ChunkSize()
	}
	return strconv.Itoa(size), nil
}
