package checksum

// Rest is what an early pass leaves to the consistent point.
//
// Why comparing a row early is enough when its key is not in Keys: the early
// pass compared it in a snapshot taken after its range was copied, and found
// it equal. Its key never came through the stream, so the source row has not
// changed since the stream started (before the copy); and after its copy
// only the applier writes a shadow row, and only for keys the stream (or a
// checksum) handed it, which are in Keys. So both rows are as they were when
// compared, equal, at the point too. Rows whose keys are in Keys, ranges the
// early pass gave up on (Holes) and everything after Upto are compared at the
// point itself.
type Rest struct {
	// Upto: every key <= Upto (or every key, with All) was compared early,
	// except the ranges in Holes. Zero: nothing was.
	Upto  []any
	All   bool
	Holes []Range
	// Keys are compared one by one: those the stream reported since the
	// early pass began (applier.Touched) and those it found differing.
	Keys [][]any
	// Rows is the rows compared early (as cut; for the log).
	Rows int64
}

// Range is lo < key <= hi; a nil bound is open.
type Range struct{ Lo, Hi []any }

func (r Rest) verifiedAny() bool { return r.All || r.Upto != nil }

func (r Rest) holeJobs() []job {
	out := make([]job, len(r.Holes))
	for i, h := range r.Holes {
		out[i] = job{lo: h.Lo, hi: h.Hi}
	}
	return out
}
