package applier

// Mark and Covered let a checkpoint name a stream position whose changes
// are all applied: read the position, then Mark; once Covered(mark), every
// key added before the Mark has been resynced (read from the source and
// written to the shadow) after it was added, so no change up to that
// position is missing from the shadow.
//
// Epochs make this cheap: a key remembers the epoch it has been pending
// since (a key added again while pending keeps its older epoch, and one
// resync of it covers both changes), a flush in progress remembers the
// oldest epoch of its batch, and a failed flush puts its keys back with it.

// Mark closes the current epoch and returns it.
func (a *Applier) Mark() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.epoch
	a.epoch++
	return m
}

// Covered says whether every key added up to mark has been resynced since:
// none is pending or being flushed with an epoch at or before mark.
func (a *Applier) Covered(mark uint64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, since := range a.flying {
		if since <= mark {
			return false
		}
	}
	for _, s := range a.parts {
		if s.oldest() <= mark {
			return false
		}
	}
	return true
}

// flyLocked records a flush in progress whose keys are pending since since.
func (a *Applier) flyLocked(since uint64) int64 {
	a.nextFly++
	a.flying[a.nextFly] = since
	return a.nextFly
}

// landed ends what flyLocked recorded.
func (a *Applier) landed(fly int64) {
	a.mu.Lock()
	delete(a.flying, fly)
	a.mu.Unlock()
}
