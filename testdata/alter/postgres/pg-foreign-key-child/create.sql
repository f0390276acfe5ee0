CREATE TABLE p (id int PRIMARY KEY);
INSERT INTO p VALUES (1);
CREATE TABLE t (id int PRIMARY KEY, p int REFERENCES p (id));
INSERT INTO t (id, p) SELECT n, 1 FROM generate_series(1, 100) n;
