package mysql

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	driver "github.com/go-sql-driver/mysql"
)

// plainKey matches a non-unique B-tree index line of SHOW CREATE TABLE and
// captures its name.
var plainKey = regexp.MustCompile("^KEY `((?:[^`]|``)+)` \\(")

// DeferIndexes drops the shadow's plain secondary indexes and returns the
// ALTER that adds them back: one sorted index build after the copy costs
// less than maintaining each index row by row during it. The primary key,
// unique keys (a clash must surface during the copy), full-text and spatial
// indexes stay, and so do those whose leading columns are one of keep (the
// lookups of rows a parent's cascade reached, see Rows.RowsReached, need
// them during the copy). "" when there is nothing to defer.
func DeferIndexes(ctx context.Context, q Querier, database, shadow string, keep [][]string) (string, error) {
	ddl, err := ShowCreate(ctx, q, database, shadow)
	if err != nil {
		return "", err
	}
	drop, build := deferIndexesSQL(database, shadow, ddl, keep)
	if drop == "" {
		return "", nil
	}
	if _, err := q.ExecContext(ctx, drop); err != nil {
		return "", fmt.Errorf("drop the shadow's secondary indexes until the copy is done: %w", err)
	}
	return build, nil
}

// deferIndexesSQL reads the plain secondary indexes off the shadow's CREATE
// TABLE (ddl): drop removes them all in one ALTER, build adds them back as
// the server printed them. Both are "" when there is none.
func deferIndexesSQL(database, shadow, ddl string, keep [][]string) (drop, build string) {
	var drops, adds []string
	for _, line := range strings.Split(ddl, "\n") {
		def := strings.TrimSuffix(strings.TrimSpace(line), ",")
		m := plainKey.FindStringSubmatch(def)
		if m == nil || leadsWithAny(keyColumns(def), keep) {
			continue
		}
		drops = append(drops, "DROP KEY `"+m[1]+"`")
		adds = append(adds, "ADD "+def)
	}
	if len(drops) == 0 {
		return "", ""
	}
	return "ALTER TABLE " + qualified(database, shadow) + " " + strings.Join(drops, ", "),
		"ALTER TABLE " + qualified(database, shadow) + " " + strings.Join(adds, ", ")
}

// BuildIndexes runs an index build DeferIndexes returned. A resumed run may
// find the indexes built already (the server finishes an ALTER whose
// client died): one ALTER is atomic, so a duplicate name means all are.
func BuildIndexes(ctx context.Context, q Querier, build string) error {
	_, err := q.ExecContext(ctx, build)
	var me *driver.MySQLError
	if errors.As(err, &me) && me.Number == 1061 { // ER_DUP_KEYNAME
		return nil
	}
	return err
}

// quotedName matches a `quoted` name of SHOW CREATE TABLE.
var quotedName = regexp.MustCompile("`((?:[^`]|``)+)`")

// keyColumns reads the column names of a KEY line of SHOW CREATE TABLE.
func keyColumns(def string) []string {
	i := strings.Index(def, "(")
	if i < 0 {
		return nil
	}
	var out []string
	for _, m := range quotedName.FindAllStringSubmatch(def[i:], -1) {
		out = append(out, strings.ReplaceAll(m[1], "``", "`"))
	}
	return out
}

// leadsWithAny says whether cols begin with one of prefixes (names compared
// case-insensitively, as the server does).
func leadsWithAny(cols []string, prefixes [][]string) bool {
	for _, p := range prefixes {
		if len(p) > 0 && len(p) <= len(cols) && slices.EqualFunc(p, cols[:len(p)], strings.EqualFold) {
			return true
		}
	}
	return false
}
