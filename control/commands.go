package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// knobName is what may stand left of "=": it keeps junk away from Target.Set.
var knobName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// run executes one trimmed command line and returns the reply and whether it
// succeeded. A panic in the Target becomes an ERROR reply, so a bug behind
// one command does not take the migration down.
func (s *Server) run(line string) (reply string, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error().Interface("panic", p).Str("command", line).Msg("control: command panicked")
			reply, ok = "ERROR: internal error running the command", false
		}
	}()
	reply, err := s.dispatch(line)
	if err != nil {
		return "ERROR: " + err.Error(), false
	}
	return reply, true
}

func (s *Server) dispatch(line string) (string, error) {
	if line == "" {
		return "", errors.New("empty command; try help")
	}
	name, value, hasValue := strings.Cut(line, "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !hasValue {
		return s.plain(name)
	}
	switch name {
	case "cut-over", "unpostpone":
		return s.named(name, value, s.unpostpone)
	case "panic":
		return s.named(name, value, s.abort)
	}
	if isPlain(name) {
		return "", fmt.Errorf("%s takes no value", name)
	}
	if !knobName.MatchString(name) {
		return "", fmt.Errorf("bad command %q; try help", line)
	}
	if value == "?" {
		return s.target.Get(name)
	}
	return s.set(name, value)
}

// plain runs a command without "=".
func (s *Server) plain(name string) (string, error) {
	switch name {
	case "help":
		return s.help(), nil
	case "status":
		return formatStatus(s.target.Status()), nil
	case "status-json":
		b, err := json.Marshal(s.target.Status())
		return string(b), err
	case "sup":
		return formatSup(s.target.Status()), nil
	case "throttle", "pause":
		s.target.SetThrottle(true)
		return "OK", nil
	case "no-throttle", "resume":
		s.target.SetThrottle(false)
		return "OK", nil
	case "revert", "finalize", "revert-plan":
		return s.window(name)
	case "cut-over", "unpostpone":
		return s.bare(name, s.opts.ForceNamedCutOver, "--force-named-cut-over", s.unpostpone)
	case "panic":
		return s.bare(name, s.opts.ForceNamedPanic, "--force-named-panic", s.abort)
	}
	return "", fmt.Errorf("unknown command %q; try help", name)
}

func (s *Server) set(name, value string) (string, error) {
	if err := checkValue(name, value); err != nil {
		return "", err
	}
	if err := s.target.Set(name, value); err != nil {
		return "", err
	}
	return "OK", nil
}

func (s *Server) unpostpone() (string, error) {
	if err := s.target.Unpostpone(); err != nil {
		return "", err
	}
	return "OK", nil
}

// window runs revert or finalize on a run with a revert window.
func (s *Server) window(name string) (string, error) {
	r, ok := s.target.(Reversible)
	if !ok {
		return "", fmt.Errorf("%s: this kind of run has no revert window", name)
	}
	switch name {
	case "revert-plan":
		return r.RevertPlan()
	case "revert":
		if err := r.Revert(); err != nil {
			return "", err
		}
		return "OK", nil
	}
	if err := r.Finalize(); err != nil {
		return "", err
	}
	return "OK", nil
}

func (s *Server) abort() (string, error) {
	s.target.Panic()
	return "OK", nil
}

// isRead says whether a line only reads: it is then logged at debug.
func isRead(line string) bool {
	switch line {
	case "help", "status", "status-json", "sup", "revert-plan":
		return true
	}
	_, value, ok := strings.Cut(line, "=")
	return ok && strings.TrimSpace(value) == "?" // as dispatch reads it: "throttle-query=SELECT a=?" sets
}
