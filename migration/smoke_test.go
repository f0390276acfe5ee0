package migration_test

import (
	"strings"
	"testing"
)

func TestAlterSmallTable(t *testing.T) {
	e := newEnv(t)
	e.exec("CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, a VARCHAR(20), b INT, d INT)")
	for i := 0; i < 20; i++ {
		e.exec("INSERT INTO t (a, b, d) SELECT CONCAT('x', seq), seq, seq FROM seq_1_to_100")
	}
	e.exec("CREATE TABLE want AS SELECT id, a, b FROM t")
	out, err := e.run(e.config("t", "ADD COLUMN c INT DEFAULT 7, DROP COLUMN d, MODIFY b BIGINT"))
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	ddl := e.showCreate("t")
	if !strings.Contains(ddl, "`c` int(11) DEFAULT 7") || strings.Contains(ddl, "`d`") || !strings.Contains(ddl, "`b` bigint") {
		t.Fatalf("new schema not in place:\n%s", ddl)
	}
	e.compare("want", "t", []string{"id"}, [][2]string{{"a", "a"}, {"b", "b"}})
	if got := e.tables(); got != "_t_old,t,want" {
		t.Fatalf("tables after run: %s", got)
	}
}
