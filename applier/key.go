package applier

import (
	"fmt"
	"strconv"
)

// KeyString turns a key into a map key for deduplication: two keys are the
// same row to the applier exactly when their KeyStrings are equal. Streams
// use it too, to tell whether an update changed a row's key.
func KeyString(key []any) string {
	b := make([]byte, 0, 32)
	for _, v := range key {
		switch x := v.(type) {
		case []byte:
			b = strconv.AppendQuote(b, string(x))
		case string:
			b = strconv.AppendQuote(b, x)
		default:
			b = fmt.Appendf(b, "%v", x)
		}
		b = append(b, 0)
	}
	return string(b)
}
