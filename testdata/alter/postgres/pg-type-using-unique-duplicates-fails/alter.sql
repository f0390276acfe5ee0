ALTER COLUMN v TYPE integer USING v::integer % 100
