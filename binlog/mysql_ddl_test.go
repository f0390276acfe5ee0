package binlog

import (
	"context"
	"strings"
	"testing"

	"github.com/go-mysql-org/go-mysql/replication"
)

// TestStreamPassesOnlyItsOwnRename: a stream fails on DDL that changes its
// table, except the one statement of hotswap's own it was told to pass (a
// revert window's stream starts just before the cut-over's RENAME).
func TestStreamPassesOnlyItsOwnRename(t *testing.T) {
	own := "RENAME TABLE `db`.`t` TO `db`.`_t_old`, `db`.`_t_new` TO `db`.`t`"
	query := func(q string) *replication.BinlogEvent {
		return &replication.BinlogEvent{Event: &replication.QueryEvent{Schema: []byte("db"), Query: []byte(q)}}
	}
	s := &MySQLStream{cfg: MySQLConfig{Database: "db", Table: "t", Passes: own}}
	if err := s.handle(context.Background(), query(own), nil); err != nil {
		t.Fatalf("its own RENAME: %v", err)
	}
	other := "RENAME TABLE `db`.`t` TO `db`.`t2`"
	if err := s.handle(context.Background(), query(other), nil); err == nil || !strings.Contains(err.Error(), "changed by another session") {
		t.Fatalf("another RENAME of the table: %v", err)
	}
	s.cfg.Passes = ""
	if err := s.handle(context.Background(), query(own), nil); err == nil {
		t.Fatal("a stream not told to pass the RENAME let it pass")
	}
}
