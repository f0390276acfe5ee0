ALTER COLUMN ts TYPE timestamp(2)
