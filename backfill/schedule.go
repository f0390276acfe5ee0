package backfill

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Clock is the time source of the schedule (a fake one in tests).
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Window is a daily time-of-day range, e.g. 01:00-05:00, or one across
// midnight, 22:00-04:00, in a location.
type Window struct {
	from, to time.Duration // since midnight
	loc      *time.Location
}

// ParseWindow reads "HH:MM-HH:MM"; "" is no window (nil: always open).
func ParseWindow(spec string, loc *time.Location) (*Window, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	a, b, ok := strings.Cut(spec, "-")
	from, err1 := clockTime(a)
	to, err2 := clockTime(b)
	if !ok || err1 != nil || err2 != nil || from == to {
		return nil, fmt.Errorf("--window %q: want HH:MM-HH:MM, two different times of day, e.g. 01:00-05:00 (22:00-04:00 crosses midnight)", spec)
	}
	return &Window{from: from, to: to, loc: loc}, nil
}

func clockTime(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// sinceMidnight is t's time of day in the window's location, and that midnight.
func (w *Window) sinceMidnight(t time.Time) (time.Duration, time.Time) {
	t = t.In(w.loc)
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, w.loc)
	return t.Sub(midnight), midnight
}

// Contains says whether t is inside the window.
func (w *Window) Contains(t time.Time) bool {
	if w == nil {
		return true
	}
	d, _ := w.sinceMidnight(t)
	if w.from < w.to {
		return d >= w.from && d < w.to
	}
	return d >= w.from || d < w.to
}

// NextOpen is when the window next opens after t (t is outside it).
func (w *Window) NextOpen(t time.Time) time.Time {
	d, midnight := w.sinceMidnight(t)
	open := midnight.Add(w.from)
	if d >= w.from {
		open = midnight.AddDate(0, 0, 1).Add(w.from)
	}
	return open
}

func (w *Window) String() string {
	f := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return f(w.from) + "-" + f(w.to) + " " + w.loc.String()
}

// ErrMaxRuntime ends a backfill that ran for --max-runtime.
var ErrMaxRuntime = errors.New("--max-runtime reached")

// schedule combines --start-at, --window and --max-runtime into the one
// question each chunk asks first: may I run now?
type schedule struct {
	clock    Clock
	startAt  time.Time
	window   *Window
	deadline time.Time           // zero: none
	waiting  func(reason string) // "" when it runs again
}

// Wait blocks until a chunk may run: after StartAt and inside the window.
// It returns ErrMaxRuntime once the run's time is spent.
func (s *schedule) Wait(ctx context.Context) error {
	for {
		now := s.clock.Now()
		if !s.deadline.IsZero() && !now.Before(s.deadline) {
			return ErrMaxRuntime
		}
		var until time.Time
		switch {
		case now.Before(s.startAt):
			until = s.startAt
			s.waiting("waiting for start at " + s.startAt.Format(time.RFC3339))
		case !s.window.Contains(now):
			until = s.window.NextOpen(now)
			s.waiting("waiting for window " + s.window.String())
		default:
			s.waiting("")
			return nil
		}
		if !s.deadline.IsZero() && s.deadline.Before(until) {
			until = s.deadline
		}
		// wake at the moment, but look again at least every second: a fake
		// clock (or a suspended machine) may jump
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.clock.After(min(until.Sub(now), time.Second)):
		}
	}
}
