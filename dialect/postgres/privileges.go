package postgres

import (
	"context"
	"errors"
	"fmt"
)

// CheckPrivileges checks what a run needs beyond CheckServer: to own the
// table (the cut-over renames it; CREATE PUBLICATION requires it) and to
// create in its schema (the shadow) and in the database (the publication).
// It returns every missing privilege at once, each with the statement that
// grants it.
func CheckPrivileges(ctx context.Context, db Querier, schema, table string) error {
	var role, owner string
	var owns, inSchema, inDB bool
	err := db.QueryRowContext(ctx, `SELECT current_user::text, pg_get_userbyid(c.relowner)::text,
		pg_has_role(current_user, c.relowner, 'USAGE'),
		has_schema_privilege(current_user, n.oid, 'CREATE'),
		has_database_privilege(current_user, current_database(), 'CREATE')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2`, schema, table).Scan(&role, &owner, &owns, &inSchema, &inDB)
	if err != nil {
		return fmt.Errorf("read the privileges of the current role on %s.%s: %w", schema, table, err)
	}
	var errs []error
	if !owns {
		errs = append(errs, fmt.Errorf("role %s does not own %s.%s (owner %s): the cut-over renames the table and the publication needs its owner; run GRANT %s TO %s",
			role, schema, table, owner, rowsIdent(owner), rowsIdent(role)))
	}
	if !inSchema {
		errs = append(errs, fmt.Errorf("role %s may not create tables in schema %s (the shadow table): run GRANT CREATE ON SCHEMA %s TO %s",
			role, schema, rowsIdent(schema), rowsIdent(role)))
	}
	if !inDB {
		errs = append(errs, fmt.Errorf("role %s may not create publications in this database: run GRANT CREATE ON DATABASE <database> TO %s",
			role, rowsIdent(role)))
	}
	return errors.Join(errs...)
}
