package applier

// Hold stops the background flushes, like Pause, and waits for those in
// progress, but keeps MaxKeys: once that many keys are pending, the stream
// reader waits (its lag grows) instead of memory. For a long quiet spell
// such as the shadow's deferred index build, where nothing waits on the
// stream. Release ends it.
func (a *Applier) Hold() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.held = true
	for a.active > 0 {
		a.wake.Wait()
	}
}

// Release lets the flushes Hold stopped go on.
func (a *Applier) Release() {
	a.mu.Lock()
	a.held = false
	a.wake.Broadcast()
	a.mu.Unlock()
}
