CREATE TABLE t (id int PRIMARY KEY, v int);
INSERT INTO t (id, v) SELECT n, n FROM generate_series(1, 100) n;
CREATE TABLE log (id int, v int);
CREATE RULE r AS ON UPDATE TO t DO ALSO INSERT INTO log VALUES (NEW.id, NEW.v);
