package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CreateCheckpoint creates the run's checkpoint table: one row holding the
// ALTER and a JSON state document, rewritten every few seconds. It is not in
// the run's publication, so its writes never reach the stream.
func CreateCheckpoint(ctx context.Context, db Querier, schema, name string) error {
	_, err := db.ExecContext(ctx, "CREATE TABLE "+pgx.Identifier{schema, name}.Sanitize()+
		" (id smallint PRIMARY KEY, alter_text text NOT NULL, state text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())")
	if err != nil {
		return fmt.Errorf("create checkpoint table %s: %w", name, err)
	}
	return nil
}

// SaveCheckpoint writes the checkpoint row.
func SaveCheckpoint(ctx context.Context, db Querier, schema, name, alter, state string) error {
	_, err := db.ExecContext(ctx, "INSERT INTO "+pgx.Identifier{schema, name}.Sanitize()+
		" (id, alter_text, state) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET alter_text = EXCLUDED.alter_text, state = EXCLUDED.state, updated_at = now()",
		alter, state)
	if err != nil {
		return fmt.Errorf("write checkpoint %s: %w", name, err)
	}
	return nil
}

// LoadCheckpoint reads the checkpoint row; found is false when the table
// has none (a run that crashed before its first checkpoint).
func LoadCheckpoint(ctx context.Context, db Querier, schema, name string) (alter, state string, found bool, err error) {
	err = db.QueryRowContext(ctx, "SELECT alter_text, state FROM "+pgx.Identifier{schema, name}.Sanitize()+" WHERE id = 1").Scan(&alter, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("read checkpoint %s: %w", name, err)
	}
	return alter, state, true, nil
}
