package versions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Server is one database of an environment, with its own configuration
// (connection and output); Name is how messages call it.
type Server struct {
	Name   string
	Config Config
}

// Fleet runs run (Up, Down, Status, ...) on every server of an environment,
// at most concurrency at a time. After a failure no new server starts (those
// running finish), so a bad version stops at the first servers it reaches.
// The error, when any, says what became of every server.
func Fleet(ctx context.Context, servers []Server, concurrency int, run func(context.Context, Config) error) error {
	concurrency = max(1, concurrency)
	outcome := make([]error, len(servers))
	started := make([]bool, len(servers))
	var (
		mu     sync.Mutex
		failed bool
		wg     sync.WaitGroup
	)
	slots := make(chan struct{}, concurrency)
	for i, s := range servers {
		slots <- struct{}{}
		mu.Lock()
		stop := failed || ctx.Err() != nil
		mu.Unlock()
		if stop {
			<-slots
			break
		}
		started[i] = true
		wg.Go(func() {
			defer func() { <-slots }()
			err := run(ctx, s.Config)
			mu.Lock()
			outcome[i], failed = err, failed || err != nil
			mu.Unlock()
		})
	}
	wg.Wait()
	return fleetError(servers, started, outcome)
}

// fleetError is nil when every server succeeded, else one line per server.
func fleetError(servers []Server, started []bool, outcome []error) error {
	var lines []string
	bad := false
	for i, s := range servers {
		switch {
		case !started[i]:
			lines, bad = append(lines, fmt.Sprintf("%s: not started (an earlier server failed)", s.Name)), true
		case outcome[i] != nil:
			lines, bad = append(lines, fmt.Sprintf("%s: %s", s.Name, firstLine(outcome[i]))), true
		default:
			lines = append(lines, fmt.Sprintf("%s: ok", s.Name))
		}
	}
	if !bad {
		return nil
	}
	err := errors.New("not every server succeeded:\n  " + strings.Join(lines, "\n  "))
	for _, e := range outcome {
		var drift *ErrDrift
		if errors.As(e, &drift) { // status keeps its exit status on drift
			return errors.Join(err, drift)
		}
	}
	return err
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
