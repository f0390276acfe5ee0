package cutover

// Pauser is the run's applier as a cut-over sees it: its background resyncs
// stop for the attempt, or they would queue on the locked tables and then
// miss the renamed shadow. The catch-up drains what is pending instead.
type Pauser interface {
	Pause()
	Resume()
}

// pause stops a's background resyncs (a nil a: nothing to pause) and
// returns what lets them go on.
func pause(a Pauser) (resume func()) {
	if a == nil {
		return func() {}
	}
	a.Pause()
	return a.Resume
}
