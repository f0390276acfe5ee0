ALTER COLUMN d TYPE date USING to_date(d, 'DD/MM/YYYY'), ADD COLUMN w int
