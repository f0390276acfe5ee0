ALTER COLUMN v TYPE integer USING length(v) * 10 + i, ALTER COLUMN n TYPE bigint USING (n * 100)::bigint
