package mysql

import "testing"

// TestCheckpointSQL: the checkpoint is one row (id 1) of a table of its own,
// the ALTER and the state bound as arguments, never written into the text.
func TestCheckpointSQL(t *testing.T) {
	if got, want := createCheckpointSQL("db", "_t_ckp"),
		"CREATE TABLE `db`.`_t_ckp` (id TINYINT PRIMARY KEY, alter_text LONGTEXT NOT NULL, state LONGTEXT NOT NULL,"+
			" updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)) ENGINE=InnoDB"; got != want {
		t.Errorf("create\ngot  %s\nwant %s", got, want)
	}
	alter, state := "ADD COLUMN `x` INT COMMENT 'it''s'", `{"pos":"bin.000001:4"}`
	query, args := saveCheckpointSQL("my db", "_t`ckp", alter, state)
	assertSQL(t, query, args, "REPLACE INTO `my db`.`_t``ckp` (id, alter_text, state) VALUES (1, ?, ?)", []any{alter, state})
	if got, want := loadCheckpointSQL("db", "_t_ckp"), "SELECT alter_text, state FROM `db`.`_t_ckp` WHERE id = 1"; got != want {
		t.Errorf("load\ngot  %s\nwant %s", got, want)
	}
}
