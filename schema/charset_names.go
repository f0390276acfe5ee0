package schema

import (
	"regexp"
	"strings"
	"sync"

	"github.com/pingcap/tidb/pkg/parser/charset"
)

// parseMu serializes parsing with teaching: the parser's tables of character
// sets and collations are package globals without a lock of their own.
var parseMu sync.Mutex

// maxTaughtNames bounds the reparses of one statement (each teaches a name).
const maxTaughtNames = 64

var (
	unknownCharset   = regexp.MustCompile(`Unknown character set: '([^']+)'`)
	unknownCollation = regexp.MustCompile(`Unknown collation: '([^']+)'`)
)

// teachName registers the character set or collation that err says the
// parser does not know, and says whether it did. The entries only let the
// parse go on: nothing here reads their properties, and the server refuses a
// name it does not support when the ALTER is applied to the empty shadow.
func teachName(err error) bool {
	msg := err.Error()
	if m := unknownCharset.FindStringSubmatch(msg); m != nil {
		name := strings.ToLower(m[1])
		if _, known := charset.CharacterSetInfos[name]; known {
			return false
		}
		charset.AddCharset(&charset.Charset{Name: name, DefaultCollation: name + "_bin", Collations: map[string]*charset.Collation{}, Maxlen: 4})
		return true
	}
	if m := unknownCollation.FindStringSubmatch(msg); m != nil {
		name := strings.ToLower(m[1])
		if _, err := charset.GetCollationByName(name); err == nil {
			return false
		}
		cs, _, _ := strings.Cut(name, "_")
		taughtCollations++
		charset.AddCollation(&charset.Collation{ID: taughtCollationID + taughtCollations, CharsetName: cs, Name: name, PadAttribute: charset.PadSpace})
		return true
	}
	return false
}

// taughtCollationID starts the ids of taught collations far above any the
// parser ships, so none replaces a real one in its id table.
const taughtCollationID = 1 << 20

var taughtCollations int
