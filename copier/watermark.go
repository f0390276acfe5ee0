package copier

import "sync"

// watermark tracks the copy's low watermark: the key below which every
// chunk is copied. Chunks finish out of order on several workers, so the
// mark moves only over an unbroken run of finished chunks.
type watermark struct {
	mu       sync.Mutex
	low      []any              // every key <= low is copied (nil: none yet, or the Start)
	started  bool               // low is meaningful: a Start or at least one chunk
	next     int64              // the lowest chunk not yet finished
	his      map[int64]cutChunk // cut chunks, until the mark passes them
	finished map[int64]bool
	all      bool // the open-ended last chunk is finished
	// passed, when set, hears of every range the mark passes over, in key
	// order, under mu (so it must not block).
	passed func(lo, hi []any, rows int)
}

type cutChunk struct {
	hi   []any
	rows int
}

func newWatermark(start []any, passed func(lo, hi []any, rows int)) watermark {
	return watermark{low: start, started: start != nil, his: map[int64]cutChunk{}, finished: map[int64]bool{}, passed: passed}
}

func (w *watermark) cut(seq int64, hi []any, rows int) {
	w.mu.Lock()
	w.his[seq] = cutChunk{hi, rows}
	w.mu.Unlock()
}

func (w *watermark) done(seq int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.finished[seq] = true
	for w.finished[w.next] {
		ch := w.his[w.next]
		delete(w.finished, w.next)
		delete(w.his, w.next)
		w.next++
		if w.passed != nil {
			w.passed(w.low, ch.hi, ch.rows)
		}
		if ch.hi == nil {
			w.all = true
			continue
		}
		w.low, w.started = ch.hi, true
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
