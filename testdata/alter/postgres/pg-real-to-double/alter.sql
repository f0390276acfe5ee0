ALTER COLUMN f TYPE double precision
