package mysql

import "testing"

// TestShadowDDLSQL: the shadow is created LIKE the table, then the user's
// ALTER clauses are appended as written; the instant attempt runs them on the
// table itself with ALGORITHM=INSTANT; cleanups drop only what is there.
func TestShadowDDLSQL(t *testing.T) {
	for _, c := range []struct{ name, got, want string }{
		{"create shadow", createShadowSQL("db", "t", "_t_new"), "CREATE TABLE `db`.`_t_new` LIKE `db`.`t`"},
		{"create shadow, hostile names", createShadowSQL("my`db", "tâble 1", "_tâble 1_new"),
			"CREATE TABLE `my``db`.`_tâble 1_new` LIKE `my``db`.`tâble 1`"},
		{"alter shadow", alterShadowSQL("db", "_t_new", "ADD COLUMN x INT, DROP KEY k"),
			"ALTER TABLE `db`.`_t_new` ADD COLUMN x INT, DROP KEY k"},
		{"alter instant", alterInstantSQL("db", "t", "ADD COLUMN x INT"),
			"ALTER TABLE `db`.`t` ADD COLUMN x INT, ALGORITHM=INSTANT"},
		{"alter instant, hostile table", alterInstantSQL("db", "t`x y", "DROP COLUMN `a``b`"),
			"ALTER TABLE `db`.`t``x y` DROP COLUMN `a``b`, ALGORITHM=INSTANT"},
		{"drop table", DropTableSQL("db", "_t_old"), "DROP TABLE IF EXISTS `db`.`_t_old`"},
		{"drop table, hostile name", DropTableSQL("db", "_t`ü_old"), "DROP TABLE IF EXISTS `db`.`_t``ü_old`"},
		{"show create", showCreateSQL("db", "_t`ü_new"), "SHOW CREATE TABLE `db`.`_t``ü_new`"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got  %s\nwant %s", c.got, c.want)
			}
		})
	}
}

// showCreateShadow is SHOW CREATE TABLE as MariaDB prints it: a plain key
// last (no trailing comma), one with an odd name, prefix and comment, and the
// indexes that must stay during the copy (primary, unique, full-text, spatial).
const showCreateShadow = "CREATE TABLE `_t_new` (\n" +
	"  `id` int(11) NOT NULL,\n" +
	"  `u` int(11) NOT NULL,\n" +
	"  `v` varchar(10) DEFAULT NULL,\n" +
	"  `w` text DEFAULT NULL,\n" +
	"  `g` point NOT NULL,\n" +
	"  PRIMARY KEY (`id`),\n" +
	"  UNIQUE KEY `uk_u` (`u`),\n" +
	"  KEY `ix ``odd`` ü` (`v`(5),`u`) COMMENT 'x, y',\n" +
	"  FULLTEXT KEY `ft_w` (`w`),\n" +
	"  SPATIAL KEY `sp_g` (`g`),\n" +
	"  KEY `ix_v` (`v`)\n" +
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"

// TestDeferIndexesSQL: only plain secondary keys are deferred, dropped in one
// ALTER and added back in another, each definition as the server printed it;
// a key leading with columns to keep stays.
func TestDeferIndexesSQL(t *testing.T) {
	for _, c := range []struct {
		name, ddl, wantDrop, wantBuild string
		keep                           [][]string
	}{
		{"plain keys among others", showCreateShadow,
			"ALTER TABLE `db`.`_t_new` DROP KEY `ix ``odd`` ü`, DROP KEY `ix_v`",
			"ALTER TABLE `db`.`_t_new` ADD KEY `ix ``odd`` ü` (`v`(5),`u`) COMMENT 'x, y', ADD KEY `ix_v` (`v`)", nil},
		{"nothing to defer", "CREATE TABLE `_t_new` (\n  `id` int(11) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB", "", "", nil},
		{"a key leading with the columns a cascade's lookups use stays", showCreateShadow,
			"ALTER TABLE `db`.`_t_new` DROP KEY `ix_v`",
			"ALTER TABLE `db`.`_t_new` ADD KEY `ix_v` (`v`)", [][]string{{"v", "U"}}},
		{"every key leading with them stays", showCreateShadow, "", "", [][]string{{"V"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			drop, build := deferIndexesSQL("db", "_t_new", c.ddl, c.keep)
			if drop != c.wantDrop {
				t.Errorf("drop\ngot  %s\nwant %s", drop, c.wantDrop)
			}
			if build != c.wantBuild {
				t.Errorf("build\ngot  %s\nwant %s", build, c.wantBuild)
			}
		})
	}
}
