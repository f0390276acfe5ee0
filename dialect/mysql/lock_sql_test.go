package mysql

import (
	"regexp"
	"testing"
	"time"
)

// TestCutOverSQL: the cut-over's statements name exactly the tables they
// lock, drop and rename, each qualified and quoted.
func TestCutOverSQL(t *testing.T) {
	for _, c := range []struct{ name, got, want string }{
		{"create sentry", createSentrySQL("db", "_t_del"),
			"CREATE TABLE `db`.`_t_del` (id INT PRIMARY KEY) ENGINE=InnoDB COMMENT='hotswap cut-over sentry: safe to drop when no hotswap runs'"},
		{"lock table read, sentry write", lockForSwapSQL("db", "t", "_t_del"),
			"LOCK TABLES `db`.`t` READ, `db`.`_t_del` WRITE"},
		{"lock, hostile names", lockForSwapSQL("my db", "t`1", "_t`1_dél"),
			"LOCK TABLES `my db`.`t``1` READ, `my db`.`_t``1_dél` WRITE"},
		{"drop sentry", dropSentrySQL("db", "_t_del"), "DROP TABLE `db`.`_t_del`"},
		{"swap rename", SwapRenameSQL("db", "t", "_t_old", "_t_new"),
			"RENAME TABLE `db`.`t` TO `db`.`_t_old`, `db`.`_t_new` TO `db`.`t`"},
		{"swap rename, hostile names", SwapRenameSQL("d`b", "t ü", "_t ü_old", "_t ü_new"),
			"RENAME TABLE `d``b`.`t ü` TO `d``b`.`_t ü_old`, `d``b`.`_t ü_new` TO `d``b`.`t ü`"},
		{"swap rename of two tables", SwapRenameAllSQL("db", []Swap{{"a", "_a_old", "_a_new"}, {"b", "_b_old", "_b_new"}}),
			"RENAME TABLE `db`.`a` TO `db`.`_a_old`, `db`.`_a_new` TO `db`.`a`, `db`.`b` TO `db`.`_b_old`, `db`.`_b_new` TO `db`.`b`"},
		{"queue probe", queueProbeSQL("db", "t`x"), "SELECT 1 FROM `db`.`t``x` LIMIT 0"},
		{"kill query", killQuerySQL(42), "KILL QUERY 42"},
		{"carry AUTO_INCREMENT", carryAutoIncrementSQL("db", "_t_new", "18446744073709551615"),
			"ALTER TABLE `db`.`_t_new` AUTO_INCREMENT = 18446744073709551615"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got  %s\nwant %s", c.got, c.want)
			}
		})
	}
}

// TestSentryCommentSQL: the comment the sentry is created with is the one a
// later cleanup recognizes it by, and a user's table comment is not.
func TestSentryCommentSQL(t *testing.T) {
	m := regexp.MustCompile(`COMMENT='([^']*)'`).FindStringSubmatch(createSentrySQL("db", "s"))
	if m == nil {
		t.Fatal("the sentry is created without a comment")
	}
	if !isSentryComment(m[1]) {
		t.Errorf("the sentry's comment %q is not recognized as a sentry's", m[1])
	}
	for _, other := range []string{"", "orders of the shop", "kept by hotswap cut-over sentry"} {
		if isSentryComment(other) {
			t.Errorf("comment %q taken for a sentry's", other)
		}
	}
}

// TestSetLockWaitSQL: the wait is rounded to whole seconds, never below one.
func TestSetLockWaitSQL(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "SET SESSION lock_wait_timeout = 1"},
		{400 * time.Millisecond, "SET SESSION lock_wait_timeout = 1"},
		{1400 * time.Millisecond, "SET SESSION lock_wait_timeout = 1"},
		{1500 * time.Millisecond, "SET SESSION lock_wait_timeout = 2"},
		{30 * time.Second, "SET SESSION lock_wait_timeout = 30"},
	} {
		if got := setLockWaitSQL(c.d); got != c.want {
			t.Errorf("setLockWaitSQL(%s) = %s, want %s", c.d, got, c.want)
		}
	}
}
