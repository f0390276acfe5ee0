package control

import (
	"fmt"
	"math"
	"strconv"
)

// numericKnobs are checked here, so a typo gets the same reply whatever the
// Target and never reaches it; ranges beyond "not negative" are the
// Target's business.
var numericKnobs = map[string]bool{ // name → integer only
	"chunk-size":                      true,
	"dml-batch-size":                  true,
	"max-lag-millis":                  true,
	"critical-load-interval-millis":   true,
	"critical-load-hibernate-seconds": true,
	"nice-ratio":                      false,
}

// checkValue rejects a value a numeric knob cannot take. Other knobs take any
// text, including none (throttle-query= clears the query).
func checkValue(name, value string) error {
	integer, numeric := numericKnobs[name]
	if !numeric {
		return nil
	}
	if integer {
		if n, err := strconv.ParseInt(value, 10, 64); err != nil || n < 0 {
			return fmt.Errorf("%s=%q: want a whole number, 0 or more; nothing changed", name, value)
		}
		return nil
	}
	f, err := strconv.ParseFloat(value, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Errorf("%s=%q: want a number, 0 or more; nothing changed", name, value)
	}
	return nil
}
