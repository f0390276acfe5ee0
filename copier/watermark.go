package copier

import "sync"

// watermark tracks the copy's low watermark: the key below which every
// chunk is copied. Chunks finish out of order on several workers, so the
// mark moves only over an unbroken run of finished chunks.
type watermark struct {
	mu       sync.Mutex
	low      []any           // every key <= low is copied (nil: none yet, or the Start)
	started  bool            // low is meaningful: a Start or at least one chunk
	next     int64           // the lowest chunk not yet finished
	his      map[int64][]any // cut chunks' upper bounds, until the mark passes them
	finished map[int64]bool
	all      bool // the open-ended last chunk is finished
}

func newWatermark(start []any) watermark {
	return watermark{low: start, started: start != nil, his: map[int64][]any{}, finished: map[int64]bool{}}
}

func (w *watermark) cut(seq int64, hi []any) {
	w.mu.Lock()
	w.his[seq] = hi
	w.mu.Unlock()
}

func (w *watermark) done(seq int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.finished[seq] = true
	for w.finished[w.next] {
		hi := w.his[w.next]
		delete(w.finished, w.next)
		delete(w.his, w.next)
		w.next++
		if hi == nil {
			w.all = true
			continue
		}
		w.low, w.started = hi, true
	}
}

// Watermark is the key up to which (inclusive) every row is copied, for a
// checkpoint: a resumed copy starts after it (Options.Start). ok is false
// while no chunk is finished; all is true once the whole table is.
func (c *Copier) Watermark() (key []any, ok, all bool) {
	c.marks.mu.Lock()
	defer c.marks.mu.Unlock()
	return c.marks.low, c.marks.started, c.marks.all
}
