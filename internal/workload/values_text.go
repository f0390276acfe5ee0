package workload

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Alphabets per character set: multibyte and emoji only where the column
// can store them, so a write never fails for charset reasons.
var (
	asciiRunes   = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-'\"\\%,.")
	latin1Runes  = append([]rune("éüßñ©£ÀÿæØ"), asciiRunes...)
	utf8mb3Runes = append([]rune("éüß中文字ж€Ω"), asciiRunes...)
	utf8mb4Runes = append([]rune("😀🎉𝄞🚀"), utf8mb3Runes...)
)

func alphabet(charset string) []rune {
	switch charset {
	case "utf8mb4":
		return utf8mb4Runes
	case "utf8", "utf8mb3":
		return utf8mb3Runes
	case "latin1":
		return latin1Runes
	}
	return asciiRunes
}

const (
	smallText = 64      // typical upper bound of a random string, chars/bytes
	bigText   = 1 << 20 // a "big" value is bigText..1.5*bigText bytes
	maxChunk  = 4096    // big values repeat a random chunk of this size
)

// stringValue fills CHAR/VARCHAR up to their length in characters and
// *TEXT up to their length in bytes (CHARACTER_OCTET_LENGTH).
func (g *gen) stringValue(c *column, allowBig bool) string {
	runes := alphabet(c.Charset)
	if c.DataType == "char" || c.DataType == "varchar" {
		n := c.CharLen
		if !g.edge() {
			n = g.r.Int64N(min(n, smallText) + 1)
		}
		return g.runes(runes, n, c.OctetLen)
	}
	return g.runes(runes, 1<<62, g.blobSize(c.OctetLen, allowBig))
}

// blobSize picks a byte length for a TEXT/BLOB of at most limit bytes:
// usually small, sometimes exactly the limit (up to 64 KiB), and with
// probability bigRatio a big one (see gen.bigMin) if the type allows it.
func (g *gen) blobSize(limit int64, allowBig bool) int64 {
	switch {
	case allowBig && limit > 2*bigText && g.chance(g.bigRatio):
		return g.bigMin + g.r.Int64N(g.bigSpan)
	case g.edge() && g.r.IntN(4) == 0:
		return min(limit, 1<<16-1)
	}
	return g.r.Int64N(min(limit, 256) + 1)
}

// runes returns a random string of at most maxChars characters and
// maxBytes bytes; long strings repeat a random chunk to stay cheap.
func (g *gen) runes(alpha []rune, maxChars, maxBytes int64) string {
	var b strings.Builder
	var chars int64
	for chars < maxChars {
		r := alpha[g.r.IntN(len(alpha))]
		if int64(b.Len()+utf8.RuneLen(r)) > maxBytes {
			break
		}
		b.WriteRune(r)
		chars++
		if b.Len() >= maxChunk && maxBytes > 2*maxChunk {
			return repeatTo(b.String(), maxChars, maxBytes)
		}
	}
	return b.String()
}

// repeatTo repeats chunk and pads with ASCII to reach both limits.
func repeatTo(chunk string, maxChars, maxBytes int64) string {
	per := int64(utf8.RuneCountInString(chunk))
	n := max(1, min(maxBytes/int64(len(chunk)), maxChars/per))
	s := strings.Repeat(chunk, int(n))
	pad := min(maxBytes-int64(len(s)), maxChars-n*per)
	return s + strings.Repeat("x", int(max(pad, 0)))
}

// binaryValue fills BINARY/VARBINARY/BLOB; VARBINARY values often end in
// zero bytes, which must survive a copy unchanged.
func (g *gen) binaryValue(c *column, allowBig bool) []byte {
	var n int64
	switch c.DataType {
	case "binary":
		n = c.OctetLen - g.r.Int64N(2)*g.r.Int64N(c.OctetLen+1) // often full, sometimes padded by the server
	case "varbinary":
		n = c.OctetLen
		if !g.edge() {
			n = g.r.Int64N(min(n, smallText) + 1)
		}
	default:
		n = g.blobSize(c.OctetLen, allowBig)
	}
	b := g.bytes(n)
	if len(b) > 0 && g.r.IntN(3) == 0 {
		zeros := min(len(b), 1+g.r.IntN(3))
		clear(b[len(b)-zeros:])
	}
	return b
}

func (g *gen) bytes(n int64) []byte {
	b := make([]byte, n)
	for i := range b[:min(n, maxChunk)] {
		b[i] = byte(g.r.Uint32())
	}
	for i := int64(maxChunk); i < n; i += maxChunk {
		copy(b[i:], b[:maxChunk])
	}
	return b
}

// jsonValue returns a random JSON object or array, sometimes nested and
// with unicode strings; big ones hold many long strings.
func (g *gen) jsonValue(c *column, allowBig bool) string {
	charset := c.Charset
	if c.DataType == "json" { // MySQL's JSON type is always utf8mb4
		charset = "utf8mb4"
	}
	var doc any
	if allowBig && g.chance(g.bigRatio) {
		s := g.runes(alphabet(charset), 1<<62, 8*maxChunk)
		doc = slicesRepeat(s, bigText/len(s)+1)
	} else if g.r.IntN(2) == 0 {
		doc = g.jsonObject(charset, 3)
	} else {
		doc = g.jsonArray(charset, 3)
	}
	out, err := json.Marshal(doc)
	if err != nil { // cannot happen: only finite numbers and valid UTF-8
		panic(err)
	}
	return string(out)
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func (g *gen) jsonObject(charset string, depth int) map[string]any {
	m := map[string]any{}
	for range g.r.IntN(5) {
		m[g.runes(alphabet(charset), 8, 32)] = g.jsonScalarOrNested(charset, depth-1)
	}
	return m
}

func (g *gen) jsonArray(charset string, depth int) []any {
	a := make([]any, g.r.IntN(5))
	for i := range a {
		a[i] = g.jsonScalarOrNested(charset, depth-1)
	}
	return a
}

var jsonNumbers = []any{0, -1, 1 << 53, int64(-1 << 63), uint64(1<<64 - 1), 1.5, -2.25e-300, 1.7976931348623157e308}

func (g *gen) jsonScalarOrNested(charset string, depth int) any {
	switch k := g.r.IntN(8); {
	case k == 0 && depth > 0:
		return g.jsonObject(charset, depth)
	case k == 1 && depth > 0:
		return g.jsonArray(charset, depth)
	case k == 2:
		return jsonNumbers[g.r.IntN(len(jsonNumbers))]
	case k == 3:
		return g.r.IntN(2) == 0
	case k == 4:
		return nil
	case k == 5:
		return g.r.NormFloat64() * 1000
	}
	return g.runes(alphabet(charset), 16, 64)
}
