package schema

import "testing"

// TestParseMySQLAlterAnyCharset: character sets and collations the parser
// does not ship parse (the server judges them), and the analysis is intact.
func TestParseMySQLAlterAnyCharset(t *testing.T) {
	for _, clause := range []string{
		"MODIFY t2 varchar(128) CHARACTER SET latin2 NOT NULL",
		"CONVERT TO CHARACTER SET cp1250 COLLATE cp1250_polish_ci",
		"CHANGE a b VARCHAR(10) CHARACTER SET koi8r COLLATE koi8r_bin, MODIFY c TEXT CHARSET ucs2",
		"MODIFY c TEXT CHARACTER SET utf16 COLLATE utf16_unicode_ci, MODIFY d CHAR(3) CHARSET utf32",
		"MODIFY c VARCHAR(9) CHARACTER SET utf8mb3 COLLATE utf8mb3_unicode_ci",
		"MODIFY c VARCHAR(9) CHARACTER SET sjis, MODIFY d VARCHAR(9) CHARSET euckr, MODIFY e VARCHAR(9) CHARSET big5",
		"MODIFY c VARCHAR(9) CHARACTER SET gb2312, MODIFY d VARCHAR(9) CHARSET greek, MODIFY e VARCHAR(9) CHARSET hebrew",
		"DEFAULT CHARSET = cp1256 COLLATE = cp1256_general_ci, MODIFY c VARCHAR(9) CHARSET cp1251",
		"MODIFY c VARCHAR(9) COLLATE latin1_german2_ci, MODIFY d VARCHAR(9) COLLATE utf8mb4_uca1400_ai_ci",
		"MODIFY c VARCHAR(9) CHARACTER SET latin1 COLLATE latin1_swedish_nopad_ci",
	} {
		a, err := ParseMySQLAlter(clause)
		if err != nil {
			t.Errorf("%s: %v", clause, err)
			continue
		}
		if clause[:6] == "CHANGE" && a.Renames["a"] != "b" {
			t.Errorf("%s: renames %v", clause, a.Renames)
		}
	}
	// a syntax error is still one
	if _, err := ParseMySQLAlter("MODIFY c VARCHAR(9) CHARACTER SET"); err == nil {
		t.Error("a clause cut short parsed")
	}
}
