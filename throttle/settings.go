package throttle

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// counterName is what a --max-load / --critical-load counter name may look
// like: the engine's Load checks the name exists; this keeps anything else
// out of its SQL.
var counterName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// Setting names, as gh-ost spells its flags.
const (
	MaxLagMillis               = "max-lag-millis"
	MaxLoad                    = "max-load"
	CriticalLoad               = "critical-load"
	CriticalLoadIntervalMillis = "critical-load-interval-millis"
	ThrottleQuery              = "throttle-query"
	ThrottleHTTP               = "throttle-http"
	ThrottleControlReplicas    = "throttle-control-replicas"
	NiceRatio                  = "nice-ratio"
	ThrottleFlagFile           = "throttle-flag-file"
	ThrottleAdditionalFlagFile = "throttle-additional-flag-file"
)

// DefaultMaxLag is max-lag-millis when not set.
const DefaultMaxLag = 1500 * time.Millisecond

// defaultReplicaPort is the port of a control replica given without one, as
// in gh-ost, unless SetDefaultReplicaPort changes it.
const defaultReplicaPort = "3306"

// threshold is one "Variable=value" of max-load or critical-load.
type threshold struct {
	Variable string
	Value    int64
}

// values is one consistent copy of the settings.
type values struct {
	maxLag               time.Duration
	maxLoad              []threshold
	criticalLoad         []threshold
	criticalLoadInterval time.Duration
	throttleQuery        string
	throttleHTTP         string
	controlReplicas      []string
	niceRatio            float64
	flagFile             string
	additionalFlagFile   string
	replicaPort          string // of a control replica given without one
}

// Settings are the knobs a DBA changes while the run goes on (from flags, then the control socket).
type Settings struct {
	mu sync.Mutex
	v  values
}

// NewSettings returns the defaults: max-lag-millis 1500, everything else off.
func NewSettings() *Settings {
	return &Settings{v: values{maxLag: DefaultMaxLag, replicaPort: defaultReplicaPort}}
}

// SetDefaultReplicaPort sets the port of a control replica given without
// one (3306 unless set; 5432 suits PostgreSQL standbys). Call it before the
// replicas are set.
func (s *Settings) SetDefaultReplicaPort(port int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.v.replicaPort = strconv.Itoa(port)
}

type knob struct {
	name string
	set  func(v *values, text string) error
	get  func(v *values) string
}

var knobs = []knob{
	{MaxLagMillis,
		func(v *values, s string) error {
			ms, err := parseMillis(s, 1)
			if err != nil {
				return err
			}
			v.maxLag = ms
			return nil
		},
		func(v *values) string { return strconv.FormatInt(v.maxLag.Milliseconds(), 10) }},
	{MaxLoad,
		func(v *values, s string) error {
			t, err := parseLoad(s)
			if err != nil {
				return err
			}
			v.maxLoad = t
			return nil
		},
		func(v *values) string { return formatLoad(v.maxLoad) }},
	{CriticalLoad,
		func(v *values, s string) error {
			t, err := parseLoad(s)
			if err != nil {
				return err
			}
			v.criticalLoad = t
			return nil
		},
		func(v *values) string { return formatLoad(v.criticalLoad) }},
	{CriticalLoadIntervalMillis,
		func(v *values, s string) error {
			ms, err := parseMillis(s, 0)
			if err != nil {
				return err
			}
			v.criticalLoadInterval = ms
			return nil
		},
		func(v *values) string { return strconv.FormatInt(v.criticalLoadInterval.Milliseconds(), 10) }},
	{ThrottleQuery,
		func(v *values, s string) error { v.throttleQuery = strings.TrimSpace(s); return nil },
		func(v *values) string { return v.throttleQuery }},
	{ThrottleHTTP,
		func(v *values, s string) error {
			s = strings.TrimSpace(s)
			if s != "" {
				u, err := url.Parse(s)
				if err != nil {
					return err
				}
				if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return fmt.Errorf("%q is not an http:// or https:// URL", s)
				}
			}
			v.throttleHTTP = s
			return nil
		},
		func(v *values) string { return v.throttleHTTP }},
	{ThrottleControlReplicas,
		func(v *values, s string) error {
			r, err := parseReplicas(s, v.replicaPort)
			if err != nil {
				return err
			}
			v.controlReplicas = r
			return nil
		},
		func(v *values) string { return strings.Join(v.controlReplicas, ",") }},
	{NiceRatio,
		func(v *values, s string) error {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
				return fmt.Errorf("%q is not a number >= 0 (e.g. 0.5: sleep half as long as each chunk took)", s)
			}
			v.niceRatio = f
			return nil
		},
		func(v *values) string { return strconv.FormatFloat(v.niceRatio, 'g', -1, 64) }},
	{ThrottleFlagFile,
		func(v *values, s string) error { v.flagFile = strings.TrimSpace(s); return nil },
		func(v *values) string { return v.flagFile }},
	{ThrottleAdditionalFlagFile,
		func(v *values, s string) error { v.additionalFlagFile = strings.TrimSpace(s); return nil },
		func(v *values) string { return v.additionalFlagFile }},
}

func findKnob(name string) (knob, error) {
	for _, k := range knobs {
		if k.name == name {
			return k, nil
		}
	}
	return knob{}, fmt.Errorf("unknown throttle setting %q (known: %s)", name, strings.Join(names(), ", "))
}

func names() []string {
	out := make([]string, len(knobs))
	for i, k := range knobs {
		out[i] = k.name
	}
	return out
}

// Set parses and applies one knob by its gh-ost flag name; a bad value
// returns an error naming the setting and changes nothing.
func (s *Settings) Set(name, value string) error {
	k, err := findKnob(name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.v.clone()
	if err := k.set(&v, value); err != nil {
		return fmt.Errorf("%s=%q: %w", name, value, err)
	}
	s.v = v
	return nil
}

// Get returns the current value as text, in the format Set accepts.
func (s *Settings) Get(name string) (string, error) {
	k, err := findKnob(name)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return k.get(&s.v), nil
}

// Names lists every setting Set and Get know, in a fixed order.
func (s *Settings) Names() []string { return names() }

// snapshot returns a copy the caller may keep.
func (s *Settings) snapshot() values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.v.clone()
}

func (v values) clone() values {
	v.maxLoad = slices.Clone(v.maxLoad)
	v.criticalLoad = slices.Clone(v.criticalLoad)
	v.controlReplicas = slices.Clone(v.controlReplicas)
	return v
}

func parseMillis(s string, minimum int64) (time.Duration, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < minimum || n > math.MaxInt64/int64(time.Millisecond) {
		return 0, fmt.Errorf("%q is not a whole number of milliseconds >= %d", s, minimum)
	}
	return time.Duration(n) * time.Millisecond, nil
}

// parseLoad reads "Threads_running=25,Threads_connected=500"; empty is none.
func parseLoad(s string) ([]threshold, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []threshold
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(part, "=")
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if !ok || name == "" {
			return nil, fmt.Errorf("%q is not Variable=value (e.g. Threads_running=25,Threads_connected=500)", strings.TrimSpace(part))
		}
		if !counterName.MatchString(name) {
			return nil, fmt.Errorf("%q is not a status variable name", name)
		}
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("threshold of %s: %q is not a whole number >= 0", name, val)
		}
		if seen[strings.ToLower(name)] {
			return nil, fmt.Errorf("%s is given twice", name)
		}
		seen[strings.ToLower(name)] = true
		out = append(out, threshold{Variable: name, Value: n})
	}
	return out, nil
}

func formatLoad(t []threshold) string {
	parts := make([]string, len(t))
	for i, th := range t {
		parts[i] = fmt.Sprintf("%s=%d", th.Variable, th.Value)
	}
	return strings.Join(parts, ",")
}

// parseReplicas reads "host:port,host:port"; a host without a port gets
// defaultPort.
func parseReplicas(s, defaultPort string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("empty entry in the list (expected host:port,host:port)")
		}
		host, port, err := net.SplitHostPort(part)
		if err != nil {
			if strings.Contains(err.Error(), "missing port") {
				host, port = strings.Trim(part, "[]"), defaultPort
			} else {
				return nil, fmt.Errorf("%q is not host:port: %w", part, err)
			}
		}
		if host == "" {
			return nil, fmt.Errorf("%q has no host", part)
		}
		if strings.ContainsAny(host, "[]") { // "[a]b": the brackets belong around the whole host
			return nil, fmt.Errorf("%q is not host:port: stray bracket in the host", part)
		}
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			return nil, fmt.Errorf("%q: port %q is not a number from 1 to 65535", part, port)
		}
		hp := net.JoinHostPort(host, port)
		if !slices.Contains(out, hp) {
			out = append(out, hp)
		}
	}
	return out, nil
}
