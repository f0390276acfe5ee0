ALTER COLUMN ts TYPE timestamp
