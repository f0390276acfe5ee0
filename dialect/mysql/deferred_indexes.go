package mysql

import (
	"context"
	"errors"
	"fmt"
	"regexp"
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
// indexes stay. "" when there is nothing to defer.
func DeferIndexes(ctx context.Context, q Querier, database, shadow string) (string, error) {
	ddl, err := ShowCreate(ctx, q, database, shadow)
	if err != nil {
		return "", err
	}
	drop, build := deferIndexesSQL(database, shadow, ddl)
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
func deferIndexesSQL(database, shadow, ddl string) (drop, build string) {
	var drops, adds []string
	for _, line := range strings.Split(ddl, "\n") {
		def := strings.TrimSuffix(strings.TrimSpace(line), ",")
		m := plainKey.FindStringSubmatch(def)
		if m == nil {
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
