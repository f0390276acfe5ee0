ALTER COLUMN i TYPE timestamptz USING now() - i * interval '1 day'
