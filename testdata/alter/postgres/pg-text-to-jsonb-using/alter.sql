ALTER COLUMN j TYPE jsonb USING j::jsonb
