INSERT INTO t VALUES (100001, 'Привет мир new', 'Привет мир');
UPDATE t SET s = 'Привет мир upd' WHERE id = 5;
