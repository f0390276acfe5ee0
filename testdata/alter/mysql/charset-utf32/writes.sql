INSERT INTO t VALUES (100001, 'four 😀 bytes new', 'four 😀 bytes');
UPDATE t SET s = 'four 😀 bytes upd' WHERE id = 5;
