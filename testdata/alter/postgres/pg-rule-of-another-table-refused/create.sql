CREATE TABLE t (id int PRIMARY KEY, v int);
INSERT INTO t (id, v) SELECT n, n FROM generate_series(1, 100) n;
CREATE TABLE log (id int);
CREATE RULE r AS ON INSERT TO log DO ALSO UPDATE t SET v = v + 1 WHERE id = NEW.id;
