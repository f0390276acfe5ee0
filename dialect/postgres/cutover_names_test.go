package postgres

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRetiredName: "_old" appended while it fits in 63 bytes; beyond, a cut
// on a character boundary plus a hash of the whole name, the same every
// time and different for names that share the kept prefix.
func TestRetiredName(t *testing.T) {
	if got := retiredName("t_pkey"); got != "t_pkey_old" {
		t.Fatalf("retiredName(t_pkey) = %q", got)
	}
	fits := strings.Repeat("a", 59)
	if got := retiredName(fits); got != fits+"_old" {
		t.Fatalf("59 bytes: %q", got)
	}
	long1, long2 := strings.Repeat("é", 31)+"x", strings.Repeat("é", 31)+"y" // 63 bytes each
	r1, r2 := retiredName(long1), retiredName(long2)
	for _, r := range []string{r1, r2} {
		if len(r) > pgMaxNameBytes || !utf8.ValidString(r) || !strings.HasSuffix(r, "_old") {
			t.Fatalf("retiredName of a long name = %q (%d bytes)", r, len(r))
		}
	}
	if r1 == r2 || r1 != retiredName(long1) {
		t.Fatalf("long names: %q and %q", r1, r2)
	}
}
