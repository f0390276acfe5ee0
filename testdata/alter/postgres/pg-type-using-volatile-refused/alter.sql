ALTER COLUMN i TYPE double precision USING i + random()
