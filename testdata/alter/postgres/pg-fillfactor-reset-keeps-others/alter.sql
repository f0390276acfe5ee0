RESET (fillfactor), ADD COLUMN w int DEFAULT 3
