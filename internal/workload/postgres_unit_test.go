package workload

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestPgNumericTypmod(t *testing.T) {
	for typmod, want := range map[int64]string{
		-1:                         "decimal 30,6", // unconstrained
		10<<16 | 2 + 4:             "decimal 10,2", // numeric(10,2)
		5<<16 | 0 + 4:              "decimal 5,0",  // numeric(5)
		5<<16 | (2048-2)&0x7ff + 4: "unsupported",  // numeric(5,-2)
	} {
		c := &column{Class: clsDecimal, DataType: "decimal"}
		c.setNumeric(typmod)
		got := fmt.Sprintf("%s %d,%d", c.DataType, c.Precision, c.Scale)
		if c.Class == clsUnsupported {
			got = "unsupported"
		}
		if got != want {
			t.Errorf("typmod %d: %s, want %s", typmod, got, want)
		}
	}
}

func TestPgArrayLiteral(t *testing.T) {
	g := newGen(1, 1, 0)
	d := pgDialect{charset: "utf8mb4"}
	ints, texts := d.arrayColumn("int4", -1), d.arrayColumn("varchar", 8+4)
	for range 200 {
		for _, c := range []*column{ints, texts} {
			s := g.arrayLiteral(c.Elem)
			if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
				t.Fatalf("%s: bad literal %q", c.Elem.DataType, s)
			}
		}
	}
	if c := d.arrayColumn("interval", -1); c.Class != clsUnsupported {
		t.Errorf("interval[] is %v, want unsupported", c.Class)
	}
}

// Big PostgreSQL text/bytea values are over 8 kB (TOASTed) and at most 1 MB.
func TestPgBigValueSize(t *testing.T) {
	g := newGen(1, 1, 1)
	g.bigMin, g.bigSpan = pgDialect{}.bigValue()
	for range 100 {
		if n := g.blobSize(pgMaxText, true); n <= 8<<10 || n > 1<<20 {
			t.Fatalf("big value of %d bytes", n)
		}
	}
}

func TestPgForeignDuplicate(t *testing.T) {
	d := pgDialect{}
	for _, tc := range []struct {
		err  *pgconn.PgError
		want bool
	}{
		{&pgconn.PgError{Code: "23505", ConstraintName: "t_uk_key"}, true},
		{&pgconn.PgError{Code: "23505", ConstraintName: "t_pkey"}, false},
		{&pgconn.PgError{Code: "40P01"}, false},
		{&pgconn.PgError{Code: "40001"}, false},
	} {
		err := &OpError{Err: fmt.Errorf("wrapped: %w", tc.err)}
		if got := d.foreignDuplicate(err, "t_pkey"); got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.err.Code, tc.err.ConstraintName, got, tc.want)
		}
	}
}
