package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// serverReadiness is what CheckServer reads, in one query.
type serverReadiness struct {
	role                    string
	walLevel                string
	superuser, replication  bool
	rdsReplication          bool // member of Amazon RDS's rds_replication role
	maxSlots, usedSlots     int
	maxSenders, usedSenders int
}

// CheckServer checks what the change stream needs before anything is
// changed: wal_level=logical, a role allowed to replicate (REPLICATION,
// superuser, or rds_replication on Amazon RDS), a free replication slot and
// a free WAL sender. It returns every failure at once, each naming the
// setting, its value and the fix.
func CheckServer(ctx context.Context, db Querier) error {
	r, err := readServerReadiness(ctx, db)
	if err != nil {
		return err
	}
	return errors.Join(r.problems()...)
}

// readServerReadiness counts slots from pg_replication_slots (physical,
// logical and temporary ones all count against max_replication_slots) and
// WAL senders from pg_stat_replication, whose rows (not their details) every
// role can see. The CASE keeps pg_has_role from failing where the
// rds_replication role does not exist.
func readServerReadiness(ctx context.Context, db Querier) (serverReadiness, error) {
	var r serverReadiness
	err := db.QueryRowContext(ctx, `SELECT current_user::text, current_setting('wal_level'),
		r.rolsuper, r.rolreplication,
		CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_replication')
			THEN pg_has_role(current_user, 'rds_replication', 'member') ELSE false END,
		current_setting('max_replication_slots')::int, (SELECT count(*) FROM pg_replication_slots)::int,
		current_setting('max_wal_senders')::int, (SELECT count(*) FROM pg_stat_replication)::int
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&r.role, &r.walLevel,
		&r.superuser, &r.replication, &r.rdsReplication,
		&r.maxSlots, &r.usedSlots, &r.maxSenders, &r.usedSenders)
	if err != nil {
		return r, fmt.Errorf("read server settings for the change stream: %w", err)
	}
	return r, nil
}

func (r serverReadiness) problems() []error {
	var errs []error
	if r.walLevel != "logical" {
		errs = append(errs, fmt.Errorf("wal_level is %q: the change stream uses logical decoding, which needs wal_level = logical; "+
			"run ALTER SYSTEM SET wal_level = logical and restart PostgreSQL (managed services: enable logical replication in the parameter group)", r.walLevel))
	}
	if !r.superuser && !r.replication && !r.rdsReplication {
		role := pgx.Identifier{r.role}.Sanitize()
		errs = append(errs, fmt.Errorf("role %s has neither REPLICATION nor SUPERUSER (rolreplication = false): the change stream needs a replication slot; "+
			"run ALTER ROLE %s REPLICATION as a superuser (Amazon RDS: GRANT rds_replication TO %s)", role, role, role))
	}
	if r.usedSlots >= r.maxSlots {
		errs = append(errs, fmt.Errorf("max_replication_slots is %d and %d slots exist (see pg_replication_slots): no slot is free for the change stream; "+
			"drop unused slots with pg_drop_replication_slot(name) or raise max_replication_slots (restart needed)", r.maxSlots, r.usedSlots))
	}
	if r.usedSenders >= r.maxSenders {
		errs = append(errs, fmt.Errorf("max_wal_senders is %d and %d WAL senders are running (see pg_stat_replication): the change stream needs one more; "+
			"raise max_wal_senders (restart needed) or stop a replication client", r.maxSenders, r.usedSenders))
	}
	return errs
}
