INSERT INTO t VALUES (100001, 'مرحبا new', 'مرحبا');
UPDATE t SET s = 'مرحبا upd' WHERE id = 5;
