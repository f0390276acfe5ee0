ADD COLUMN w jsonb DEFAULT '{}'
