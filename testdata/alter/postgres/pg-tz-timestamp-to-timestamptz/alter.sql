ALTER COLUMN ts TYPE timestamptz
