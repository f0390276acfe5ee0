package applier

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkApplier measures keys resynced a second by 1 and 4 workers
// when a resync takes 1ms a batch (a round trip that does not load the
// server: the case parallel flushes are for).
func BenchmarkApplier(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			a := New(func(ctx context.Context, _ [][]any) error {
				sleep(ctx, time.Millisecond)
				return nil
			}, Options{Workers: workers, BatchSize: 100, Interval: time.Millisecond})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			b.ResetTimer()
			go func() { done <- a.Run(ctx) }()
			for i := range b.N {
				a.Add(ctx, [][]any{key(i)})
			}
			for a.Applied() < int64(b.N) {
				time.Sleep(100 * time.Microsecond)
			}
			b.StopTimer()
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "keys/s")
		})
	}
}
