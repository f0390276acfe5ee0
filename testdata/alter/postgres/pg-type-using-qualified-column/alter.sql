ALTER COLUMN v TYPE integer USING length(t.v) * 100 + t.i
