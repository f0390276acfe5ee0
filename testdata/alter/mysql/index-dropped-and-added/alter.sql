DROP INDEX ia, ADD INDEX iab (a, b), ADD INDEX ib (b DESC)
