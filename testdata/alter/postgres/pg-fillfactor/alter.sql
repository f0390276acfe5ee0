SET (fillfactor = 70)
