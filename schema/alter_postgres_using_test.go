package schema

import (
	"reflect"
	"testing"
)

func TestPostgresTypeUsings(t *testing.T) {
	for _, c := range []struct {
		clauses string
		want    []PGTypeUsing
		err     bool
	}{
		{"ADD COLUMN x int", nil, false},
		{"ALTER COLUMN v TYPE integer USING length(v)", []PGTypeUsing{{"v", "length(v)"}}, false},
		{`ALTER "Mixed" SET DATA TYPE numeric(10,2) USING "Mixed" / 100, ADD COLUMN y int`, []PGTypeUsing{{"Mixed", `"Mixed" / 100`}}, false},
		{"alter column V type text using V::text || ',' , alter column w type bigint using coalesce(w, 0) -- zero",
			[]PGTypeUsing{{"v", "V::text || ','"}, {"w", "coalesce(w, 0)"}}, false},
		{"ALTER COLUMN column TYPE int USING column + 1", []PGTypeUsing{{"column", "column + 1"}}, false},
		{"ALTER COLUMN d TYPE date USING to_date(d, 'DD,MM,YYYY')", []PGTypeUsing{{"d", "to_date(d, 'DD,MM,YYYY')"}}, false},
		{"ALTER COLUMN v SET DEFAULT 'type using'", nil, false},
		{"ALTER COLUMN v TYPE int USING", nil, true},
		{"ADD COLUMN type int, ALTER v TYPE int USING v", []PGTypeUsing{{"v", "v"}}, false},
	} {
		got, err := PostgresTypeUsings(c.clauses)
		if (err != nil) != c.err || !reflect.DeepEqual(got, c.want) {
			t.Errorf("PostgresTypeUsings(%q) = %q, %v; want %q (error %v)", c.clauses, got, err, c.want, c.err)
		}
	}
}

func TestPGTokensIdent(t *testing.T) {
	toks := PGTokens(`DROP CONSTRAINT "Odd""Name", E'it\'s' /* c */ x_1 $$a$$`)
	var kinds []PGTokenKind
	for _, tk := range toks {
		kinds = append(kinds, tk.Kind)
	}
	want := []PGTokenKind{PGWord, PGWord, PGQuoted, PGOther, PGString, PGWord, PGString}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("kinds = %v, want %v (%v)", kinds, want, toks)
	}
	if name, ok := toks[2].Ident(); !ok || name != `Odd"Name` {
		t.Errorf("quoted ident = %q, %v", name, ok)
	}
	if name, ok := toks[1].Ident(); !ok || name != "constraint" {
		t.Errorf("bare ident = %q, %v", name, ok)
	}
}

func TestPGUnqualifyUsing(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ALTER COLUMN v TYPE int USING length(t.v)", "ALTER COLUMN v TYPE int USING length(v)"},
		{`ALTER v TYPE int USING "T".v, ALTER w TYPE int USING T.w`, `ALTER v TYPE int USING "T".v, ALTER w TYPE int USING w`},
		{"ALTER COLUMN v SET DEFAULT t.v, ALTER COLUMN v TYPE text USING 't.v' || s.t.v", "ALTER COLUMN v SET DEFAULT t.v, ALTER COLUMN v TYPE text USING 't.v' || s.t.v"},
	} {
		if got := PGUnqualifyUsing(c.in, "t"); got != c.want {
			t.Errorf("PGUnqualifyUsing(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
