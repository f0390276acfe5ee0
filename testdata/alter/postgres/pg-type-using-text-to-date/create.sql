CREATE TABLE t (id int PRIMARY KEY, d text NOT NULL, v int);
INSERT INTO t SELECT g, to_char(date '2020-01-01' + g, 'DD/MM/YYYY'), g FROM generate_series(1, 2000) g;
