// Package binlog reads change streams (the MySQL/MariaDB binary log, a
// PostgreSQL logical replication slot; see Stream) and hands the keys of
// changed rows to an applier.Sink; the rows themselves are re-read from the
// source by the applier, so no column value is decoded beyond keys.
package binlog
