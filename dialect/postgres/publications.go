package postgres

import (
	"context"
	"fmt"
)

// Publication is a publication that names the table (FOR TABLE, not
// hotswap's own): the cut-over puts the new table in it in place of the old
// one, with the same row filter and column list. Subscribers match tables
// by name, so they go on receiving the table's changes.
type Publication struct{ Name string }

// publicationEntry is the table's entry in a publication, as ALTER
// PUBLICATION ... ADD TABLE writes it again.
type publicationEntry struct {
	Publication
	where   string // the row filter, "" for none
	columns string // the column list, quoted and comma-separated, "" for all
}

// publicationEntriesQuery lists $1's entries in publications other than
// hotswap's ("hotswap_" prefix), with their row filter and column list.
const publicationEntriesQuery = `SELECT p.pubname::text, coalesce(pg_get_expr(pr.prqual, pr.prrelid), ''),
		coalesce((SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.i) FROM unnest(pr.prattrs::int2[]) WITH ORDINALITY k(n, i)
			JOIN pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = k.n), '')
	FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
	WHERE pr.prrelid = $1 AND p.pubname NOT LIKE 'hotswap\_%'
	ORDER BY 1`

// readPublicationEntries reads them with an empty search_path: row filters
// name their functions and types with their schemas.
func readPublicationEntries(ctx context.Context, q Querier, oid uint32) ([]publicationEntry, error) {
	var out []publicationEntry
	err := withEmptySearchPath(ctx, q, func() error {
		rows, err := q.QueryContext(ctx, publicationEntriesQuery, oid)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e publicationEntry
			if err := rows.Scan(&e.Name, &e.where, &e.columns); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the publications of the table: %w", err)
	}
	return out, nil
}

func publicationsOf(entries []publicationEntry) []Publication {
	out := make([]Publication, len(entries))
	for i, e := range entries {
		out[i] = e.Publication
	}
	return out
}

// addSQL puts the table named table (qualified) in the publication as the
// entry had it.
func (e publicationEntry) addSQL(table string) string {
	s := "ALTER PUBLICATION " + QuoteIdent(e.Name) + " ADD TABLE ONLY " + table
	if e.columns != "" {
		s += " (" + e.columns + ")"
	}
	if e.where != "" {
		s += " WHERE (" + e.where + ")"
	}
	return s
}

// moveSQL takes the old table out of the publication and puts the new one
// in (both names qualified, as they are after the swap's renames).
func (e publicationEntry) moveSQL(oldName, newName string) []string {
	return []string{"ALTER PUBLICATION " + QuoteIdent(e.Name) + " DROP TABLE ONLY " + oldName, e.addSQL(newName)}
}

// checkPublications: the table's entry in each publication must hold on
// the new table (a row filter or column list naming a column the ALTER
// drops would not), and hotswap's role must be allowed to change the
// publication (own it): the probe is put in each, in the planning
// transaction.
func (p *probe) checkPublications(ctx context.Context, entries []publicationEntry) error {
	for _, e := range entries {
		if _, err := p.conn.ExecContext(ctx, e.addSQL(p.qualified())); err != nil {
			return fmt.Errorf("publication %s publishes %s.%s, and the new table cannot take its place there: %v; change the publication (or the ALTER), or take the table out of it before and put it back after (nothing was changed)",
				e.Name, p.schema, p.table, err)
		}
	}
	return nil
}
