CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE t (id int PRIMARY KEY, m mood);
INSERT INTO t (id, m) SELECT n, (ARRAY['sad','ok','happy']::mood[])[1 + n % 3] FROM generate_series(1, 1500) n;
