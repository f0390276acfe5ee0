INSERT INTO t VALUES (100001, 'Съешь же ещё new', 'Съешь же ещё');
UPDATE t SET s = 'Съешь же ещё upd' WHERE id = 5;
