package postgres

import "testing"

func TestAnalyzeSQL(t *testing.T) {
	if got, want := AnalyzeSQL("S", `_t"new`), `ANALYZE "S"."_t""new"`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
