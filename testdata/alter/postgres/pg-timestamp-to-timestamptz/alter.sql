ALTER COLUMN ts TYPE timestamptz(6)
