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
	_, err := q.ExecContext(ctx, createCheckpointSQL(database, name))
	if err != nil {
		return fmt.Errorf("create checkpoint table %s: %w", name, err)
	}
	return nil
}

// createCheckpointSQL creates the checkpoint table, whose one row has id 1.
func createCheckpointSQL(database, name string) string {
	return "CREATE TABLE " + qualified(database, name) +
		" (id TINYINT PRIMARY KEY, alter_text LONGTEXT NOT NULL, state LONGTEXT NOT NULL," +
		" updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)) ENGINE=InnoDB"
}

// SaveCheckpoint writes the checkpoint row.
func SaveCheckpoint(ctx context.Context, q Querier, database, name, alter, state string) error {
	query, args := saveCheckpointSQL(database, name, alter, state)
	_, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("write checkpoint %s: %w", name, err)
	}
	return nil
}

// saveCheckpointSQL replaces row 1 with the ALTER and the state, both bound.
func saveCheckpointSQL(database, name, alter, state string) (string, []any) {
	return "REPLACE INTO " + qualified(database, name) + " (id, alter_text, state) VALUES (1, ?, ?)", []any{alter, state}
}

// LoadCheckpoint reads the checkpoint row; found is false when the table
// has none (a run that crashed before its first checkpoint).
func LoadCheckpoint(ctx context.Context, q Querier, database, name string) (alter, state string, found bool, err error) {
	err = q.QueryRowContext(ctx, loadCheckpointSQL(database, name)).Scan(&alter, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("read checkpoint %s: %w", name, err)
	}
	return alter, state, true, nil
}

// loadCheckpointSQL reads row 1's ALTER and state.
func loadCheckpointSQL(database, name string) string {
	return "SELECT alter_text, state FROM " + qualified(database, name) + " WHERE id = 1"
}
