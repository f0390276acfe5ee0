package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// AlterSet names the settings an ALTER sets (see AlterSettings), as keys:
// "replident", "cluster", "stat:<column>", "opt:<column>:<option>" (column ""
// for the table's storage parameters, option toast.* for its TOAST table's).
type AlterSet map[string]bool

// settingsProbe is the temporary table AlterSettings applies the ALTER to.
const settingsProbe = "hotswap_settings_probe"

// AlterSettings tells which settings of the table the ALTER sets, so that the
// cut-over can follow the table's other settings as they are then (changed
// by someone during the run, say) without undoing the ALTER's. The shadow
// cannot tell: it was given the table's settings before the ALTER
// (CreateShadow), and a value the ALTER set looks like any other. Nor is it
// kept anywhere: it is derived again, the same way, by a --resume.
//
// The server answers: in a transaction rolled back at once, on one
// connection, a temporary copy of the table (LIKE ... INCLUDING ALL) gets the
// table's settings (CarrySettingsSQL's statements), then the ALTER (names
// mapped as for the shadow); the settings that differ before and after the
// ALTER are the ALTER's. A temporary table keeps its index names in the
// session's own schema, away from the table's and the shadow's. An ALTER a
// temporary table does not take (SET LOGGED, a foreign key to a permanent
// table) returns an error: then follow none (the shadow keeps the settings
// it got with the ALTER). Nothing is changed.
func AlterSettings(ctx context.Context, db *sql.DB, schemaName, table, alter string) (AlterSet, error) {
	var set AlterSet
	err := rolledBack(ctx, db, func(conn *sql.Conn) (err error) {
		set, err = alterSettingsIn(ctx, conn, schemaName, table, alter)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("probe the ALTER's settings on a temporary copy of %s.%s: %w", schemaName, table, err)
	}
	return set, nil
}

func alterSettingsIn(ctx context.Context, conn *sql.Conn, schemaName, table, alter string) (AlterSet, error) {
	if _, err := conn.ExecContext(ctx, "CREATE TEMPORARY TABLE "+settingsProbe+" (LIKE "+
		pgx.Identifier{schemaName, table}.Sanitize()+" INCLUDING ALL)"); err != nil {
		return nil, err
	}
	orig, err := catalogRelOID(ctx, conn, schemaName, table)
	if err != nil {
		return nil, err
	}
	var probe uint32
	if err := conn.QueryRowContext(ctx, "SELECT 'pg_temp."+settingsProbe+"'::regclass::oid").Scan(&probe); err != nil {
		return nil, err
	}
	p := carryPair{orig: orig, shadow: probe, target: "pg_temp." + settingsProbe}
	for _, gen := range []func(context.Context, Querier, carryPair) ([]string, error){
		carryOptions, carryReplicaIdentity, carryCluster, carryStatisticsTargets,
	} {
		stmts, err := gen(ctx, conn, p)
		if err != nil {
			return nil, err
		}
		for _, s := range stmts {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return nil, fmt.Errorf("%s: %w", s, err)
			}
		}
	}
	before, err := readSettingValues(ctx, conn, probe)
	if err != nil {
		return nil, err
	}
	names, err := readShadowNames(ctx, conn, table, settingsProbe, orig, probe)
	if err != nil {
		return nil, err
	}
	if err := execOne(ctx, conn, "ALTER TABLE pg_temp."+settingsProbe+" "+names.rewrite(alter)); err != nil {
		return nil, err
	}
	after, err := readSettingValues(ctx, conn, probe)
	if err != nil {
		return nil, err
	}
	set := AlterSet{}
	for k, v := range before {
		if w, ok := after[k]; !ok || w != v {
			set[k] = true
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			set[k] = true
		}
	}
	return set, nil
}

// settingValuesQuery lists a table's settings: AlterSet key, value, and for
// options the column ("" for the table) and the option's name, which
// userOption filters: the server's own options (15.20's pg_attver) are
// neither carried nor the ALTER's.
const settingValuesQuery = `SELECT 'replident', c.relreplident::text || ':' || coalesce((SELECT ic.relname::text
		FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid AND i.indisreplident), ''), NULL, NULL
	FROM pg_class c WHERE c.oid = $1
	UNION ALL
	SELECT 'cluster', coalesce((SELECT ic.relname::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
		WHERE i.indrelid = $1 AND i.indisclustered), ''), NULL, NULL
	UNION ALL
	SELECT 'stat:' || a.attname, coalesce(a.attstattarget, -1)::text, NULL, NULL FROM pg_attribute a
	WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
	UNION ALL
	SELECT NULL, substr(o, strpos(o, '=') + 1), '', split_part(o, '=', 1) FROM pg_class c, unnest(c.reloptions) o WHERE c.oid = $1
	UNION ALL
	SELECT NULL, substr(o, strpos(o, '=') + 1), '', 'toast.' || split_part(o, '=', 1)
	FROM pg_class c JOIN pg_class t ON t.oid = c.reltoastrelid, unnest(t.reloptions) o WHERE c.oid = $1
	UNION ALL
	SELECT NULL, substr(o, strpos(o, '=') + 1), a.attname::text, split_part(o, '=', 1)
	FROM pg_attribute a, unnest(a.attoptions) o WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped`

func readSettingValues(ctx context.Context, db Querier, oid uint32) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, settingValuesQuery, oid)
	if err != nil {
		return nil, fmt.Errorf("read the settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var key, col, name sql.NullString
		var v string
		if err := rows.Scan(&key, &v, &col, &name); err != nil {
			return nil, err
		}
		switch {
		case key.Valid:
			out[key.String] = v
		case userOption(col.String, name.String):
			out[optionKey(col.String, name.String)] = v
		}
	}
	return out, rows.Err()
}

// optionKey is the AlterSet key of option name (toast.* included) of column
// col ("" for the table).
func optionKey(col, name string) string { return "opt:" + col + ":" + name }
