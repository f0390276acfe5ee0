package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// CreateCheckpoint creates the run's checkpoint table: one row holding the
// ALTER and a JSON state document, rewritten every few seconds.
func CreateCheckpoint(ctx context.Context, q Querier, database, name string) error {
	_, err := q.ExecContext(ctx, "CREATE TABLE "+qualified(database, name)+
		" (id TINYINT PRIMARY KEY, alter_text LONGTEXT NOT NULL, state LONGTEXT NOT NULL,"+
		" updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)) ENGINE=InnoDB")
	if err != nil {
		return fmt.Errorf("create checkpoint table %s: %w", name, err)
	}
	return nil
}

// SaveCheckpoint writes the checkpoint row.
func SaveCheckpoint(ctx context.Context, q Querier, database, name, alter, state string) error {
	_, err := q.ExecContext(ctx, "REPLACE INTO "+qualified(database, name)+" (id, alter_text, state) VALUES (1, ?, ?)", alter, state)
	if err != nil {
		return fmt.Errorf("write checkpoint %s: %w", name, err)
	}
	return nil
}

// LoadCheckpoint reads the checkpoint row; found is false when the table
// has none (a run that crashed before its first checkpoint).
func LoadCheckpoint(ctx context.Context, q Querier, database, name string) (alter, state string, found bool, err error) {
	err = q.QueryRowContext(ctx, "SELECT alter_text, state FROM "+qualified(database, name)+" WHERE id = 1").Scan(&alter, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("read checkpoint %s: %w", name, err)
	}
	return alter, state, true, nil
}
