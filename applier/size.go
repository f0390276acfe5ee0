package applier

import "time"

// nextSize moves the batch size toward the one that would take target,
// judging by a batch of n keys that took took.
func nextSize(size, n int, took, target time.Duration, lo, hi int) int {
	if n <= 0 {
		return size
	}
	took = max(took, time.Microsecond)
	ideal := float64(n) * float64(target) / float64(took)
	if n < size && ideal > float64(size) {
		return size // a short batch (small backlog) says nothing of bigger ones
	}
	// Halfway, and at most doubling: one batch slowed by a lock wait or a
	// tiny one dominated by round trips must not swing the size to a bound.
	next := min((float64(size)+ideal)/2, 2*float64(size))
	return min(max(int(next), lo), hi)
}
