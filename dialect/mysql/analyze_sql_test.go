package mysql

import "testing"

func TestAnalyzeSQL(t *testing.T) {
	if got, want := AnalyzeSQL("d`b", "_t_new"), "ANALYZE NO_WRITE_TO_BINLOG TABLE `d``b`.`_t_new`"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
