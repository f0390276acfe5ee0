INSERT INTO t VALUES (100001, 'Γειά σου new', 'Γειά σου');
UPDATE t SET s = 'Γειά σου upd' WHERE id = 5;
